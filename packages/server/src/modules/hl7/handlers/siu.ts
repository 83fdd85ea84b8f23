import type { AppointmentStatus, JourneyStage } from '@careloop/core';
import { eq } from 'drizzle-orm';
import type { Db } from '../../../db/client.js';
import { appointments, ehrBookingRequests } from '../../scheduling/schema.js';
import {
  appointmentCancelReason,
  appointmentReason,
  type FeedPractitioner,
  practitionerNamed,
  sealedCancelReason,
  sealedReason,
  stateOf,
} from '../../scheduling/service.js';
import { readCoded, readEntityId, readTime } from '../parse/datatypes.js';
import { invalid, missing } from '../parse/errors.js';
import { LINK } from '../parse/links.js';
import type { Hl7Read, Segment } from '../parse/message.js';
import { type HandlerContext, type Hl7Handler, hl7Touchpoint, localWhen } from './context.js';
import { upsertPatient } from './patient-upsert.js';

/** The SIU events Careloop maps, and the appointment status each one means. */
export type ScheduleEvent = 'S12' | 'S13' | 'S14' | 'S15' | 'S26';

/** SCH-25 filler status (table 0278) → Careloop's appointment status. */
const FILLER_STATUS: Record<string, AppointmentStatus> = {
  BOOKED: 'booked',
  OVERBOOK: 'booked',
  PENDING: 'proposed',
  WAITLIST: 'proposed',
  STARTED: 'arrived',
  COMPLETE: 'fulfilled',
  CANCELLED: 'cancelled',
  DELETED: 'cancelled',
  DISCONTINUED: 'cancelled',
  NOSHOW: 'noshow',
};

const MINUTES_PER_UNIT: Record<string, number> = {
  S: 1 / 60,
  SEC: 1 / 60,
  SECOND: 1 / 60,
  SECONDS: 1 / 60,
  M: 1,
  MIN: 1,
  MINUTE: 1,
  MINUTES: 1,
  H: 60,
  HR: 60,
  HOUR: 60,
  HOURS: 60,
  D: 1440,
  DAY: 1440,
  DAYS: 1440,
};

/** Appointments with no stated length get this one. */
const DEFAULT_MINUTES = 30;

export interface AppointmentFacts {
  placerId: string | null;
  fillerId: string | null;
  start: Date | null;
  minutes: number | null;
  end: Date | null;
  reason: string | null;
  eventReason: string | null;
  fillerStatus: AppointmentStatus | null;
}

function timeAt(seg: Segment | null, field: number, hc: HandlerContext, where: string) {
  const text = seg?.value(field) ?? '';
  if (!text) return null;
  const t = readTime(text, hc.timeZone);
  if (!t) throw invalid(where, 'date/time');
  return t.instant;
}

function minutesAt(seg: Segment | null, field: number, unitField: number): number | null {
  const amount = Number(seg?.value(field) ?? '');
  if (!seg || !Number.isFinite(amount) || amount <= 0) return null;
  const unit = (seg.value(unitField) || 'min').toUpperCase();
  const perUnit = MINUTES_PER_UNIT[unit];
  if (perUnit === undefined) return null;
  const minutes = amount * perUnit;
  // A stated length under a minute or over a week is not a real appointment length.
  return minutes >= 1 && minutes <= 7 * 1440 ? Math.round(minutes) : null;
}

/**
 * What SCH and the resource segments say. Start: the first service, location, personnel or
 * general resource with one (AIS-4, AIL-6, AIP-6, AIG-8), else SCH-11's timing (v2.3–2.4), else
 * TQ1-7. Length: the same resource's duration, else SCH-9/SCH-10; end: SCH-11.5 or TQ1-8.
 */
