import { sql } from 'drizzle-orm';
import {
  boolean,
  check,
  customType,
  date,
  index,
  integer,
  pgTable,
  primaryKey,
  smallint,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { users } from '../auth/schema.js';
import {
  locations,
  organizations,
  orgIdColumn,
  practitioners,
  sameOrganization,
  serviceLines,
  tenantKey,
} from '../directory/schema.js';
import { patientIdColumn, patients } from '../patients/schema.js';

/** A PostgreSQL `tstzrange`, as its text form (`["2030-01-01 09:00:00+00","…")`). */
const tstzrange = customType<{ data: string; driverData: string }>({
  dataType: () => 'tstzrange',
});

export const appointments = pgTable(
  'appointments',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: orgIdColumn(),
    patientId: patientIdColumn(),
    status: text('status').notNull(),
    serviceLineId: uuid('service_line_id'),
    practitionerId: uuid('practitioner_id'),
    locationId: uuid('location_id'),
    startAt: timestamp('start_at', { withTimezone: true }).notNull(),
    endAt: timestamp('end_at', { withTimezone: true }).notNull(),
    telehealth: boolean('telehealth').notNull().default(false),
    /** Plain, from before migration 0012: emptied by `careloop keys rotate`. */
    reason: text('reason'),
    /** The visit reason (often a diagnosis): AES-256-GCM bound to the appointment. */
    reasonEncrypted: text('reason_encrypted'),
    /** Plain, from before migration 0035: emptied by `careloop keys rotate`. */
    cancelReason: text('cancel_reason'),
    /**
     * Why it was cancelled (free text: "Admitted with chest pain"): AES-256-GCM bound to the
     * appointment, as `reason_encrypted` is.
     */
    cancelReasonEncrypted: text('cancel_reason_encrypted'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    /** The service (visit type) it was booked for in Careloop; null for imported ones. */
    visitTypeId: uuid('visit_type_id'),
    /**
     * The practitioner's time this appointment holds, the service's buffer included, while it
     * holds it: set by Careloop's booking, cleared by a cancellation or a no-show. The exclusion
     * constraint `appointments_no_double_booking` keeps these from overlapping per practitioner
     * (docs/adr/0022-race-safe-booking.md). Null for appointments an EHR's schedule owns.
     */
    occupies: tstzrange('occupies'),
    /** The random part of a telehealth visit's join link. */
    joinToken: text('join_token'),
    /** Cancelled within the cancellation policy's notice. */
    lateCancel: boolean('late_cancel').notNull().default(false),
    /** When the patient confirmed they will come (a "C" reply to a reminder); null if not. */
    confirmedAt: timestamp('confirmed_at', { withTimezone: true }),
    updatedAt: timestamp('updated_at', { withTimezone: true }),
  },
  (t) => [
    tenantKey(t),
    index('appointments_patient_idx').on(t.patientId, t.startAt),
    index('appointments_org_start_idx').on(t.orgId, t.startAt),
    index('appointments_practitioner_start_idx').on(t.orgId, t.practitionerId, t.startAt),
    sameOrganization(t.orgId, t.serviceLineId, serviceLines),
    sameOrganization(t.orgId, t.practitionerId, practitioners),
    sameOrganization(t.orgId, t.locationId, locations),
    sameOrganization(t.orgId, t.patientId, patients),
    sameOrganization(t.orgId, t.visitTypeId, visitTypes),
  ],
);

/** A service (visit type) patients are booked for: its length, buffer and modality. */
export const visitTypes = pgTable(
  'visit_types',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: orgIdColumn(),
    name: text('name').notNull(),
    durationMinutes: integer('duration_minutes').notNull(),
    bufferMinutes: integer('buffer_minutes').notNull().default(0),
    modality: text('modality').notNull(),
    patientRule: text('patient_rule').notNull().default('any'),
    active: boolean('active').notNull().default(true),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    tenantKey(t),
    uniqueIndex('visit_types_org_name_key').on(t.orgId, t.name),
    check('visit_types_modality_check', sql`modality in ('in-person', 'telehealth')`),
    check('visit_types_patient_rule_check', sql`patient_rule in ('any', 'new', 'established')`),
    check(
      'visit_types_minutes_check',
      sql`duration_minutes between 5 and 480 and buffer_minutes between 0 and 120`,
    ),
  ],
);

