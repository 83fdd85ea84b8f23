import type { TouchpointChannel } from '@careloop/core';
import { DAY_MS, nextWeekday } from '../calendar.js';
import { tellCampaigns } from './campaigns.js';
import type { Draw, TouchpointRow } from './context.js';
import type { JourneyEvent, Tell } from './events.js';
import type { Person } from './person.js';
import { allowed } from './reach.js';
import type { HospitalStay, Visit } from './visits.js';

/**
 * Tells a patient's journey as touchpoints: registration, then for each appointment the
 * booking, reminders and confirmations, the visit or the no-show and its outreach call,
 * surveys and statements afterwards; hospital discharges with their follow-up calls; the
 * marketing campaigns the patient opted into. Nothing is told that happens after today.
 */
export function tellJourney(
  draw: Draw,
  person: Person,
  visits: readonly Visit[],
  stays: readonly HospitalStay[],
): TouchpointRow[] {
  const { rng, anchorMs } = draw;
  const clock = person.clinic.clock;
  const events: JourneyEvent[] = [];
  const tell = (e: JourneyEvent) => {
    if (e.at < anchorMs) events.push(e);
  };

  tell({
    at: clock.at(person.registeredDay, person.registeredMinute),
    channel: rng.weighted<TouchpointChannel>([
      ['in-person', 50],
      ['phone', 20],
      ['portal', 15],
      ['web', 15],
    ]),
    direction: 'inbound',
    type: 'patient.registered',
    stage: 'scheduling',
    source: 'ehr',
    outcome: 'registered',
    summary: `Registered at ${person.clinic.name}`,
    subject: { type: 'patient', id: person.id },
  });
  for (const [key, consent] of person.reach.consents) {
    if (consent.source === 'registration' || consent.status !== 'granted') continue;
    const [channel] = key.split(':');
    tell({
      at: clock.at(consent.day, person.registeredMinute),
      channel:
        consent.source === 'sms-keyword'
          ? 'sms'
          : consent.source === 'paper-form'
            ? 'in-person'
            : 'portal',
      direction: 'inbound',
      type: 'consent.granted',
      stage: 'awareness',
      source: 'careloop',
      outcome: 'granted',
      summary: `Opted in to news and offers by ${channel}`,
    });
  }
  for (const visit of visits) tellVisit(draw, person, visit, tell);
  for (const stay of stays) {
    const label = stay.kind === 'emergency' ? 'emergency department visit' : 'hospital stay';
    tell({
      at: stay.endMs,
      channel: 'system',
      direction: 'inbound',
      type: 'encounter.discharged',
      stage: 'follow-up',
      source: 'ehr',
      outcome: 'discharged',
      // The reason (a diagnosis) stays on the encounter, encrypted; a touchpoint summary is
      // stored in clear, so it names the kind of stay only (docs/encryption.md).
      summary: `Discharged after ${label}`,
      nonClinicalSummary: `Discharged after ${label}`,
      subject: { type: 'encounter', id: stay.encounterId },
    });
    const callDay = nextWeekday(Math.floor(stay.endMs / DAY_MS) + 1);
    tell({
      at: clock.at(callDay, rng.int(36, 64) * 15),
      channel: 'phone',
      direction: 'outbound',
      type: 'transition.call',
      stage: 'follow-up',
      source: 'careloop',
      outcome: rng.weighted([
        ['reached', 65],
        ['voicemail', 25],
        ['no-answer', 10],
      ]),
      summary: `Transitional care call after ${label}`,
      subject: { type: 'encounter', id: stay.encounterId },
    });
  }
  tellCampaigns(draw, person, tell);

  return events.map((e) => ({
    id: draw.newId(),
    orgId: draw.ctx.directory.orgId,
    patientId: person.id,
    occurredAt: new Date(e.at),
    channel: e.channel,
    direction: e.direction,
    type: e.type,
    stage: e.stage,
    sourceSystem: e.source,
    outcome: e.outcome,
    summary: e.summary,
    nonClinicalSummary: e.nonClinicalSummary ?? e.summary,
    subjectType: e.subject?.type ?? null,
    subjectId: e.subject?.id ?? null,
  }));
}

