import { createHash, randomBytes } from 'node:crypto';
import {
  type AppointmentAction,
  type AppointmentBook,
  type AppointmentChange,
  type AppointmentEvent,
  type AppointmentStatus,
  type AvailabilityQuery,
  type AvailableSlot,
  badRequest,
  type CalendarQuery,
  CareloopError,
  canonicalJson,
  conflict,
  EVENT_OF_ACTION,
  mayRead,
  notFound,
  type Problem,
  type Role,
  type ScheduledAppointment,
  transition,
  unknownReference,
} from '@careloop/core';
import { and, eq, gt, inArray, isNull, lt, type SQL } from 'drizzle-orm';
import type { FieldCipher } from '../../crypto/field-cipher.js';
import { insertStatements, updateStatements } from '../../db/bulk-sql.js';
import type { Database, Db } from '../../db/client.js';
import { sqlState } from '../../db/errors.js';
import type { RequestContext } from '../../http/actor.js';
import type { AuditActor, AuditLog } from '../audit/service.js';
import { organizations } from '../directory/schema.js';
import type { DomainEventSink } from '../integrations/webhooks/events.js';
import type { JobRunner } from '../jobs/runner.js';
import { patients } from '../patients/schema.js';
import { appendTouchpoints } from '../timeline/service.js';
import type { AppointmentConfirmations } from './confirmation.js';
// Issue 13: the EHR owns the schedule.
import { type EhrModeOptions, EhrScheduling } from './ehr-mode.js';
// Issue 13: slot holds.
import {
  insertHold,
  loadHeld,
  lockPractitionerTime,
  mergeBusy,
  releaseExpiredHolds,
  releaseHold,
} from './holds.js';
import { selectAppointments } from './reads.js';
import { sealedCancelReason } from './reason.js';
import { appointments, bookingRequests } from './schema.js';
import { SchedulingSetup, settingsOf } from './setup.js';
import {
  findSlots,
  loadBusy,
  loadChairs,
  loadVisitType,
  overlapsBusy,
  type VisitType,
  withinHours,
} from './slots.js';

/** Issue 13: the practitioner an EHR feed's appointment names, for the SIU and FHIR importers. */
export { type FeedPractitioner, practitionerNamed } from './feed-practitioner.js';

const MINUTE = 60_000;
const DAY = 86_400_000;
/** How far an availability search may reach, and how far alternatives are looked for. */
export const MAX_SEARCH_DAYS = 62;
const ALTERNATIVES = 5;
const EXCLUSION_VIOLATION = '23P01';
const UNIQUE_VIOLATION = '23505';

/** The 409 of a slot someone else booked first, with the next open slots instead. */
export class SlotTakenError extends CareloopError {
  declare readonly problem: Problem & { alternatives: AvailableSlot[] };

  constructor(alternatives: AvailableSlot[]) {
    super('slot_taken', 'This slot was just booked; choose another', '/body/start');
    this.problem = { ...this.problem, alternatives };
  }
}

export interface SchedulingOptions {
  /** Issue 9: seals and opens an appointment's cancellation reason (docs/encryption.md). */
  cipher: FieldCipher;
  /** The clock bookings and status changes are checked against. */
  clock?: () => Date;
  /**
   * Told of a patient's confirmation in its transaction: the EHR that sent the appointment is
   * told back (modules/ehr-link).
   */
  afterConfirm?: (
    tx: Db,
    confirmed: {
      orgId: string;
      appointmentId: string;
      patientId: string;
      at: Date;
      channel: 'sms' | 'email';
    },
  ) => Promise<unknown>;
  /** Issue 13: confirmation emails (with the .ics) of bookings and reschedules. */
  confirmations?: AppointmentConfirmations;
  /** Issue 11: `appointment.confirmed` to subscribed webhooks, in the confirmation's transaction. */
  events?: DomainEventSink;
  /** Issue 13: booking by request when the EHR owns the schedule (scheduling/ehr-mode.ts). */
  ehr?: EhrModeOptions;
}

/**
 * Who books: a request's user, or Careloop acting on a patient's answer (an offer's accept
 * link, which has no user).
 */
/** Whose view of appointments a read returns (FIELD_POLICY by role). */
type Viewer = { actor: { role: Role } };
const PATIENT_VIEW: Viewer = { actor: { role: 'patient' } };

export interface Booker {
  actor: { orgId: string; userId: string | null };
  audit: AuditActor;
}

export interface Booked {
  appointment: ScheduledAppointment;
  /** The answer to an earlier request with the same Idempotency-Key. */
  replayed: boolean;
}

