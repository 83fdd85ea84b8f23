import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FieldCipher } from '../../crypto/field-cipher.js';
import { Database } from '../../db/client.js';
import { REPO_ROOT } from '../../test/shared-data.js';
import { SmtpSink } from '../../test/smtp-sink.js';
import { AuditLog } from '../audit/service.js';
import { organizations } from '../directory/schema.js';
import { JobRunner } from '../jobs/runner.js';
import { LocalMailbox } from './email.js';
import { OUTBOX_QUEUE_POLICY, OutboxService } from './outbox.js';

const BIN = path.join(REPO_ROOT, 'packages/server/bin/careloop.mjs');
const MESSAGES = 40;
const adminUrl = process.env.DATABASE_URL_TEST;

/**
 * A worker process killed with SIGKILL in the middle of sending loses nothing: another worker
 * sends what it left, once its hold and the job's expiry lapse. PostgreSQL only: the test and
 * the worker processes share the database.
 */
describe.skipIf(!adminUrl)('a worker killed with SIGKILL [postgres]', () => {
  let database: Database;
  let sink: SmtpSink;
  let databaseUrl: string;
  const name = `careloop_t_${randomBytes(6).toString('hex')}`;
  const key = randomBytes(32).toString('base64');
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    const admin = new pg.Client({ connectionString: adminUrl });
    admin.on('error', () => {});
    await admin.connect();
    await admin.query(`create database ${name}`);
    await admin.end();
    const url = new URL(adminUrl ?? '');
    url.pathname = `/${name}`;
    databaseUrl = url.toString();
    database = await Database.open({ databaseUrl });
    await database.migrate();
    sink = await SmtpSink.start();
  }, 120_000);

  afterAll(async () => {
    for (const child of children) child.kill('SIGKILL');
    await database?.close();
    await sink?.close();
    const admin = new pg.Client({ connectionString: adminUrl });
    admin.on('error', () => {});
    await admin.connect();
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.end();
  });

  const worker = () => {
    const child = spawn(process.execPath, [BIN, 'start', '--only', 'worker', '--json'], {
      cwd: REPO_ROOT,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        LOG_LEVEL: 'silent',
        DATABASE_URL: databaseUrl,
        CARELOOP_ENCRYPTION_KEY: key,
        CARELOOP_DEMO: '0',
        SMTP_URL: sink.url,
      },
      stdio: ['ignore', 'ignore', 'ignore'],
    });
    children.push(child);
    return child;
  };

  const sentCount = async () => {
    const result = await database.system((tx) =>
      tx.execute(sql`select count(*)::int as n from outbound_messages where status = 'sent'`),
    );
    return Number((result as unknown as { rows: { n: number }[] }).rows[0]?.n ?? 0);
  };

  it('every queued message reaches the SMTP server, none lost, none under two Message-IDs', async () => {
    const cipher = FieldCipher.fromEnv(key, null);
    if (!cipher) throw new Error('no cipher');
    const jobs = new JobRunner(database).define('outbox.send', OUTBOX_QUEUE_POLICY);
    await jobs.start();
    const outbox = new OutboxService(
      database,
      cipher,
      new AuditLog(database),
      jobs,
      new LocalMailbox(),
      {
        from: 'Careloop <no-reply@careloop.localhost>',
        clock: () => new Date(),
      },
    );
    const [org] = await database.system((tx) =>
      tx
        .insert(organizations)
        .values({ name: `Crash ${randomUUID()}` })
        .returning(),
    );
    if (!org) throw new Error('no organization');
    await database.withTenant(org.id, async (tx) => {
      for (let i = 0; i < MESSAGES; i++) {
        await outbox.queueEmail(tx, {
          orgId: org.id,
          purpose: 'operations',
          to: `crash-${i}@example.org`,
          subject: `Message ${i}`,
          text: `Body ${i}`,
          idempotencyKey: `crash-${i}`,
        });
      }
    });
    await jobs.stop();
    sink.delayMs = 150;

    const first = worker();
    const deadline = performance.now() + 60_000;
    while (sink.messages.length < 5 && performance.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    first.kill('SIGKILL');
    await new Promise((resolve) => first.once('exit', resolve));
    expect(await sentCount()).toBeLessThan(MESSAGES);

    worker();
    const end = performance.now() + 150_000;
    while ((await sentCount()) < MESSAGES && performance.now() < end) {
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    expect(await sentCount()).toBe(MESSAGES);
    const ids = sink.messages.map((m) => m.messageId);
    expect(new Set(ids).size).toBe(MESSAGES);
    for (let i = 0; i < MESSAGES; i++)
      expect(sink.to(`crash-${i}@example.org`).length).toBeGreaterThan(0);
  }, 240_000);
});
