/** Trend buckets: a day, an ISO week (from Monday) or a calendar month. */
export const KPI_GRAINS = ['day', 'week', 'month'] as const;
export type KpiGrain = (typeof KPI_GRAINS)[number];

/** The longest period the dashboard reads at once, counted before any work. */
export const KPI_MAX_DAYS = 1098;
/** Trend points at most (a daily trend over years is unreadable and costly). */
export const KPI_MAX_BUCKETS = 400;

const DAY_MS = 86_400_000;
const ISO_DAY = /^\d{4}-\d{2}-\d{2}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Days since 1970-01-01 of a YYYY-MM-DD, or null if it is no real date. */
export function dayNumber(iso: string): number | null {
  if (!ISO_DAY.test(iso)) return null;
  const ms = Date.parse(`${iso}T00:00:00Z`);
  if (Number.isNaN(ms)) return null;
  const day = ms / DAY_MS;
  return isoDay(day) === iso ? day : null;
}

export function isoDay(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/** First day of the bucket holding `day`. */
export function bucketStart(day: number, grain: KpiGrain): number {
  switch (grain) {
    case 'day':
      return day;
    case 'week':
      // 1970-01-01 was a Thursday: Monday is 3 days before.
      return day - ((day + 3) % 7);
    case 'month': {
      const d = new Date(day * DAY_MS);
      return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1) / DAY_MS;
    }
  }
}

/** Every bucket start from the one holding `from` to the one holding `to`, as YYYY-MM-DD. */
export function bucketsBetween(from: number, to: number, grain: KpiGrain): string[] {
  const out: string[] = [];
  let b = bucketStart(from, grain);
  while (b <= to) {
    out.push(isoDay(b));
    if (grain === 'month') {
      const d = new Date(b * DAY_MS);
      b = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1) / DAY_MS;
    } else b += grain === 'week' ? 7 : 1;
  }
  return out;
}

/** The period of equal length just before [from, to]. */
export function previousPeriod(from: number, to: number): { from: number; to: number } {
  const length = to - from + 1;
  return { from: from - length, to: from - 1 };
}

/** What the dashboard is asked for: days inclusive, in the organization's time zone. */
export interface KpiFilters {
  from: string;
  to: string;
  grain: KpiGrain;
  location: string | null;
  practitioner: string | null;
  serviceLine: string | null;
}

export type KpiFilterResult =
  | { ok: true; filters: KpiFilters; fromDay: number; toDay: number }
  | { ok: false; field: keyof KpiFilters; message: string };

/**
 * Filters from a query string or a shared URL, checked like any input: real dates, from ≤ to,
 * at most KPI_MAX_DAYS days and KPI_MAX_BUCKETS trend points, ids that are UUIDs. Missing
 * dates default to the 12 weeks ending on `today`.
 */
export function parseKpiFilters(
  query: Record<string, string | undefined>,
  today: string,
): KpiFilterResult {
  const todayDay = dayNumber(today);
  if (todayDay === null) throw new Error('parseKpiFilters: today is not a date');
  const toDay = query.to ? dayNumber(query.to) : todayDay;
  if (toDay === null) return { ok: false, field: 'to', message: 'to must be a date (YYYY-MM-DD)' };
  const fromDay = query.from ? dayNumber(query.from) : toDay - 83;
  if (fromDay === null) {
    return { ok: false, field: 'from', message: 'from must be a date (YYYY-MM-DD)' };
  }
  if (fromDay > toDay) return { ok: false, field: 'from', message: 'from must not be after to' };
  if (toDay - fromDay + 1 > KPI_MAX_DAYS) {
    return {
      ok: false,
      field: 'from',
      message: `the period may span at most ${KPI_MAX_DAYS} days`,
    };
  }
  const grain = query.grain ?? 'week';
  if (!(KPI_GRAINS as readonly string[]).includes(grain)) {
    return { ok: false, field: 'grain', message: 'grain must be day, week or month' };
  }
  const g = grain as KpiGrain;
  if (bucketsBetween(fromDay, toDay, g).length > KPI_MAX_BUCKETS) {
    return {
      ok: false,
      field: 'grain',
      message: `at most ${KPI_MAX_BUCKETS} trend points: choose a coarser grain`,
    };
  }
  const ids = {
    location: query.location,
    practitioner: query.practitioner,
    serviceLine: query.serviceLine,
  };
  for (const [field, value] of Object.entries(ids)) {
    if (value && !UUID.test(value)) {
      return { ok: false, field: field as keyof KpiFilters, message: `${field} must be an id` };
    }
  }
  return {
    ok: true,
    fromDay,
    toDay,
    filters: {
      from: isoDay(fromDay),
      to: isoDay(toDay),
      grain: g,
      location: ids.location || null,
      practitioner: ids.practitioner || null,
      serviceLine: ids.serviceLine || null,
    },
  };
}
