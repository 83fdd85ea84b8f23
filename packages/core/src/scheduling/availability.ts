import { zonedInstant, zoneOffsetMs } from '../dates/zone.js';

/**
 * Availability arithmetic: a practitioner's open slots at one location, from weekly hours,
 * breaks and date exceptions kept in the location's wall-clock time, minus what is already
 * booked or held. Pure: the caller passes every input, the clock included (`from`).
 *
 * Wall-clock hours become instants through the zone's rules on each date, so a 09:00 start is
 * 09:00 on both sides of a DST change. A boundary in the hour a clock skips (02:30 on a
 * spring-forward night) is the moment the clock jumps (03:00 daylight time): hours never start
 * before the clock has shown their start, nor end after it has passed their end. A wall time a
 * clock shows twice (fall back) is its first reading. Slots are laid out in real time inside
 * those instants, so a 30-minute visit always lasts 30 minutes, even across a DST change.
 */

const MINUTE = 60_000;
const DAY = 86_400_000;

/** `HH:MM`, 00:00 to 24:00. */
export type WallTime = string;
/** `YYYY-MM-DD`. */
export type LocalDate = string;

export interface WallRange {
  start: WallTime;
  end: WallTime;
}

/** Recurring weekly hours (`kind: 'hours'`) or a recurring break inside them. */
export interface WeeklyRule extends WallRange {
  /** 0 = Sunday … 6 = Saturday. */
  weekday: number;
  kind: 'hours' | 'break';
  /** First and last day the rule applies, inclusive; null: no bound. */
  validFrom?: LocalDate | null;
  validUntil?: LocalDate | null;
}

/** One date that does not follow the weekly hours: closed (a holiday) or other hours. */
export interface DateException {
  date: LocalDate;
  /** null: closed all day; else the day's hours, replacing the weekly hours (breaks still apply). */
  hours: WallRange[] | null;
}

export interface WorkingSchedule {
  /** The location's IANA time zone. */
  timeZone: string;
  weekly: WeeklyRule[];
  exceptions: DateException[];
}

/** A half-open span of real time, [start, end), in epoch milliseconds. */
export interface Interval {
  start: number;
  end: number;
}

export interface SlotQuery {
  schedule: WorkingSchedule;
  /** Earliest slot start (the caller's clock, or a later day). */
  from: number;
  /** Slots start before this. */
  to: number;
  durationMinutes: number;
  /** Time kept free after each visit (cleaning, notes). */
  bufferMinutes: number;
  /** Distance between slot starts; the visit and its buffer when omitted. */
  stepMinutes?: number;
  /** Booked appointments and holds, each with its own buffer already included. */
  busy: Interval[];
}

