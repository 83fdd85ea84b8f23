import { createHash, randomBytes, randomUUID } from 'node:crypto';
import {
  type AppointmentBook,
  type AppointmentEvent,
  type AvailableSlot,
  type BookingRequestEvent,
  badRequest,
  bookingRequestFhir,
  bookingRequestSiu,
  CARELOOP_LOCATION_SYSTEM,
  CARELOOP_PATIENT_SYSTEM,
  CARELOOP_PRACTITIONER_SYSTEM,
  conflict,
  type FhirParticipant,
  type Interval,
} from '@careloop/core';
import { and, desc, eq, gt, gte, inArray, isNotNull, lt, lte } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import type { AuditActor, AuditLog } from '../audit/service.js';
import { locations, practitioners } from '../directory/schema.js';
import { schedules, slots } from '../fhir/schema.js';
import type { EhrAnswer, OutboxService } from '../messaging/outbox.js';
import type { MessagingService } from '../messaging/send-template.js';
import { sourceLinks } from '../mpi/schema.js';
import { patients } from '../patients/schema.js';
import { raisePatientTask } from '../tasks/service.js';
import { ensureTemplates, type TemplateSeed } from '../templates/service.js';
import { appendTouchpoints } from '../timeline/service.js';
import {
  insertHold,
  loadHeld,
  lockPractitionerTime,
  mergeBusy,
  releaseExpiredHolds,
  releaseHold,
} from './holds.js';
import { appointments, ehrBookingRequests, visitTypes } from './schema.js';
import { loadBusy, overlapsBusy, type VisitType } from './slots.js';

/**
 * Issue 13: the EHR owns the schedule (`scheduleMode: 'ehr'`). Availability is the EHR's free
 * slots (FHIR Slot, imported) less what is booked or held here; a booking is a request: the slot
 * is held, the appointment is `proposed` ("Requested"), and an SIU^S12 goes to the EHR through
 * the outbox in the same transaction. The EHR's AA books it; its AE frees the hold, cancels the
 * request and tells the patient and the front desk. Moves and cancellations of requested
 * appointments go as S13 and S15 (docs/adr/0033-ehr-owned-schedule.md). With EHR_FHIR_BASE the
 * same requests go to the EHR's FHIR server instead: a conditional create of an Appointment,
 * updates for moves and cancellations (issue 13, h13f; the request rows keep the SIU event names
 * as the kind: S12 new, S13 moved, S15 cancelled).
 */

const MINUTE = 60_000;
/** The outbox key of a request's message: `ehr:request:<request id>`. */
const REQUEST_KEY = 'ehr:request:';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** How a request's appointment says it was refused: fixed words, never the EHR's text. */
export const REFUSED_CANCEL_REASON = 'Not booked: the EHR refused the request';
const SLOTS_READ_AT_MOST = 5_000;

/** The patient's message when the EHR refuses their request; staff may edit it. */
export const REQUEST_REFUSED_TEMPLATE: TemplateSeed = {
  key: 'appointment-request-refused',
  name: 'Appointment request not booked (EHR refused it)',
  purpose: 'treatment',
  versions: [
    {
      channel: 'email',
      language: 'en',
      body: {
        subject: 'We could not book your appointment',
        text: 'Hi {{patient.firstName}},\n\nWe could not book the appointment you asked for on {{appointment.start}}: that time is no longer available. Please choose another time, or call us and we will find one with you.\n\n{{organization.name}}',
        html: '<p>Hi {{patient.firstName}},</p><p>We could not book the appointment you asked for on <strong>{{appointment.start}}</strong>: that time is no longer available. Please choose another time, or call us and we will find one with you.</p><p>{{organization.name}}</p>',
      },
    },
    {
      channel: 'email',
      language: 'es',
      body: {
        subject: 'No pudimos reservar su cita',
        text: 'Hola {{patient.firstName}}:\n\nNo pudimos reservar la cita que pidió para el {{appointment.start}}: ese horario ya no está disponible. Elija otro horario o llámenos y lo buscaremos con usted.\n\n{{organization.name}}',
        html: '<p>Hola {{patient.firstName}}:</p><p>No pudimos reservar la cita que pidió para el <strong>{{appointment.start}}</strong>: ese horario ya no está disponible. Elija otro horario o llámenos y lo buscaremos con usted.</p><p>{{organization.name}}</p>',
      },
    },
    {
      channel: 'sms',
      language: 'en',
      body: {
        text: '{{organization.name}}: {{patient.firstName}}, we could not book your appointment on {{appointment.start}}; that time is no longer available. Please choose another time or call us.',
      },
    },
    {
      channel: 'sms',
      language: 'es',
      body: {
        text: '{{organization.name}}: {{patient.firstName}}, no pudimos reservar su cita del {{appointment.start}}; ese horario ya no está disponible. Elija otro horario o llámenos.',
      },
    },
  ],
};

