/**
 * Wall-clock arithmetic for generated history. The generator thinks in a location's local
 * calendar (day number, minute of day, as a clinic books), and stores UTC instants.
 */

export const DAY_MS = 86_400_000;
const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] as const;
const MONTHS = [
  'Jan',
  'Feb',
  'Mar',
  'Apr',
  'May',
  'Jun',
  'Jul',
  'Aug',
  'Sep',
  'Oct',
  'Nov',
  'Dec',
] as const;

/** Days since 1970-01-01 of a `YYYY-MM-DD` date or of an instant's UTC date. */
export function dayNumber(date: string | Date): number {
  const ms = typeof date === 'string' ? Date.parse(`${date}T00:00:00Z`) : date.getTime();
  if (Number.isNaN(ms)) throw new Error(`not a date: ${String(date)}`);
  return Math.floor(ms / DAY_MS);
}

/** `YYYY-MM-DD` of a day number. */
export function isoDay(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/** 0 = Sunday … 6 = Saturday. */
export function weekday(day: number): number {
  return (((day + 4) % 7) + 7) % 7;
}

/** The day itself when it is a weekday, else the Monday after. */
export function nextWeekday(day: number): number {
  const w = weekday(day);
  return w === 6 ? day + 2 : w === 0 ? day + 1 : day;
}

export function yearOf(day: number): number {
  return new Date(day * DAY_MS).getUTCFullYear();
}

/** Day number of a calendar date (month 1–12). */
export function dayOf(year: number, month: number, dayOfMonth: number): number {
  return Math.floor(Date.UTC(year, month - 1, dayOfMonth) / DAY_MS);
}

/**
 * A time zone's wall clock. UTC offsets are looked up once per day at local noon (a DST change
 * happens at night, outside any hour the generator uses) and cached: at most a few thousand
 * days per zone are ever asked for.
 */
export class ZonedClock {
  private readonly offsets = new Map<number, number>();
  private readonly format: Intl.DateTimeFormat;

  constructor(readonly timeZone: string) {
    this.format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
    });
  }

  /** Local offset from UTC in minutes (e.g. -300 for New York in winter). */
  offsetMinutes(day: number): number {
    const cached = this.offsets.get(day);
    if (cached !== undefined) return cached;
    const noon = day * DAY_MS + 12 * 3_600_000;
    const parts: Record<string, number> = {};
    for (const p of this.format.formatToParts(new Date(noon))) {
      if (p.type !== 'literal') parts[p.type] = Number(p.value);
    }
    const wall = Date.UTC(
      parts.year ?? 1970,
      (parts.month ?? 1) - 1,
      parts.day ?? 1,
      parts.hour ?? 0,
      parts.minute ?? 0,
    );
    const offset = Math.round((wall - noon) / 60_000);
    this.offsets.set(day, offset);
    return offset;
  }

  /** The instant (epoch ms) of a local day and minute of day. */
  at(day: number, minuteOfDay: number): number {
    return day * DAY_MS + (minuteOfDay - this.offsetMinutes(day)) * 60_000;
  }

  /** "Tue, Mar 3 at 9:30 AM", the way a reminder names a local time. */
  describe(day: number, minuteOfDay: number): string {
    const date = new Date(day * DAY_MS);
    const h = Math.floor(minuteOfDay / 60);
    const m = minuteOfDay % 60;
    const hour12 = h % 12 === 0 ? 12 : h % 12;
    return `${WEEKDAYS[weekday(day)]}, ${MONTHS[date.getUTCMonth()]} ${date.getUTCDate()} at ${hour12}:${String(m).padStart(2, '0')} ${h < 12 ? 'AM' : 'PM'}`;
  }
}
