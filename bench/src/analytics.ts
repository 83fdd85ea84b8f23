import { parseArgs } from 'node:util';
import { sql } from 'drizzle-orm';
import pg from 'pg';
import { Database } from '../../packages/server/src/db/client.js';
import type { RequestContext } from '../../packages/server/src/http/actor.js';
import { AuditLog } from '../../packages/server/src/modules/audit/service.js';
import { JourneyMapService } from '../../packages/server/src/modules/journey-map/service.js';
import type { KpiQueryInput } from '../../packages/server/src/modules/kpis/service.js';
import { KpiService } from '../../packages/server/src/modules/kpis/service.js';
import { BENCH_AS_OF, generateAnalyticsData } from './analytics-generate.js';
import { journeyMapBench, type Measured } from './analytics-map.js';
import { positiveInteger } from './args.js';
import { finish, fmt, say } from './report.js';

const ORG_ID = '00000000-0000-4000-8000-00000000be11';
const md5uuid = async (client: pg.Client, key: string) =>
  (await client.query<{ id: string }>('select md5($1)::uuid::text as id', [key])).rows[0]?.id ?? '';

async function measure(name: string, runs: number, fn: () => Promise<unknown>): Promise<Measured> {
  await fn(); // warm
  const times: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    await fn();
    const c = process.cpuUsage(c0);
    times.push(performance.now() - t0);
    cpu.push((c.user + c.system) / 1000);
  }
  cpu.sort((a, b) => a - b);
  times.sort((a, b) => a - b);
  const at = (q: number) => times[Math.min(times.length - 1, Math.ceil(q * times.length) - 1)] ?? 0;
  return {
    name,
    p95Ms: round(at(0.95)),
    maxMs: round(times.at(-1) ?? 0),
    medianMs: round(at(0.5)),
    // This process's CPU time (the map's aggregation runs here): less sensitive than the wall
    // clock to other work on a shared machine.
    cpuMedianMs: round(cpu[Math.ceil(cpu.length / 2) - 1] ?? 0),
  };
}

const round = (n: number) => Math.round(n * 10) / 10;

/**
 * `bench analytics [--patients N] [--touchpoints N] [--runs N] [--map-runs N] [--load-only] [--json]` on the PostgreSQL server
 * DATABASE_URL names (a database of its own: the generator writes one organization into it and
 * reuses it when it already holds that volume). Loads the data, refreshes the KPI rollup (timed:
 * whole history, the nightly trailing window, one day), then times the dashboard (KpiService's
 * report, as the route calls it, audit included) for every filter combination at three grains.
 */