/** Who Careloop is in the audit log when it acts on the EHR's answer: no user, the system. */
const ehrActor = (orgId: string): AuditActor => ({
  orgId,
  userId: null,
  email: null,
  role: 'system',
  ip: null,
  userAgent: 'ehr-link',
});

/** A change the scheduling service records (touchpoint, audit, job, confirmation email). */
export type RecordChange = (
  tx: Db,
  booker: { actor: { orgId: string; userId: string | null }; audit: AuditActor },
  change: {
    id: string;
    patientId: string;
    event: AppointmentEvent;
    summary: string;
    telehealth: boolean;
  },
) => Promise<void>;

export interface EhrModeOptions {
  outbox: OutboxService;
  /** EHR_MLLP_ENDPOINT (`host:port`); null: nothing can be requested over HL7. */
  endpoint: string | null;
  /** Issue 13 (h13f): EHR_FHIR_BASE; when set, requests go there, not over HL7. */
  fhirBase?: string | null;
  /** The one send API for patient messages (templates); null: the front desk's task only. */
  messaging: MessagingService | null;
}

type Requester = { actor: { orgId: string; userId: string | null }; audit: AuditActor };

/**
 * Issue 11 (h11e): the EHR's final answer to a move (S13, or a FHIR update of the time), told
 * to whoever asked for it in the transaction that records the answer (a reschedule offer texts
 * the patient). On acceptance the appointment is already at `requestedStart`.
 */
export interface EhrMoveAnswer {
  orgId: string;
  patientId: string;
  appointmentId: string;
  requestedStart: Date;
  accepted: boolean;
}
export type EhrMoveListener = (tx: Db, answer: EhrMoveAnswer) => Promise<void>;

/** Where the EHR stands on a move to one time: asked and unanswered, accepted or refused. */
export type EhrMoveStatus = 'sent' | 'accepted' | 'refused';
/** Where a request goes: the EHR's FHIR server, else its MLLP listener. */
type EhrPath = { kind: 'fhir'; base: string } | { kind: 'hl7'; endpoint: string };
type AppointmentRow = typeof appointments.$inferSelect;

/** A control id (MSH-10, at most 20 characters) for one request: one per attempt. */
function controlIdOf(requestId: string): string {
  return `CLR${createHash('sha256').update(requestId).digest('hex').slice(0, 17).toUpperCase()}`;
}

/** A PID-3 source id as the HL7 handlers keep it: `system|value`. */
function identifierOf(key: string): { value: string; system: string | null } {
  const bar = key.lastIndexOf('|');
  return bar < 0
    ? { value: key, system: null }
    : { value: key.slice(bar + 1), system: key.slice(0, bar) || null };
}

const at = (ms: number) => new Date(ms).toISOString().slice(0, 16).replace('T', ' ');

export class EhrScheduling {
  private readonly moveListeners: EhrMoveListener[] = [];

  constructor(
    private readonly options: EhrModeOptions,
    private readonly audit: AuditLog,
    private readonly clock: () => Date,
    private readonly record: RecordChange,
  ) {}

  /** Whether an EHR endpoint is configured (the mode cannot be switched on without one). */
  get configured(): boolean {
    return this.options.endpoint !== null || !!this.options.fhirBase;
  }

  /** Issue 11 (h11e): told of the EHR's final answer to every move, in the answer's transaction. */
  onMoveAnswered(listener: EhrMoveListener): void {
    this.moveListeners.push(listener);
  }

  /**
   * Issue 11 (h11e): the latest request to move the appointment to `start` made at or after
   * `since`, and where the EHR stands on it; null when none was made.
   */
  async moveRequested(
    tx: Db,
    appointmentId: string,
    start: Date,
    since: Date,
  ): Promise<EhrMoveStatus | null> {
    const [row] = await tx
      .select({ status: ehrBookingRequests.status })
      .from(ehrBookingRequests)
      .where(
        and(
          eq(ehrBookingRequests.appointmentId, appointmentId),
          eq(ehrBookingRequests.event, 'S13'),
          eq(ehrBookingRequests.requestedStart, start),
          gte(ehrBookingRequests.createdAt, since),
        ),
      )
      .orderBy(desc(ehrBookingRequests.createdAt))
      .limit(1);
    if (!row) return null;
    return row.status === 'accepted' || row.status === 'refused' ? row.status : 'sent';
  }

