import { randomUUID } from 'node:crypto';
import { MESSAGE_MAX_ATTEMPTS } from '@careloop/core';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestApp, type TestApp, TestTenant } from '../../test/app.js';
import { TestClock } from '../../test/clock.js';
import { describeEachDatabase } from '../../test/databases.js';
import { SmtpSink } from '../../test/smtp-sink.js';
import { CLAIM_SECONDS, deliverJobs, OUTBOX_BATCH_SIZE, type QueuedEmail } from './outbox.js';
import { outboundMessages } from './schema.js';

describeEachDatabase('the outbox through a real SMTP server', (kind) => {
  let app: TestApp;
  let sink: SmtpSink;
  let tenant: TestTenant;
  const clock = new TestClock();

  beforeAll(async () => {
    sink = await SmtpSink.start();
    app = await createTestApp(
      kind,
      { SMTP_URL: sink.url, MAIL_FROM: 'Clinic <no-reply@clinic.example>' },
      { clock },
    );
    await app.services.jobs.start();
    tenant = await TestTenant.create(app);
  }, 120_000);

  afterAll(async () => {
    await app.close();
    await sink.close();
  });

  const email = (overrides: Partial<QueuedEmail> = {}): QueuedEmail => ({
    orgId: tenant.orgId,
    purpose: 'operations',
    to: `patient-${randomUUID().slice(0, 8)}@example.org`,
    subject: 'Your visit on Tuesday',
    text: 'See you on Tuesday at 9:00.',
    html: '<p>See you on Tuesday at 9:00.</p>',
    idempotencyKey: randomUUID(),
    ...overrides,
  });

  const queue = (message: QueuedEmail) =>
    app.database.withTenant(tenant.orgId, (tx) => app.services.outbox.queueEmail(tx, message));

  const row = async (id: string) => {
    const [found] = await app.database.withTenant(tenant.orgId, (tx) =>
      tx.select().from(outboundMessages).where(eq(outboundMessages.id, id)),
    );
    if (!found) throw new Error('no such message');
    return found;
  };

  const received = (to: string) => sink.to(to);

  it('sends a queued message once, with a Message-ID derived from its key, and marks it sent', async () => {
    const message = email();
    const id = await queue(message);
    if (!id) throw new Error('not queued');
    const payload = { orgId: tenant.orgId, messageId: id };
    expect(await app.services.outbox.deliver(payload)).toBe('sent');
    // The job runs again (pg-boss retried it after a crash before it was completed): nothing more.
    expect(await app.services.outbox.deliver(payload)).toBe('skipped');
    const got = received(message.to);
    expect(got).toHaveLength(1);
    expect(got[0]?.subject).toBe('Your visit on Tuesday');
    expect(got[0]?.messageId).toMatch(/^<[0-9a-f]{40}@clinic\.example>$/);
    const sent = await row(id);
    expect(sent).toMatchObject({ status: 'sent', attempts: 1, provider: 'smtp' });
    expect(sent.providerMessageId).toBe(got[0]?.messageId);
    // The subject and bodies are stored encrypted.
    expect(sent.subjectEncrypted).not.toContain('Tuesday');
    expect(sent.textEncrypted).not.toContain('Tuesday');
  });

  it('queues one message per idempotency key', async () => {
    const message = email();
    expect(await queue(message)).not.toBeNull();
    expect(await queue({ ...message, subject: 'again' })).toBeNull();
  });

  it('queues nothing, and sends nothing, when the change that caused it rolls back', async () => {
    const message = email();
    await expect(
      app.database.withTenant(tenant.orgId, async (tx) => {
        await app.services.outbox.queueEmail(tx, message);
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    const rows = await app.database.withTenant(tenant.orgId, (tx) =>
      tx
        .select({ id: outboundMessages.id })
        .from(outboundMessages)
        .where(eq(outboundMessages.idempotencyKey, message.idempotencyKey)),
    );
    expect(rows).toHaveLength(0);
  });

  it('leaves a message held by a live worker alone, and takes it once a dead worker’s hold lapses', async () => {
    const message = email();
    const id = await queue(message);
    if (!id) throw new Error('not queued');
    // A worker took the message and died before sending (SIGKILL): its hold stays.
    await app.database.withTenant(tenant.orgId, (tx) =>
      tx
        .update(outboundMessages)
        .set({
          attempts: 1,
          claimedUntil: new Date(clock.now().getTime() + CLAIM_SECONDS * 1000),
        })
        .where(eq(outboundMessages.id, id)),
    );
    const payload = { orgId: tenant.orgId, messageId: id };
    await expect(app.services.outbox.deliver(payload)).rejects.toThrow(/held by another worker/);
    expect(received(message.to)).toHaveLength(0);
    clock.advance(CLAIM_SECONDS * 1000);
    expect(await app.services.outbox.deliver(payload)).toBe('sent');
    expect(await app.services.outbox.deliver(payload)).toBe('skipped');
    expect(received(message.to)).toHaveLength(1);
    expect(await row(id)).toMatchObject({ status: 'sent', attempts: 2 });
  });

  it('retries a refused send, and after the last attempt shows the message failed, its error free of the address', async () => {
    const message = email();
    sink.refuse.set(message.to, 451);
    const id = await queue(message);
    if (!id) throw new Error('not queued');
    const payload = { orgId: tenant.orgId, messageId: id };
    for (let attempt = 1; attempt < MESSAGE_MAX_ATTEMPTS; attempt++) {
      await expect(app.services.outbox.deliver(payload)).rejects.toThrow(/SMTP 451/);
      expect(await row(id)).toMatchObject({ status: 'queued', attempts: attempt });
    }
    expect(await app.services.outbox.deliver(payload)).toBe('failed');
    const failed = await row(id);
    expect(failed).toMatchObject({ status: 'failed', attempts: MESSAGE_MAX_ATTEMPTS });
    expect(failed.lastError).toMatch(/SMTP 451/);
    expect(failed.lastError).not.toContain(message.to);
    expect(await app.services.outbox.deliver(payload)).toBe('skipped');
    expect(received(message.to)).toHaveLength(0);
  });

  it('gives up at once on a permanent refusal (5xx): the message bounced (issue 11)', async () => {
    const message = email();
    sink.refuse.set(message.to, 550);
    const id = await queue(message);
    if (!id) throw new Error('not queued');
    expect(await app.services.outbox.deliver({ orgId: tenant.orgId, messageId: id })).toBe(
      'bounced',
    );
    expect(await row(id)).toMatchObject({ status: 'bounced', attempts: 1 });
  });

  // Issue 11 at scale (docs/adr/0033): sends of one batch come back in any order while earlier
  // ones are being marked; each must be marked, none answered twice or forgotten.
  it('sends a batch of messages once each and marks every one sent', async () => {
    const messages = Array.from({ length: 40 }, () => email());
    const ids: string[] = [];
    for (const m of messages) {
      const id = await queue(m);
      if (!id) throw new Error('not queued');
      ids.push(id);
    }
    sink.delayMs = 5;
    try {
      const outcomes = await app.services.outbox.deliverBatch(
        ids.map((messageId) => ({ orgId: tenant.orgId, messageId })),
      );
      expect(outcomes).toEqual(ids.map(() => 'sent'));
    } finally {
      sink.delayMs = 0;
    }
    for (const m of messages) expect(received(m.to)).toHaveLength(1);
    for (const id of ids) expect((await row(id)).status).toBe('sent');
  });

  it('a worker picks the job up and the message reaches the server once', async () => {
    // As the server's worker takes them: in batches (docs/adr/0033).
    await app.services.jobs.workBatch('outbox.send', { batchSize: OUTBOX_BATCH_SIZE }, (jobs) =>
      deliverJobs(app.services.outbox, jobs),
    );
    const message = email();
    const id = await queue(message);
    if (!id) throw new Error('not queued');
    app.services.jobs.wake('outbox.send');
    await sink.waitFor(message.to);
    expect(received(message.to)).toHaveLength(1);
    const count = await app.database.system((tx) =>
      tx.execute(sql`select count(*)::int as n from outbound_messages where id = ${id}`),
    );
    expect(count).toMatchObject({ rows: [{ n: 1 }] });
  });
});