/**
 * The scheduling module's service: the one writer of appointments, services (visit types),
 * availability rules and exceptions (docs/adr/0016). Booking is race-safe by an exclusion
 * constraint (docs/adr/0022-race-safe-booking.md); every change appends a touchpoint, an audit
 * event and an `appointment.changed` job in its own transaction.
 */
export class SchedulingService {
  private readonly clock: () => Date;
  private readonly confirmations: AppointmentConfirmations | undefined;
  /** Issue 13: requests to the EHR that owns the schedule; null without one configured. */
  readonly ehr: EhrScheduling | null;
  /** The clinic's services, hours, exceptions and settings (setup.ts). */
  readonly setup: SchedulingSetup;

  constructor(
    private readonly database: Database,
    private readonly audit: AuditLog,
    private readonly jobs: JobRunner,
    private readonly options: SchedulingOptions,
  ) {
    this.clock = options.clock ?? (() => new Date());
    this.confirmations = options.confirmations;
    this.ehr = options.ehr
      ? new EhrScheduling(options.ehr, audit, this.clock, (tx, booker, change) =>
          this.record(tx, booker, change),
        )
      : null;
    this.setup = new SchedulingSetup(database, audit, () => this.ehr?.configured === true);
  }

  // ---- Availability -----------------------------------------------------------------------

  /** Open slots: the rules minus booked appointments and holds, from now on. */
  async availability(ctx: RequestContext, query: AvailabilityQuery): Promise<AvailableSlot[]> {
    const from = Date.parse(query.from);
    const to = Date.parse(query.to);
    if (to <= from) throw badRequest('to must be after from', '/query/to');
    if (to - from > MAX_SEARCH_DAYS * DAY) {
      throw badRequest(`Search at most ${MAX_SEARCH_DAYS} days at a time`, '/query/to');
    }
    const now = this.clock().getTime();
    return this.database.withTenant(ctx.actor.orgId, async (tx) => {
      const service = await this.activeService(tx, query.service, '/query/service');
      if (query.modality && query.modality !== service.modality) return [];
      // Issue 13: where the EHR owns the schedule, its free slots are what can be booked.
      if ((await settingsOf(tx)).scheduleMode === 'ehr') {
        return (
          (await this.ehr?.availability(
            tx,
            service,
            { practitionerId: query.practitioner, locationId: query.location },
            { start: Math.max(from, now), end: to },
            query.limit ?? 100,
          )) ?? []
        );
      }
      return findSlots(
        tx,
        service,
        { practitionerId: query.practitioner, locationId: query.location },
        { start: Math.max(from, now), end: to },
        query.limit ?? 100,
        now,
      );
    });
  }

  private async activeService(tx: Db, id: string, path: string): Promise<VisitType> {
    const service = await loadVisitType(tx, id);
    if (!service?.active) {
      throw new CareloopError(
        'unknown_reference',
        'service does not name a service of this organization',
        path,
      );
    }
    return service;
  }

  // ---- Booking ----------------------------------------------------------------------------

  /**
   * Books a slot, or throws `SlotTakenError` with the next open slots. With an
   * `idempotencyKey`, the same key and body answer the appointment booked the first time; the
   * same key with another body is refused (422).
   */
  async book(ctx: RequestContext, body: AppointmentBook, idempotencyKey?: string): Promise<Booked> {
    const bodyHash = createHash('sha256').update(canonicalJson(body)).digest('hex');
    const key = idempotencyKey ? { key: idempotencyKey, bodyHash } : null;
    // One transaction, so one pooled connection, per request, also for the losers of a race:
    // the booking runs under a savepoint, and a refusal answers from the same connection
    // (a burst of 100 for one slot would otherwise queue 199 transactions; docs/adr/0035).
    return this.database.withTenant(ctx.actor.orgId, async (tx) => {
      if (key) {
        const earlier = await this.replay(tx, ctx, key);
        if (earlier) return earlier;
      }
      try {
        return await tx.transaction(async (attempt) => {
          const id = await this.insertBooking(attempt, ctx, body, key);
          return { appointment: await this.read(attempt, ctx, id), replayed: false };
        });
      } catch (error) {
        const code = sqlState(error);
        if (
          !(error instanceof SlotTakenError) &&
          code !== EXCLUSION_VIOLATION &&
          code !== UNIQUE_VIOLATION
        ) {
          throw error;
        }
        // A concurrent request with the same key may have won: answer what it booked (its
        // commit is what this one waited for, so the next statement sees it).
        if (key) {
          const earlier = await this.replay(tx, ctx, key);
          if (earlier) return earlier;
        }
        if (code === UNIQUE_VIOLATION) throw error;
        throw new SlotTakenError(
          await this.alternatives(tx, body.serviceId, body.locationId, body.start),
        );
      }
    });
  }