  private async moveAnswered(
    tx: Db,
    request: typeof ehrBookingRequests.$inferSelect,
    row: AppointmentRow,
    accepted: boolean,
  ): Promise<void> {
    if (request.event !== 'S13' || !request.requestedStart) return;
    for (const listener of this.moveListeners) {
      await listener(tx, {
        orgId: row.orgId,
        patientId: row.patientId,
        appointmentId: row.id,
        requestedStart: request.requestedStart,
        accepted,
      });
    }
  }

  // ---- Availability: the EHR's free slots ------------------------------------------------

  /** The EHR's free slots that fit the service, less the time booked or held here. */
  async availability(
    tx: Db,
    service: VisitType,
    filter: { practitionerId?: string; locationId?: string },
    window: Interval,
    limit: number,
  ): Promise<AvailableSlot[]> {
    const length = service.durationMinutes * MINUTE;
    const rows = await tx
      .select({
        start: slots.startAt,
        end: slots.endAt,
        practitionerId: schedules.practitionerId,
        locationId: schedules.locationId,
      })
      .from(slots)
      .innerJoin(
        schedules,
        and(eq(schedules.orgId, slots.orgId), eq(schedules.id, slots.scheduleId)),
      )
      .where(
        and(
          eq(slots.status, 'free'),
          eq(schedules.active, true),
          isNotNull(schedules.practitionerId),
          isNotNull(schedules.locationId),
          lt(slots.startAt, new Date(window.end)),
          gt(slots.endAt, new Date(window.start)),
          filter.practitionerId ? eq(schedules.practitionerId, filter.practitionerId) : undefined,
          filter.locationId ? eq(schedules.locationId, filter.locationId) : undefined,
          service.practitionerIds.length > 0
            ? inArray(schedules.practitionerId, service.practitionerIds)
            : undefined,
          service.locationIds.length > 0
            ? inArray(schedules.locationId, service.locationIds)
            : undefined,
        ),
      )
      .orderBy(slots.startAt)
      .limit(SLOTS_READ_AT_MOST);
    const ids = [...new Set(rows.flatMap((r) => (r.practitionerId ? [r.practitionerId] : [])))];
    const busy = mergeBusy(
      await loadBusy(tx, ids, window),
      await loadHeld(tx, ids, window, this.clock().getTime()),
    );
    const found: AvailableSlot[] = [];
    for (const r of rows) {
      if (!r.practitionerId || !r.locationId) continue;
      // A long EHR slot offers the service back to back; a short one not at all.
      for (let t = r.start.getTime(); t + length <= r.end.getTime(); t += length) {
        if (t < window.start || t >= window.end) continue;
        if (overlapsBusy(busy.get(r.practitionerId) ?? [], t, t + length)) continue;
        found.push({
          start: new Date(t).toISOString(),
          end: new Date(t + length).toISOString(),
          practitionerId: r.practitionerId,
          locationId: r.locationId,
          serviceId: service.id,
        });
      }
    }
    found.sort((a, b) => a.start.localeCompare(b.start));
    return found.slice(0, limit);
  }

  /** Whether [start, end) lies in a free EHR slot of the practitioner there, unbooked, unheld. */
  private async isOpen(
    tx: Db,
    practitionerId: string,
    locationId: string,
    start: number,
    end: number,
    except: string | null,
  ): Promise<boolean> {
    const [slot] = await tx
      .select({ id: slots.id })
      .from(slots)
      .innerJoin(
        schedules,
        and(eq(schedules.orgId, slots.orgId), eq(schedules.id, slots.scheduleId)),
      )
      .where(
        and(
          eq(slots.status, 'free'),
          eq(schedules.active, true),
          eq(schedules.practitionerId, practitionerId),
          eq(schedules.locationId, locationId),
          lte(slots.startAt, new Date(start)),
          gte(slots.endAt, new Date(end)),
        ),
      )
      .limit(1);
    if (!slot) return false;
    const window = { start, end };
    const busy = mergeBusy(
      await loadBusy(tx, [practitionerId], window, except),
      await loadHeld(tx, [practitionerId], window, this.clock().getTime()),
    );
    return !overlapsBusy(busy.get(practitionerId) ?? [], start, end);
  }

