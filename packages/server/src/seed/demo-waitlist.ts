import { createHash } from 'node:crypto';
import type { WaitlistAvailability } from '@careloop/core';
import { and, eq, gt, inArray, lt, ne } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import {
  appointments,
  availabilityRules,
  slotHolds,
  visitTypes,
} from '../modules/scheduling/schema.js';
import { appendTouchpoints, type NewTouchpoint } from '../modules/timeline/service.js';
import { waitlistEntries, waitlistOffers } from '../modules/waitlist/schema.js';
import { DAY_MS, nextWeekday } from './calendar.js';
import type { DemoPatient } from './demo-inbox.js';
import type { SeedDirectory } from './directory.js';
import { Random } from './random.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
/** The waitlist's default hold (waitlist_settings): an offer expires this long after it is sent. */
const HOLD_MINUTES = 30;

/** The demo's waitlist: this many entries, the first few with an offer's history. */
export const DEMO_WAITLIST_ENTRIES = 24;
/** Of which (in this order): booked from an accepted offer, offers expired, offers declined. */
const ACCEPTED = 2;
const EXPIRED = 3;
const DECLINED = 2;

/** Start times in the clinics' hours (08:00–17:00, lunch 12:00–13:00), minutes of the day. */
const START_MINUTES = [540, 570, 600, 630, 660, 810, 840, 870, 900, 930] as const;

/** When patients say they can come, on the clinic's clock (both empty: any time). */
const AVAILABILITY: readonly WaitlistAvailability[] = [
  {
    weekly: [1, 2, 3, 4, 5].map((weekday) => ({ weekday, start: '08:00', end: '12:00' })),
    dates: [],
  },
  {
    weekly: [1, 2, 3, 4, 5].map((weekday) => ({ weekday, start: '13:00', end: '17:00' })),
    dates: [],
  },
  {
    weekly: [
      { weekday: 2, start: '08:00', end: '17:00' },
      { weekday: 4, start: '08:00', end: '17:00' },
    ],
    dates: [],
  },
  { weekly: [{ weekday: 5, start: '08:00', end: '12:00' }], dates: [] },
  { weekly: [], dates: [] },
];

export interface DemoWaitlistOptions {
  directory: SeedDirectory;
  patients: readonly DemoPatient[];
  anchorDay: number;
  streamKey: string;
  tag: number;
}

export interface DemoWaitlistReport {
  entries: number;
  offers: number;
  /** Visits booked by accepted offers. */
  appointments: number;
  touchpoints: number;
}

interface Offering {
  practitionerId: string;
  locationId: string;
}

/**
 * Waitlist entries for demo patients, for the demo's services at the clinicians who have hours
 * (seed/schedule.ts), with the times they can come and, for a few, an offer's history as slot
 * recovery writes it: a hold, the offer, the touchpoints; an accepted offer booked a free slot
 * after `anchorDay` (entry `booked`), an expired or declined one left its patient waiting.
 * Nothing reads the wall clock.
 */