  private async replay(
    tx: Db,
    ctx: RequestContext,
    key: { key: string; bodyHash: string },
  ): Promise<Booked | null> {
    const [earlier] = await tx
      .select()
      .from(bookingRequests)
      .where(
        and(
          eq(bookingRequests.userId, ctx.actor.userId),
          eq(bookingRequests.idempotencyKey, key.key),
        ),
      );
    if (!earlier) return null;
    if (earlier.bodyHash !== key.bodyHash) {
      throw new CareloopError(
        'idempotency_mismatch',
        'This Idempotency-Key was used with another request',
        '/headers/idempotency-key',
      );
    }
    return { appointment: await this.read(tx, ctx, earlier.appointmentId), replayed: true };
  }

  private async insertBooking(
    tx: Db,
    ctx: Booker,
    body: AppointmentBook,
    key: { key: string; bodyHash: string } | null,
    claim: string | null = null,
  ): Promise<string> {
    const orgId = ctx.actor.orgId;
    const start = Date.parse(body.start);
    const service = await this.activeService(tx, body.serviceId, '/body/serviceId');
    if (body.modality && body.modality !== service.modality) {
      throw badRequest(`This service is ${service.modality}`, '/body/modality');
    }
    // Issue 13: where the EHR owns the schedule, a booking is a request the EHR answers.
    if (claim === null && (await settingsOf(tx)).scheduleMode === 'ehr') {
      return this.requestOfEhr(tx, ctx, body, key, service);
    }
    await this.checkSlot(tx, service, body.practitionerId, body.locationId, start, null, claim);
    const [patient] = await tx
      .select({ id: patients.id })
      .from(patients)
      .where(eq(patients.id, body.patientId));
    if (!patient) throw unknownReference('patientId', 'patient');
    const end = start + service.durationMinutes * MINUTE;
    const blockedUntil = end + service.bufferMinutes * MINUTE;
    const telehealth = service.modality === 'telehealth';
    const [row] = await tx
      .insert(appointments)
      .values({
        orgId,
        patientId: body.patientId,
        status: 'booked',
        visitTypeId: service.id,
        practitionerId: body.practitionerId,
        locationId: body.locationId,
        startAt: new Date(start),
        endAt: new Date(end),
        occupies: rangeText(start, blockedUntil),
        telehealth,
        joinToken: telehealth ? randomBytes(18).toString('base64url') : null,
        updatedAt: this.clock(),
      })
      .returning({ id: appointments.id });
    if (!row) throw new Error('insert returned nothing');
    if (key) {
      if (!ctx.actor.userId) throw new Error('an Idempotency-Key is kept per user');
      await tx.insert(bookingRequests).values({
        orgId,
        userId: ctx.actor.userId,
        idempotencyKey: key.key,
        bodyHash: key.bodyHash,
        appointmentId: row.id,
      });
    }
    await this.record(tx, ctx, {
      id: row.id,
      patientId: body.patientId,
      event: 'booked',
      summary: `Booked: ${service.name} on ${new Date(start).toISOString().slice(0, 16).replace('T', ' ')} UTC`,
      telehealth,
    });
    return row.id;
  }

  /** Issue 13: a booking in `ehr` mode: the slot held and an SIU^S12 queued (ehr-mode.ts). */
  private async requestOfEhr(
    tx: Db,
    ctx: Booker,
    body: AppointmentBook,
    key: { key: string; bodyHash: string } | null,
    service: VisitType,
  ): Promise<string> {
    if (!this.ehr) {
      throw conflict(
        'The EHR owns this schedule, but no EHR endpoint is configured (EHR_FHIR_BASE or EHR_MLLP_ENDPOINT)',
        '/body',
      );
    }
    const [patient] = await tx
      .select({ id: patients.id })
      .from(patients)
      .where(eq(patients.id, body.patientId));
    if (!patient) throw unknownReference('patientId', 'patient');
    const id = await this.ehr.request(tx, ctx, body, service);
    if (!id) throw new SlotTakenError([]);
    if (key) {
      if (!ctx.actor.userId) throw new Error('an Idempotency-Key is kept per user');
      await tx.insert(bookingRequests).values({
        orgId: ctx.actor.orgId,
        userId: ctx.actor.userId,
        idempotencyKey: key.key,
        bodyHash: key.bodyHash,
        appointmentId: id,
      });
    }
    return id;
  }

