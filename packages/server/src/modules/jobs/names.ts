import {
  APPOINTMENT_EVENTS,
  type AppointmentEvent,
  REFERRAL_CLOSED_STATUSES,
  type ReferralClosedStatus,
} from '@careloop/core';
import { type Static, Type } from 'typebox';
import { Compile } from 'typebox/compile';

const Uuid = Type.String({ format: 'uuid' });

/**
 * Every job Careloop runs, with the schema of its payload. A payload is input like any other:
 * checked when it is sent and again when a worker takes it (a row of the job table may have
 * been written by another version, or by hand).
 */
export const JOBS = {
  /** Send one outbox message (docs/adr/0020). */
  'outbox.send': Type.Object({ orgId: Uuid, messageId: Uuid }, { additionalProperties: false }),
  // Issue 11: a patient's message arrived (docs/adr/0023); journeys react to it.
  'message.received': Type.Object(
    { orgId: Uuid, inboundId: Uuid },
    { additionalProperties: false },
  ),
  // Issue 11, journeys (docs/adr/0025).
  /** Run one enrolment's next step (a start, or a wait that may be over). */
  'journey.step': Type.Object({ orgId: Uuid, enrolmentId: Uuid }, { additionalProperties: false }),
  // Issue 13: an appointment was booked, rescheduled, cancelled, checked in, completed or
  // marked no-show (core's APPOINTMENT_EVENTS); journeys consume it.
  'appointment.changed': Type.Object(
    {
      orgId: Uuid,
      appointmentId: Uuid,
      event: Type.Unsafe<AppointmentEvent>({ type: 'string', enum: [...APPOINTMENT_EVENTS] }),
    },
    { additionalProperties: false },
  ),
  // Issue 12 (KPIs): the rollup refresh (docs/adr/0027).
  /** Recompute one organization's KPI rollup: the given days, else the trailing window. */
  'kpis.refresh': Type.Object(
    {
      orgId: Uuid,
      from: Type.Optional(Type.String({ format: 'date' })),
      to: Type.Optional(Type.String({ format: 'date' })),
    },
    { additionalProperties: false },
  ),
  /** Recompute every organization's trailing window: scheduled nightly. */
  'kpis.refresh-all': Type.Object({}, { additionalProperties: false }),
  // Issue 12 (journey map): the stage-entry rollup (docs/adr/0026).
  /** Bring one organization's rollup up to date (whole after a mapping change). */
  'journey-map.refresh': Type.Object({ orgId: Uuid }, { additionalProperties: false }),
  /** Bring every organization's rollup up to date: scheduled every ten minutes. */
  'journey-map.refresh-all': Type.Object({}, { additionalProperties: false }),
  // Issue 13: the waitlist and slot recovery (docs/adr/0030-slot-holds-and-offers.md).
  /** A cancellation or a move freed a practitioner's time: offer it to waiting patients. */
  'slot.freed': Type.Object(
    {
      orgId: Uuid,
      practitionerId: Uuid,
      locationId: Uuid,
      start: Type.String({ format: 'date-time' }),
      end: Type.String({ format: 'date-time' }),
    },
    { additionalProperties: false },
  ),
  /** Expire offers and holds past their time, and offer the slot to the next patient. */
  'waitlist.sweep': Type.Object({}, { additionalProperties: false }),
  /** Propose slots to follow-ups and waiting patients whose time has open slots. */
  'waitlist.propose': Type.Object({}, { additionalProperties: false }),
  // Issue 11 (h11r): "R" to a reminder offers open slots (docs/adr/0036-reschedule-offers.md).
  /** An offer of open slots reached its end: unanswered, it goes to the front desk as a task. */
  'reschedule-offer.expire': Type.Object(
    { orgId: Uuid, offerId: Uuid },
    { additionalProperties: false },
  ),
  // Issue 11 (h11d): a stay ended (HL7 A03, a FHIR Encounter finished); journeys consume it.
  /** Enrol the patient in journeys `encounter.discharged` triggers; the time defaults to the end. */
  'encounter.discharged': Type.Object(
    {
      orgId: Uuid,
      encounterId: Uuid,
      dischargedAt: Type.Optional(Type.String({ format: 'date-time' })),
    },
    { additionalProperties: false },
  ),
  // Issue 11 (h11j): a referral arrived (an imported ServiceRequest); journeys consume it.
  'referral.created': Type.Object(
    { orgId: Uuid, serviceRequestId: Uuid },
    { additionalProperties: false },
  ),
  // Issue 11 (h11r): a referral was closed (docs/adr/0045); journeys it started end.
  'referral.closed': Type.Object(
    {
      orgId: Uuid,
      serviceRequestId: Uuid,
      status: Type.Unsafe<ReferralClosedStatus>({
        type: 'string',
        enum: [...REFERRAL_CLOSED_STATUSES],
      }),
    },
    { additionalProperties: false },
  ),
  // Issue 11 (h11l): a patient entered a list (docs/adr/0040); journeys on the list consume it.
  'list.entered': Type.Object(
    { orgId: Uuid, listId: Uuid, patientId: Uuid },
    { additionalProperties: false },
  ),
  // Issue 11 (h11v): a post-visit survey was answered; journeys consume it.
  'survey.answered': Type.Object(
    { orgId: Uuid, surveyResponseId: Uuid },
    { additionalProperties: false },
  ),
} as const;

export type JobName = keyof typeof JOBS;
export type JobPayload<N extends JobName> = Static<(typeof JOBS)[N]>;

export const JOB_NAMES = Object.keys(JOBS) as JobName[];

const checkers = Object.fromEntries(JOB_NAMES.map((name) => [name, Compile(JOBS[name])])) as Record<
  JobName,
  ReturnType<typeof Compile>
>;

/** The payload if it matches its job's schema, else null. */
export function checkPayload<N extends JobName>(name: N, data: unknown): JobPayload<N> | null {
  return checkers[name].Check(data) ? (data as JobPayload<N>) : null;
}
