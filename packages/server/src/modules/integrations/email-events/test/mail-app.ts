import { eq } from 'drizzle-orm';
import { afterAll, beforeAll } from 'vitest';
import type { DatabaseKind } from '../../../../db/client.js';
import { createTestApp, type TestApp, TestTenant } from '../../../../test/app.js';
import { TestClock } from '../../../../test/clock.js';
import { SmtpSink } from '../../../../test/smtp-sink.js';
import { outboundMessages } from '../../../messaging/schema.js';

/** What `useMailApp` gives a test file; every member works from `beforeAll` on. */
export interface MailApp {
  app: TestApp;
  /** The SMTP server the outbox's emails reach (SMTP_URL). */
  sink: SmtpSink;
  tenant: TestTenant;
  /** Midday in the patients' zone: the send-time checks' quiet hours are not in the way. */
  clock: TestClock;
  /** An outbox message's row, by id. */
  row(id: string): Promise<typeof outboundMessages.$inferSelect>;
}

/**
 * The set-up the email-events and bounce-mailbox tests share: registers `beforeAll` (an SMTP
 * sink, a test app that sends email there from "Clinic <no-reply@clinic.example>" with `env`
 * besides, its job runner started, a tenant) and `afterAll` (the app, then the sink, closed). A
 * file's own `beforeAll`, registered after this call, runs after it; its `afterAll` before.
 */
export function useMailApp(kind: DatabaseKind, env: Record<string, string>): MailApp {
  const clock = new TestClock('2026-12-06T17:00:00Z');
  let started: { app: TestApp; sink: SmtpSink; tenant: TestTenant } | undefined;
  const running = () => {
    if (!started)
      throw new Error('the mail app starts in beforeAll: use it inside tests and hooks');
    return started;
  };
  let sink: SmtpSink | undefined;
  let app: TestApp | undefined;

  beforeAll(async () => {
    sink = await SmtpSink.start();
    app = await createTestApp(
      kind,
      { SMTP_URL: sink.url, MAIL_FROM: 'Clinic <no-reply@clinic.example>', ...env },
      { clock },
    );
    await app.services.jobs.start();
    started = { app, sink, tenant: await TestTenant.create(app) };
  }, 120_000);

  afterAll(async () => {
    await app?.close();
    await sink?.close();
  });

  return {
    get app() {
      return running().app;
    },
    get sink() {
      return running().sink;
    },
    get tenant() {
      return running().tenant;
    },
    clock,
    async row(id) {
      const { app: testApp, tenant } = running();
      const [found] = await testApp.database.withTenant(tenant.orgId, (tx) =>
        tx.select().from(outboundMessages).where(eq(outboundMessages.id, id)),
      );
      if (!found) throw new Error('no such message');
      return found;
    },
  };
}
