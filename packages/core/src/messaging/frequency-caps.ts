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

/**
 * What a template says about its cap (docs/adr/0043): `purpose`, counted with the other messages
 * of its purpose; `requested-series`, a scheduled series the patient asked for (a daily
 * medication reminder), counted in a bucket of its own.
 */
export const TEMPLATE_CAP_BUCKETS = ['purpose', 'requested-series'] as const;
export type TemplateCapBucket = (typeof TEMPLATE_CAP_BUCKETS)[number];

/** The buckets messages are counted in: one per purpose, and the patient's requested series. */
export const CAP_BUCKETS = ['treatment', 'operations', 'marketing', 'requested-series'] as const;
export type CapBucket = (typeof CAP_BUCKETS)[number];

export type FrequencyCaps = Record<CapBucket, FrequencyCap>;

/**
 * Treatment reminders: 1 a day, 3 a week (issue 11); a requested series: 1 a day, 7 a week, so a
 * daily reminder for as long as the patient asked goes out every day; the others are
 * organization settings.
 */
export const DEFAULT_FREQUENCY_CAPS: FrequencyCaps = {
  treatment: { perDay: 1, perWeek: 3 },
  operations: { perDay: 2, perWeek: 5 },
  marketing: { perDay: 1, perWeek: 2 },
  'requested-series': { perDay: 1, perWeek: 7 },
};

/**
 * The bucket a message of a template counts in. A series the patient asked for has its own,
 * and does not use up its purpose's (a medication reminder does not block that day's
 * appointment reminder). Marketing is never a requested series, whatever the template says:
 * its cap is what protects patients from campaigns, and no campaign gets around it.
 */
export function capBucket(purpose: TemplatePurpose, template: TemplateCapBucket): CapBucket {
  if (template === 'requested-series' && purpose !== 'marketing') return 'requested-series';
  return purpose;
}

/** A stored bucket name, or null when it is none (then the message counts in its purpose's). */
export function asCapBucket(value: string | null | undefined): CapBucket | null {
  return CAP_BUCKETS.find((bucket) => bucket === value) ?? null;
}

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

/**
 * The cap decision for a message in `bucket`, given every admitted message of the patient with
 * its bucket: only the bucket's own messages count against the bucket's own cap.
 */
export function admitInBucket(
  admitted: readonly { at: Date; bucket: CapBucket }[],
  bucket: CapBucket,
  now: Date,
  zone: string,
  caps: FrequencyCaps,
): boolean {
  const same = admitted.filter((a) => a.bucket === bucket).map((a) => a.at);
  return admitUnderCap(same, now, zone, caps[bucket]);
}