  // ---- Requests -----------------------------------------------------------------------------

  /**
   * Requests a new appointment of the EHR, in the caller's transaction: the slot is held (the
   * practitioner's lock taken exclusive, as for every hold), the appointment written `proposed`
   * and the SIU^S12 queued. Null when the slot is not open (the caller answers 409).
   */
  async request(
    tx: Db,
    booker: Requester,
    body: AppointmentBook,
    service: VisitType,
  ): Promise<string | null> {
    const endpoint = this.endpointOrRefuse();
    const orgId = booker.actor.orgId;
    const now = this.clock();
    const start = Date.parse(body.start);
    const end = start + service.durationMinutes * MINUTE;
    if (start < now.getTime()) throw badRequest('start is in the past', '/body/start');
    if (
      service.practitionerIds.length > 0 &&
      !service.practitionerIds.includes(body.practitionerId)
    )
      throw badRequest('This practitioner does not give this service', '/body/practitionerId');
    if (service.locationIds.length > 0 && !service.locationIds.includes(body.locationId))
      throw badRequest('This location does not offer this service', '/body/locationId');
    await lockPractitionerTime(tx, body.practitionerId, 'exclusive');
    if (!(await this.isOpen(tx, body.practitionerId, body.locationId, start, end, null)))
      return null;
    await releaseExpiredHolds(tx, body.practitionerId, start, end, now);
    const holdId = await insertHold(tx, {
      orgId,
      practitionerId: body.practitionerId,
      locationId: body.locationId,
      serviceId: service.id,
      start,
      end,
      blockedUntil: end,
      reason: 'booking',
      // Held until the EHR answers (the outbox tries for as long as it takes), at most until
      // the visit itself.
      expiresAt: new Date(start),
      now,
    });
    const id = randomUUID();
    const telehealth = service.modality === 'telehealth';
    await tx.insert(appointments).values({
      id,
      orgId,
      patientId: body.patientId,
      status: 'proposed',
      visitTypeId: service.id,
      practitionerId: body.practitionerId,
      locationId: body.locationId,
      startAt: new Date(start),
      endAt: new Date(end),
      occupies: null,
      telehealth,
      joinToken: telehealth ? randomBytes(18).toString('base64url') : null,
      updatedAt: now,
    });
    await this.send(tx, endpoint, {
      orgId,
      appointmentId: id,
      holdId,
      event: 'S12',
      start,
      end,
      requestedStart: null,
    });
    const summary = `Requested of the EHR: ${service.name} on ${at(start)} UTC`;
    await this.touchpoint(tx, orgId, body.patientId, id, 'appointment-requested', summary);
    await this.audit.inTransaction(tx, booker.audit, {
      action: 'create',
      recordType: 'appointment',
      recordId: id,
      patientId: body.patientId,
      reason: 'requested of the EHR',
    });
    return id;
  }

  /**
   * A move of an appointment Careloop requested: the new time is held and an S13 queued; the
   * appointment keeps its time until the EHR accepts. False when the new time is not open.
   */
  async requestMove(
    tx: Db,
    booker: Requester,
    row: AppointmentRow,
    service: VisitType,
    move: { start: number; practitionerId: string; locationId: string },
  ): Promise<boolean> {
    const endpoint = this.endpointOrRefuse();
    const now = this.clock();
    const end = move.start + service.durationMinutes * MINUTE;
    if (move.start < now.getTime()) throw badRequest('start is in the past', '/body/start');
    if (move.practitionerId !== row.practitionerId || move.locationId !== row.locationId)
      throw badRequest(
        'The EHR moves an appointment within its practitioner and location',
        '/body/practitionerId',
      );
    await lockPractitionerTime(tx, move.practitionerId, 'exclusive');
    if (!(await this.isOpen(tx, move.practitionerId, move.locationId, move.start, end, row.id)))
      return false;
    await releaseExpiredHolds(tx, move.practitionerId, move.start, end, now);
    const holdId = await insertHold(tx, {
      orgId: row.orgId,
      practitionerId: move.practitionerId,
      locationId: move.locationId,
      serviceId: service.id,
      start: move.start,
      end,
      blockedUntil: end,
      reason: 'booking',
      expiresAt: new Date(move.start),
      now,
    });
    await this.send(tx, endpoint, {
      orgId: row.orgId,
      appointmentId: row.id,
      holdId,
      event: 'S13',
      start: move.start,
      end,
      requestedStart: new Date(move.start),
      booked: row.status === 'booked',
    });
    const summary = `Move requested of the EHR: to ${at(move.start)} UTC`;
    await this.touchpoint(tx, row.orgId, row.patientId, row.id, 'appointment-requested', summary);
    await this.audit.inTransaction(tx, booker.audit, {
      action: 'update',
      recordType: 'appointment',
      recordId: row.id,
      patientId: row.patientId,
      reason: 'move requested of the EHR',
    });
    return true;
  }

