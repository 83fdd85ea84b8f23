import { type SQL, sql } from 'drizzle-orm';

/**
 * A lookup by key for the right side of `cross join lateral`: `from unnest(keys) k cross join
 * lateral (${byKey(sql`select … from t where col = k.col`)}) t`.
 *
 * `offset 0` keeps PostgreSQL from flattening the subquery into an ordinary join, so every key
 * is its own index probe (a nested loop over the keys) whatever the planner's statistics say.
 * Written as `col = any(array)`, `in (select …)` or a plain join, the same lookup was planned
 * from statistics; on a table that has grown since its last ANALYZE (a new database filling from
 * a feed, before autovacuum's first pass), the planner takes each organization to hold a
 * handful of rows, reads the organization's whole range of an index on `org_id` (the row-level
 * security predicate) and filters it, a cost that grows with the table. Measured on the HL7
 * listener's batch read: 3.7 ms a batch against 1.0 ms (docs/adr/0006).
 */
export const byKey = (lookup: SQL): SQL => sql`${lookup} offset 0`;