export async function seedDemoWaitlist(
  tx: Db,
  options: DemoWaitlistOptions,
): Promise<DemoWaitlistReport> {
  const { orgId } = options.directory;
  const anchorMs = options.anchorDay * DAY_MS;
  const rng = new Random(`${options.streamKey}:demo-waitlist`);
  let serial = 0;
  const newId = () => rng.uuid(options.tag, 0xfd000000 + serial++);
  // Established patients: a service for new patients only would not take them.
  const services = await tx
    .select()
    .from(visitTypes)
    .where(
      and(
        eq(visitTypes.orgId, orgId),
        eq(visitTypes.active, true),
        ne(visitTypes.patientRule, 'new'),
      ),
    )
    .orderBy(visitTypes.name);
  const offerings: Offering[] = await tx
    .selectDistinct({
      practitionerId: availabilityRules.practitionerId,
      locationId: availabilityRules.locationId,
    })
    .from(availabilityRules)
    .where(and(eq(availabilityRules.orgId, orgId), eq(availabilityRules.kind, 'hours')))
    .orderBy(availabilityRules.practitionerId, availabilityRules.locationId);
  const clocks = new Map(options.directory.clinics.map((c) => [c.id, c.clock]));
  if (services.length === 0 || offerings.length === 0)
    return { entries: 0, offers: 0, appointments: 0, touchpoints: 0 };

  const entries: (typeof waitlistEntries.$inferInsert)[] = [];
  const holds: (typeof slotHolds.$inferInsert)[] = [];
  const offers: (typeof waitlistOffers.$inferInsert)[] = [];
  const timeline: NewTouchpoint[] = [];
  const touch = (t: Omit<NewTouchpoint, 'orgId' | 'stage' | 'nonClinicalSummary'>) =>
    timeline.push({ ...t, orgId, stage: 'scheduling', nonClinicalSummary: t.summary });
  // Not the showcase patient (the first, the portal's sign-in): the portal shows its own joins.
  const pool = options.patients.slice(1).slice(-DEMO_WAITLIST_ENTRIES);
  for (const [i, patient] of pool.entries()) {
    const service = rng.pick(services);
    const withOffer = i < ACCEPTED + EXPIRED + DECLINED;
    // Some wait for one clinician, some for a clinic, some for whoever is free first.
    const place = withOffer || rng.chance(0.5) ? rng.pick(offerings) : null;
    const clinicOnly = place === null && rng.chance(0.5) ? rng.pick(offerings) : null;
    const joinedMs = anchorMs - rng.int(2 * 24, 30 * 24) * HOUR;
    const entryId = newId();
    const entry: typeof waitlistEntries.$inferInsert = {
      id: entryId,
      orgId,
      patientId: patient.id,
      kind: 'waitlist',
      status: 'waiting',
      priority: rng.weighted([
        ['routine', 6],
        ['soon', 3],
        ['urgent', 1],
      ] as const),
      visitTypeId: service.id,
      practitionerId: place?.practitionerId ?? null,
      locationId: place?.locationId ?? clinicOnly?.locationId ?? patient.locationId,
      availability: rng.pick(AVAILABILITY),
      earliest: null,
      // Each wants to be seen within 2 to 6 weeks: a demo seeded today gets offers of open slots
      // (waitlist.propose, every 15 minutes); one seeded on a past day (the browser tests' fixed
      // date) has none left to make, so the job never holds the open slots those tests book.
      bookBefore: new Date(anchorMs + rng.int(14, 45) * DAY_MS).toISOString().slice(0, 10),
      sourceAppointmentId: null,
      appointmentId: null,
      createdAt: new Date(joinedMs),
      updatedAt: new Date(joinedMs),
    };
    entries.push(entry);
    const joined = rng.chance(0.4);
    touch({
      patientId: patient.id,
      channel: joined ? 'portal' : 'system',
      direction: joined ? 'inbound' : 'internal',
      type: 'waitlist-joined',
      summary: 'Joined the waitlist',
      subjectType: 'waitlist-entry',
      subjectId: entryId,
      occurredAt: new Date(joinedMs),
    });
    const clock = place ? clocks.get(place.locationId) : undefined;
    if (!withOffer || !place || !clock) continue;

    const accepted = i < ACCEPTED;
    const outcome = accepted ? 'accepted' : i < ACCEPTED + EXPIRED ? 'expired' : 'declined';
    // An accepted offer booked a slot after today; the others offered one in the past week.
    const day = accepted
      ? nextWeekday(options.anchorDay + rng.int(2, 8))
      : nextWeekday(options.anchorDay - rng.int(4, 9));
    const startMs = accepted
      ? await freeStart(tx, orgId, place.practitionerId, clock.at.bind(clock), day, service)
      : clock.at(day, rng.pick(START_MINUTES));
    if (startMs === null) continue;
    const endMs = startMs + service.durationMinutes * MINUTE;
    const sentMs = Math.max(
      joinedMs + HOUR,
      (accepted ? anchorMs : startMs) - rng.int(6, 40) * HOUR,
    );
    const expiresMs = sentMs + HOLD_MINUTES * MINUTE;
    const answeredMs = outcome === 'expired' ? null : sentMs + rng.int(3, 25) * MINUTE;
    const holdId = newId();
    const offerId = newId();
    const appointmentId = accepted ? newId() : null;
    holds.push({
      id: holdId,
      orgId,
      practitionerId: place.practitionerId,
      locationId: place.locationId,
      visitTypeId: service.id,
      startAt: new Date(startMs),
      endAt: new Date(endMs),
      occupies: range(startMs, endMs + service.bufferMinutes * MINUTE),
      reason: 'waitlist-offer',
      expiresAt: new Date(expiresMs),
      releasedAt: new Date(answeredMs ?? expiresMs),
      // A declined slot went to nobody else here ("no-taker"), as slot recovery records it.
      releaseReason:
        outcome === 'accepted' ? 'booked' : outcome === 'declined' ? 'no-taker' : 'expired',
      createdAt: new Date(sentMs),
    });
    offers.push({
      id: offerId,
      orgId,
      entryId,
      patientId: patient.id,
      holdId,
      // A token nobody holds: the link of a past offer opens nothing.
      tokenHash: createHash('sha256').update(`demo-offer:${offerId}`).digest('hex'),
      status: outcome,
      sentAt: new Date(sentMs),
      expiresAt: new Date(expiresMs),
      answeredAt: answeredMs === null ? null : new Date(answeredMs),
      appointmentId,
    });
    const slot = new Date(startMs).toISOString().slice(0, 16).replace('T', ' ');
    touch({
      patientId: patient.id,
      channel: patient.phone ? 'sms' : 'portal',
      direction: 'outbound',
      type: 'waitlist-offer-sent',
      summary: `Offered a freed slot on ${slot} UTC`,
      subjectType: 'waitlist-offer',
      subjectId: offerId,
      occurredAt: new Date(sentMs),
    });
    if (outcome === 'expired') {
      touch({
        patientId: patient.id,
        channel: 'system',
        direction: 'internal',
        type: 'waitlist-offer-expired',
        summary: 'A waitlist offer expired unanswered',
        subjectType: 'waitlist-offer',
        subjectId: offerId,
        occurredAt: new Date(expiresMs),
      });
      continue;
    }
    const answeredAt = new Date(answeredMs ?? sentMs);
    touch({
      patientId: patient.id,
      channel: 'portal',
      direction: 'inbound',
      type: `waitlist-offer-${outcome}`,
      summary: outcome === 'accepted' ? 'Accepted a waitlist offer' : 'Declined a waitlist offer',
      subjectType: 'waitlist-offer',
      subjectId: offerId,
      occurredAt: answeredAt,
    });
    if (!appointmentId) continue;
    entry.status = 'booked';
    entry.appointmentId = appointmentId;
    entry.updatedAt = answeredAt;
    const telehealth = service.modality === 'telehealth';
    // Inserted now: the next accepted offer's free slot is looked up after it.
    await tx.insert(appointments).values({
      id: appointmentId,
      orgId,
      patientId: patient.id,
      status: 'booked',
      practitionerId: place.practitionerId,
      locationId: place.locationId,
      startAt: new Date(startMs),
      endAt: new Date(endMs),
      telehealth,
      visitTypeId: service.id,
      occupies: range(startMs, endMs + service.bufferMinutes * MINUTE),
      createdAt: answeredAt,
      updatedAt: answeredAt,
    });
    touch({
      patientId: patient.id,
      channel: 'system',
      direction: 'internal',
      type: 'appointment-booked',
      summary: `Booked: ${service.name} on ${slot} UTC`,
      subjectType: 'appointment',
      subjectId: appointmentId,
      occurredAt: answeredAt,
    });
  }

  if (entries.length > 0) await tx.insert(waitlistEntries).values(entries);
  if (holds.length > 0) await tx.insert(slotHolds).values(holds);
  if (offers.length > 0) await tx.insert(waitlistOffers).values(offers);
  await appendTouchpoints(tx, timeline);
  return {
    entries: entries.length,
    offers: offers.length,
    appointments: entries.filter((e) => e.appointmentId).length,
    touchpoints: timeline.length,
  };
}

/** A half-open `tstzrange` literal, as the scheduling module writes it. */
function range(startMs: number, endMs: number): string {
  return `[${new Date(startMs).toISOString()},${new Date(endMs).toISOString()})`;
}

/** The first start on `day` at which the clinician has no appointment in the way, or null. */
async function freeStart(
  tx: Db,
  orgId: string,
  practitionerId: string,
  at: (day: number, minuteOfDay: number) => number,
  day: number,
  service: { durationMinutes: number; bufferMinutes: number },
): Promise<number | null> {
  for (const minute of START_MINUTES) {
    const start = at(day, minute);
    const end = start + (service.durationMinutes + service.bufferMinutes) * MINUTE;
    const [clash] = await tx
      .select({ id: appointments.id })
      .from(appointments)
      .where(
        and(
          eq(appointments.orgId, orgId),
          eq(appointments.practitionerId, practitionerId),
          inArray(appointments.status, ['booked', 'proposed', 'arrived', 'pending']),
          lt(appointments.startAt, new Date(end)),
          gt(appointments.endAt, new Date(start)),
        ),
      )
      .limit(1);
    if (!clash) return start;
  }
  return null;
}