export async function analyticsBench(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      patients: { type: 'string', default: '1000000' },
      touchpoints: { type: 'string', default: '1000000' },
      runs: { type: 'string', default: '20' },
      'map-runs': { type: 'string', default: '5' },
      json: { type: 'boolean', default: false },
      'load-only': { type: 'boolean', default: false },
      'map-only': { type: 'boolean', default: false },
      'on-read-runs': { type: 'string', default: '1' },
    },
  });
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('bench analytics runs on PostgreSQL: set DATABASE_URL');
  const volume = {
    patients: positiveInteger(values.patients, 'patients'),
    touchpoints: positiveInteger(values.touchpoints, 'touchpoints'),
  };
  const runs = positiveInteger(values.runs, 'runs');
  const mapRuns = positiveInteger(values['map-runs'], 'map-runs');
  const onReadRuns =
    values['on-read-runs'] === '0' ? 0 : positiveInteger(values['on-read-runs'], 'on-read-runs');
  const database = await Database.open({
    databaseUrl: url,
    ownerUrl: process.env.DATABASE_OWNER_URL || null,
    poolSize: 4,
  });
  const client = new pg.Client({ connectionString: process.env.DATABASE_OWNER_URL || url });
  client.on('error', (error) => say(`bench connection lost: ${error.message}`));
  await client.connect();
  try {
    await database.migrate();
    const loaded = await client.query<{ patients: string; touchpoints: string }>(
      `select (select count(*) from patients where org_id = $1) as patients,
              (select count(*) from touchpoints where org_id = $1) as touchpoints`,
      [ORG_ID],
    );
    const have = loaded.rows[0];
    let loadSeconds: number | null = null;
    if (
      Number(have?.patients) !== volume.patients ||
      Number(have?.touchpoints) !== volume.touchpoints
    ) {
      if (Number(have?.patients) > 0) {
        throw new Error(
          `the database holds another volume (${have?.patients} patients, ${have?.touchpoints} touchpoints): use an empty one`,
        );
      }
      say(`Loading ${fmt(volume.patients)} patients and ${fmt(volume.touchpoints)} touchpoints`);
      const t0 = performance.now();
      await client.query(
        `insert into organizations (id, name, time_zone) values ($1, 'Bench Health', 'America/New_York')`,
        [ORG_ID],
      );
      await generateAnalyticsData(client, ORG_ID, volume, (what, done, total) =>
        say(`  ${what}: ${fmt(done)}/${fmt(total)} (${fmt((performance.now() - t0) / 1000)} s)`),
      );
      loadSeconds = round((performance.now() - t0) / 1000);
      say(`Loaded in ${loadSeconds} s`);
    }
    if (values['load-only']) return;
    const clock = () => new Date(`${BENCH_AS_OF}T16:00:00Z`);
    const location = await md5uuid(client, 'l1');
    const practitioner = await md5uuid(client, 'pr1');
    const serviceLine = await md5uuid(client, 's1');
    const dims: Dims = { location, practitioner, serviceLine };
    const ctx: RequestContext = {
      actor: {
        userId: '00000000-0000-4000-8000-0000000000a1',
        orgId: ORG_ID,
        orgName: 'Bench Health',
        email: 'analyst@bench.test',
        displayName: 'Bench analyst',
        role: 'analyst',
        patientId: null,
        sessionId: 'bench',
        csrfToken: 'bench',
        stage: 'active',
      },
      audit: {
        orgId: ORG_ID,
        userId: null,
        email: 'analyst@bench.test',
        role: 'analyst',
        ip: null,
        userAgent: 'bench',
      },
    };
    // The baseline, timed before and after the rest so a machine that grew busier shows in it:
    // the least any answer over the year must do, count the year's touchpoints in a tenant
    // transaction (an index range on (org_id, occurred_at)). Each query's p95 is reported
    // as a ratio to it.
    const baselineRun = () =>
      database.withTenant(ORG_ID, (tx) =>
        tx.execute(
          sql`select count(*) from touchpoints where occurred_at >= '2025-06-01' and occurred_at < '2026-06-01'`,
        ),
      );
    const baselineBefore = await measure(
      'baseline: count the year’s touchpoints',
      runs,
      baselineRun,
    );
    say(
      `  ${baselineBefore.name}: median ${baselineBefore.medianMs} ms, p95 ${baselineBefore.p95Ms} ms`,
    );
    // `--map-only` skips the KPI dashboard (its rollup takes minutes at 10M and does not
    // change with the journey map's code).
    const kpi = values['map-only']
      ? null
      : await kpiBench(client, database, clock, ctx, dims, runs);
    // Issue 12: the journey map over the stage-entry rollup (docs/adr/0026).
    const mapFigures = await journeyMapBench(
      new JourneyMapService(database, new AuditLog(database), clock),
      ctx,
      dims,
      mapRuns,
      onReadRuns,
      measure,
      async (text) =>
        Number(
          (await client.query<{ n: string }>(`${text} where org_id = $1`, [ORG_ID])).rows[0]?.n,
        ),
    );
    const mapQueries = mapFigures.queries.filter((q) => !q.name.includes('on read'));
    const worstMap = mapQueries.reduce((a, b) => (b.maxMs > a.maxMs ? b : a));
    const baselineAfter = await measure(
      'baseline: count the year’s touchpoints',
      runs,
      baselineRun,
    );
    const baselineP95 = Math.max(1, (baselineBefore.p95Ms + baselineAfter.p95Ms) / 2);
    const ratio = (q: Measured) => round(q.p95Ms / baselineP95);
    const allQueries = [...(kpi?.queries ?? []), ...mapFigures.queries];
    finish(
      values.json,
      {
        database: 'postgres',
        patients: volume.patients,
        touchpoints: volume.touchpoints,
        loadSeconds,
        fullRefreshSeconds: kpi?.fullRefreshSeconds ?? null,
        trailingRefreshSeconds: kpi?.trailingRefreshSeconds ?? null,
        dayRefreshSeconds: kpi?.dayRefreshSeconds ?? null,
        rollupRows: kpi?.rollupRows ?? null,
        baseline: { p95MsBefore: baselineBefore.p95Ms, p95MsAfter: baselineAfter.p95Ms },
        queries: Object.fromEntries(
          allQueries.map((q) => [
            q.name,
            { p95Ms: q.p95Ms, maxMs: q.maxMs, ratio: ratio(q), cpuMedianMs: q.cpuMedianMs },
          ]),
        ),
        worstMaxMs: kpi?.worst.maxMs ?? null,
        mapRollupRefreshSeconds: mapFigures.rollupRefreshSeconds,
        mapRecentRefreshSeconds: mapFigures.recentRefreshSeconds,
        mapColumnsMegabytes: mapFigures.columnsMegabytes,
        mapWorstMaxMs: worstMap.maxMs,
      },
      [
        `KPI dashboard on ${fmt(volume.patients)} patients, ${fmt(volume.touchpoints)} touchpoints (PostgreSQL)`,
        ...(kpi
          ? [
              `  rollup: full refresh ${kpi.fullRefreshSeconds} s, nightly window ${kpi.trailingRefreshSeconds} s, one day ${kpi.dayRefreshSeconds} s, ${fmt(kpi.rollupRows)} rows`,
              `  slowest dashboard: ${kpi.worst.name}, p95 ${kpi.worst.p95Ms} ms, max ${kpi.worst.maxMs} ms (goal < 2000 ms)`,
            ]
          : ['  KPI dashboard skipped (--map-only)']),
        `  journey map columns: whole ${mapFigures.rollupRefreshSeconds} s, recent days ${mapFigures.recentRefreshSeconds} s, ${fmt(mapFigures.columnsMegabytes)} MB`,
        `  slowest journey map: ${worstMap.name}, p95 ${worstMap.p95Ms} ms, max ${worstMap.maxMs} ms (goal < 2000 ms)`,
        `  baseline (count the year's touchpoints): p95 ${baselineBefore.p95Ms} ms before, ${baselineAfter.p95Ms} ms after; slowest map ${ratio(worstMap)}x it${kpi ? `, slowest dashboard ${ratio(kpi.worst)}x` : ''}`,
      ],
    );
  } finally {
    await client.end();
    await database.close();
  }
}

