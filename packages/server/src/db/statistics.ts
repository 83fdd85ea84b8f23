import { sql } from 'drizzle-orm';
import type { Database } from './client.js';
import { rowsOf } from './rows.js';

/**
 * PGlite runs no autovacuum, so nothing refreshes the planner's statistics as data arrives
 * (imports, registrations, an HL7 feed): without them the 360 view once fell to 3 requests/s.
 * This does what autovacuum's analyze step does, with its default thresholds: it analyzes the
 * tables that have changed by more than 50 rows plus a tenth of their size since their last
 * ANALYZE (among some only, when told), and returns their names. Cheap when nothing changed (one read of the statistics
 * view, about 2 ms).
 */
export async function analyzeChangedTables(
  database: Database,
  /** Only these tables (a writer that knows what it fills); every table when omitted. */
  among?: readonly string[],
): Promise<string[]> {
  // A backend publishes its counts of changed rows at most once a second, and only between
  // statements: ask for them now, or a busy import would read counts from before it started.
  await database.ownerDb.execute(sql`select pg_stat_force_next_flush()`);
  const stale = rowsOf<{ schemaname: string; relname: string }>(
    await database.ownerDb.execute(sql`
      select schemaname, relname from pg_stat_user_tables
      where n_mod_since_analyze > 50 + 0.1 * n_live_tup
        ${among ? sql`and relname = any(${sql.param([...among])}::text[])` : sql``}
      order by n_mod_since_analyze desc`),
  );
  for (const t of stale) {
    await database.ownerDb.execute(
      sql`analyze ${sql.identifier(t.schemaname)}.${sql.identifier(t.relname)}`,
    );
  }
  return stale.map((t) => t.relname);
}

/** How often a long-running process looks for tables to analyze on PGlite. */
const CHECK_MS = 60_000;

/**
 * For processes that run for long on PGlite (`careloop start`, `careloop hl7 listen`): every
 * minute, `analyzeChangedTables`. Nothing on PostgreSQL, whose autovacuum does it. Returns the
 * function that stops it.
 */
export function keepStatisticsFresh(
  database: Database,
  onError: (error: unknown) => void,
): () => void {
  if (database.kind !== 'pglite') return () => {};
  const timer = setInterval(() => {
    analyzeChangedTables(database).catch(onError);
  }, CHECK_MS);
  timer.unref();
  return () => clearInterval(timer);
}