  /** Whether Careloop requested this appointment of the EHR (its moves and cancels go there). */
  async requested(tx: Db, appointmentId: string): Promise<boolean> {
    const [row] = await tx
      .select({ id: ehrBookingRequests.id })
      .from(ehrBookingRequests)
      .where(
        and(
          eq(ehrBookingRequests.appointmentId, appointmentId),
          eq(ehrBookingRequests.event, 'S12'),
        ),
      )
      .limit(1);
    return !!row;
  }

  /**
   * A requested appointment was cancelled here (the caller has cancelled it): the EHR is told
   * with an S15, and holds of requests still unanswered are released.
   */
  async cancelled(tx: Db, row: AppointmentRow, reasonLabel: string): Promise<void> {
    const endpoint = this.endpointOrRefuse();
    const now = this.clock();
    const open = await tx
      .select({ holdId: ehrBookingRequests.holdId })
      .from(ehrBookingRequests)
      .where(
        and(
          eq(ehrBookingRequests.appointmentId, row.id),
          eq(ehrBookingRequests.status, 'sent'),
          isNotNull(ehrBookingRequests.holdId),
        ),
      );
    for (const r of open) if (r.holdId) await releaseHold(tx, r.holdId, now, 'withdrawn');
    await this.send(tx, endpoint, {
      orgId: row.orgId,
      appointmentId: row.id,
      holdId: null,
      event: 'S15',
      start: row.startAt.getTime(),
      end: row.endAt.getTime(),
      requestedStart: null,
      cancelReason: reasonLabel,
    });
  }

  /** The FHIR server when one is configured (it wins over MLLP), else the MLLP listener. */
  private endpointOrRefuse(): EhrPath {
    if (this.options.fhirBase) return { kind: 'fhir', base: this.options.fhirBase };
    if (!this.options.endpoint) {
      throw conflict(
        'The EHR owns this schedule, but no EHR endpoint is configured (EHR_FHIR_BASE or EHR_MLLP_ENDPOINT)',
        '/body',
      );
    }
    return { kind: 'hl7', endpoint: this.options.endpoint };
  }

  /** Writes the request row and queues its message, both in `tx`. */
  private async send(
    tx: Db,
    endpoint: EhrPath,
    r: {
      orgId: string;
      appointmentId: string;
      holdId: string | null;
      event: BookingRequestEvent;
      start: number;
      end: number;
      requestedStart: Date | null;
      cancelReason?: string;
      /** What the appointment is now (a move keeps a booked appointment booked). */
      booked?: boolean;
    },
  ): Promise<void> {
    const now = this.clock();
    const requestId = randomUUID();
    const controlId = controlIdOf(requestId);
    const fillerId = await this.fillerIdOf(tx, r.appointmentId, endpoint.kind);
    await tx.insert(ehrBookingRequests).values({
      id: requestId,
      orgId: r.orgId,
      appointmentId: r.appointmentId,
      holdId: r.holdId,
      event: r.event,
      status: 'sent',
      controlId,
      requestedStart: r.requestedStart,
      createdAt: now,
    });
    const facts = await this.factsOf(tx, r.appointmentId);
    if (endpoint.kind === 'fhir') {
      await this.options.outbox.queueFhir(tx, {
        orgId: r.orgId,
        patientId: facts.patientId,
        base: endpoint.base,
        request: bookingRequestFhir({
          event: r.event,
          placerId: r.appointmentId,
          fillerId,
          status: r.booked ? 'booked' : 'proposed',
          patient: facts.fhir.patient,
          practitioner: facts.fhir.practitioner,
          location: facts.fhir.location,
          service: facts.service,
          start: new Date(r.start),
          end: new Date(r.end),
        }),
        idempotencyKey: `${REQUEST_KEY}${requestId}`,
      });
      return;
    }
    const text = bookingRequestSiu(
      {
        event: r.event,
        controlId,
        receivingApplication: 'EHR',
        receivingFacility: 'EHR',
        placerId: r.appointmentId,
        fillerId,
        patientIds: facts.patientIds,
        patientName: facts.patientName,
        birthDate: facts.birthDate,
        service: facts.service,
        practitioner: facts.practitioner,
        location: facts.location,
        start: new Date(r.start),
        minutes: Math.round((r.end - r.start) / MINUTE),
        ...(r.cancelReason ? { cancelReason: r.cancelReason } : {}),
      },
      now,
    );
    await this.options.outbox.queueHl7(tx, {
      orgId: r.orgId,
      patientId: facts.patientId,
      endpoint: endpoint.endpoint,
      text,
      idempotencyKey: `${REQUEST_KEY}${requestId}`,
    });
  }