interface Dims {
  location: string;
  practitioner: string;
  serviceLine: string;
}

/** The KPI rollup's refreshes (timed) and the dashboard for every filter combination. */
async function kpiBench(
  client: pg.Client,
  database: Database,
  clock: () => Date,
  ctx: RequestContext,
  { location, practitioner, serviceLine }: Dims,
  runs: number,
) {
  const kpis = new KpiService(database, new AuditLog(database), clock);
  await client.query('delete from kpi_refreshes where org_id = $1', [ORG_ID]);
  let t0 = performance.now();
  const full = await kpis.refresh(ORG_ID);
  const fullRefreshSeconds = round((performance.now() - t0) / 1000);
  say(`Full refresh ${full.from}..${full.to}: ${fullRefreshSeconds} s`);
  t0 = performance.now();
  await kpis.refresh(ORG_ID);
  const trailingRefreshSeconds = round((performance.now() - t0) / 1000);
  t0 = performance.now();
  await kpis.refresh(ORG_ID, { from: '2026-05-31', to: '2026-05-31' });
  const dayRefreshSeconds = round((performance.now() - t0) / 1000);
  const rollupRows = Number(
    (
      await client.query<{ n: string }>(
        'select count(*) as n from kpi_daily_counts where org_id = $1',
        [ORG_ID],
      )
    ).rows[0]?.n,
  );
  say(
    `Trailing-window refresh ${trailingRefreshSeconds} s, one day ${dayRefreshSeconds} s; ${fmt(rollupRows)} rollup rows`,
  );

  const periods: { name: string; query: KpiQueryInput }[] = [
    { name: '12 weeks by week', query: { from: '2026-03-09', to: '2026-05-31', grain: 'week' } },
    {
      name: '12 months by month',
      query: { from: '2025-06-01', to: '2026-05-31', grain: 'month' },
    },
    { name: '90 days by day', query: { from: '2026-03-03', to: '2026-05-31', grain: 'day' } },
    { name: '3 years by month', query: { from: '2023-06-03', to: '2026-06-01', grain: 'month' } },
  ];
  const filters: { name: string; query: KpiQueryInput }[] = [
    { name: 'all', query: {} },
    { name: 'location', query: { location } },
    { name: 'practitioner', query: { practitioner } },
    { name: 'service line', query: { serviceLine } },
    {
      name: 'location+practitioner+service line',
      query: { location, practitioner, serviceLine },
    },
  ];
  const queries: Measured[] = [];
  for (const p of periods) {
    for (const d of filters) {
      const m = await measure(`dashboard ${p.name}, ${d.name}`, runs, () =>
        kpis.report(ctx, { ...p.query, ...d.query }),
      );
      queries.push(m);
      say(`  ${m.name}: median ${m.medianMs} ms, p95 ${m.p95Ms} ms, max ${m.maxMs} ms`);
    }
  }
  const worst = queries.reduce((a, b) => (b.maxMs > a.maxMs ? b : a));
  return {
    fullRefreshSeconds,
    trailingRefreshSeconds,
    dayRefreshSeconds,
    rollupRows,
    queries,
    worst,
  };
}
