import { sql } from 'drizzle-orm';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../app.js';
import { loadConfig } from '../config.js';
import { FieldCipher } from '../crypto/field-cipher.js';
import { type RunningHl7, startHl7 } from '../modules/hl7/runtime.js';
import { createServices } from '../services.js';
import type { Session, TestApp } from '../test/app.js';
import { TestTenant } from '../test/app.js';
import { CuttableProxy } from '../test/cuttable-proxy.js';
import { APP_LOGIN_ROLE, openTestDatabase, testDatabaseKinds } from '../test/databases.js';
import { adt } from '../test/hl7/messages.js';
import { MllpClient } from '../test/hl7/mllp-client.js';
import { Database } from './client.js';
import { rowsOf } from './rows.js';

const onPostgres = testDatabaseKinds().includes('postgres') ? describe : describe.skip;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Answer {
  status: number;
  ms: number;
  retryAfter: string | null;
  body: unknown;
}

/**
 * The server process meeting a database that goes away and comes back, on the real PostgreSQL
 * server: its backends terminated (`pg_terminate_backend`, only this test's database), and a
 * full outage played by a proxy that cuts every connection and refuses new ones, as a stopped
 * server does (the cluster itself is shared with other tests and is never stopped here).
 */
onPostgres('database outages [postgres]', () => {
  let base: Database;
  let proxy: CuttableProxy;
  let database: Database;
  let t: TestApp;
  let url: string;
  let tenant: TestTenant;
  let sessions: Session[];
  let patientIds: string[];
  let hl7: RunningHl7;
  const brokenConnections: string[] = [];
  /** The test cluster's superuser, on this test's database. */
  let superuserUrl: string;

  /** Terminates every backend of this test's database that the app opened. */
  const terminateBackends = async (): Promise<number> => {
    const admin = new pg.Client({ connectionString: superuserUrl });
    admin.on('error', () => {});
    await admin.connect();
    try {
      const { rowCount } = await admin.query(
        `select pg_terminate_backend(pid) from pg_stat_activity
         where datname = current_database() and pid <> pg_backend_pid()
           and (usename = $1 or application_name like 'careloop%')`,
        [APP_LOGIN_ROLE],
      );
      return rowCount ?? 0;
    } finally {
      await admin.end();
    }
  };

  const get = async (session: Session | null, path: string): Promise<Answer> => {
    const started = performance.now();
    const res = await fetch(`${url}${path}`, {
      headers: session ? { cookie: session.cookie } : {},
      signal: AbortSignal.timeout(15_000),
    });
    const body: unknown = await res.json();
    return {
      status: res.status,
      ms: performance.now() - started,
      retryAfter: res.headers.get('retry-after'),
      body,
    };
  };

  /** Each session reads 360 views in a loop until `stop()`; every answer is kept. */
  const load = () => {
    let running = true;
    const answers: Answer[] = [];
    const loops = sessions.map(async (session, i) => {
      for (let n = i; running; n += 1) {
        answers.push(await get(session, `/api/patients/${patientIds[n % patientIds.length]}`));
      }
    });
    return {
      answers,
      stop: async () => {
        running = false;
        await Promise.all(loops);
        return answers;
      },
    };
  };

  /** Polls until every session reads a 360 view and the change feed listens; the time taken. */
  const recovered = async (deadlineMs = 5_000): Promise<number> => {
    const started = performance.now();
    for (;;) {
      const answers = await Promise.all(
        sessions.map((s, i) => get(s, `/api/patients/${patientIds[i % patientIds.length]}`)),
      );
      const ready = await get(null, '/api/health/ready');
      if (
        answers.every((a) => a.status === 200) &&
        ready.status === 200 &&
        database.changes?.live
      ) {
        return performance.now() - started;
      }
      if (performance.now() - started > deadlineMs) {
        throw new Error(`not serving again within ${deadlineMs} ms`);
      }
      await sleep(100);
    }
  };

  const expectUnavailable = (a: Answer) => {
    expect(a.status).toBe(503);
    expect(a.retryAfter).toMatch(/^\d+$/);
    expect(a.body).toMatchObject({ status: 503, code: 'unavailable' });
  };

  beforeAll(async () => {
    base = await openTestDatabase('postgres');
    const appUrl = base.pool?.options.connectionString ?? '';
    const target = new URL(appUrl);
    proxy = await CuttableProxy.start(target.hostname, Number(target.port || 5432));
    const ownerUrl = new URL(process.env.DATABASE_URL_TEST ?? '');
    ownerUrl.pathname = target.pathname;
    superuserUrl = ownerUrl.toString();
    database = await Database.open({
      databaseUrl: proxy.via(appUrl),
      ownerUrl: proxy.via(ownerUrl.toString()),
      onConnectionError: (pool) => brokenConnections.push(pool),
    });
    const services = createServices(
      loadConfig({ LOG_LEVEL: 'silent' }),
      database,
      FieldCipher.random(),
    );
    const built = await buildApp(services, { logger: false, serveWeb: false });
    await built.app.listen({ host: '127.0.0.1', port: 0 });
    await database.changes?.start();
    const address = built.app.server.address();
    if (!address || typeof address === 'string') throw new Error('not listening');
    url = `http://127.0.0.1:${address.port}`;
    t = {
      ...built,
      services,
      database,
      close: async () => {
        await built.app.close();
        await database.close();
      },
    };
    tenant = await TestTenant.create(t);
    patientIds = [];
    for (let i = 0; i < 8; i += 1) patientIds.push((await tenant.createPatient()).id);
    sessions = [];
    for (let i = 0; i < 8; i += 1) sessions.push(await tenant.signIn('care-coordinator'));
    hl7 = await startHl7(services, { port: 0, host: '127.0.0.1', organization: tenant.name });
  }, 60_000);

  afterAll(async () => {
    await hl7?.close();
    await t?.close();
    await proxy?.cut();
    await base?.close();
  });

  it('survives every backend terminated during load: each answer a 200 or a 503 with Retry-After, then serves again', async () => {
    const running = load();
    let terminated = 0;
    try {
      for (let round = 0; round < 3; round += 1) {
        await sleep(300);
        terminated += await terminateBackends();
      }
      await sleep(300);
    } finally {
      await running.stop();
    }
    const answers = running.answers;
    expect(terminated).toBeGreaterThan(0);
    expect(brokenConnections.length).toBeGreaterThan(0);
    expect(answers.filter((a) => a.status === 200).length).toBeGreaterThan(0);
    for (const a of answers.filter((a) => a.status !== 200)) expectUnavailable(a);
    expect(await recovered()).toBeLessThan(5_000);
  }, 60_000);

  it('answers 503 with Retry-After within 5 s while the database is away, and serves fresh data within 5 s of its return', async () => {
    const [session] = sessions;
    const [patientId] = patientIds;
    if (!session || !patientId) throw new Error('no session');
    const path = `/api/patients/${patientId}`;
    expect((await get(session, path)).status).toBe(200);
    expect((await get(session, path)).status).toBe(200); // now cached (docs/adr/0005)

    await proxy.cut();
    // A change the server cannot hear of: its listening connection is gone with the rest.
    await base.system((tx) =>
      tx.execute(sql`update patients set given_name = 'Renamed' where id = ${patientId}`),
    );
    for (const answer of await Promise.all([
      get(session, path),
      get(sessions[1] ?? session, `/api/patients/${patientIds[1]}`),
      get(null, '/api/health/ready'),
    ])) {
      expectUnavailable(answer);
      expect(answer.ms).toBeLessThan(5_000);
    }
    expect((await get(null, '/api/health')).status).toBe(200);
    const fhir = await get(session, `/fhir/R4/Patient/${patientId}`);
    expect(fhir.status).toBe(503);
    expect(fhir.retryAfter).toMatch(/^\d+$/);
    expect(fhir.body).toMatchObject({
      resourceType: 'OperationOutcome',
      issue: [{ severity: 'error', code: 'transient' }],
    });
    await sleep(1_500);
    expectUnavailable(await get(null, '/api/health/ready'));

    await proxy.restore();
    expect(await recovered()).toBeLessThan(5_000);
    const view = await get(session, path);
    expect(view.body).toMatchObject({ patient: { givenName: 'Renamed' } });
  }, 60_000);

  it('answers 503 within 5 s when the database takes connections and never answers, and serves again once it does', async () => {
    const [session] = sessions;
    if (!session) throw new Error('no session');
    await proxy.cut();
    // Let the pool see its connections close, so that these requests need new ones.
    await sleep(100);
    await proxy.stall();
    for (const answer of await Promise.all([
      get(session, `/api/patients/${patientIds[0]}`),
      get(null, '/api/health/ready'),
    ])) {
      expectUnavailable(answer);
      expect(answer.ms).toBeLessThan(5_000);
    }
    await proxy.cut();
    await proxy.restore();
    expect(await recovered()).toBeLessThan(5_000);
  }, 60_000);

  /**
   * An HL7 feed of `total` A28s (control ids `${prefix}${i}`), three senders that resend on no
   * ACK (10 s) or a lost connection, as interface engines do; `during(acked)` plays the outage.
   * Checks every reply is AA and every message is stored once, processed, with one patient.
   */
  const feedThrough = async (
    prefix: string,
    total: number,
    during: (acked: () => number) => Promise<void>,
  ) => {
    const message = (i: number) =>
      adt('A28', `${prefix}${i}`, {
        mrn: `${prefix}MRN${i}`,
        family: `${prefix}P${i}`,
        given: 'Feed',
      });
    const replies = new Map<number, string[]>();
    let acked = 0;
    const unansweredBefore = hl7.listener.stats().unanswered;
    const sender = async (first: number, step: number) => {
      let client: MllpClient | null = null;
      for (let i = first; i < total; i += step) {
        for (;;) {
          try {
            client ??= await MllpClient.connect(hl7.listener.port);
            const reply = await Promise.race([
              client.send(message(i)),
              sleep(10_000).then(() => {
                throw new Error('no ACK in time');
              }),
            ]);
            replies.set(i, [...(replies.get(i) ?? []), reply]);
            acked += 1;
            break;
          } catch {
            // No ACK: reconnect and send the same message again, as an interface engine does.
            client?.close();
            client = null;
            await sleep(100);
          }
        }
      }
      client?.close();
    };
    const feed = Promise.all([sender(0, 3), sender(1, 3), sender(2, 3)]);
    await during(() => acked);
    await feed;

    const notAccepted = [...replies].filter(([, r]) => r.some((text) => !text.includes('|AA|')));
    expect(notAccepted).toEqual([]);
    expect(hl7.listener.stats().unanswered).toBeGreaterThan(unansweredBefore);
    const rows = await base.system(async (tx) => {
      const stored = await tx.execute(sql`
        select control_id, count(*)::int as n, bool_and(status = 'processed') as processed
        from hl7_messages where org_id = ${tenant.orgId} and control_id like ${`${prefix}%`}
        group by control_id`);
      const people = await tx.execute(sql`
        select family_name, count(*)::int as n from patients
        where org_id = ${tenant.orgId} and family_name like ${`${prefix}P%`} group by family_name`);
      return {
        stored: rowsOf<{ control_id: string; n: number; processed: boolean }>(stored),
        people: rowsOf<{ family_name: string; n: number }>(people),
      };
    });
    const stored = new Map(rows.stored.map((r) => [r.control_id, r]));
    const people = new Map(rows.people.map((r) => [r.family_name, r.n]));
    for (let i = 0; i < total; i += 1) {
      expect(stored.get(`${prefix}${i}`), `${prefix}${i}`).toMatchObject({ n: 1, processed: true });
      expect(people.get(`${prefix}P${i}`), `${prefix}P${i}`).toBe(1);
    }
  };

  it('acknowledges nothing it did not commit during an HL7 feed through an outage and a termination: every acked message stored once', async () => {
    await feedThrough('OUT', 240, async (acked) => {
      while (acked() < 60) await sleep(20);
      await proxy.cut();
      await sleep(1_500);
      await proxy.restore();
      while (acked() < 150) await sleep(20);
      await terminateBackends();
    });
  }, 120_000);

  it('acknowledges nothing, not even an AR, while the database takes connections and never answers', async () => {
    await feedThrough('STALL', 90, async (acked) => {
      while (acked() < 30) await sleep(20);
      await proxy.cut();
      await sleep(100);
      await proxy.stall();
      await sleep(7_000);
      await proxy.cut();
      await proxy.restore();
    });
  }, 120_000);
});
