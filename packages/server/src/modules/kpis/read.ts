import {
  CLOSED_WINDOW_METRICS,
  emptyCounts,
  KPI_COUNT_NAMES,
  KPI_METRICS,
  type KpiCountName,
  type KpiCounts,
  type KpiFilters,
} from '@careloop/core';
import { type SQL, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { rowsOf } from '../../db/rows.js';

type SumRow = { period: 'current' | 'previous'; bucket: string } & Record<
  KpiCountName,
  string | number
>;

export interface RollupSums {
  buckets: Map<string, KpiCounts>;
  current: KpiCounts;
  previous: KpiCounts;
}

function dimensionFilter(filters: KpiFilters): SQL {
  const parts: SQL[] = [];
  if (filters.location) parts.push(sql` and location_id = ${filters.location}`);
  if (filters.practitioner) parts.push(sql` and practitioner_id = ${filters.practitioner}`);
  if (filters.serviceLine) parts.push(sql` and service_line_id = ${filters.serviceLine}`);
  return sql.join(parts, sql``);
}

const GRAIN_UNIT = { day: 'day', week: 'week', month: 'month' } as const;

/**
 * Sums the rollup over the current and the previous period, by trend bucket, in one statement.
 * Closed-window counts (retention, readmission) take only days at least 30, 365 or 548 days
 * before `asOf`.
 */
export async function readRollup(
  tx: Db,
  orgId: string,
  filters: KpiFilters,
  previousFrom: string,
  asOf: string,
): Promise<RollupSums> {
  const unit = GRAIN_UNIT[filters.grain];
  const sums = sql.join(
    [
      ...KPI_METRICS.map((m) => sql`sum(${sql.identifier(m)}) as ${sql.identifier(m)}`),
      ...Object.entries(CLOSED_WINDOW_METRICS).map(
        ([name, spec]) =>
          sql`coalesce(sum(${sql.identifier(spec.from)}) filter (where day <= ${asOf}::date - ${sql.raw(String(spec.days))}), 0) as ${sql.identifier(name)}`,
      ),
    ],
    sql`, `,
  );
  const rows = rowsOf<SumRow>(
    await tx.execute(sql`
      select case when day >= ${filters.from}::date then 'current' else 'previous' end as period,
             date_trunc(${unit}, day::timestamp)::date::text as bucket,
             ${sums}
      from kpi_daily_counts
      where org_id = ${orgId} and day between ${previousFrom}::date and ${filters.to}::date
        ${dimensionFilter(filters)}
      group by 1, 2`),
  );
  const out: RollupSums = { buckets: new Map(), current: emptyCounts(), previous: emptyCounts() };
  for (const row of rows) {
    const counts = emptyCounts();
    for (const name of KPI_COUNT_NAMES) counts[name] = Number(row[name] ?? 0);
    addInto(row.period === 'current' ? out.current : out.previous, counts);
    if (row.period === 'current') out.buckets.set(row.bucket, counts);
  }
  return out;
}

function addInto(target: KpiCounts, counts: KpiCounts): void {
  for (const name of KPI_COUNT_NAMES) target[name] += counts[name];
}

/**
 * Third-next-available, read live from free slots: for each active schedule matching the
 * filters, the days from `now` to its third free slot; the median over those schedules.
 */
export async function thirdNextAvailable(
  tx: Db,
  orgId: string,
  filters: KpiFilters,
  now: Date,
): Promise<{ value: number | null; basis: number }> {
  const dims: SQL[] = [];
  if (filters.location) dims.push(sql` and sc.location_id = ${filters.location}`);
  if (filters.practitioner) dims.push(sql` and sc.practitioner_id = ${filters.practitioner}`);
  if (filters.serviceLine) dims.push(sql` and sc.service_line_id = ${filters.serviceLine}`);
  const [row] = rowsOf<{ schedules: string | number; days: string | number | null }>(
    await tx.execute(sql`
      select count(*) as schedules,
             percentile_cont(0.5) within group (order by third.days) as days
      from schedules sc
      cross join lateral (
        select extract(epoch from (s.start_at - ${now.toISOString()}::timestamptz)) / 86400 as days
        from slots s
        where s.org_id = sc.org_id and s.schedule_id = sc.id and s.status = 'free'
          and s.start_at > ${now.toISOString()}::timestamptz
        order by s.start_at offset 2 limit 1
      ) third
      where sc.org_id = ${orgId} and sc.active ${sql.join(dims, sql``)}`),
  );
  const days = row?.days === null || row?.days === undefined ? null : Number(row.days);
  return {
    value: days === null ? null : Math.round(days * 10) / 10,
    basis: Number(row?.schedules ?? 0),
  };
}