const WALL = /^([01]\d|2[0-4]):([0-5]\d)$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Minutes after midnight of a `HH:MM` wall time; null when it is not one (24:00 is the day's end). */
export function wallMinutes(time: WallTime): number | null {
  const m = WALL.exec(time);
  if (!m) return null;
  const minutes = Number(m[1]) * 60 + Number(m[2]);
  return minutes <= 24 * 60 ? minutes : null;
}

/** Midnight of a `YYYY-MM-DD` date read as UTC (the wall clock's fields), or null. */
export function localDateMs(date: LocalDate): number | null {
  const m = DATE.exec(date);
  if (!m) return null;
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  return new Date(ms).toISOString().slice(0, 10) === date ? ms : null;
}

const dateOf = (wallMs: number): LocalDate => new Date(wallMs).toISOString().slice(0, 10);

/**
 * The instant a wall time (`wallMs`: its fields read as UTC) begins in `timeZone`; in a skipped
 * hour, the moment the clock jumps over it.
 */
export function wallInstant(wallMs: number, timeZone: string): number {
  const key = `${timeZone}|${wallMs}`;
  const known = instants.get(key);
  if (known !== undefined) return known;
  if (instants.size >= MAX_CACHED_INSTANTS) instants.clear();
  const instant = resolveWall(wallMs, timeZone);
  instants.set(key, instant);
  return instant;
}

/**
 * Wall times already read, per zone: every practitioner of a location shares its hours, and
 * each reading costs Intl calls (the availability bench: a location's 50 practitioners read the
 * same few wall times). A zone's rules do not change while the process runs.
 */
const instants = new Map<string, number>();
const MAX_CACHED_INSTANTS = 100_000;

function resolveWall(wallMs: number, timeZone: string): number {
  const instant = zonedInstant(wallMs, timeZone).getTime();
  const local = (t: number) => t + zoneOffsetMs(t, timeZone);
  if (local(instant) === wallMs) {
    // When the clock falls back, a wall time is read twice: it begins the first time (hours
    // "00:00–01:00" on that day end when the clock first reads 01:00, not an hour later).
    let earliest = instant;
    for (const near of [instant - 6 * 3_600_000, instant + 6 * 3_600_000]) {
      const candidate = wallMs - zoneOffsetMs(near, timeZone);
      if (candidate < earliest && local(candidate) === wallMs) earliest = candidate;
    }
    return earliest;
  }
  // In a gap the clock rises steadily around it: find the first minute it reads `wallMs` or later.
  let before = instant - 3 * 3_600_000;
  let after = instant + 3 * 3_600_000;
  while (after - before > MINUTE) {
    const mid = before + Math.floor((after - before) / 2 / MINUTE) * MINUTE;
    if (local(mid) >= wallMs) after = mid;
    else before = mid;
  }
  return after;
}

function appliesOn(rule: WeeklyRule, date: LocalDate, weekday: number): boolean {
  return (
    rule.weekday === weekday &&
    (!rule.validFrom || rule.validFrom <= date) &&
    (!rule.validUntil || date <= rule.validUntil)
  );
}

/**
 * The real-time spans in which the clock of `timeZone` reads a wall range on a day. One span,
 * except when the clock falls back inside it: it then reads the range's first part a second
 * time, and the stretch of that second reading before the range's start is not in the range
 * ("01:45–02:00" in London on the last Sunday of October is 00:45–01:00Z and 01:45–02:00Z).
 */
/**
 * The span in which a clock that falls back within 3 hours after a range's end (`to`) reads the
 * range's last part again: a break 00:00–03:00 in Chatham on 5 April 2026 (the clock goes from
 * 03:45 back to 02:45) is also 14:00–14:15Z.
 */
function readAgain(startWall: number, endWall: number, to: number, timeZone: string): Interval[] {
  const atEnd = zoneOffsetMs(to - MINUTE, timeZone);
  const later = zoneOffsetMs(to + 3 * 3_600_000, timeZone);
  if (later >= atEnd) return [];
  // The first minute on the fallen-back clock, after `to`.
  let lo = to - MINUTE;
  let hi = to + 3 * 3_600_000;
  while (hi - lo > MINUTE) {
    const mid = lo + Math.floor((hi - lo) / 2 / MINUTE) * MINUTE;
    if (zoneOffsetMs(mid, timeZone) === atEnd) lo = mid;
    else hi = mid;
  }
  const start = Math.max(hi, startWall - later);
  const end = Math.min(hi + (atEnd - later), endWall - later);
  return end > start ? [{ start, end }] : [];
}

function rangeInstants(dayMs: number, range: WallRange, timeZone: string): Interval[] {
  const start = wallMinutes(range.start);
  const end = wallMinutes(range.end);
  if (start === null || end === null || end <= start) return [];
  const startWall = dayMs + start * MINUTE;
  const from = wallInstant(startWall, timeZone);
  const to = wallInstant(dayMs + end * MINUTE, timeZone);
  if (to <= from) return [];
  const before = zoneOffsetMs(from, timeZone);
  const after = zoneOffsetMs(to - MINUTE, timeZone);
  if (after >= before)
    return [{ start: from, end: to }, ...readAgain(startWall, dayMs + end * MINUTE, to, timeZone)];
  // The first minute on the fallen-back clock, between `from` and `to`.
  let lo = from;
  let hi = to - MINUTE;
  while (hi - lo > MINUTE) {
    const mid = lo + Math.floor((hi - lo) / 2 / MINUTE) * MINUTE;
    if (zoneOffsetMs(mid, timeZone) === before) lo = mid;
    else hi = mid;
  }
  const fellBack = hi;
  const again = startWall - after;
  if (again <= fellBack) return [{ start: from, end: to }];
  return [
    { start: from, end: fellBack },
    { start: again, end: to },
  ].filter((span) => span.end > span.start);
}

/** Sorted, disjoint union of intervals. */
export function mergeIntervals(intervals: Interval[]): Interval[] {
  const sorted = intervals.filter((i) => i.end > i.start).sort((a, b) => a.start - b.start);
  const out: Interval[] = [];
  for (const i of sorted) {
    const last = out[out.length - 1];
    if (last && i.start <= last.end) last.end = Math.max(last.end, i.end);
    else out.push({ ...i });
  }
  return out;
}

/** `from` minus every interval of `holes` (both sorted and disjoint). */
export function subtractIntervals(from: Interval[], holes: Interval[]): Interval[] {
  const out: Interval[] = [];
  for (const span of from) {
    let start = span.start;
    for (const hole of holes) {
      if (hole.end <= start || hole.start >= span.end) continue;
      if (hole.start > start) out.push({ start, end: hole.start });
      start = Math.max(start, hole.end);
    }
    if (start < span.end) out.push({ start, end: span.end });
  }
  return out;
}

/** The real-time spans of working hours (breaks removed) that touch [from, to). */
export function workingIntervals(schedule: WorkingSchedule, from: number, to: number): Interval[] {
  const { timeZone } = schedule;
  // Local dates from the day before `from` to the day after `to` cover every zone's offset.
  const first = Math.floor((from + zoneOffsetMs(from, timeZone)) / DAY) * DAY - DAY;
  const last = Math.floor((to + zoneOffsetMs(to, timeZone)) / DAY) * DAY + DAY;
  const exceptions = new Map<LocalDate, DateException[]>();
  for (const e of schedule.exceptions)
    exceptions.set(e.date, [...(exceptions.get(e.date) ?? []), e]);
  const hours: Interval[] = [];
  const breaks: Interval[] = [];
  for (let day = first; day <= last; day += DAY) {
    const date = dateOf(day);
    const weekday = new Date(day).getUTCDay();
    const rules = schedule.weekly.filter((r) => appliesOn(r, date, weekday));
    const special = exceptions.get(date);
    const dayHours = special
      ? special.some((e) => e.hours === null)
        ? []
        : special.flatMap((e) => e.hours ?? [])
      : rules.filter((r) => r.kind === 'hours');
    for (const range of dayHours) {
      hours.push(...rangeInstants(day, range, timeZone));
    }
    for (const range of rules.filter((r) => r.kind === 'break')) {
      breaks.push(...rangeInstants(day, range, timeZone));
    }
  }
  return subtractIntervals(mergeIntervals(hours), mergeIntervals(breaks)).filter(
    (i) => i.end > from && i.start < to,
  );
}

/**
 * Open slots, earliest first: each visit lies wholly within working hours, and neither the
 * visit nor its buffer overlaps a break or anything busy. Starts follow a grid of `stepMinutes`
 * from the start of each span of hours; after a busy span the grid restarts at its end.
 */
export function openSlots(query: SlotQuery): Interval[] {
  const duration = query.durationMinutes * MINUTE;
  const buffer = query.bufferMinutes * MINUTE;
  const step = (query.stepMinutes ?? query.durationMinutes + query.bufferMinutes) * MINUTE;
  if (duration <= 0 || step <= 0 || buffer < 0 || query.to <= query.from) return [];
  const busy = mergeIntervals(query.busy);
  const slots: Interval[] = [];
  let b = 0;
  for (const span of workingIntervals(query.schedule, query.from, query.to)) {
    let t = span.start;
    while (t + duration <= span.end && t < query.to) {
      while (b < busy.length && (busy[b]?.end ?? 0) <= t) b++;
      const next = busy[b];
      if (next && next.start < t + duration + buffer) {
        t = Math.max(t + MINUTE, next.end);
        continue;
      }
      if (t >= query.from) slots.push({ start: t, end: t + duration });
      t += step;
    }
    // The next span may begin before a busy interval this one skipped past.
    b = 0;
  }
  return slots;
}
