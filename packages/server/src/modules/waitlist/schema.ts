import { sql } from 'drizzle-orm';
import {
  check,
  date,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
  uuid,
} from 'drizzle-orm/pg-core';
import {
  locations,
  organizations,
  orgIdColumn,
  practitioners,
  sameOrganization,
  tenantKey,
} from '../directory/schema.js';
import { patientIdColumn, patients } from '../patients/schema.js';
import { appointments, slotHolds, visitTypes } from '../scheduling/schema.js';

/**
 * A patient waiting for a service (a waitlist entry), or a follow-up due in a window whose
 * patient says when they can come instead of a date. `availability` null: not said yet.
 */
export const waitlistEntries = pgTable(
  'waitlist_entries',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: orgIdColumn(),
    patientId: patientIdColumn(),
    kind: text('kind').notNull(),
    status: text('status').notNull().default('waiting'),
    priority: text('priority').notNull().default('routine'),
    visitTypeId: uuid('visit_type_id').notNull(),
    practitionerId: uuid('practitioner_id'),
    locationId: uuid('location_id'),
    /** `{ weekly: [{weekday, start, end}], dates: [YYYY-MM-DD] }`, validated on the way in. */
    availability: jsonb('availability'),
    earliest: date('earliest'),
    bookBefore: date('book_before'),
    /** The visit a follow-up follows. */
    sourceAppointmentId: uuid('source_appointment_id'),
    /** The appointment an accepted offer booked. */
    appointmentId: uuid('appointment_id'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    tenantKey(t),
    index('waitlist_entries_status_idx').on(t.orgId, t.status, t.visitTypeId),
    index('waitlist_entries_patient_idx').on(t.orgId, t.patientId),
    sameOrganization(t.orgId, t.patientId, patients),
    sameOrganization(t.orgId, t.visitTypeId, visitTypes),
    sameOrganization(t.orgId, t.practitionerId, practitioners),
    sameOrganization(t.orgId, t.locationId, locations),
    sameOrganization(t.orgId, t.sourceAppointmentId, appointments),
    sameOrganization(t.orgId, t.appointmentId, appointments),
    check('waitlist_entries_kind_check', sql`kind in ('waitlist', 'follow-up')`),
    check(
      'waitlist_entries_status_check',
      sql`status in ('waiting', 'offered', 'booked', 'removed')`,
    ),
    check('waitlist_entries_priority_check', sql`priority in ('routine', 'soon', 'urgent')`),
  ],
);

/** A slot offered to one waiting patient, under a hold; several share a hold in broadcast mode. */
export const waitlistOffers = pgTable(
  'waitlist_offers',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: orgIdColumn(),
    entryId: uuid('entry_id').notNull(),
    patientId: patientIdColumn(),
    holdId: uuid('hold_id').notNull(),
    /** SHA-256 of the accept link's token (the token itself is only in the message). */
    tokenHash: text('token_hash').notNull(),
    status: text('status').notNull().default('pending'),
    sentAt: timestamp('sent_at', { withTimezone: true }).notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    answeredAt: timestamp('answered_at', { withTimezone: true }),
    appointmentId: uuid('appointment_id'),
  },
  (t) => [
    tenantKey(t),
    index('waitlist_offers_hold_idx').on(t.orgId, t.holdId),
    index('waitlist_offers_entry_idx').on(t.orgId, t.entryId),
    index('waitlist_offers_pending_idx').on(t.expiresAt).where(sql`status = 'pending'`),
    index('waitlist_offers_token_idx').on(t.tokenHash),
    sameOrganization(t.orgId, t.entryId, waitlistEntries),
    sameOrganization(t.orgId, t.patientId, patients),
    sameOrganization(t.orgId, t.holdId, slotHolds),
    sameOrganization(t.orgId, t.appointmentId, appointments),
    check(
      'waitlist_offers_status_check',
      sql`status in ('pending', 'accepted', 'declined', 'expired', 'taken')`,
    ),
  ],
);

/** An organization's way of offering freed slots. */
export const waitlistSettings = pgTable(
  'waitlist_settings',
  {
    orgId: uuid('org_id')
      .primaryKey()
      .references(() => organizations.id),
    mode: text('mode').notNull().default('sequential'),
    holdMinutes: integer('hold_minutes').notNull().default(30),
    broadcastSize: integer('broadcast_size').notNull().default(3),
  },
  () => [
    check('waitlist_settings_mode_check', sql`mode in ('sequential', 'broadcast')`),
    check(
      'waitlist_settings_numbers_check',
      sql`hold_minutes between 5 and 1440 and broadcast_size between 2 and 20`,
    ),
  ],
);
