import { isCalendarDate, normalizeEmail, normalizePhone, searchableName } from '@careloop/core';
import { requestError } from '../outcome.js';

/** FHIR search parameters as Careloop reads them: pure parsing, no database. */

export type DateRange = { from: string | null; to: string | null; negate: boolean };

const DATE = /^(eq|ne|lt|gt|le|ge|sa|eb|ap)?(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?$/;

function nextDay(date: string): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

/**
 * A `birthdate` value (`1970`, `1970-03`, `ge1970-03-01`…) as a half-open range of dates,
 * [from, to): a partial date covers its whole year or month, as FHIR says.
 */
export function parseDateParam(value: string, name = 'birthdate'): DateRange {
  const m = DATE.exec(value.trim());
  if (!m) {
    throw requestError(
      400,
      'invalid',
      `${name} must be a date (YYYY, YYYY-MM or YYYY-MM-DD), optionally with a prefix such as ge or lt`,
      name,
    );
  }
  const [, prefix = 'eq', y, mo, d] = m;
  const start = `${y}-${mo ?? '01'}-${d ?? '01'}`;
  // Year 0 parses in JavaScript but not in PostgreSQL (it was a 500): years 1 to 9999 only.
  if (!isCalendarDate(start)) {
    throw requestError(400, 'invalid', `${value} is not a calendar date`, name);
  }
  let end: string;
  if (d) end = nextDay(start);
  else if (mo)
    end =
      mo === '12' ? `${Number(y) + 1}-01-01` : `${y}-${String(Number(mo) + 1).padStart(2, '0')}-01`;
  else end = `${Number(y) + 1}-01-01`;
  switch (prefix) {
    case 'eq':
    case 'ap':
      return { from: start, to: end, negate: false };
    case 'ne':
      return { from: start, to: end, negate: true };
    case 'lt':
    case 'eb':
      return { from: null, to: start, negate: false };
    case 'le':
      return { from: null, to: end, negate: false };
    case 'gt':
    case 'sa':
      return { from: end, to: null, negate: false };
    default:
      return { from: start, to: null, negate: false };
  }
}

/** A token parameter: `system|value`, `|value` (no system), or `value` (any system). */
export function parseToken(value: string): { system: string | null; value: string } {
  const bar = value.indexOf('|');
  if (bar < 0) return { system: null, value: value.trim() };
  return { system: value.slice(0, bar).trim() || null, value: value.slice(bar + 1).trim() };
}

/** A telecom search value as stored: phones in E.164, emails in lower case. */
export function telecomValue(value: string): { system: 'phone' | 'email' | null; value: string } {
  const token = parseToken(value);
  const system = token.system === 'email' || token.system === 'phone' ? token.system : null;
  if (system !== 'phone') {
    const email = normalizeEmail(token.value);
    if (email) return { system: 'email', value: email };
  }
  const phone = normalizePhone(token.value);
  if (phone) return { system: 'phone', value: phone.e164 };
  return { system, value: token.value };
}

/** The name tokens a `name` value holds, normalized as stored names are. */
export function nameTokens(value: string): string[] {
  return searchableName(value).split(' ').filter(Boolean);
}

/** A patient reference parameter: `123`, `Patient/123` or an absolute URL ending so. */
export function patientIdParam(value: string | undefined): string | null {
  if (!value) return null;
  const match = /(?:^|Patient\/)([A-Za-z0-9\-.]{1,64})$/.exec(value.trim());
  return match?.[1] ?? null;
}
