import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { noteBodyAad } from '../../crypto/encrypted-fields.js';
import type { Change } from '../../db/change-feed.js';
import { FeedCache } from '../../db/feed-cache.js';
import { rowsOf } from '../../db/rows.js';
import { createTestApp, type Session, type TestApp, TestTenant } from '../../test/app.js';
import { describeEachDatabase, testDatabaseKinds } from '../../test/databases.js';

interface View {
  patient: { givenName: string };
  conditions: unknown[] | null;
  notes: { body: string }[] | null;
  redacted: string[];
}

const onPostgres = testDatabaseKinds().includes('postgres') ? describe : describe.skip;

/** The caches of docs/adr/0005 exist on PostgreSQL only (they need LISTEN/NOTIFY). */
onPostgres('360 view and session caches [postgres]', () => {
  let t: TestApp;
  let a: TestTenant;
  let b: TestTenant;
  let patientId: string;
  let frontDesk: Session;
  let clinician: Session;
  let marketer: Session;
  /** Another connection to the same database, as the owner: a second API node, HL7, psql. */
  let other: pg.Client;

  const ownerUrl = () => {
    const url = new URL(process.env.DATABASE_URL_TEST ?? '');
    const pool = t.database.pool;
    if (!pool) throw new Error('not PostgreSQL');
    url.pathname = new URL(pool.options.connectionString ?? '').pathname;
    return url.toString();
  };
  const view = async (s: Session, id = patientId) => {
    const res = await s.get(`/api/patients/${id}`);
    return { status: res.statusCode, body: res.statusCode === 200 ? res.json<View>() : null };
  };
  const auditedReads = async () => {
    const rows = rowsOf<{ n: string | number }>(
      await t.database.system((tx) =>
        tx.execute(
          sql`select count(*) as n from audit_events where org_id = ${a.orgId}
              and action = 'read' and record_type = 'patient' and record_id = ${patientId}`,
        ),
      ),
    );
    return Number(rows[0]?.n ?? 0);
  };

  beforeAll(async () => {
    t = await createTestApp('postgres');
    a = await TestTenant.create(t);
    b = await TestTenant.create(t);
    patientId = (await a.createPatient({ givenName: 'Ana' })).id;
    frontDesk = await a.signIn('front-desk');
    clinician = await a.signIn('clinician');
    marketer = await a.signIn('marketer');
    other = new pg.Client({ connectionString: ownerUrl() });
    await other.connect();
    expect(t.database.changes?.live).toBe(true);
  });
  afterAll(async () => {
    await other?.end();
    await t.close();
  });

  it('serves repeated reads from the cache and audits every one of them', async () => {
    const before = await auditedReads();
    const bodies = new Set<string>();
    for (let i = 0; i < 5; i += 1) {
      const res = await frontDesk.get(`/api/patients/${patientId}`);
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      bodies.add(res.body);
    }
    expect(bodies.size).toBe(1); // the cached bytes are the first read's, unchanged
    expect(await auditedReads()).toBe(before + 5);
  });

  it('shows a change written by another connection on the very next read', async () => {
    expect((await view(frontDesk)).body?.patient.givenName).toBe('Ana');
    for (let i = 0; i < 20; i += 1) {
      await other.query('update patients set given_name = $1 where id = $2', [
        `Ana${i}`,
        patientId,
      ]);
      expect((await view(frontDesk)).body?.patient.givenName).toBe(`Ana${i}`);
    }
  });

  it('shows a note added from another connection on the next read', async () => {
    expect((await view(frontDesk)).body?.notes).toEqual([]);
    const id = randomUUID();
    await other.query(
      `insert into notes (id, org_id, patient_id, author_name, body_encrypted)
       values ($1, $2, $3, 'Dr Other Node', $4)`,
      [
        id,
        a.orgId,
        patientId,
        t.services.cipher.encrypt('Called back about results', noteBodyAad(id, a.orgId)),
      ],
    );
    expect((await view(frontDesk)).body?.notes?.map((n) => n.body)).toEqual([
      'Called back about results',
    ]);
  });

  it('never gives a cached clinical section to a role without clinical access', async () => {
    await other.query(
      `insert into conditions (org_id, patient_id, code_system, code, display, clinical_status)
       values ($1, $2, 'http://snomed.info/sct', '44054006', 'Diabetes', 'active')`,
      [a.orgId, patientId],
    );
    for (let i = 0; i < 2; i += 1) {
      const c = await view(clinician);
      expect(c.body?.conditions).toHaveLength(1);
      const m = await view(marketer);
      expect(m.status).toBe(200);
      expect(m.body?.conditions).toBeNull();
      expect(m.body?.redacted).toContain('conditions');
    }
  });

  it("keeps organizations apart: another tenant's user gets 404 for a cached patient", async () => {
    expect((await view(frontDesk)).status).toBe(200);
    const stranger = await b.signIn('admin');
    expect((await view(stranger)).status).toBe(404);
  });

  it('ends a session at once when the user is disabled from another connection', async () => {
    const s = await a.signIn('front-desk');
    expect((await view(s)).status).toBe(200);
    expect((await view(s)).status).toBe(200);
    await other.query('update users set disabled_at = now() where id = $1', [s.userId]);
    expect((await view(s)).status).toBe(401);
  });

  it('ends a session at once when its row is revoked elsewhere, and on logout', async () => {
    const s = await a.signIn('front-desk');
    expect((await view(s)).status).toBe(200);
    await other.query('update sessions set revoked_at = now() where user_id = $1', [s.userId]);
    expect((await view(s)).status).toBe(401);

    const s2 = await a.signIn('front-desk');
    expect((await view(s2)).status).toBe(200);
    expect((await s2.post('/api/auth/logout')).statusCode).toBeLessThan(300);
    expect((await view(s2)).status).toBe(401);
  });

  it('listens again after its connection is killed, and serves fresh views meanwhile', async () => {
    const feed = t.database.changes;
    if (!feed) throw new Error('no change feed');
    expect((await view(frontDesk)).status).toBe(200);
    await other.query(
      `select pg_terminate_backend(pid) from pg_stat_activity
       where datname = current_database() and application_name = 'careloop-changes'`,
    );
    await other.query('update patients set given_name = $1 where id = $2', ['Killed', patientId]);
    expect((await view(frontDesk)).body?.patient.givenName).toBe('Killed');
    for (let i = 0; i < 50 && !feed.live; i += 1) await new Promise((r) => setTimeout(r, 100));
    expect(feed.live).toBe(true);
    await other.query('update patients set given_name = $1 where id = $2', [
      'Relistened',
      patientId,
    ]);
    expect((await view(frontDesk)).body?.patient.givenName).toBe('Relistened');
  });

  it('falls back to the database while the change feed is down', async () => {
    const feed = t.database.changes;
    if (!feed) throw new Error('no change feed');
    await feed.close();
    expect(feed.live).toBe(false);
    await other.query('update patients set given_name = $1 where id = $2', ['Offline', patientId]);
    expect((await view(frontDesk)).body?.patient.givenName).toBe('Offline');
    await feed.start();
    expect(feed.live).toBe(true);
    await other.query('update patients set given_name = $1 where id = $2', ['Back', patientId]);
    expect((await view(frontDesk)).body?.patient.givenName).toBe('Back');
  });
});

