import { NUL } from '../errors/nul.js';
import { CareloopError } from '../errors/problem.js';

/**
 * Keyset pagination cursors: the sort key values of the last row of a page, as base64url
 * JSON. Opaque to clients; a malformed cursor is a 400, never a 500.
 */
export type CursorValues = (string | number | null)[];

const toBase64Url = (s: string) =>
  btoa(String.fromCharCode(...new TextEncoder().encode(s)))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');

const fromBase64Url = (s: string) => {
  const bin = atob(s.replace(/-/g, '+').replace(/_/g, '/'));
  return new TextDecoder().decode(Uint8Array.from(bin, (c) => c.charCodeAt(0)));
};

export function encodeCursor(values: CursorValues): string {
  return toBase64Url(JSON.stringify(values));
}

export function decodeCursor(cursor: string, expectedLength: number): CursorValues {
  let parsed: unknown;
  try {
    parsed = JSON.parse(fromBase64Url(cursor));
  } catch {
    throw new CareloopError('bad_request', 'The cursor is not valid', '/query/cursor');
  }
  // A cursor is input like any other: a NUL (which PostgreSQL cannot take) is refused here.
  const ok =
    Array.isArray(parsed) &&
    parsed.length === expectedLength &&
    parsed.every(
      (v) =>
        v === null ||
        (typeof v === 'string' && !v.includes(NUL)) ||
        (typeof v === 'number' && Number.isFinite(v)),
    );
  if (!ok) {
    throw new CareloopError('bad_request', 'The cursor is not valid', '/query/cursor');
  }
  return parsed as CursorValues;
}

/** What one value of a keyset cursor must be. */
export type CursorKey = 'text' | 'uuid' | 'date' | 'instant';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
// ISO 8601 (`2026-12-05T10:00:00.000Z`) and PostgreSQL's own text (`2026-12-05 10:00:00.5+00`).
const INSTANT =
  /^(\d{4}-\d{2}-\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.\d{1,6})?(?:Z|[+-]\d{2}(?::?\d{2})?)$/;

/** A real calendar day from year 1 to 9999: no 2020-13-45, no 2021-02-29, no year 0. */
export function isCalendarDate(value: string): boolean {
  const match = DATE.exec(value);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (year < 1) return false;
  const date = new Date(Date.UTC(2000, month - 1, day));
  date.setUTCFullYear(year);
  return (
    date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day
  );
}

function isInstant(value: string): boolean {
  const match = INSTANT.exec(value);
  if (!match) return false;
  const [hours, minutes, seconds] = [Number(match[2]), Number(match[3]), Number(match[4])];
  return isCalendarDate(match[1] ?? '') && hours < 24 && minutes < 60 && seconds < 60;
}

/** Whether one decoded cursor value has the shape its sort key needs. */
export function isCursorValue(kind: CursorKey, value: unknown): value is string {
  if (typeof value !== 'string') return false;
  switch (kind) {
    case 'text':
      return true;
    case 'uuid':
      return UUID.test(value);
    case 'date':
      return isCalendarDate(value);
    case 'instant':
      return isInstant(value);
  }
}

/**
 * Decodes a keyset cursor and validates each value against its sort key's kind, as a query is
 * validated: a forged cursor (a NUL, a month 13, an id that is no UUID, the wrong arity) is a
 * 400 naming `path`, never a database error.
 */
export function decodeKeysetCursor(
  cursor: string,
  kinds: readonly CursorKey[],
  path = '/query/cursor',
): string[] {
  const invalid = () => new CareloopError('bad_request', 'The cursor is not valid', path);
  let values: CursorValues;
  try {
    values = decodeCursor(cursor, kinds.length);
  } catch {
    throw invalid();
  }
  const strings = values.filter((v, i): v is string => isCursorValue(kinds[i] ?? 'text', v));
  if (strings.length !== kinds.length) throw invalid();
  return strings;
}