/** The practitioners who give a service; none listed: any practitioner. */
export const visitTypePractitioners = pgTable(
  'visit_type_practitioners',
  {
    orgId: orgIdColumn(),
    visitTypeId: uuid('visit_type_id').notNull(),
    practitionerId: uuid('practitioner_id').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.orgId, t.visitTypeId, t.practitionerId] }),
    sameOrganization(t.orgId, t.visitTypeId, visitTypes),
    sameOrganization(t.orgId, t.practitionerId, practitioners),
  ],
);

/** The locations that offer a service; none listed: every location. */
export const visitTypeLocations = pgTable(
  'visit_type_locations',
  {
    orgId: orgIdColumn(),
    visitTypeId: uuid('visit_type_id').notNull(),
    locationId: uuid('location_id').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.orgId, t.visitTypeId, t.locationId] }),
    sameOrganization(t.orgId, t.visitTypeId, visitTypes),
    sameOrganization(t.orgId, t.locationId, locations),
  ],
);

/** Weekly hours (or a weekly break) of a practitioner at a location, in its wall-clock time. */
export const availabilityRules = pgTable(
  'availability_rules',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: orgIdColumn(),
    practitionerId: uuid('practitioner_id').notNull(),
    locationId: uuid('location_id').notNull(),
    weekday: smallint('weekday').notNull(),
    kind: text('kind').notNull().default('hours'),
    startTime: text('start_time').notNull(),
    endTime: text('end_time').notNull(),
    validFrom: date('valid_from'),
    validUntil: date('valid_until'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    tenantKey(t),
    index('availability_rules_practitioner_idx').on(t.orgId, t.practitionerId, t.locationId),
    index('availability_rules_location_idx').on(t.orgId, t.locationId),
    sameOrganization(t.orgId, t.practitionerId, practitioners),
    sameOrganization(t.orgId, t.locationId, locations),
    check('availability_rules_weekday_check', sql`weekday between 0 and 6`),
    check('availability_rules_kind_check', sql`kind in ('hours', 'break')`),
    check(
      'availability_rules_times_check',
      sql`start_time ~ '^([01][0-9]|2[0-3]):[0-5][0-9]$' and end_time ~ '^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$' and start_time < end_time`,
    ),
  ],
);

/**
 * A date off the weekly pattern: closed (`hours` null: a holiday, a day off) or other hours.
 * Without a practitioner it applies to everyone at the location; without a location, to the
 * practitioner everywhere; without either, to the whole organization.
 */
export const availabilityExceptions = pgTable(
  'availability_exceptions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: orgIdColumn(),
    practitionerId: uuid('practitioner_id'),
    locationId: uuid('location_id'),
    date: date('date').notNull(),
    /** JSON array of `{start, end}` wall times; null: closed. */
    hours: text('hours'),
    note: text('note'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    tenantKey(t),
    index('availability_exceptions_date_idx').on(t.orgId, t.date),
    sameOrganization(t.orgId, t.practitionerId, practitioners),
    sameOrganization(t.orgId, t.locationId, locations),
  ],
);

/** An organization's scheduling settings: the telehealth link and the cancellation policy. */
export const schedulingSettings = pgTable('scheduling_settings', {
  orgId: uuid('org_id')
    .primaryKey()
    .references(() => organizations.id),
  telehealthUrlTemplate: text('telehealth_url_template'),
  lateCancelHours: integer('late_cancel_hours').notNull().default(24),
  /** Issue 13: `careloop` (its rules, its bookings) or `ehr` (the EHR's slots; requests). */
  scheduleMode: text('schedule_mode').notNull().default('careloop'),
});

/**
 * A booking request under an `Idempotency-Key`: the same key with the same body answers the
 * appointment it booked; with another body, 422. Keyed per user, so keys never collide across
 * users.
 */
