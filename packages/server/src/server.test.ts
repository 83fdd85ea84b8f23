import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { count, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from './config.js';
import type { Database } from './db/client.js';
import { rowsOf } from './db/rows.js';
import { organizations, patients } from './db/schema.js';
import { CheckpointKey } from './modules/audit/checkpoint.js';
import { checkCheckpointFile } from './modules/audit/checkpoint-file.js';
import { demoLogins, loadFieldCipher, type RunningServer, startServer } from './server.js';

/** The demo's histories end on this day, whatever day the test runs. */
const DEMO_AS_OF = '2026-06-01';
const quiet = { banner: false, handleSignals: false, logger: false } as const;

describe('startServer', () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'careloop-server-'));
  });
  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  const configFor = (dir: string, env: Record<string, string> = {}) =>
    loadConfig({
      CARELOOP_DATA_DIR: dir,
      PORT: '0',
      CARELOOP_DEMO_PATIENTS: '20',
      CARELOOP_DEMO_AS_OF: DEMO_AS_OF,
      LOG_LEVEL: 'silent',
      ...env,
    });
  const countOf = async (server: RunningServer, table: typeof organizations | typeof patients) => {
    const [row] = await server.services.database.system((tx) =>
      tx.select({ n: count() }).from(table),
    );
    return row?.n ?? 0;
  };

  it('seeds Demo Health into an empty database and serves it with the demo sign-ins', async () => {
    const server = await startServer(configFor(dataDir), quiet);
    try {
      const health = await fetch(`${server.url}/api/health`);
      expect(health.status).toBe(200);
      const login = await fetch(`${server.url}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'frontdesk@demo.careloop.test', password: 'careloop-demo' }),
      });
      expect(login.status).toBe(200);
      // 20 seeded, and 6 new records from the demo's legacy registration file: 3 with typos in
      // name and birth date, 3 twins; its 3 exact duplicates (rows 2, 5, 8) linked to their
      // seeded records.
      expect(await countOf(server, patients)).toBe(26);
      const cookie = login.headers.getSetCookie()[0]?.split(';')[0] ?? '';
      const reviews = await fetch(`${server.url}/api/mpi/reviews?limit=50`, {
        headers: { cookie },
      });
      const queue = (await reviews.json()) as {
        items: { reason: string; incoming: { sources: { sourceId: string }[] } }[];
      };
      // Which legacy rows wait for review, and why: the twins (rows 4, 7, 10) are kept apart
      // by the twin guard; of the typos (rows 3, 6, 9) the one that still scores between the
      // thresholds on the pinned day; the others score below and stay new records.
      const queued = queue.items
        .map((i) => `${i.incoming.sources.map((s) => s.sourceId).join('+')}:${i.reason}`)
        .sort();
      expect(queued).toEqual(['row-10:twins', 'row-3:score', 'row-4:twins', 'row-7:twins']);
      const linked = await server.services.database.system((tx) =>
        tx.execute(
          sql`select count(*)::int as n from patient_source_records where link_method = 'score'`,
        ),
      );
      expect(rowsOf<{ n: number }>(linked)[0]?.n).toBe(3);
      const logins = await demoLogins(server.services.database);
      expect(logins.map((l) => l.role)).toEqual([
        'admin',
        'front-desk',
        'care-coordinator',
        'clinician',
        'marketer',
        'analyst',
        'patient',
      ]);
    } finally {
      await server.close();
    }
  });

  it('keeps its data across a restart and does not seed again', async () => {
    const server = await startServer(configFor(dataDir), quiet);
    try {
      expect(await countOf(server, organizations)).toBe(1);
      expect(await countOf(server, patients)).toBe(26);
    } finally {
      await server.close();
    }
  });

  it('checkpointed the audit chains at each start and shutdown, signed with the data folder key', async () => {
    const key = CheckpointKey.fromBase64(
      (await readFile(path.join(dataDir, 'audit.key'), 'utf8')).trim(),
    );
    const { exists, check } = await checkCheckpointFile(
      path.join(dataDir, 'audit-checkpoints.jsonl'),
      key,
    );
    expect(exists).toBe(true);
    expect(check.findings).toEqual([]);
    // Two runs above: a checkpoint when each started, one when each stopped.
    expect(check.lines).toBe(4);
    expect(check.latest?.chains).toHaveLength(1);
  });

  it('leaves a new database empty when CARELOOP_DEMO=0', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'careloop-empty-'));
    const server = await startServer(configFor(dir, { CARELOOP_DEMO: '0' }), quiet);
    try {
      expect(await countOf(server, organizations)).toBe(0);
    } finally {
      await server.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses a server database without an encryption key', async () => {
    const config = loadConfig({ DATABASE_URL: 'postgres://localhost/careloop' });
    const database = { kind: 'postgres' } as Pick<Database, 'kind'> as Database;
    await expect(loadFieldCipher(config, database)).rejects.toThrow(/CARELOOP_ENCRYPTION_KEY/);
  });
});
