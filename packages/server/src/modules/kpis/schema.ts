import { sql } from 'drizzle-orm';
import { bigint, check, date, index, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { organizations, orgIdColumn } from '../directory/schema.js';

/**
 * The KPI rollup (docs/adr/0028): one row per organization, local day, location, practitioner,
 * service line and metric (core's KPI_METRICS), with the count. Derived data: the refresh job
 * deletes a day range and recomputes it from appointments, encounters, touchpoints and claims.
 * The dimensions are no foreign keys (a rollup row must never keep a location from being
 * removed; it is recomputed); a null dimension is "not attributed" (a message about no
 * appointment), counted only when that dimension is not filtered on.
 */
export const kpiDailyCounts = pgTable(
  'kpi_daily_counts',
  {
    orgId: orgIdColumn(),
    day: date('day', { mode: 'string' }).notNull(),
    locationId: uuid('location_id'),
    practitionerId: uuid('practitioner_id'),
    serviceLineId: uuid('service_line_id'),
    metric: text('metric').notNull(),
    value: bigint('value', { mode: 'number' }).notNull(),
  },
  (t) => [index('kpi_daily_counts_org_day_idx').on(t.orgId, t.day, t.metric)],
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
