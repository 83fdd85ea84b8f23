import { isFutureDate } from '../dates/past.js';
import { zonedInstant } from '../dates/zone.js';

/**
 * How to read a date written with slashes, dots or dashes and the year last (`03/04/1980`):
 * `mdy` month first (United States, the default), `dmy` day first (most other countries).
 * ISO (`1980-03-04`) and compact (`19800304`) dates are year first and never ambiguous.
 */
export const DATE_ORDERS = ['mdy', 'dmy'] as const;
export type DateOrder = (typeof DATE_ORDERS)[number];

export type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

const fail = (message: string): { ok: false; message: string } => ({ ok: false, message });

function isoDate(y: number, m: number, d: number): string | null {
  if (m < 1 || m > 12 || d < 1 || d > 31) return null;
  const date = new Date(Date.UTC(y, m - 1, d));
  if (date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) return null;
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

const YEAR_FIRST = /^(\d{4})-(\d{1,2})-(\d{1,2})$/;
const COMPACT = /^(\d{4})(\d{2})(\d{2})$/;
const YEAR_LAST = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{2}|\d{4})$/;

/**
 * A calendar date as ISO `YYYY-MM-DD` from ISO, `YYYYMMDD` or `MM/DD/YYYY` (`DD/MM/YYYY` with
 * order `dmy`; dots and dashes work like slashes). Two-digit years are refused: `04/05/06`
 * could be 1906 or 2006. A date that does not exist (`1980-02-30`) is refused.
 */
export function parseDate(value: string, order: DateOrder = 'mdy'): Parsed<string> {
  const text = value.trim();
  let ymd: [number, number, number] | null = null;
  const iso = YEAR_FIRST.exec(text) ?? COMPACT.exec(text);
  if (iso) ymd = [Number(iso[1]), Number(iso[2]), Number(iso[3])];
  const last = iso ? null : YEAR_LAST.exec(text);
  if (last) {
    const [a, b, year] = [Number(last[1]), Number(last[2]), last[3] ?? ''];
    if (year.length === 2) {
      return fail(`"${text}" has a two-digit year; write the year in full (e.g. 1980)`);
    }
    ymd = order === 'mdy' ? [Number(year), a, b] : [Number(year), b, a];
    if (
      isoDate(...ymd) === null &&
      isoDate(Number(year), order === 'mdy' ? b : a, order === 'mdy' ? a : b)
    ) {
      return fail(
        `"${text}" is not a date month-first; if this file writes the day first, choose day/month/year`,
      );
    }
  }
  if (!ymd) return fail(`"${text}" is not a date (use YYYY-MM-DD, YYYYMMDD or MM/DD/YYYY)`);
  const date = isoDate(...ymd);
  return date ? { ok: true, value: date } : fail(`"${text}" is not a real date`);
}

/** A birth date: a date, not after `asOf` (the import's today) and not before 1870. */
export function parseBirthDate(value: string, order: DateOrder, asOf: Date): Parsed<string> {
  const parsed = parseDate(value, order);
  if (!parsed.ok) return parsed;
  if (isFutureDate(parsed.value, asOf)) {
    return fail(`${parsed.value} is in the future`);
  }
  if (parsed.value < '1870-01-01') return fail(`${parsed.value} is too long ago for a birth date`);
  return parsed;
}

/** A wall-clock time `HH:MM:SS`, 24-hour. */
const TIME = /^(\d{1,2})(?::(\d{2}))?(?::(\d{2})(?:\.\d+)?)?\s*([ap]\.?m\.?)?$/i;

/** A time of day as `HH:MM:SS` from `9:30`, `09:30:00`, `9:30 PM`, `0930`. */
export function parseTime(value: string): Parsed<string> {
  const text = value.trim();
  const compact = /^(\d{2})(\d{2})$/.exec(text);
  const match = compact ? [text, compact[1], compact[2], undefined, undefined] : TIME.exec(text);
  if (!match) return fail(`"${text}" is not a time of day (use 14:30 or 2:30 PM)`);
  let hour = Number(match[1]);
  const minute = Number(match[2] ?? '0');
  const second = Number(match[3] ?? '0');
  const meridiem = match[4]?.toLowerCase().replace(/\./g, '');
  if (meridiem) {
    if (hour < 1 || hour > 12) return fail(`"${text}" is not a 12-hour time`);
    hour = (hour % 12) + (meridiem === 'pm' ? 12 : 0);
  }
  if (hour > 23 || minute > 59 || second > 59) return fail(`"${text}" is not a time of day`);
  const two = (n: number) => String(n).padStart(2, '0');
  return { ok: true, value: `${two(hour)}:${two(minute)}:${two(second)}` };
}

/**
 * A moment as written in a file: a date and a wall-clock time, and the UTC offset when the
 * file gave one (`Z`, `+02:00`). Without an offset the time is read in the location's (or the
 * organization's) time zone when the row is imported.
 */
export interface LocalDateTime {
  date: string;
  time: string;
  /** `Z` or `±HH:MM`; null when the file gave none. */
  offset: string | null;
}

const OFFSET = /(Z|[+-]\d{2}:?\d{2})$/i;

/** A date and time from one cell: `2026-03-02T09:30`, `2026-03-02 09:30:00Z`, `03/02/2026 9:30 AM`. */
export function parseDateTime(value: string, order: DateOrder = 'mdy'): Parsed<LocalDateTime> {
  const text = value.trim();
  const offsetMatch = OFFSET.exec(text);
  const body = offsetMatch ? text.slice(0, offsetMatch.index).trim() : text;
  const split = /^(\S+)(?:[T ]\s*(.+))$/i.exec(body);
  if (!split) return fail(`"${text}" has no time of day (use 2026-03-02 09:30)`);
  const date = parseDate(split[1] ?? '', order);
  if (!date.ok) return date;
  const time = parseTime(split[2] ?? '');
  if (!time.ok) return time;
  let offset: string | null = null;
  if (offsetMatch) {
    const raw = (offsetMatch[1] ?? '').toUpperCase();
    offset = raw === 'Z' ? 'Z' : `${raw.slice(0, 3)}:${raw.slice(-2)}`;
  }
  return { ok: true, value: { date: date.value, time: time.value, offset } };
}

/**
 * The instant a wall-clock time names: with its own offset when it has one, else in
 * `timeZone` (an IANA name such as `America/New_York`), as `zonedInstant` reads it (DST overlaps
 * and gaps included).
 */
export function instantOf(local: LocalDateTime, timeZone: string): Date {
  const wall = Date.parse(`${local.date}T${local.time}Z`);
  if (local.offset) {
    if (local.offset === 'Z') return new Date(wall);
    const sign = local.offset.startsWith('-') ? -1 : 1;
    const minutes = Number(local.offset.slice(1, 3)) * 60 + Number(local.offset.slice(4, 6));
    return new Date(wall - sign * minutes * 60_000);
  }
  return zonedInstant(wall, timeZone);
}
