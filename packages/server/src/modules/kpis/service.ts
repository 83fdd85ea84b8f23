import {
  badRequest,
  bucketsBetween,
  buildKpiReport,
  can,
  dayNumber,
  isoDay,
  KPI_REFRESH_TRAILING_DAYS,
  type KpiReport,
  parseKpiFilters,
  previousPeriod,
  zonedInstant,
} from '@careloop/core';
import { eq, sql } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { rowsOf } from '../../db/rows.js';
import type { RequestContext } from '../../http/actor.js';
import type { AuditLog } from '../audit/service.js';
import { organizations } from '../directory/schema.js';
import type { JobRunner, QueuePolicy } from '../jobs/runner.js';
import { readRollup, thirdNextAvailable } from './read.js';
import { type DayRange, refreshRollup } from './refresh.js';
import { kpiRefreshes } from './schema.js';

/** One retry soon after a failure; the nightly run redoes the window anyway. */
export const KPI_QUEUE_POLICY: QueuePolicy = {
  retryLimit: 1,
  retryDelay: 60,
  expireInSeconds: 3600,
};

/** Days recomputed per transaction: a full refresh is many short transactions, not one long one. */
const REFRESH_CHUNK_DAYS = 366;
/** Where a first refresh starts when an organization's data has no earlier day. */
const EARLIEST_DAY = '2000-01-01';

/** Local days [from, to] of `timeZone` as the instants they begin and end at. */
function dayRange(from: string, to: string, timeZone: string): DayRange {
  const wall = (day: string) => Date.parse(`${day}T00:00:00Z`);
  return {
    from,
    to,
    tz: timeZone,
    lo: zonedInstant(wall(from), timeZone),
    hi: zonedInstant(wall(to) + 86_400_000, timeZone),
  };
}

/** The local day (YYYY-MM-DD) of an instant in a time zone. */
export function localDay(at: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(at);
}

export type KpiQueryInput = Partial<
  Record<'from' | 'to' | 'grain' | 'location' | 'practitioner' | 'serviceLine', string>
>;

/**
 * The KPI dashboard (docs/kpis.md, docs/adr/0027): reads the daily rollup, which this service
 * alone writes (the refresh job), and the live third-next-available from free slots.
 */
