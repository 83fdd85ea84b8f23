import type { AppointmentStatus } from '@careloop/core';
import type { Appointment } from '@medplum/fhirtypes';
import { eq } from 'drizzle-orm';
import { appointments } from '../../scheduling/schema.js';
import { practitionerNamed, stateOf } from '../../scheduling/service.js';
import type { NewTouchpoint } from '../../timeline/service.js';
import { NotMapped } from '../outcome.js';
import { firstLabel, instantOf, labelOf } from '../values.js';
import { type MapContext, mapperFor, quietly, target, upsert } from './context.js';
import { NPI_SYSTEM } from './directory.js';

/** Schedules, bookable slots and appointments. */

/** FHIR's appointment statuses folded onto Careloop's booking lifecycle. */
const APPOINTMENT_STATUSES: Record<Appointment['status'], AppointmentStatus> = {
  proposed: 'proposed',
  pending: 'proposed',
  waitlist: 'proposed',
  booked: 'booked',
  arrived: 'arrived',
  'checked-in': 'arrived',
  fulfilled: 'fulfilled',
  cancelled: 'cancelled',
  'entered-in-error': 'cancelled',
  noshow: 'noshow',
};

export const mapSchedule = mapperFor('Schedule', async (schedule, ctx) => {
  let practitionerId: string | null = null;
  let locationId: string | null = null;
  let serviceLineId: string | null = null;
  for (const [i, actor] of schedule.actor.entries()) {
    const type = ctx.referenceType(actor);
    const path = `actor[${i}]`;
    if (type === 'Practitioner' || type === 'PractitionerRole') {
      practitionerId ??=
        (await ctx.link(actor, path, ['Practitioner', 'PractitionerRole']))?.recordId ?? null;
    } else if (type === 'Location') {
      locationId ??= (await ctx.link(actor, path, ['Location']))?.recordId ?? null;
    } else if (type === 'HealthcareService') {
      serviceLineId ??= (await ctx.link(actor, path, ['HealthcareService']))?.recordId ?? null;
    }
  }
  const id = target(ctx, 'schedule');
  return quietly({ recordType: 'schedule', recordId: id.id, patientId: null }, id.created, [
    upsert('schedules', id, {
      orgId: ctx.orgId,
      name:
        schedule.comment ??
        firstLabel(schedule.serviceType) ??
        firstLabel(schedule.specialty) ??
        schedule.actor.find((a) => a.display)?.display ??
        'Schedule',
      practitionerId,
      locationId,
      serviceLineId,
      active: schedule.active ?? true,
      planningStart: instantOf(schedule.planningHorizon?.start),
      planningEnd: instantOf(schedule.planningHorizon?.end),
      updatedAt: new Date(),
    }),
  ]);
});

export const mapSlot = mapperFor('Slot', async (slot, ctx) => {
  const schedule = await ctx.link(slot.schedule, 'schedule', ['Schedule']);
  if (!schedule) throw new NotMapped('The slot belongs to no schedule', 'schedule');
  const startAt = instantOf(slot.start);
  const endAt = instantOf(slot.end);
  if (!startAt || !endAt) throw new NotMapped('The slot has no start or end', 'start');
  const id = target(ctx, 'slot');
  return quietly({ recordType: 'slot', recordId: id.id, patientId: null }, id.created, [
    upsert('slots', id, {
      orgId: ctx.orgId,
      scheduleId: schedule.recordId,
      status: slot.status,
      startAt,
      endAt,
      overbooked: slot.overbooked ?? false,
      serviceType: firstLabel(slot.serviceType),
      updatedAt: new Date(),
    }),
  ]);
});

async function participantOf(ctx: MapContext, appointment: Appointment, types: string[]) {
  for (const [i, p] of appointment.participant.entries()) {
    const type = ctx.referenceType(p.actor);
    if (type && types.includes(type)) {
      return { ref: p.actor, path: `participant[${i}].actor` };
    }
  }
  return null;
}

async function previousState(
  ctx: MapContext,
  id: string,
): Promise<{ status: string; startAt: Date } | null> {
  const [row] = await ctx.tx
    .select({ status: appointments.status, startAt: appointments.startAt })
    .from(appointments)
    .where(eq(appointments.id, id));
  return row ?? null;
}

export const mapAppointment = mapperFor('Appointment', async (appointment, ctx) => {
  const who = await participantOf(ctx, appointment, ['Patient']);
  if (!who)
    throw new NotMapped('The appointment has no patient among its participants', 'participant');
  const patient = await ctx.patient(who.ref, who.path);
  const clinician = await participantOf(ctx, appointment, ['Practitioner', 'PractitionerRole']);
  const practitioner = clinician
    ? await ctx.link(clinician.ref, clinician.path, ['Practitioner', 'PractitionerRole'])
    : null;
  // Issue 13: a practitioner named by identifier only (an NPI, the EHR's id) is looked up in
  // the directory, so the appointment takes its time out of EHR-mode availability.
  const byIdentifier = clinician?.ref?.identifier?.value;
  const practitionerId =
    practitioner?.recordId ??
    (byIdentifier
      ? await practitionerNamed(ctx.tx, ctx.orgId, {
          id: byIdentifier,
          npi: clinician?.ref?.identifier?.system === NPI_SYSTEM,
        })
      : null);
  const place = await participantOf(ctx, appointment, ['Location']);
  const location = place ? await ctx.link(place.ref, place.path, ['Location']) : null;
  const requested = appointment.requestedPeriod?.[0];
  const startAt = instantOf(appointment.start) ?? instantOf(requested?.start);
  const endAt = instantOf(appointment.end) ?? instantOf(requested?.end) ?? startAt;
  if (!startAt || !endAt) throw new NotMapped('The appointment has no time yet', 'start');
  const status = APPOINTMENT_STATUSES[appointment.status];
  const id = target(ctx, 'appointment');
  const previous = id.created ? null : await previousState(ctx, id.id);
  const before = previous?.status ?? null;
  const write = upsert('appointments', id, {
    orgId: ctx.orgId,
    patientId: patient.recordId,
    status,
    practitionerId,
    locationId: location?.recordId ?? null,
    startAt,
    endAt,
    reason: firstLabel(appointment.reasonCode) ?? appointment.description ?? null,
    cancelReason: labelOf(appointment.cancelationReason),
    ...(id.created ? { createdAt: instantOf(appointment.created) ?? new Date() } : {}),
  });
  const touchpoints: NewTouchpoint[] =
    before === status
      ? []
      : [
          {
            orgId: ctx.orgId,
            patientId: patient.recordId,
            occurredAt: id.created ? (instantOf(appointment.created) ?? new Date()) : new Date(),
            channel: 'system',
            direction: 'inbound',
            type: `appointment.${status}`,
            stage: 'scheduling',
            sourceSystem: 'fhir',
            outcome: status,
            summary: `Appointment ${status} for ${startAt.toISOString().slice(0, 10)}`,
            nonClinicalSummary: `Appointment ${status} for ${startAt.toISOString().slice(0, 10)}`,
            subjectType: 'appointment',
            subjectId: id.id,
          },
        ];
  return {
    record: { recordType: 'appointment', recordId: id.id, patientId: patient.recordId },
    created: id.created,
    writes: [write],
    touchpoints,
    appointmentChange: {
      orgId: ctx.orgId,
      appointmentId: id.id,
      before: previous ? stateOf(previous) : null,
      after: { status, startAt },
    },
  };
});