function tellVisit(draw: Draw, person: Person, v: Visit, tell: Tell): void {
  const { rng } = draw;
  const clock = person.clinic.clock;
  const service = v.service.profile.name;
  const when = clock.describe(v.day, v.minute);
  const subject = { type: 'appointment', id: v.id };
  const at = (dayOffset: number, minute: number) => clock.at(v.day + dayOffset, minute);
  const still = (ms: number) => ms > v.bookedMs && (v.cancelledMs === null || ms < v.cancelledMs);

  const via = v.bookedVia;
  tell({
    at: v.bookedMs,
    channel: via === 'outreach' ? 'phone' : via,
    direction: via === 'outreach' ? 'outbound' : 'inbound',
    type: 'appointment.booked',
    stage: 'scheduling',
    source: via === 'portal' || via === 'web' ? 'careloop' : 'scheduling',
    outcome: 'booked',
    summary: `Booked ${service} with ${v.clinician.displayName} for ${when}`,
    subject,
  });

  const emailAt = at(-2, v.minute);
  if (
    person.reach.email &&
    allowed(person.reach, 'email', 'treatment-reminders') &&
    still(emailAt) &&
    (person.reach.channel !== 'sms' || rng.chance(0.3))
  ) {
    tell({
      at: emailAt,
      channel: 'email',
      direction: 'outbound',
      type: 'appointment.reminder',
      stage: 'pre-visit',
      source: 'careloop',
      outcome: rng.chance(0.02) ? 'bounced' : 'delivered',
      summary: `Reminder: ${service} on ${when}`,
      subject,
    });
  }
  const smsAt = at(-1, v.minute);
  if (
    person.reach.mobile &&
    allowed(person.reach, 'sms', 'treatment-reminders') &&
    still(smsAt) &&
    (person.reach.channel === 'sms' || rng.chance(0.5))
  ) {
    const failed = rng.chance(0.03);
    tell({
      at: smsAt,
      channel: 'sms',
      direction: 'outbound',
      type: 'appointment.reminder',
      stage: 'pre-visit',
      source: 'careloop',
      outcome: failed ? 'failed' : 'delivered',
      summary: `Reminder: ${service} on ${when}. Reply C to confirm, R to reschedule.`,
      subject,
    });
    if (!failed && rng.chance(v.status === 'noshow' ? 0.1 : 0.4)) {
      tell({
        at: smsAt + rng.int(2, 180) * 60_000,
        channel: 'sms',
        direction: 'inbound',
        type: 'appointment.confirmed',
        stage: 'pre-visit',
        source: 'careloop',
        outcome: 'confirmed',
        summary: 'Confirmed by text reply',
        subject,
      });
    }
  } else if (person.reach.channel === 'phone' && person.reach.phone && still(at(-1, 17 * 60))) {
    tell({
      at: at(-1, 17 * 60),
      channel: 'phone',
      direction: 'outbound',
      type: 'appointment.reminder',
      stage: 'pre-visit',
      source: 'careloop',
      outcome: rng.chance(0.55) ? 'answered' : 'voicemail',
      summary: `Automated reminder call: ${service} on ${when}`,
      subject,
    });
  }

  switch (v.status) {
    case 'booked':
      return;
    case 'cancelled':
      tell({
        at: v.cancelledMs ?? v.startMs,
        channel: rng.weighted<TouchpointChannel>([
          ['phone', 55],
          ['portal', person.reach.email ? 35 : 0],
          ['sms', person.reach.mobile ? 10 : 0],
        ]),
        direction: 'inbound',
        type: 'appointment.cancelled',
        stage: 'scheduling',
        source: 'scheduling',
        outcome: 'cancelled',
        summary: `Cancelled ${service} on ${when}: ${v.cancelReason ?? 'no reason given'}`,
        // The reason is the appointment's cancelReason, which marketing and analytics may not read.
        nonClinicalSummary: `Cancelled ${service} on ${when}`,
        subject,
      });
      return;
    case 'noshow':
      tell({
        at: v.startMs + 15 * 60_000,
        channel: 'system',
        direction: 'internal',
        type: 'appointment.noshow',
        stage: 'visit',
        source: 'ehr',
        outcome: 'noshow',
        summary: `Missed ${service} with ${v.clinician.displayName}`,
        subject,
      });
      if (v.outreachMs !== null) {
        const outcome = v.rebook ? 'rescheduled' : rng.chance(0.6) ? 'voicemail' : 'no-answer';
        tell({
          at: v.outreachMs,
          channel: 'phone',
          direction: 'outbound',
          type: 'noshow.outreach',
          stage: 'follow-up',
          source: 'careloop',
          outcome,
          summary:
            outcome === 'rescheduled'
              ? `Called about the missed ${service}; rebooked`
              : `Called about the missed ${service}; left ${outcome === 'voicemail' ? 'a voicemail' : 'no message'}`,
          subject,
        });
      }
      return;
    case 'fulfilled':
      tellFulfilled(draw, person, v, tell);
      return;
  }
}

function tellFulfilled(draw: Draw, person: Person, v: Visit, tell: Tell): void {
  const { rng } = draw;
  const clock = person.clinic.clock;
  const service = v.service.profile.name;
  const telehealth = v.service.profile.telehealth;
  tell({
    at: v.startMs,
    channel: telehealth ? 'telehealth' : 'in-person',
    direction: 'inbound',
    type: 'visit.completed',
    stage: 'visit',
    source: 'ehr',
    outcome: 'completed',
    summary: `${service} with ${v.clinician.displayName}`,
    subject: { type: 'appointment', id: v.id },
  });
  const subject = { type: 'encounter', id: v.encounterId };
  const surveyDay = nextWeekday(v.day + 1);
  if (
    v.service.profile.code !== 'flu-vaccine' &&
    person.reach.email &&
    allowed(person.reach, 'email', 'care-follow-up') &&
    rng.chance(0.4)
  ) {
    const sentAt = clock.at(surveyDay, 10 * 60);
    tell({
      at: sentAt,
      channel: 'email',
      direction: 'outbound',
      type: 'survey.sent',
      stage: 'post-visit',
      source: 'careloop',
      outcome: 'delivered',
      summary: `How was your ${service.toLowerCase()}? Two-question survey`,
      subject,
    });
    if (rng.chance(0.22)) {
      const score = rng.weighted([
        [10, 40],
        [9, 20],
        [8, 15],
        [7, 10],
        [6, 5],
        [5, 4],
        [3, 3],
        [1, 3],
      ] as const);
      tell({
        at: sentAt + rng.int(10, 2880) * 60_000,
        channel: 'web',
        direction: 'inbound',
        type: 'survey.completed',
        stage: 'post-visit',
        source: 'careloop',
        outcome: `nps:${score}`,
        summary: `Rated the visit ${score}/10`,
        subject,
      });
    }
  }
  if (rng.chance(0.15)) {
    const byEmail = person.reach.email !== null && rng.chance(0.6);
    tell({
      at: clock.at(nextWeekday(v.day + rng.int(18, 35)), 9 * 60),
      channel: byEmail ? 'email' : 'mail',
      direction: 'outbound',
      type: 'statement.sent',
      stage: 'billing',
      source: 'billing',
      outcome: 'delivered',
      summary: `Statement for ${service}: patient balance $${rng.int(2, 60) * 5}.00`,
      subject,
    });
  }
}