export class KpiService {
  constructor(
    private readonly database: Database,
    private readonly audit: AuditLog,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  /** The dashboard for the actor's organization; audited as an aggregate read. */
  async report(ctx: RequestContext, query: KpiQueryInput): Promise<KpiReport> {
    const now = this.clock();
    const orgId = ctx.actor.orgId;
    const report = await this.database.withTenant(orgId, async (tx) => {
      const [org] = await tx
        .select({
          timeZone: organizations.timeZone,
          threshold: organizations.aggregateSuppressionThreshold,
        })
        .from(organizations)
        .where(eq(organizations.id, orgId));
      if (!org) throw new Error('organization not found');
      const asOf = localDay(now, org.timeZone);
      const parsed = parseKpiFilters(query, asOf);
      if (!parsed.ok) throw badRequest(parsed.message, `/querystring/${parsed.field}`);
      const prev = previousPeriod(parsed.fromDay, parsed.toDay);
      const sums = await readRollup(tx, orgId, parsed.filters, isoDay(prev.from), asOf);
      const tna = await thirdNextAvailable(tx, orgId, parsed.filters, now);
      const [refresh] = await tx
        .select({ at: kpiRefreshes.refreshedAt })
        .from(kpiRefreshes)
        .where(eq(kpiRefreshes.orgId, orgId));
      return buildKpiReport({
        filters: parsed.filters,
        previous: { from: isoDay(prev.from), to: isoDay(prev.to) },
        asOf,
        buckets: bucketsBetween(parsed.fromDay, parsed.toDay, parsed.filters.grain),
        bucketCounts: sums.buckets,
        current: sums.current,
        previousCounts: sums.previous,
        live: { 'third-next-available': tna },
        // Roles with clinical access see every count; the others not small cells (docs/kpis.md).
        threshold: can(ctx.actor.role, 'clinical:read') ? null : org.threshold,
        refreshedAt: refresh ? refresh.at.toISOString() : null,
      });
    });
    await this.audit.read(ctx.audit, { action: 'read', recordType: 'kpi-report' });
    return report;
  }

  /** Audits a CSV export of the dashboard (the CSV is the report's, built by core's `kpiReportCsv`). */
  async audited(ctx: RequestContext, action: 'export'): Promise<void> {
    await this.audit.read(ctx.audit, { action, recordType: 'kpi-report' });
  }

  /**
   * Recomputes the rollup of [from, to] for one organization, in chunks of REFRESH_CHUNK_DAYS
   * (each its own transaction). Without `from`: the trailing KPI_REFRESH_TRAILING_DAYS, or the
   * whole history when the organization was never refreshed. Returns the days refreshed.
   */
  async refresh(
    orgId: string,
    range: { from?: string; to?: string } = {},
  ): Promise<{ from: string; to: string }> {
    const now = this.clock();
    const { timeZone, refreshed } = await this.database.withTenant(orgId, async (tx) => {
      const [org] = await tx
        .select({ timeZone: organizations.timeZone })
        .from(organizations)
        .where(eq(organizations.id, orgId));
      if (!org) throw new Error('organization not found');
      const [row] = await tx.select().from(kpiRefreshes).where(eq(kpiRefreshes.orgId, orgId));
      return { timeZone: org.timeZone, refreshed: row !== undefined };
    });
    const today = localDay(now, timeZone);
    const to = range.to ?? isoDay((dayNumber(today) ?? 0) + 31);
    const from =
      range.from ??
      (refreshed
        ? isoDay((dayNumber(today) ?? 0) - KPI_REFRESH_TRAILING_DAYS)
        : await this.earliestDay(orgId));
    const fromDay = dayNumber(from);
    const toDay = dayNumber(to);
    if (fromDay === null || toDay === null || fromDay > toDay) {
      throw badRequest('from and to must be dates, from not after to', '/body/from');
    }
    for (let start = fromDay; start <= toDay; start += REFRESH_CHUNK_DAYS) {
      const end = Math.min(toDay, start + REFRESH_CHUNK_DAYS - 1);
      await this.database.withTenant(orgId, (tx) =>
        refreshRollup(tx, orgId, dayRange(isoDay(start), isoDay(end), timeZone), now),
      );
    }
    return { from, to };
  }

  /** Refreshes every organization (the scheduled job). */
  async refreshAll(): Promise<number> {
    const orgs = await this.database.system((tx) =>
      tx.select({ id: organizations.id }).from(organizations),
    );
    for (const org of orgs) await this.refresh(org.id);
    return orgs.length;
  }

  /** Queues a whole-history refresh for each organization never refreshed (a fresh install). */
  async queueFirstRefreshes(jobs: JobRunner): Promise<void> {
    await this.database.system(async (tx) => {
      const orgs = rowsOf<{ id: string }>(
        await tx.execute(sql`
          select o.id from organizations o
          where not exists (select 1 from kpi_refreshes r where r.org_id = o.id)`),
      );
      for (const org of orgs) await jobs.send(tx, 'kpis.refresh', { orgId: org.id });
    });
  }

  /** The day before the first day any KPI source has data. */
  private async earliestDay(orgId: string): Promise<string> {
    const [row] = await this.database.withTenant(orgId, async (tx) =>
      rowsOf<{ first: string | null }>(
        await tx.execute(sql`
          select to_char(least(
            (select min(start_at) from appointments where org_id = ${orgId}),
            (select min(start_at) from encounters where org_id = ${orgId}),
            (select min(service_start) from claims where org_id = ${orgId}),
            (select min(occurred_at) from touchpoints where org_id = ${orgId})
          ) - interval '1 day', 'YYYY-MM-DD') as first`),
      ),
    );
    return row?.first ?? EARLIEST_DAY;
  }
}