  /**
   * The EHR's id for the appointment: from its acknowledgement, else (HL7) from its feed (SCH-2).
   * A FHIR request names only the Appointment id a FHIR answer gave.
   */
  private async fillerIdOf(
    tx: Db,
    appointmentId: string,
    path: EhrPath['kind'],
  ): Promise<string | null> {
    const [acked] = await tx
      .select({ fillerId: ehrBookingRequests.fillerId })
      .from(ehrBookingRequests)
      .where(
        and(
          eq(ehrBookingRequests.appointmentId, appointmentId),
          isNotNull(ehrBookingRequests.fillerId),
        ),
      )
      .orderBy(desc(ehrBookingRequests.createdAt))
      .limit(1);
    if (acked?.fillerId) return acked.fillerId;
    if (path === 'fhir') return null;
    const [linked] = await tx
      .select({ sourceId: sourceLinks.sourceId })
      .from(sourceLinks)
      .where(
        and(
          eq(sourceLinks.recordType, 'appointment'),
          eq(sourceLinks.recordId, appointmentId),
          eq(sourceLinks.sourceType, 'SCH-2'),
        ),
      )
      .limit(1);
    return linked ? identifierOf(linked.sourceId).value : null;
  }

  /** What the message says of the patient and the resources, with the ids the EHR knows. */
  private async factsOf(tx: Db, appointmentId: string) {
    const [row] = await tx
      .select({
        patientId: appointments.patientId,
        practitionerId: appointments.practitionerId,
        locationId: appointments.locationId,
        visitTypeId: appointments.visitTypeId,
        givenName: patients.givenName,
        familyName: patients.familyName,
        birthDate: patients.birthDate,
      })
      .from(appointments)
      .innerJoin(
        patients,
        and(eq(patients.orgId, appointments.orgId), eq(patients.id, appointments.patientId)),
      )
      .where(eq(appointments.id, appointmentId));
    if (!row) throw new Error('ehr-mode: the appointment of a request is gone');
    const ehrIds = await tx
      .select({ sourceId: sourceLinks.sourceId })
      .from(sourceLinks)
      .where(
        and(
          eq(sourceLinks.recordType, 'patient'),
          eq(sourceLinks.patientId, row.patientId),
          eq(sourceLinks.sourceType, 'PID-3'),
        ),
      );
    const resource = async (
      type: 'practitioner' | 'location',
      id: string | null,
    ): Promise<{ id: string; name: string; fhir: boolean }> => {
      if (!id) return { id: '', name: '', fhir: false };
      const [link] = await tx
        .select({ sourceId: sourceLinks.sourceId, sourceType: sourceLinks.sourceType })
        .from(sourceLinks)
        .where(and(eq(sourceLinks.recordType, type), eq(sourceLinks.recordId, id)))
        .orderBy(
          desc(eq(sourceLinks.sourceType, type === 'practitioner' ? 'Practitioner' : 'Location')),
        )
        .limit(1);
      const [named] =
        type === 'practitioner'
          ? await tx
              .select({ given: practitioners.givenName, family: practitioners.familyName })
              .from(practitioners)
              .where(eq(practitioners.id, id))
              .then((rows) => rows.map((p) => ({ name: `${p.given} ${p.family}` })))
          : await tx.select({ name: locations.name }).from(locations).where(eq(locations.id, id));
      // The EHR's own id where an import linked one (`…/Practitioner/123` → 123).
      const ehrId = link ? (link.sourceId.split('/').at(-1) ?? link.sourceId) : id;
      const fhir = link?.sourceType === 'Practitioner' || link?.sourceType === 'Location';
      return { id: ehrId, name: named?.name ?? '', fhir };
    };
    const [service] = row.visitTypeId
      ? await tx
          .select({ name: visitTypes.name })
          .from(visitTypes)
          .where(eq(visitTypes.id, row.visitTypeId))
      : [];
    const practitioner = await resource('practitioner', row.practitionerId);
    const location = await resource('location', row.locationId);
    // Issue 13 (h13f): the participants of a FHIR request, as the EHR knows them: its own
    // resource (a FHIR import's link) by reference, else an identifier it gave or Careloop's.
    const [fhirPatient] = await tx
      .select({ sourceId: sourceLinks.sourceId })
      .from(sourceLinks)
      .where(
        and(
          eq(sourceLinks.recordType, 'patient'),
          eq(sourceLinks.patientId, row.patientId),
          eq(sourceLinks.sourceType, 'Patient'),
        ),
      )
      .limit(1);
    const patientName = `${row.familyName}, ${row.givenName}`;
    const firstEhrId = ehrIds[0] ? identifierOf(ehrIds[0].sourceId) : null;
    const participant = (
      r: { id: string; name: string; fhir: boolean },
      type: 'Practitioner' | 'Location',
      ownId: string | null,
      system: string,
    ): FhirParticipant =>
      r.fhir
        ? { kind: 'reference', reference: `${type}/${r.id}`, display: r.name }
        : { kind: 'identifier', system, value: ownId ?? r.id, display: r.name };
    return {
      patientId: row.patientId,
      patientIds: [
        ...ehrIds.map((l) => identifierOf(l.sourceId)),
        { value: row.patientId, system: 'CARELOOP' },
      ],
      patientName: { family: row.familyName, given: row.givenName },
      birthDate: row.birthDate,
      service: { id: row.visitTypeId ?? '', name: service?.name ?? '' },
      practitioner,
      location,
      fhir: {
        patient: fhirPatient
          ? {
              kind: 'reference' as const,
              reference: `Patient/${fhirPatient.sourceId.split('/').at(-1) ?? fhirPatient.sourceId}`,
              display: patientName,
            }
          : firstEhrId
            ? { kind: 'identifier' as const, ...firstEhrId, display: patientName }
            : {
                kind: 'identifier' as const,
                system: CARELOOP_PATIENT_SYSTEM,
                value: row.patientId,
                display: patientName,
              },
        practitioner: participant(
          practitioner,
          'Practitioner',
          practitioner.fhir ? null : row.practitionerId,
          CARELOOP_PRACTITIONER_SYSTEM,
        ),
        location: participant(
          location,
          'Location',
          location.fhir ? null : row.locationId,
          CARELOOP_LOCATION_SYSTEM,
        ),
      },
    };
  }

