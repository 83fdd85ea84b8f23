import { type LocalDate, localDateMs, type WallTime, wallMinutes } from './availability.js';

/**
 * The waitlist and slot recovery (issue 13), the pure part: whether a freed slot suits a
 * waiting patient, who is asked first, and when a follow-up falls due. No I/O, no clock: the
 * caller passes `now`.
 */

export const WAITLIST_PRIORITIES = ['routine', 'soon', 'urgent'] as const;
export type WaitlistPriority = (typeof WAITLIST_PRIORITIES)[number];

/**
 * How a freed slot is offered: `sequential`, to one patient at a time under a hold (the next
 * patient when it expires or is declined); `broadcast`, to several at once, the first to
 * accept books it.
 */
export const OFFER_MODES = ['sequential', 'broadcast'] as const;
export type OfferMode = (typeof OFFER_MODES)[number];

export const WAITLIST_KINDS = ['waitlist', 'follow-up'] as const;
export type WaitlistKind = (typeof WAITLIST_KINDS)[number];

export const WAITLIST_STATUSES = ['waiting', 'offered', 'booked', 'removed'] as const;
export type WaitlistStatus = (typeof WAITLIST_STATUSES)[number];

export const OFFER_STATUSES = ['pending', 'accepted', 'declined', 'expired', 'taken'] as const;
export type OfferStatus = (typeof OFFER_STATUSES)[number];

/** A weekly time range a patient can come, in the location's wall-clock time. */
export interface WeeklyWindow {
  /** 0 = Sunday. */
  weekday: number;
  start: WallTime;
  end: WallTime;
}

/** When a patient can come: weekly ranges, or whole dates. Both empty: any time. */
export interface PatientAvailability {
  weekly: WeeklyWindow[];
  dates: LocalDate[];
}

/** An instant as a location's wall clock reads it. */
export interface WallReading {
  date: LocalDate;
  weekday: number;
  /** Minutes after midnight. */
  minutes: number;
}

const readers = new Map<string, Intl.DateTimeFormat>();

/** The date, weekday and minute of the day `instant` reads in `timeZone`. */
export function wallReading(instant: number, timeZone: string): WallReading {
  let format = readers.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    readers.set(timeZone, format);
  }
  const parts = Object.fromEntries(
    format.formatToParts(new Date(instant)).map((p) => [p.type, p.value]),
  );
  const date = `${parts.year}-${parts.month}-${parts.day}`;
  const midnight = localDateMs(date) ?? 0;
  return {
    date,
    weekday: new Date(midnight).getUTCDay(),
    minutes: Number(parts.hour) * 60 + Number(parts.minute),
  };
}

/**
 * Whether a visit from `start` to `end` lies within what the patient said, read on the
 * location's clock. A visit that crosses midnight fits only a listed date or "any time".
 */
export function fitsAvailability(
  availability: PatientAvailability,
  start: number,
  end: number,
  timeZone: string,
): boolean {
  if (availability.weekly.length === 0 && availability.dates.length === 0) return true;
  const from = wallReading(start, timeZone);
  const to = wallReading(end, timeZone);
  if (availability.dates.includes(from.date) && (to.date === from.date || to.minutes === 0)) {
    return true;
  }
  if (to.date !== from.date && to.minutes !== 0) return false;
  const endMinutes = to.date === from.date ? to.minutes : 24 * 60;
  return availability.weekly.some((w) => {
    const a = wallMinutes(w.start);
    const b = wallMinutes(w.end);
    return (
      w.weekday === from.weekday && a !== null && b !== null && a <= from.minutes && endMinutes <= b
    );
  });
}

/** A waiting patient as the matcher sees them. */
export interface WaitlistCandidate {
  id: string;
  priority: WaitlistPriority;
  /** When they joined (ms): the longer waiting go first among equals. */
  joinedAt: number;
  practitionerId: string | null;
  locationId: string | null;
  /** Not before this local date (a follow-up's window). */
  earliest: LocalDate | null;
  /** Only before the end of this local date. */
  bookBefore: LocalDate | null;
  /** Null: not stated yet (a follow-up waiting for the patient's answer): never offered. */
  availability: PatientAvailability | null;
}

/** A slot that could be offered. */
export interface FreedSlot {
  start: number;
  end: number;
  practitionerId: string;
  locationId: string;
  timeZone: string;
}

/** Whether `slot` suits `candidate`: their practitioner and location, dates and availability. */
export function suits(candidate: WaitlistCandidate, slot: FreedSlot, now: number): boolean {
  if (slot.start <= now || candidate.availability === null) return false;
  if (candidate.practitionerId && candidate.practitionerId !== slot.practitionerId) return false;
  if (candidate.locationId && candidate.locationId !== slot.locationId) return false;
  const day = wallReading(slot.start, slot.timeZone).date;
  if (candidate.earliest && day < candidate.earliest) return false;
  if (candidate.bookBefore && day > candidate.bookBefore) return false;
  return fitsAvailability(candidate.availability, slot.start, slot.end, slot.timeZone);
}

const RANK: Record<WaitlistPriority, number> = { urgent: 0, soon: 1, routine: 2 };

/** Who is asked first: higher priority, then the longest waiting, then by id (stable). */
export function rankCandidates<C extends WaitlistCandidate>(candidates: readonly C[]): C[] {
  return [...candidates].sort(
    (a, b) =>
      RANK[a.priority] - RANK[b.priority] || a.joinedAt - b.joinedAt || a.id.localeCompare(b.id),
  );
}

/** How many patients one slot is offered to at a time under `mode`. */
export function offerFanOut(mode: OfferMode, broadcastSize: number): number {
  switch (mode) {
    case 'sequential':
      return 1;
    case 'broadcast':
      return Math.max(1, broadcastSize);
  }
}

/**
 * A follow-up due `months` after `visitDate`: the window a slot is looked for in, two weeks
 * either side of the due date (the day of the month clamped to the month's last day).
 */
export function followUpWindow(
  visitDate: LocalDate,
  months: number,
): { due: LocalDate; earliest: LocalDate; bookBefore: LocalDate } {
  const ms = localDateMs(visitDate);
  if (ms === null) throw new RangeError(`not a date: ${visitDate}`);
  const d = new Date(ms);
  const target = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + months, 1));
  const lastDay = new Date(
    Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0),
  ).getUTCDate();
  target.setUTCDate(Math.min(d.getUTCDate(), lastDay));
  const day = 86_400_000;
  const iso = (t: number) => new Date(t).toISOString().slice(0, 10);
  return {
    due: iso(target.getTime()),
    earliest: iso(target.getTime() - 14 * day),
    bookBefore: iso(target.getTime() + 14 * day),
  };
}