  /**
   * Refuses a visit outside the chair's hours (400) or over another booking (409). The
   * exclusion constraint is the guard that holds under concurrency; this check gives the
   * ordinary case its clear answer.
   */
  private async checkSlot(
    tx: Db,
    service: VisitType,
    practitionerId: string,
    locationId: string,
    start: number,
    ignoreAppointmentId: string | null,
    /** Issue 13: the hold this booking takes (an accepted waitlist offer). */
    claim: string | null = null,
  ): Promise<void> {
    if (start < this.clock().getTime()) {
      throw badRequest('start is in the past', '/body/start');
    }
    if (service.practitionerIds.length > 0 && !service.practitionerIds.includes(practitionerId)) {
      throw badRequest('This practitioner does not give this service', '/body/practitionerId');
    }
    if (service.locationIds.length > 0 && !service.locationIds.includes(locationId)) {
      throw badRequest('This location does not offer this service', '/body/locationId');
    }
    const end = start + service.durationMinutes * MINUTE;
    const window = { start: start - DAY, end: end + DAY };
    const [chair] = await loadChairs(tx, service, { practitionerId, locationId }, window);
    if (!chair || !withinHours(chair, start, service.durationMinutes)) {
      throw badRequest(
        'start is not within the practitioner’s hours at this location',
        '/body/start',
      );
    }
    // Issue 13: bookings and holds of one practitioner are checked under one lock.
    await lockPractitionerTime(tx, practitionerId, 'shared');
    const busy = await loadBusy(tx, [practitionerId], window, ignoreAppointmentId);
    mergeBusy(busy, await loadHeld(tx, [practitionerId], window, this.clock().getTime(), claim));
    if (overlapsBusy(busy.get(practitionerId) ?? [], start, end + service.bufferMinutes * MINUTE)) {
      throw new SlotTakenError([]);
    }
  }

  /** The next open slots of the service at the location, from `start` on. */
  private async alternatives(
    tx: Db,
    serviceId: string,
    locationId: string,
    start: string,
  ): Promise<AvailableSlot[]> {
    const from = Math.max(Date.parse(start), this.clock().getTime());
    const service = await loadVisitType(tx, serviceId);
    if (!service) return [];
    // Issue 13: the EHR's free slots where it owns the schedule.
    if (this.ehr && (await settingsOf(tx)).scheduleMode === 'ehr') {
      return this.ehr.availability(
        tx,
        service,
        { locationId },
        { start: from, end: from + 14 * DAY },
        ALTERNATIVES,
      );
    }
    // The next day first, then further: most answers need no more than a day's search.
    for (const days of [1, 7]) {
      const found = await findSlots(
        tx,
        service,
        { locationId },
        { start: from, end: from + days * DAY },
        ALTERNATIVES,
        this.clock().getTime(),
      );
      if (found.length >= ALTERNATIVES) return found;
    }
    return findSlots(
      tx,
      service,
      { locationId },
      { start: from, end: from + 14 * DAY },
      ALTERNATIVES,
      this.clock().getTime(),
    );
  }

  // ---- Changes ----------------------------------------------------------------------------