  // ---- The EHR's answers ---------------------------------------------------------------------

  /**
   * The EHR answered a request's message (the outbox calls this in the transaction that marks
   * the message delivered or failed). An answer to anything but a request, or to a request
   * answered before, changes nothing.
   */
  async answered(tx: Db, answer: EhrAnswer): Promise<void> {
    if (!answer.idempotencyKey.startsWith(REQUEST_KEY)) return;
    // Validated like any input: the key was written by us, but a row is a row.
    const requestId = answer.idempotencyKey.slice(REQUEST_KEY.length);
    if (!UUID.test(requestId)) return;
    const [request] = await tx
      .select()
      .from(ehrBookingRequests)
      .where(
        and(
          eq(ehrBookingRequests.orgId, answer.orgId),
          eq(ehrBookingRequests.id, requestId),
          eq(ehrBookingRequests.status, 'sent'),
        ),
      )
      .for('update');
    if (!request) return;
    const [row] = await tx
      .select()
      .from(appointments)
      .where(eq(appointments.id, request.appointmentId))
      .for('update');
    if (!row) return;
    const now = this.clock();
    if (answer.answer.kind === 'accepted') {
      await tx
        .update(ehrBookingRequests)
        .set({ status: 'accepted', answeredAt: now, fillerId: answer.answer.fillerId })
        .where(eq(ehrBookingRequests.id, request.id));
      await this.accepted(tx, request, row);
    } else {
      await tx
        .update(ehrBookingRequests)
        .set({
          status: 'refused',
          answeredAt: now,
          refusalReason: answer.answer.reason.slice(0, 200),
        })
        .where(eq(ehrBookingRequests.id, request.id));
      await this.refused(tx, request, row);
    }
  }

