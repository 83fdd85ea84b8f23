/**
 * `tsx explain.ts <org name> <from> <to> [name part]`: EXPLAIN ANALYZE of the journey map's statements on
 * the PostgreSQL server DATABASE_URL names (docs/journey-map.md, "Performance"): on read from
 * the touchpoints, with the map's sort memory (the columns are read whole: docs/adr/0048).
 */
import { DEFAULT_STAGE_MAPPING, NEW_PATIENT_DEFINITION } from '@careloop/core';
import { sql } from 'drizzle-orm';
import { loadConfig } from '../../config.js';
import { Database } from '../../db/client.js';
import { rowsOf } from '../../db/rows.js';
import { cohortTouchpoints, mapStatement, pathsStatement } from './queries.js';
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
  for (const [name, statement] of [
    ['map', mapStatement(cohort)],
    ['paths', pathsStatement(cohort, NEW_PATIENT_DEFINITION)],
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
