import {
  CLOSED_WINDOW_METRICS,
  type ClosedWindowMetric,
  emptyCounts,
  isKpiCountName,
  type KpiCounts,
  type KpiFilters,
} from '@careloop/core';
import { type SQL, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { rowsOf } from '../../db/rows.js';

interface SumRow {
  period: 'current' | 'previous';
  bucket: string;
  metric: string;
  total: string | number;
  closed_30: string | number;
  closed_365: string | number;
  closed_548: string | number;
}

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
  const rows = rowsOf<SumRow>(
    await tx.execute(sql`
      select case when day >= ${filters.from}::date then 'current' else 'previous' end as period,
             to_char(date_trunc(${unit}, day::timestamp), 'YYYY-MM-DD') as bucket,
             metric,
             sum(value) as total,
             coalesce(sum(value) filter (where day <= ${asOf}::date - 30), 0) as closed_30,
             coalesce(sum(value) filter (where day <= ${asOf}::date - 365), 0) as closed_365,
             coalesce(sum(value) filter (where day <= ${asOf}::date - 548), 0) as closed_548
      from kpi_daily_counts
      where org_id = ${orgId} and day between ${previousFrom}::date and ${filters.to}::date
        ${dimensionFilter(filters)}
      group by 1, 2, 3`),
  );
  const sums: RollupSums = { buckets: new Map(), current: emptyCounts(), previous: emptyCounts() };
  for (const row of rows) {
    const target = row.period === 'current' ? sums.current : sums.previous;
    const bucketCounts = sums.buckets.get(row.bucket) ?? emptyCounts();
    add(target, row);
    if (row.period === 'current') {
      add(bucketCounts, row);
      sums.buckets.set(row.bucket, bucketCounts);
    }
  }
  return sums;
}

function add(counts: KpiCounts, row: SumRow): void {
  if (!isKpiCountName(row.metric)) return;
  counts[row.metric] += Number(row.total);
  for (const [name, spec] of Object.entries(CLOSED_WINDOW_METRICS)) {
    if (spec.from !== row.metric) continue;
    const closed =
      spec.days === 30 ? row.closed_30 : spec.days === 365 ? row.closed_365 : row.closed_548;
    counts[name as ClosedWindowMetric] += Number(closed);
  }
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
