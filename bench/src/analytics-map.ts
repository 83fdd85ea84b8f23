import type { JourneyMapQuery } from '@careloop/core';
import type { RequestContext } from '../../packages/server/src/http/actor.js';
import type { JourneyMapService } from '../../packages/server/src/modules/journey-map/service.js';
import { fmt, say } from './report.js';

export interface Measured {
  name: string;
  p95Ms: number;
  maxMs: number;
  medianMs: number;
  /** The median CPU time of the benchmark's own process (the map's aggregation runs in it). */
  cpuMedianMs: number;
}

export type Measure = (name: string, runs: number, fn: () => Promise<unknown>) => Promise<Measured>;

export interface MapFigures {
  rollupRefreshSeconds: number;
  recentRefreshSeconds: number;
  columnsMegabytes: number;
  queries: Measured[];
}

/**
 * The journey map as the route calls it (JourneyMapService.map, as an analyst: funnel of the
 * first definition, suppression and audit included) over a quarter and a year, for each filter
 * combination, from the columns (docs/adr/0048; warm: the months decoded in this process, as
 * after the first read); the year again cold (every month read and decoded); and the year
 * without filters once on read from the touchpoints, for comparison.
 */
export async function journeyMapBench(
  map: JourneyMapService,
  ctx: RequestContext,
  dims: { location: string; practitioner: string; serviceLine: string },
  runs: number,
  /** Runs of the year on read from the touchpoints (0: none; at 10M it takes minutes). */
  onReadRuns: number,
  measure: Measure,
  count: (sql: string) => Promise<number>,
): Promise<MapFigures> {
  const orgId = ctx.actor.orgId;
  let t0 = performance.now();
  await map.columns.refresh(orgId, { whole: true });
  const rollupRefreshSeconds = Math.round((performance.now() - t0) / 100) / 10;
  t0 = performance.now();
  await map.columns.refresh(orgId);
  const recentRefreshSeconds = Math.round((performance.now() - t0) / 100) / 10;
  const columnsMegabytes = await count(
    'select coalesce(sum(octet_length(data)), 0) / 1048576 as n from journey_map_months',
  );
  say(
    `Journey map columns: whole ${rollupRefreshSeconds} s, recent days ${recentRefreshSeconds} s, ${fmt(columnsMegabytes)} MB`,
  );
  const periods: { name: string; q: JourneyMapQuery }[] = [
    { name: 'quarter', q: { from: '2026-03-01', to: '2026-05-31' } },
    { name: 'year', q: { from: '2025-06-01', to: '2026-05-31' } },
  ];
  const filters: { name: string; q: Partial<JourneyMapQuery> }[] = [
    { name: 'all', q: {} },
    { name: 'location', q: { locationId: dims.location } },
    { name: 'practitioner', q: { practitionerId: dims.practitioner } },
    { name: 'service line', q: { serviceLineId: dims.serviceLine } },
    { name: 'age band', q: { ageBand: '65+' } },
    {
      name: 'location+practitioner+service line',
      q: {
        locationId: dims.location,
        practitionerId: dims.practitioner,
        serviceLineId: dims.serviceLine,
      },
    },
  ];
  const queries: Measured[] = [];
  for (const p of periods)
    for (const f of filters) {
      const m = await measure(`journey map ${p.name}, ${f.name}`, runs, () =>
        map.map(ctx, { ...p.q, ...f.q }),
      );
      queries.push(m);
      say(
        `  ${m.name}: median ${m.medianMs} ms, p95 ${m.p95Ms} ms, max ${m.maxMs} ms, process CPU ${m.cpuMedianMs} ms`,
      );
    }
  // The same year with no month decoded in this process: what the first reader after a
  // refresh (or a process start) waits for (docs/adr/0048).
  const cold = await measure('journey map year, all, cold (months read and decoded)', runs, () => {
    map.columns.forget();
    return map.map(ctx, periods[1]?.q ?? { from: '2025-06-01', to: '2026-05-31' });
  });
  queries.push(cold);
  say(
    `  ${cold.name}: median ${cold.medianMs} ms, p95 ${cold.p95Ms} ms, max ${cold.maxMs} ms, process CPU ${cold.cpuMedianMs} ms`,
  );
  if (onReadRuns > 0) {
    const onRead = await measure('journey map year, all, on read (touchpoints)', onReadRuns, () =>
      map.map(ctx, { from: '2025-06-01', to: '2026-05-31' }, 'touchpoints'),
    );
    say(`  ${onRead.name}: ${onRead.maxMs} ms`);
    queries.push(onRead);
  }
  return { rollupRefreshSeconds, recentRefreshSeconds, columnsMegabytes, queries };
}
