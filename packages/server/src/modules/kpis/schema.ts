import type { KpiMetric } from '@careloop/core';
import { sql } from 'drizzle-orm';
import { bigint, check, date, index, pgTable, timestamp, uuid } from 'drizzle-orm/pg-core';
import { organizations, orgIdColumn } from '../directory/schema.js';

/**
 * The rollup's count columns: core's KPI_METRICS, spelled out because drizzle-kit reads this file
 * without the workspace's packages (kpis.test.ts checks the two lists agree).
 */
export const ROLLUP_METRICS = [
  'appointments',
  'appointments_cancelled',
  'appointments_noshow',
  'appointments_fulfilled',
  'new_patients',
  'visits',
  'visits_returned_12m',
  'visits_returned_18m',
  'discharges',
  'readmissions_30d',
  'messages',
  'messages_delivered',
  'messages_answered',
  'outreach',
  'outreach_automated',
  'claims',
  'billed_cents',
  'nps_responses',
  'nps_promoters',
  'nps_detractors',
] as const satisfies readonly KpiMetric[];

/** One count column per metric, `bigint not null default 0`, named as core's KPI_METRICS. */
function metricColumns() {
  return Object.fromEntries(
    ROLLUP_METRICS.map((m) => [m, bigint(m, { mode: 'number' }).notNull().default(0)]),
  ) as Record<KpiMetric, ReturnType<typeof metricCount>>;
}
const metricCount = (name: string) => bigint(name, { mode: 'number' }).notNull().default(0);

/**
 * The KPI rollup (docs/adr/0027): per organization, local day, location, practitioner and
 * service line, one count per metric (core's KPI_METRICS), wide: a dashboard read sums columns
 * over a few rows per day instead of a row per metric. Each source (appointments, encounters,
 * touchpoints, claims) writes its own rows, its other metrics zero. Derived data: the refresh
 * job deletes a day range and recomputes it. The dimensions are no foreign keys (a rollup row
 * must never keep a location from being removed; it is recomputed); a null dimension is "not
 * attributed" (a message about no appointment), counted only when that dimension is not
 * filtered on.
 */
export const kpiDailyCounts = pgTable(
  'kpi_daily_counts',
  {
    orgId: orgIdColumn(),
    day: date('day', { mode: 'string' }).notNull(),
    locationId: uuid('location_id'),
    practitionerId: uuid('practitioner_id'),
    serviceLineId: uuid('service_line_id'),
    ...metricColumns(),
  },
  (t) => [index('kpi_daily_counts_org_day_idx').on(t.orgId, t.day)],
);

/** When each organization's rollup was last refreshed, and over which days. */
export const kpiRefreshes = pgTable(
  'kpi_refreshes',
  {
    orgId: uuid('org_id')
      .primaryKey()
      .references(() => organizations.id),
    refreshedAt: timestamp('refreshed_at', { withTimezone: true }).notNull(),
    fromDay: date('from_day', { mode: 'string' }).notNull(),
    toDay: date('to_day', { mode: 'string' }).notNull(),
  },
  () => [check('kpi_refreshes_days_check', sql`from_day <= to_day`)],
);