describeEachDatabase('change notifications', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(kind);
  });
  afterAll(() => t.close());

  it('cover every table the 360 function reads', async () => {
    const [fn] = rowsOf<{ src: string }>(
      await t.database.db.execute(
        sql`select prosrc as src from pg_proc where proname = 'careloop_patient_360'`,
      ),
    );
    const tables = new Set(
      [...(fn?.src ?? '').matchAll(/\b(?:from|join)\s+([a-z_]+)/gi)]
        .map((m) => m[1]?.toLowerCase() ?? '')
        .filter((name) => name !== 'e' && name !== 'x' && name !== 'n' && name !== ''),
    );
    expect(tables.size).toBeGreaterThan(10);
    const triggers = rowsOf<{ table_name: string; events: string }>(
      await t.database.db.execute(sql`
        select c.relname as table_name, string_agg(tg.tgname, ',') as events
        from pg_trigger tg join pg_class c on c.oid = tg.tgrelid
        where tg.tgname like 'careloop_notify_%' group by c.relname`),
    );
    const covered = new Map(triggers.map((r) => [r.table_name, r.events]));
    for (const table of tables) {
      const events = covered.get(table) ?? '';
      if (table === 'users') {
        expect(events, table).toContain('careloop_notify_rename');
        continue;
      }
      for (const name of ['insert', 'update', 'delete', 'truncate']) {
        expect(events, table).toContain(`careloop_notify_${name}`);
      }
    }
  });
});

describe('FeedCache', () => {
  /** A feed under the test's control. */
  function fakeFeed() {
    const listeners = new Set<(c: Change) => void>();
    return {
      live: true,
      subscribe(fn: (c: Change) => void) {
        listeners.add(fn);
        return () => listeners.delete(fn);
      },
      sync: () => Promise.resolve(true),
      emit(c: Change) {
        for (const fn of listeners) fn(c);
      },
    };
  }
  const options = {
    maxEntries: 2,
    ttlMs: 60_000,
    affects: (c: Change, tags: { id: string }) =>
      c.kind === 'all' || (c.kind === 'patient' && c.patientId === tags.id),
  };
  const tagsOf = (v: { id: string }) => ({ id: v.id });

  it('does not store a load that a change overtook', async () => {
    const feed = fakeFeed();
    const cache = new FeedCache<{ id: string }, { id: string }>(feed, options);
    let loads = 0;
    const load = async () => {
      loads += 1;
      feed.emit({ kind: 'patient', orgId: 'o', patientId: 'p1' }); // committed mid-read
      return { id: 'p1' };
    };
    await cache.get('p1', tagsOf, 0, load);
    await cache.get('p1', tagsOf, 0, load);
    expect(loads).toBe(2);
    expect(cache.stats().entries).toBe(0);
  });

  it('evicts on change, keeps at most maxEntries, bypasses itself when the feed is down', async () => {
    const feed = fakeFeed();
    const cache = new FeedCache<{ id: string }, { id: string }>(feed, options);
    let loads = 0;
    const load = (id: string) => async () => {
      loads += 1;
      return { id };
    };
    await cache.get('p1', tagsOf, 0, load('p1'));
    await cache.get('p1', tagsOf, 0, load('p1'));
    expect(loads).toBe(1);
    feed.emit({ kind: 'patient', orgId: 'o', patientId: 'p1' });
    await cache.get('p1', tagsOf, 0, load('p1'));
    expect(loads).toBe(2);
    await cache.get('p2', tagsOf, 0, load('p2'));
    await cache.get('p3', tagsOf, 0, load('p3'));
    expect(cache.stats().entries).toBe(2);
    const value = await cache.get('p3', tagsOf, 0, load('p3'));
    expect(Object.isFrozen(value)).toBe(true);
    feed.live = false;
    feed.sync = () => Promise.resolve(false);
    await cache.get('p3', tagsOf, 0, load('p3'));
    expect(loads).toBe(5);
  });
});