export function readAppointment(message: Hl7Read, hc: HandlerContext): AppointmentFacts {
  const sch = message.segment('SCH');
  if (!sch) throw missing('SCH', 'schedule activity segment');
  const ais = message.segment('AIS');
  const ail = message.segment('AIL');
  const aip = message.segment('AIP');
  const aig = message.segment('AIG');
  const tq1 = message.segment('TQ1');
  const readSch = (component: number) => {
    const text = sch.value(11, component);
    if (!text) return null;
    const t = readTime(text, hc.timeZone);
    if (!t) throw invalid('SCH-11', 'appointment timing');
    return t.instant;
  };
  const start =
    timeAt(ais, 4, hc, 'AIS-4') ??
    timeAt(ail, 6, hc, 'AIL-6') ??
    timeAt(aip, 6, hc, 'AIP-6') ??
    timeAt(aig, 8, hc, 'AIG-8') ??
    readSch(4) ??
    timeAt(tq1, 7, hc, 'TQ1-7');
  const service = ais ? readCoded(ais, 3) : null;
  const reason = readCoded(sch, 7);
  const eventReason = readCoded(sch, 6);
  return {
    placerId: readEntityId(sch, 1),
    fillerId: readEntityId(sch, 2),
    start,
    minutes:
      minutesAt(ais, 7, 8) ??
      minutesAt(ail, 9, 10) ??
      minutesAt(aip, 9, 10) ??
      minutesAt(aig, 11, 12) ??
      minutesAt(sch, 9, 10),
    end: readSch(5) ?? timeAt(tq1, 8, hc, 'TQ1-8'),
    reason:
      (service?.text || service?.code || reason?.text || reason?.code || null)?.slice(0, 500) ??
      null,
    eventReason: (eventReason?.text || eventReason?.code || null)?.slice(0, 500) ?? null,
    fillerStatus: FILLER_STATUS[sch.value(25).toUpperCase().replace(/[\s-]/g, '')] ?? null,
  };
}

// The NPI's assigning authority (XCN-9.2) and identifier type (XCN-13).
const NPI_OID = '2.16.840.1.113883.4.6';

/**
 * Issue 13: the practitioner the message books, by the id the EHR gives it: the first AIP-3
 * (XCN) with one, else the first AIG-3 (CWE: a general resource, which may be a person).
 */
export function readPractitioner(message: Hl7Read): FeedPractitioner | null {
  for (const aip of message.segmentsNamed('AIP')) {
    const id = aip.value(3, 1);
    if (!id) continue;
    const npi = aip.value(3, 13).toUpperCase() === 'NPI' || aip.value(3, 9, 2) === NPI_OID;
    return { id, npi };
  }
  for (const aig of message.segmentsNamed('AIG')) {
    const id = aig.value(3, 1);
    if (id) return { id, npi: aig.value(3, 3).toUpperCase() === 'NPI' };
  }
  return null;
}

const EVENT: Record<
  ScheduleEvent,
  { type: string; stage: JourneyStage; verb: string; status: AppointmentStatus | null }
> = {
  S12: { type: 'appointment.booked', stage: 'scheduling', verb: 'Booked', status: null },
  S13: { type: 'appointment.rescheduled', stage: 'scheduling', verb: 'Rescheduled', status: null },
  S14: {
    type: 'appointment.updated',
    stage: 'scheduling',
    verb: 'Appointment changed',
    status: null,
  },
  S15: {
    type: 'appointment.cancelled',
    stage: 'scheduling',
    verb: 'Cancelled',
    status: 'cancelled',
  },
  S26: { type: 'appointment.noshow', stage: 'visit', verb: 'Missed', status: 'noshow' },
};

const WEEK_MS = 7 * 86_400_000;

/** The stated length, else a plausible stated end, else the length it had, else the default. */
function endOf(
  start: Date,
  facts: AppointmentFacts,
  current: { startAt: Date; endAt: Date } | null,
): Date {
  if (facts.minutes) return new Date(start.getTime() + facts.minutes * 60_000);
  const span = facts.end ? facts.end.getTime() - start.getTime() : 0;
  if (facts.end && span > 0 && span <= WEEK_MS) return facts.end;
  const length = current
    ? current.endAt.getTime() - current.startAt.getTime()
    : DEFAULT_MINUTES * 60_000;
  return new Date(start.getTime() + length);
}

async function findAppointment(tx: Db, hc: HandlerContext, facts: AppointmentFacts) {
  for (const [type, id] of [
    [LINK.fillerAppointment, facts.fillerId],
    [LINK.placerAppointment, facts.placerId],
  ] as const) {
    if (!id) continue;
    const link = await hc.batch.findLink(tx, hc.sourceSystem, type, id, 'appointment');
    if (link) return link.recordId;
  }
  return requestedByCareloop(tx, facts.placerId);
}

/**
 * Issue 13: the EHR's echo of an appointment Careloop requested of it (scheduling/ehr-mode.ts)
 * carries Careloop's placer id, `<appointment id>^CARELOOP`: it is that appointment, never a
 * new one. Only an appointment Careloop did request is matched so.
 */
