/**
 * `tsx explain.ts <org name> <from> <to> [name part]`: EXPLAIN ANALYZE of the journey map's statements on
 * the PostgreSQL server DATABASE_URL names (docs/journey-map.md, "Performance"): on read from
 * the touchpoints, and from the rollup (docs/adr/0037) with the map's sort memory.
 */
import { DEFAULT_STAGE_MAPPING, NEW_PATIENT_DEFINITION } from '@careloop/core';
import { sql } from 'drizzle-orm';
import { loadConfig } from '../../config.js';
import { Database } from '../../db/client.js';
import { rowsOf } from '../../db/rows.js';
import {
  cohortTouchpoints,
  mapStatement,
  pathsStatement,
  startedPathsStatement,
  startTypesStatement,
} from './queries.js';
import { rollupMapStatement } from './rollup.js';
import { MAP_SETTINGS } from './service.js';

const [orgName = 'Demo Health', from = '2026-01-01', to = '2026-03-31', only = ''] =
  process.argv.slice(2);
const config = loadConfig(process.env);
const database = await Database.open({ databaseUrl: config.databaseUrl });
try {
  const [org] = await database.system(async (tx) =>
    rowsOf<{ id: string }>(
      await tx.execute(sql`select id from organizations where name = ${orgName}`),
    ),
  );
  if (!org) throw new Error(`No organization named ${orgName}`);
  const q = { from, to };
  const cohort = cohortTouchpoints(q, DEFAULT_STAGE_MAPPING);
  const startTypes = await database.withTenant(org.id, async (tx) =>
    rowsOf<{ type: string }>(await tx.execute(startTypesStatement(q, NEW_PATIENT_DEFINITION))).map(
      (r) => r.type,
    ),
  );
  for (const [name, statement] of [
    ['map', mapStatement(cohort)],
    ['paths', pathsStatement(cohort, NEW_PATIENT_DEFINITION)],
    ['rollup map', rollupMapStatement(q)],
    ['started paths', startedPathsStatement(q, NEW_PATIENT_DEFINITION, startTypes)],
  ] as const) {
    if (!name.includes(only)) continue;
    const plan = await database.withTenant(org.id, async (tx) => {
      await tx.execute(MAP_SETTINGS);
      return rowsOf<{ 'QUERY PLAN': string }>(
        await tx.execute(sql`explain (analyze, buffers) ${statement}`),
      );
    });
    console.log(`--- ${name}\n${plan.map((r) => r['QUERY PLAN']).join('\n')}`);
  }
} finally {
  await database.close();
}