  private async accepted(
    tx: Db,
    request: typeof ehrBookingRequests.$inferSelect,
    row: AppointmentRow,
  ): Promise<void> {
    const now = this.clock();
    if (request.holdId) await releaseHold(tx, request.holdId, now, 'booked');
    const booker = { actor: { orgId: row.orgId, userId: null }, audit: ehrActor(row.orgId) };
    if (request.event === 'S12' && row.status === 'proposed') {
      await tx
        .update(appointments)
        .set({ status: 'booked', updatedAt: now })
        .where(eq(appointments.id, row.id));
      await this.record(tx, booker, {
        id: row.id,
        patientId: row.patientId,
        event: 'booked',
        summary: `Booked by the EHR: ${at(row.startAt.getTime())} UTC`,
        telehealth: row.telehealth,
      });
    } else if (
      request.event === 'S13' &&
      request.requestedStart &&
      (row.status === 'booked' || row.status === 'proposed')
    ) {
      const length = row.endAt.getTime() - row.startAt.getTime();
      const start = request.requestedStart.getTime();
      await tx
        .update(appointments)
        .set({ startAt: new Date(start), endAt: new Date(start + length), updatedAt: now })
        .where(eq(appointments.id, row.id));
      await this.record(tx, booker, {
        id: row.id,
        patientId: row.patientId,
        event: 'rescheduled',
        summary: `Moved by the EHR to ${at(start)} UTC`,
        telehealth: row.telehealth,
      });
      await this.moveAnswered(tx, request, row, true);
    }
    // S15 accepted, or an answer to a request overtaken here (cancelled meanwhile, or booked by
    // the EHR's own feed first): the request row says so; nothing else changes.
  }

  private async refused(
    tx: Db,
    request: typeof ehrBookingRequests.$inferSelect,
    row: AppointmentRow,
  ): Promise<void> {
    const now = this.clock();
    if (request.holdId) await releaseHold(tx, request.holdId, now, 'refused');
    let task: string;
    let summary: string;
    if (request.event === 'S12') {
      if (row.status !== 'proposed') return;
      await tx
        .update(appointments)
        .set({ status: 'cancelled', cancelReason: REFUSED_CANCEL_REASON, updatedAt: now })
        .where(eq(appointments.id, row.id));
      summary = 'Not booked: the EHR refused the request';
      task = 'The EHR refused an appointment request: offer the patient another time';
      await this.tellPatient(tx, row, request.id);
    } else if (request.event === 'S13') {
      summary = 'Not moved: the EHR refused the move';
      task = 'The EHR refused to move an appointment: it keeps its time; tell the patient';
    } else {
      summary = 'The EHR refused the cancellation';
      task = 'The EHR refused to cancel an appointment: cancel it in the EHR';
    }
    await this.touchpoint(tx, row.orgId, row.patientId, row.id, 'appointment-refused', summary);
    await raisePatientTask(tx, {
      orgId: row.orgId,
      patientId: row.patientId,
      title: task,
      team: 'front-desk',
      dueAt: null,
      createdAt: now,
    });
    await this.audit.inTransaction(tx, ehrActor(row.orgId), {
      action: 'update',
      recordType: 'appointment',
      recordId: row.id,
      patientId: row.patientId,
      reason: `refused by the EHR (${request.event})`,
    });
    await this.moveAnswered(tx, request, row, false);
  }

  /** The patient's message through templates (the organization's, else the built-in one). */
  private async tellPatient(tx: Db, row: AppointmentRow, requestId: string): Promise<void> {
    const messaging = this.options.messaging;
    if (!messaging) return;
    await ensureTemplates(tx, row.orgId, [REQUEST_REFUSED_TEMPLATE], this.clock());
    await messaging.sendTemplate(tx, {
      orgId: row.orgId,
      patientId: row.patientId,
      templateKey: REQUEST_REFUSED_TEMPLATE.key,
      channel: 'preferred',
      context: { appointmentId: row.id },
      idempotencyKey: `ehr:refused:${requestId}`,
    });
  }

  private async touchpoint(
    tx: Db,
    orgId: string,
    patientId: string,
    appointmentId: string,
    type: string,
    summary: string,
  ): Promise<void> {
    await appendTouchpoints(tx, [
      {
        orgId,
        patientId,
        channel: 'system',
        direction: 'internal',
        type,
        stage: 'scheduling',
        summary,
        nonClinicalSummary: summary,
        subjectType: 'appointment',
        subjectId: appointmentId,
        occurredAt: this.clock(),
      },
    ]);
  }
}