async function requestedByCareloop(tx: Db, placerId: string | null): Promise<string | null> {
  const id = placerId?.startsWith('CARELOOP|') ? placerId.slice('CARELOOP|'.length) : null;
  if (!id || !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(id))
    return null;
  const [request] = await tx
    .select({ appointmentId: ehrBookingRequests.appointmentId })
    .from(ehrBookingRequests)
    .where(eq(ehrBookingRequests.appointmentId, id))
    .limit(1);
  return request?.appointmentId ?? null;
}

/**
 * SIU S12 (new booking), S13 (rescheduled), S14 (modified), S15 (cancelled), S26 (no-show): the
 * appointment is found by its filler, then placer, appointment id (source links) and made to say
 * what the message says. A message about an appointment Careloop never saw booked (a feed joined
 * later) creates it, in the state the message gives.
 */
export function scheduleHandler(event: ScheduleEvent): Hl7Handler {
  const meaning = EVENT[event];
  return async (tx, message, hc) => {
    const facts = readAppointment(message, hc);
    if (!facts.fillerId && !facts.placerId) {
      throw missing('SCH-2', 'filler appointment id (or SCH-1 placer appointment id)');
    }
    const { patientId } = await upsertPatient(tx, hc, message.segment('PID'));
    const existingId = await findAppointment(tx, hc, facts);
    if (existingId) hc.batch.written(existingId);
    const status: AppointmentStatus = meaning.status ?? facts.fillerStatus ?? 'booked';
    const [current] = existingId
      ? await tx.select().from(appointments).where(eq(appointments.id, existingId))
      : [];
    // Issue 13: an appointment Careloop requested keeps the patient it was requested for; the
    // EHR's echo names that patient by the EHR's ids, which the MPI may have linked apart.
    const ownerId =
      current && facts.placerId?.startsWith('CARELOOP|') ? current.patientId : patientId;
    const start = facts.start ?? current?.startAt ?? null;
    if (!start) throw missing('AIS-4', 'appointment start (or AIL-6, AIP-6, SCH-11)');
    const end = endOf(start, facts, current ?? null);
    const appointmentId = current?.id ?? crypto.randomUUID();
    const reason =
      facts.reason ?? (current ? appointmentReason(current, hc.cipher, hc.orgId) : null);
    const named = readPractitioner(message);
    const practitionerId = named ? await practitionerNamed(tx, hc.orgId, named) : null;
    const values = {
      patientId: ownerId,
      status,
      // Unresolved, the appointment keeps the practitioner it had (none, for a new one).
      ...(practitionerId ? { practitionerId } : {}),
      startAt: start,
      endAt: end,
      ...sealedReason(hc.cipher, reason, appointmentId, hc.orgId),
      ...sealedCancelReason(
        hc.cipher,
        status === 'cancelled'
          ? (facts.eventReason ??
              (current ? appointmentCancelReason(current, hc.cipher, hc.orgId) : null))
          : null,
        appointmentId,
        hc.orgId,
      ),
    };
    if (current) {
      await hc.batch.updateAppointment(tx, { ...values, id: appointmentId });
    } else {
      await hc.batch.insertAppointment(tx, { ...values, id: appointmentId, orgId: hc.orgId });
    }
    hc.appointmentChanged({
      orgId: hc.orgId,
      appointmentId,
      before: current ? stateOf(current) : null,
      after: { status, startAt: start },
    });
    for (const [type, id] of [
      [LINK.fillerAppointment, facts.fillerId],
      [LINK.placerAppointment, facts.placerId],
    ] as const) {
      if (!id) continue;
      await hc.batch.saveLink(tx, {
        orgId: hc.orgId,
        sourceSystem: hc.sourceSystem,
        sourceType: type,
        sourceId: id,
        recordType: 'appointment',
        recordId: appointmentId,
        patientId: ownerId,
      });
    }
    // The reason (AIS-3's service or SCH-7) is the appointment's, stored encrypted; a
    // touchpoint summary is stored in clear, so it does not copy it (docs/encryption.md). The
    // care team reads the reason on the appointment itself.
    const summary = `${meaning.verb}: appointment, ${localWhen(start, hc.timeZone)}`;
    await hc.batch.touchpoints(tx, [
      hl7Touchpoint(hc, {
        patientId: ownerId,
        type: meaning.type,
        stage: meaning.stage,
        outcome: status,
        summary,
        nonClinicalSummary: summary,
        subjectType: 'appointment',
        subjectId: appointmentId,
      }),
    ]);
    hc.audit({
      action: current ? 'update' : 'create',
      recordType: 'appointment',
      recordId: appointmentId,
      patientId: ownerId,
      reason: `${hc.label}: ${status}`,
    });
    return { patientId: ownerId };
  };
}
