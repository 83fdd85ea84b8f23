/**
 * The journey map's filters as a query string (the shareable URL), read back like any input:
 * unknown keys are dropped, each value is checked, and a problem names the field.
 */

export const AGE_BANDS = ['0-17', '18-34', '35-49', '50-64', '65+'] as const;
export type AgeBand = (typeof AGE_BANDS)[number];

export interface JourneyMapFilters {
  from: string;
  to: string;
  locationId?: string;
  practitionerId?: string;
  serviceLineId?: string;
  payer?: string;
  ageBand?: AgeBand;
  condition?: string;
  /** A saved list: its members only. */
  listId?: string;
  definition?: string;
}

export const MAX_RANGE_DAYS = 3 * 366;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const KEY = /^[a-z][a-z0-9-]{0,39}$/;

/** A calendar date of the years 1900 to 2999 (an age band reaches 65 years back from it). */
export function isJourneyMapDate(s: string): boolean {
  if (!DATE.test(s) || s < '1900' || s >= '3000') return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}
const validDate = isJourneyMapDate;

/** The age band's birth dates at `asOf`: born after `bornAfter` and on or before `bornBy`. */
export function ageBandBirthDates(
  band: AgeBand,
  asOf: string,
): { bornAfter: string | null; bornBy: string | null } {
  const [y, m, d] = asOf.split('-');
  const yearsAgo = (n: number) => `${String(Number(y) - n).padStart(4, '0')}-${m}-${d}`;
  switch (band) {
    case '0-17':
      return { bornAfter: yearsAgo(18), bornBy: null };
    case '18-34':
      return { bornAfter: yearsAgo(35), bornBy: yearsAgo(18) };
    case '35-49':
      return { bornAfter: yearsAgo(50), bornBy: yearsAgo(35) };
    case '50-64':
      return { bornAfter: yearsAgo(65), bornBy: yearsAgo(50) };
    case '65+':
      return { bornAfter: null, bornBy: yearsAgo(65) };
  }
}

export type FilterParse =
  | { ok: true; filters: JourneyMapFilters }
  | { ok: false; field: string; message: string };

/** Reads filters from a query string's pairs; a missing range is the `defaultRange`. */
export function parseJourneyMapFilters(
  params: URLSearchParams,
  defaultRange: { from: string; to: string },
): FilterParse {
  const from = params.get('from') ?? defaultRange.from;
  const to = params.get('to') ?? defaultRange.to;
  if (!validDate(from)) return { ok: false, field: 'from', message: 'A date, YYYY-MM-DD' };
  if (!validDate(to)) return { ok: false, field: 'to', message: 'A date, YYYY-MM-DD' };
  const range = rangeProblem(from, to);
  if (range) return { ok: false, ...range };
  const filters: JourneyMapFilters = { from, to };
  for (const key of ['locationId', 'practitionerId', 'serviceLineId', 'listId'] as const) {
    const v = params.get(key);
    if (v === null || v === '') continue;
    if (!UUID.test(v)) return { ok: false, field: key, message: 'Not an id' };
    filters[key] = v.toLowerCase();
  }
  const payer = params.get('payer');
  if (payer) {
    if (payer.length > 100) return { ok: false, field: 'payer', message: 'At most 100 characters' };
    filters.payer = payer;
  }
  const band = params.get('ageBand');
  if (band) {
    const found = AGE_BANDS.find((b) => b === band);
    if (!found) return { ok: false, field: 'ageBand', message: `One of ${AGE_BANDS.join(', ')}` };
    filters.ageBand = found;
  }
  const condition = params.get('condition');
  if (condition) {
    if (condition.length > 40 || /[^\w.-]/.test(condition))
      return { ok: false, field: 'condition', message: 'A condition code' };
    filters.condition = condition;
  }
  const definition = params.get('definition');
  if (definition) {
    if (!KEY.test(definition))
      return { ok: false, field: 'definition', message: 'A definition key' };
    filters.definition = definition;
  }
  return { ok: true, filters };
}

/** The date range's problem, if any (also checked by the server on every request). */
export function rangeProblem(from: string, to: string): { field: string; message: string } | null {
  if (!isJourneyMapDate(from))
    return { field: 'from', message: 'A date, YYYY-MM-DD, 1900 to 2999' };
  if (!isJourneyMapDate(to)) return { field: 'to', message: 'A date, YYYY-MM-DD, 1900 to 2999' };
  if (from > to) return { field: 'to', message: 'On or after from' };
  const days = (Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000;
  if (days > MAX_RANGE_DAYS) return { field: 'to', message: 'At most three years after from' };
  return null;
}

/** The filters as a query string, in a fixed order (the shareable URL). */
export function journeyMapSearch(filters: JourneyMapFilters): string {
  const params = new URLSearchParams();
  for (const key of [
    'from',
    'to',
    'locationId',
    'practitionerId',
    'serviceLineId',
    'payer',
    'ageBand',
    'condition',
    'listId',
    'definition',
  ] as const) {
    const v = filters[key];
    if (v) params.set(key, v);
  }
  return params.toString();
}