  /** Reschedules or changes the status of an appointment. */
  async change(
    // Issue 11 (h11r): or Careloop acting on a patient's text (a reschedule offer's answer).
    ctx: Booker & Viewer,
    id: string,
    body: AppointmentChange,
    /** Issue 13: a patient in the portal may not cancel late (the policy refuses it). */
    by: 'staff' | 'patient' = 'staff',
  ): Promise<ScheduledAppointment> {
    if (body.action === 'cancel' && !body.reason?.trim()) {
      throw badRequest('A cancellation needs a reason', '/body/reason');
    }
    if (body.action === 'reschedule' && !body.start) {
      throw badRequest('A reschedule needs the new start', '/body/start');
    }
    try {
      return await this.database.withTenant(ctx.actor.orgId, async (tx) => {
        const [row] = await tx
          .select()
          .from(appointments)
          .where(eq(appointments.id, id))
          .for('update');
        if (!row) throw notFound('Appointment');
        const policy = await settingsOf(tx);
        const now = this.clock().getTime();
        const action: AppointmentAction = body.action;
        const newStart =
          action === 'reschedule' && body.start ? Date.parse(body.start) : row.startAt.getTime();
        const step = transition(
          row.status as AppointmentStatus,
          action,
          { now, start: newStart, end: row.endAt.getTime() },
          by,
          { lateCancelHours: policy.lateCancelHours },
        );
        if (!step.ok) throw conflict(refusalMessage(step.refusal), '/body/action');
        // Issue 13: an appointment requested of the EHR that owns the schedule moves there.
        const viaEhr =
          this.ehr && policy.scheduleMode === 'ehr' && (await this.ehr.requested(tx, id))
            ? this.ehr
            : null;
        if (viaEhr && action === 'reschedule') {
          await this.requestMoveOfEhr(tx, ctx, viaEhr, row, body, newStart);
          return this.read(tx, ctx, id);
        }
        const values: Partial<typeof appointments.$inferInsert> = {
          status: step.status,
          updatedAt: this.clock(),
        };
        let summary: string;
        if (action === 'reschedule') {
          Object.assign(values, await this.rescheduled(tx, row, body, newStart));
          summary = `Rescheduled to ${new Date(newStart).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
        } else if (action === 'cancel') {
          values.occupies = null;
          Object.assign(
            values,
            sealedCancelReason(this.options.cipher, body.reason?.trim(), id, ctx.actor.orgId),
          );
          values.lateCancel = step.late;
          summary = step.late ? 'Cancelled late' : 'Cancelled';
        } else if (action === 'no-show') {
          values.occupies = null;
          summary = 'No-show';
        } else {
          summary = action === 'check-in' ? 'Checked in' : 'Visit completed';
        }
        await tx.update(appointments).set(values).where(eq(appointments.id, id));
        if (viaEhr && action === 'cancel') {
          await viaEhr.cancelled(
            tx,
            row,
            by === 'patient' ? 'Patient cancelled' : 'Clinic cancelled',
          );
        }
        // Issue 13: the time a cancellation or a move frees goes to the waitlist.
        if ((action === 'cancel' || action === 'reschedule') && row.occupies) {
          await this.slotFreed(tx, ctx.actor.orgId, row);
        }
        await this.record(tx, ctx, {
          id,
          patientId: row.patientId,
          event: EVENT_OF_ACTION[action],
          summary,
          telehealth: row.telehealth,
        });
        return this.read(tx, ctx, id);
      });
    } catch (error) {
      if (sqlState(error) === EXCLUSION_VIOLATION) {
        throw new SlotTakenError([]);
      }
      throw error;
    }
  }

  /** Issue 13: a move of a requested appointment is an S13 the EHR answers (ehr-mode.ts). */
  private async requestMoveOfEhr(
    tx: Db,
    ctx: Booker,
    ehr: EhrScheduling,
    row: typeof appointments.$inferSelect,
    body: AppointmentChange,
    start: number,
  ): Promise<void> {
    if (!row.visitTypeId) throw conflict('This appointment has no service', '/body/action');
    const service = await loadVisitType(tx, row.visitTypeId);
    if (!service) throw notFound('Service');
    const practitionerId = body.practitionerId ?? row.practitionerId;
    const locationId = body.locationId ?? row.locationId;
    if (!practitionerId || !locationId)
      throw badRequest('A practitioner and location are needed', '/body/practitionerId');
    const held = await ehr.requestMove(tx, ctx, row, service, {
      start,
      practitionerId,
      locationId,
    });
    if (!held) throw new SlotTakenError([]);
  }

  private async rescheduled(
    tx: Db,
    row: typeof appointments.$inferSelect,
    body: AppointmentChange,
    start: number,
  ): Promise<Partial<typeof appointments.$inferInsert>> {
    if (!row.visitTypeId) {
      throw conflict('An appointment from another system is rescheduled there', '/body/action');
    }
    const service = await loadVisitType(tx, row.visitTypeId);
    if (!service) throw notFound('Service');
    const practitionerId = body.practitionerId ?? row.practitionerId;
    const locationId = body.locationId ?? row.locationId;
    if (!practitionerId || !locationId)
      throw badRequest('A practitioner and location are needed', '/body/practitionerId');
    // Its own time does not count against it (it moves within its own slot, or away from it).
    await this.checkSlot(tx, service, practitionerId, locationId, start, row.id);
    const end = start + service.durationMinutes * MINUTE;
    return {
      practitionerId,
      locationId,
      startAt: new Date(start),
      endAt: new Date(end),
      occupies: rangeText(start, end + service.bufferMinutes * MINUTE),
    };
  }

  /** The touchpoint, the audit event and the `appointment.changed` job of one change. */
  private async record(
    tx: Db,
    ctx: Booker,
    change: {
      id: string;
      patientId: string;
      event: AppointmentEvent;
      summary: string;
      telehealth: boolean;
    },
  ): Promise<void> {
    const visit =
      change.event === 'checked-in' || change.event === 'completed' || change.event === 'no-show';
    await appendTouchpoints(tx, [
      {
        orgId: ctx.actor.orgId,
        patientId: change.patientId,
        channel: visit ? (change.telehealth ? 'telehealth' : 'in-person') : 'system',
        direction: 'internal',
        type: `appointment-${change.event}`,
        stage: visit ? 'visit' : 'scheduling',
        summary: change.summary,
        nonClinicalSummary: change.summary,
        subjectType: 'appointment',
        subjectId: change.id,
        occurredAt: this.clock(),
      },
    ]);
    await this.jobs.send(tx, 'appointment.changed', {
      orgId: ctx.actor.orgId,
      appointmentId: change.id,
      event: change.event,
    });
    // Issue 13: a booking or a move is confirmed by email with the .ics, in this transaction.
    if (this.confirmations && (change.event === 'booked' || change.event === 'rescheduled')) {
      const [org] = await tx
        .select({ name: organizations.name })
        .from(organizations)
        .where(eq(organizations.id, ctx.actor.orgId));
      // Read as its recipient reads it: the patient's own view of the appointment.
      await this.confirmations.queue(
        tx,
        { orgId: ctx.actor.orgId, orgName: org?.name ?? '', event: change.event },
        await this.read(tx, PATIENT_VIEW, change.id),
      );
    }
    // Last: the audit chain's lock is held from here to the commit only.
    await this.audit.inTransaction(tx, ctx.audit, {
      action: change.event === 'booked' ? 'create' : 'update',
      recordType: 'appointment',
      recordId: change.id,
      patientId: change.patientId,
      reason: change.event,
    });
  }

  /**
   * The patient confirmed a booked appointment (a "C" reply to a reminder), in the caller's
   * transaction: stamps `confirmed_at` once and puts it on the timeline. Returns whether it
   * changed anything (a cancelled, past or already confirmed appointment is left as it is).
   * The caller audits, as the actor it acts for.
   */
  async confirmByPatient(
    tx: Db,
    confirmation: { orgId: string; appointmentId: string; at: Date; channel: 'sms' | 'email' },
  ): Promise<boolean> {
    const [row] = await tx
      .update(appointments)
      .set({ confirmedAt: confirmation.at, updatedAt: confirmation.at })
      .where(
        and(
          eq(appointments.orgId, confirmation.orgId),
          eq(appointments.id, confirmation.appointmentId),
          eq(appointments.status, 'booked'),
          isNull(appointments.confirmedAt),
          gt(appointments.startAt, confirmation.at),
        ),
      )
      .returning({ patientId: appointments.patientId });
    if (!row) return false;
    const summary = 'Appointment confirmed by the patient';
    await appendTouchpoints(tx, [
      {
        orgId: confirmation.orgId,
        patientId: row.patientId,
        channel: confirmation.channel,
        direction: 'inbound',
        type: 'appointment-confirmed',
        stage: 'scheduling',
        summary,
        nonClinicalSummary: summary,
        subjectType: 'appointment',
        subjectId: confirmation.appointmentId,
        occurredAt: confirmation.at,
      },
    ]);
    await this.options.afterConfirm?.(tx, { ...confirmation, patientId: row.patientId });
    await this.options.events?.emit(tx, confirmation.orgId, [
      { type: 'appointment.confirmed', data: { appointmentId: confirmation.appointmentId } },
    ]);
    return true;
  }

  // ---- Issue 13: holds (docs/adr/0030-slot-holds-and-offers.md) ---------------------------

  /**
   * Holds a slot of a service until `expiresAt`, in the caller's transaction, if it is still
   * open (ahead, within hours, neither booked nor held); null when it is not.
   */
  async holdSlot(
    tx: Db,
    hold: {
      orgId: string;
      serviceId: string;
      practitionerId: string;
      locationId: string;
      start: number;
      reason: 'waitlist-offer' | 'booking';
      expiresAt: Date;
    },
  ): Promise<string | null> {
    const service = await loadVisitType(tx, hold.serviceId);
    if (!service?.active) return null;
    // Exclusive: bookings in flight finish first, and later ones see this hold.
    await lockPractitionerTime(tx, hold.practitionerId, 'exclusive');
    try {
      await this.checkSlot(tx, service, hold.practitionerId, hold.locationId, hold.start, null);
    } catch (error) {
      // A slot no longer open (booked, held, past, out of hours) is simply not held.
      if (error instanceof CareloopError) return null;
      throw error;
    }
    const now = this.clock();
    const end = hold.start + service.durationMinutes * MINUTE;
    const blockedUntil = end + service.bufferMinutes * MINUTE;
    await releaseExpiredHolds(tx, hold.practitionerId, hold.start, blockedUntil, now);
    return insertHold(tx, { ...hold, end, blockedUntil, now });
  }

  /**
   * Books the slot a hold keeps, in the caller's transaction, through the same checks and
   * constraint as every booking; the hold is released as booked. Throws `SlotTakenError`
   * (without alternatives) or a 23P01 when the time is gone.
   */
  async bookHeld(tx: Db, booker: Booker, body: AppointmentBook, holdId: string): Promise<string> {
    const id = await this.insertBooking(tx, booker, body, null, holdId);
    await releaseHold(tx, holdId, this.clock(), 'booked');
    return id;
  }

  /** A cancellation or a move freed Careloop-booked time: the waitlist is told (a job). */
  private async slotFreed(
    tx: Db,
    orgId: string,
    row: typeof appointments.$inferSelect,
  ): Promise<void> {
    if (!row.practitionerId || !row.locationId) return;
    await this.jobs.send(tx, 'slot.freed', {
      orgId,
      practitionerId: row.practitionerId,
      locationId: row.locationId,
      start: row.startAt.toISOString(),
      end: row.endAt.toISOString(),
    });
  }

  // ---- Reading ----------------------------------------------------------------------------

  /** The service's clock, for callers that compare against what it decides (the portal). */
  now(): Date {
    return this.clock();
  }

  /** Issue 13: one patient's appointments, oldest first (the portal's list); an audited read. */
  async listForPatient(ctx: RequestContext, patientId: string): Promise<ScheduledAppointment[]> {
    return this.database.withTenant(ctx.actor.orgId, async (tx) => {
      const rows = await selectAppointments(
        tx,
        ctx.actor.role,
        this.options.cipher,
        eq(appointments.patientId, patientId),
      );
      await this.audit.inTransaction(tx, ctx.audit, {
        action: 'search',
        recordType: 'appointment',
        patientId,
        reason: `own appointments: ${rows.length}`,
      });
      return rows;
    });
  }

  /** The patient an appointment belongs to, for the restrictions guard; null if unknown. */
  async patientOf(ctx: RequestContext, id: string): Promise<string | null> {
    return this.database.withTenant(ctx.actor.orgId, async (tx) => {
      const [row] = await tx
        .select({ patientId: appointments.patientId })
        .from(appointments)
        .where(eq(appointments.id, id));
      return row?.patientId ?? null;
    });
  }

  async get(ctx: RequestContext, id: string): Promise<ScheduledAppointment> {
    return this.database.withTenant(ctx.actor.orgId, async (tx) => {
      const appointment = await this.read(tx, ctx, id);
      await this.audit.inTransaction(tx, ctx.audit, {
        action: 'read',
        recordType: 'appointment',
        recordId: id,
        patientId: appointment.patientId,
      });
      return appointment;
    });
  }

  private async read(tx: Db, ctx: Viewer, id: string): Promise<ScheduledAppointment> {
    const [row] = await selectAppointments(
      tx,
      ctx.actor.role,
      this.options.cipher,
      eq(appointments.id, id),
    );
    if (!row) throw notFound('Appointment');
    return row;
  }

  /**
   * Appointments starting in [from, to) of a practitioner or a location (or all), for the
   * calendar; `hidden` are patients the reader may not open (restricted): no name.
   */
  async calendar(
    ctx: RequestContext,
    query: CalendarQuery,
    hidden: (patientIds: string[], tx: Db) => Promise<Set<string>>,
  ): Promise<ScheduledAppointment[]> {
    const from = Date.parse(query.from);
    const to = Date.parse(query.to);
    if (to <= from) throw badRequest('to must be after from', '/query/to');
    if (to - from > MAX_SEARCH_DAYS * DAY) {
      throw badRequest(`Show at most ${MAX_SEARCH_DAYS} days at a time`, '/query/to');
    }
    return this.database.withTenant(ctx.actor.orgId, async (tx) => {
      const rows = await selectAppointments(
        tx,
        ctx.actor.role,
        this.options.cipher,
        and(
          query.practitioner ? eq(appointments.practitionerId, query.practitioner) : undefined,
          query.location ? eq(appointments.locationId, query.location) : undefined,
          lt(appointments.startAt, new Date(to)),
          gt(appointments.endAt, new Date(from)),
        ),
      );
      const masked = await hidden([...new Set(rows.map((r) => r.patientId))], tx);
      // A restricted patient the reader may not open: the slot is busy, nothing more.
      const shown = rows.map((r) =>
        masked.has(r.patientId) ? { ...r, patientName: null, cancelReason: null } : r,
      );
      const patientIds = [...new Set(shown.map((r) => r.patientId))];
      if (patientIds.length > 0 && mayRead(ctx.actor.role, 'appointment', 'patient')) {
        await this.audit.inTransaction(tx, ctx.audit, {
          action: 'search',
          recordType: 'appointment',
          reason: `calendar ${query.from}–${query.to}: ${rows.length} appointments of ${patientIds.length} patients`,
        });
      }
      return shown;
    });
  }
}

// ---- Writes for the importers (HL7 SIU, FHIR, CSV) ----------------------------------------

// Issue 13: open slots and holds, for the waitlist's offers.
export { extendHold, releaseHold } from './holds.js';
/** How an appointment's reason is sealed and opened, for the importers and readers. */
export {
  appointmentCancelReason,
  appointmentReason,
  sealedCancelReason,
  sealedReason,
} from './reason.js';
export { findSlots, loadVisitType, type VisitType } from './slots.js';

export type AppointmentRow = typeof appointments.$inferInsert & { id: string };
export type AppointmentChanges = Partial<typeof appointments.$inferInsert> & { id: string };

/**
 * An appointment's changes as an importer brings them (a status from an EHR's schedule): a
 * status that no longer holds time frees what Careloop's booking held.
 */
function importedChanges(values: AppointmentChanges): AppointmentChanges {
  const frees =
    (values.status && !['proposed', 'booked', 'arrived', 'fulfilled'].includes(values.status)) ||
    values.startAt !== undefined ||
    values.endAt !== undefined;
  // Moved or ended by the system that sent it: that system owns its time from now on.
  return frees ? { ...values, occupies: null } : values;
}

/** Inserts an appointment an importer read from another system. */
export async function insertImportedAppointment(tx: Db, row: typeof appointments.$inferInsert) {
  return tx.insert(appointments).values(row).returning({ id: appointments.id });
}

/** Updates an appointment from another system's message or file. */
export async function updateImportedAppointment(tx: Db, values: AppointmentChanges): Promise<void> {
  const { id, ...set } = importedChanges(values);
  await tx.update(appointments).set(set).where(eq(appointments.id, id));
}

/** Imported appointments as statements for a batch's single round trip (`runAll`). */
export function importedAppointmentInsertStatements(rows: AppointmentRow[]): SQL[] {
  return insertStatements(appointments, rows);
}

/** Imported changes as statements for a batch's single round trip (`runAll`). */
export function importedAppointmentUpdateStatements(rows: AppointmentChanges[]): SQL[] {
  return updateStatements(appointments, rows.map(importedChanges));
}

/** Reads appointments by id, for importers that update what they imported before. */
export async function appointmentsById(tx: Db, ids: string[]) {
  if (ids.length === 0) return [];
  return tx.select().from(appointments).where(inArray(appointments.id, ids));
}

// ---- Helpers ------------------------------------------------------------------------------

/** A `tstzrange` literal, half-open. */
function rangeText(start: number, end: number): string {
  return `[${new Date(start).toISOString()},${new Date(end).toISOString()})`;
}

function refusalMessage(refusal: string): string {
  switch (refusal) {
    case 'not_allowed_in_status':
      return 'The appointment’s status does not allow this';
    case 'too_early_to_check_in':
      return 'Too early to check in: check-in opens two hours before the start';
    case 'visit_over':
      return 'The visit is over';
    case 'not_started':
      return 'A no-show is marked once the visit should have begun';
    case 'in_the_past':
      return 'start is in the past';
    default:
      return 'Patients may not cancel this late';
  }
}

/** Issue 11 (h11e): the EHR's answer to a move, for the reschedule offers. */
export type { EhrMoveAnswer } from './ehr-mode.js';

// Importers announce the appointments they write through the scheduling module (imported-events.ts).
export {
  type AppointmentEventSink,
  appointmentEventsTo,
  type ImportedAppointmentChange,
  stateOf,
} from './imported-events.js';
