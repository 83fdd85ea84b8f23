import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Database } from '../../db/client.js';
import { describeEachDatabase, openTestDatabase } from '../../test/databases.js';
import { organizations } from '../directory/schema.js';
import type { JobPayload } from './names.js';
import { JobRunner } from './runner.js';

describeEachDatabase('the job runner', (kind) => {
  let database: Database;
  let runner: JobRunner;
  let orgId: string;
  const received: JobPayload<'outbox.send'>[] = [];
  let arrived: (() => void) | null = null;
  // Issue 11 at scale: batches (docs/adr/0033).
  const stepped: { enrolmentId: string; retryCount: number; batch: number }[] = [];
  let failOnce: string | null = null;
  let batches = 0;

  beforeAll(async () => {
    database = await openTestDatabase(kind);
    runner = new JobRunner(database, { pollingIntervalSeconds: 0.5 });
    runner.define('outbox.send', { retryLimit: 0 });
    runner.define('journey.step', { retryLimit: 1, retryDelay: 0 });
    await runner.start();
    await runner.workBatch('journey.step', { batchSize: 10 }, async (jobs) => {
      const batch = ++batches;
      const outcomes = new Map<string, Error | null>();
      for (const job of jobs) {
        const { enrolmentId } = job.payload;
        stepped.push({ enrolmentId, retryCount: job.retryCount, batch });
        const fail = enrolmentId === failOnce && job.retryCount === 0;
        outcomes.set(job.id, fail ? new Error('try again') : null);
      }
      return outcomes;
    });
    await runner.work('outbox.send', {}, async (payload) => {
      received.push(payload);
      arrived?.();
    });
    const [org] = await database.system((tx) =>
      tx
        .insert(organizations)
        .values({ name: `Jobs ${randomUUID()}` })
        .returning(),
    );
    if (!org) throw new Error('no organization');
    orgId = org.id;
  }, 60_000);

  afterAll(async () => {
    await runner.stop();
    await database.close();
  });

  const next = () =>
    new Promise<void>((resolve) => {
      arrived = resolve;
    });

  it('runs a job sent inside a tenant transaction once that transaction commits', async () => {
    const messageId = randomUUID();
    const done = next();
    await database.withTenant(orgId, (tx) => runner.send(tx, 'outbox.send', { orgId, messageId }));
    runner.wake('outbox.send');
    await done;
    expect(received.map((p) => p.messageId)).toContain(messageId);
  });

  it('never runs a job whose transaction rolled back', async () => {
    const lost = randomUUID();
    await expect(
      database.withTenant(orgId, async (tx) => {
        await runner.send(tx, 'outbox.send', { orgId, messageId: lost });
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    const kept = randomUUID();
    const done = next();
    await database.withTenant(orgId, (tx) =>
      runner.send(tx, 'outbox.send', { orgId, messageId: kept }),
    );
    runner.wake('outbox.send');
    await done;
    const rows = await database.system((tx) =>
      tx.execute(sql`select count(*)::int as n from pgboss.job where data->>'messageId' = ${lost}`),
    );
    expect(rows).toMatchObject({ rows: [{ n: 0 }] });
    expect(received.map((p) => p.messageId)).not.toContain(lost);
  });

  it('refuses a payload that does not match its schema', async () => {
    await expect(
      database.withTenant(orgId, (tx) =>
        runner.send(tx, 'outbox.send', { orgId, messageId: 'not-a-uuid' }),
      ),
    ).rejects.toThrow(/invalid payload/);
  });

  it('takes jobs sent together in one batch, and retries only the job its handler failed', async () => {
    const ids = Array.from({ length: 5 }, () => randomUUID());
    failOnce = ids[2] ?? null;
    await database.withTenant(orgId, (tx) =>
      runner.sendMany(
        tx,
        'journey.step',
        ids.map((enrolmentId) => ({ orgId, enrolmentId })),
      ),
    );
    runner.wake('journey.step');
    const until = performance.now() + 20_000;
    while (stepped.length < 6 && performance.now() < until) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const runs = (id: string | undefined) => stepped.filter((s) => s.enrolmentId === id);
    expect(new Set(ids.map((id) => runs(id)[0]?.batch)).size).toBe(1);
    expect(runs(ids[2]).map((s) => s.retryCount)).toEqual([0, 1]);
    for (const id of [ids[0], ids[1], ids[3], ids[4]]) expect(runs(id)).toHaveLength(1);
  });
});
