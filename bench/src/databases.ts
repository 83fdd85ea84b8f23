import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { Database } from '../../packages/server/src/db/client.js';

/** Where a benchmark's data lives, and how to open it again (the app opens its own handle). */
export interface BenchDatabase {
  kind: 'pglite' | 'postgres';
  /** For PostgreSQL: the database's URL; for PGlite: null. */
  databaseUrl: string | null;
  /** For PGlite: the data folder. */
  dataDir: string;
  open(): Promise<Database>;
  /** Removes what `fresh` created; keeps a database the caller named. */
  dispose(): Promise<void>;
}

/**
 * The database DATABASE_URL names, or an embedded PGlite when it is unset: in `dataDir` (kept,
 * so a second run reuses its data) or else a temp folder removed afterwards. `fresh` makes a
 * throw-away database on the server instead (needs CREATEDB), so a measurement does not
 * depend on what the database held before.
 */
export async function benchDatabase(options: {
  fresh: boolean;
  dataDir?: string;
}): Promise<BenchDatabase> {
  const url = process.env.DATABASE_URL;
  if (!url && options.dataDir) {
    const dataDir = path.resolve(options.dataDir);
    return {
      kind: 'pglite',
      databaseUrl: null,
      dataDir,
      open: () => Database.open({ databaseUrl: null, dataDir }),
      dispose: async () => {},
    };
  }
  if (!url) {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'careloop-bench-'));
    return {
      kind: 'pglite',
      databaseUrl: null,
      dataDir,
      open: () => Database.open({ databaseUrl: null, dataDir }),
      dispose: () => rm(dataDir, { recursive: true, force: true }),
    };
  }
  if (!options.fresh) {
    return {
      kind: 'postgres',
      databaseUrl: url,
      dataDir: '',
      open: () =>
        Database.open({ databaseUrl: url, ownerUrl: process.env.DATABASE_OWNER_URL || null }),
      dispose: async () => {},
    };
  }
  const name = `careloop_bench_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const freshUrl = new URL(url);
  freshUrl.pathname = `/${name}`;
  return {
    kind: 'postgres',
    databaseUrl: freshUrl.toString(),
    dataDir: '',
    open: () => Database.open({ databaseUrl: freshUrl.toString(), poolSize: 4 }),
    dispose: async () => {
      const dropper = new pg.Client({ connectionString: url });
      await dropper.connect();
      await dropper.query(`drop database if exists ${name} with (force)`);
      await dropper.end();
    },
  };
}
