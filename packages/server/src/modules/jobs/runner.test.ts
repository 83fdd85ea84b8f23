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

  beforeAll(async () => {
    database = await openTestDatabase(kind);
    runner = new JobRunner(database, { pollingIntervalSeconds: 0.5 });
    runner.define('outbox.send', { retryLimit: 0 });
    await runner.start();
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
});
