import { zonedInstant, zoneOffsetMs } from '../dates/zone.js';
import type { TemplatePurpose } from './template-lint.js';

/**
 * Frequency caps (issue 11): at most `perDay` messages of a purpose to one patient on one local
 * calendar day, and `perWeek` in any seven consecutive local days. Counted before the send
 * (docs/adr/0024): a message over the cap is suppressed and recorded, not deferred.
 */
export interface FrequencyCap {
  perDay: number;
  perWeek: number;
}

export type FrequencyCaps = Record<TemplatePurpose, FrequencyCap>;

/** Treatment reminders: 1 a day, 3 a week (issue 11); the others are organization settings. */
export const DEFAULT_FREQUENCY_CAPS: FrequencyCaps = {
  treatment: { perDay: 1, perWeek: 3 },
  operations: { perDay: 2, perWeek: 5 },
  marketing: { perDay: 1, perWeek: 2 },
};

const DAY = 24 * 60 * 60_000;

/**
 * Where the day and week windows that contain `now` start: local midnight today, and local
 * midnight six days before. A midnight that a DST change skips starts the window a little
 * early, which only counts more.
 */
export function capWindows(now: Date, zone: string): { dayStart: Date; weekStart: Date } {
  const wall = now.getTime() + zoneOffsetMs(now.getTime(), zone);
  const midnight = Math.floor(wall / DAY) * DAY;
  const dayStart = zonedInstant(midnight, zone);
  const weekStart = zonedInstant(midnight - 6 * DAY, zone);
  // An instant before `now` whatever the zone's quirks: the window never starts in the future.
  const clamp = (d: Date) => (d.getTime() > now.getTime() ? new Date(now.getTime()) : d);
  return { dayStart: clamp(dayStart), weekStart: clamp(weekStart) };
}

/** Whether one more message fits, given how many already went out in each window. */
export function withinCap(counts: { day: number; week: number }, cap: FrequencyCap): boolean {
  return counts.day < cap.perDay && counts.week < cap.perWeek;
}

/** The cap decision from the instants already admitted (pure form of the database count). */
export function admitUnderCap(
  admitted: readonly Date[],
  now: Date,
  zone: string,
  cap: FrequencyCap,
): boolean {
  const { dayStart, weekStart } = capWindows(now, zone);
  const inWindow = (start: Date) =>
    admitted.filter((at) => at.getTime() >= start.getTime() && at.getTime() <= now.getTime())
      .length;
  return withinCap({ day: inWindow(dayStart), week: inWindow(weekStart) }, cap);
}