export const bookingRequests = pgTable(
  'booking_requests',
  {
    orgId: orgIdColumn(),
    userId: uuid('user_id').notNull(),
    idempotencyKey: text('idempotency_key').notNull(),
    bodyHash: text('body_hash').notNull(),
    appointmentId: uuid('appointment_id').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.orgId, t.userId, t.idempotencyKey] }),
    sameOrganization(t.orgId, t.userId, users),
    sameOrganization(t.orgId, t.appointmentId, appointments),
  ],
);

// ---- Issue 13: slot holds (docs/adr/0030-slot-holds-and-offers.md) ----

/**
 * A slot held for someone for a while (a waitlist offer awaiting its answer): availability
 * leaves it out and only a booking that claims the hold may take it, until it expires or is
 * released (docs/adr/0030-slot-holds-and-offers.md). `occupies` is the visit and its buffer, as
 * on appointments; holds that are not released never overlap (an exclusion constraint).
 */
export const slotHolds = pgTable(
  'slot_holds',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: orgIdColumn(),
    practitionerId: uuid('practitioner_id').notNull(),
    locationId: uuid('location_id').notNull(),
    visitTypeId: uuid('visit_type_id').notNull(),
    startAt: timestamp('start_at', { withTimezone: true }).notNull(),
    endAt: timestamp('end_at', { withTimezone: true }).notNull(),
    occupies: tstzrange('occupies').notNull(),
    reason: text('reason').notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    /** Set when it stops holding: booked, expired, declined, withdrawn. */
    releasedAt: timestamp('released_at', { withTimezone: true }),
    releaseReason: text('release_reason'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    tenantKey(t),
    index('slot_holds_practitioner_idx')
      .on(t.orgId, t.practitionerId, t.startAt)
      .where(sql`released_at is null`),
    index('slot_holds_expiry_idx').on(t.expiresAt).where(sql`released_at is null`),
    sameOrganization(t.orgId, t.practitionerId, practitioners),
    sameOrganization(t.orgId, t.locationId, locations),
    sameOrganization(t.orgId, t.visitTypeId, visitTypes),
    check('slot_holds_reason_check', sql`reason in ('waitlist-offer', 'booking')`),
    check('slot_holds_range_check', sql`lower(occupies) = start_at and upper(occupies) >= end_at`),
  ],
);

// ---- Issue 13: the EHR owns the schedule (scheduling/ehr-mode.ts) ----

/**
 * A request sent to the EHR that owns the schedule: a new appointment (SIU^S12), a move (S13)
 * or a cancellation (S15), one row per attempt, each with its own control id (MSH-10). The
 * appointment stays `proposed` ("Requested") until the EHR accepts a new one; a refusal frees
 * the hold.
 */
export const ehrBookingRequests = pgTable(
  'ehr_booking_requests',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: orgIdColumn(),
    appointmentId: uuid('appointment_id').notNull(),
    /** The hold that keeps the slot while the EHR decides (S12 and S13). */
    holdId: uuid('hold_id'),
    event: text('event').notNull(),
    status: text('status').notNull().default('sent'),
    controlId: text('control_id').notNull(),
    /** The EHR's id for the appointment (SCH-2), when its acknowledgement gave one. */
    fillerId: text('filler_id'),
    /** S13: the start asked for (the appointment keeps its time until the EHR accepts). */
    requestedStart: timestamp('requested_start', { withTimezone: true }),
    /** The EHR's MSA-3 for a refusal (at most 200 characters): shown to staff, never logged. */
    refusalReason: text('refusal_reason'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    answeredAt: timestamp('answered_at', { withTimezone: true }),
  },
  (t) => [
    tenantKey(t),
    index('ehr_booking_requests_appointment_idx').on(t.orgId, t.appointmentId),
    sameOrganization(t.orgId, t.appointmentId, appointments),
    sameOrganization(t.orgId, t.holdId, slotHolds),
    check('ehr_booking_requests_event_check', sql`event in ('S12', 'S13', 'S15')`),
    check('ehr_booking_requests_status_check', sql`status in ('sent', 'accepted', 'refused')`),
  ],
);
