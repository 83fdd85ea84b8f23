import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { organizations } from '../modules/directory/schema.js';
import { openTestDatabase } from '../test/databases.js';
import type { Database } from './client.js';
import { rowsOf } from './rows.js';
import { analyzeChangedTables } from './statistics.js';

// PGlite only: it has no autovacuum, which does this on PostgreSQL.
describe('analyzeChangedTables on PGlite', () => {
  let database: Database;
  beforeAll(async () => {
    database = await openTestDatabase('pglite');
  });
  afterAll(() => database.close());

  const lastAnalyzed = async () => {
    const [row] = rowsOf<{ last_analyze: string | Date | null }>(
      await database.db.execute(
        sql`select last_analyze from pg_stat_user_tables where relname = 'organizations'`,
      ),
    );
    return row?.last_analyze ?? null;
  };

  it('analyzes a table that changed by more than 50 rows and a tenth, and then leaves it be', async () => {
    await analyzeChangedTables(database);
    const before = await lastAnalyzed();
    await database.system((tx) =>
      tx
        .insert(organizations)
        .values(Array.from({ length: 300 }, (_, i) => ({ name: `Statistics ${i}` }))),
    );
    expect(await analyzeChangedTables(database)).toContain('organizations');
    const after = await lastAnalyzed();
    expect(after).not.toBeNull();
    expect(after).not.toEqual(before);

    await database.system((tx) => tx.insert(organizations).values({ name: 'Statistics one more' }));
    expect(await analyzeChangedTables(database)).not.toContain('organizations');
  });
});
