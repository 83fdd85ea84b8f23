import { randomUUID } from 'node:crypto';
import type { MailboxPage } from '@careloop/core';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestApp, type Session, type TestApp, TestTenant } from '../../test/app.js';
import { TestClock } from '../../test/clock.js';
import { describeEachDatabase } from '../../test/databases.js';
import { auditEvents } from '../audit/schema.js';

describeEachDatabase('the test mailbox (no SMTP server configured)', (kind) => {
  let app: TestApp;
  let tenant: TestTenant;
  let admin: Session;
  let patientId: string;
  const to = `mailbox-${randomUUID().slice(0, 8)}@example.org`;
  // Treatment reminders go out in the patient's daytime, one a day (docs/adr/0024).
  const clock = new TestClock('2026-12-07T15:00:00Z');

  beforeAll(async () => {
    app = await createTestApp(kind, {}, { clock });
    await app.services.jobs.start();
    tenant = await TestTenant.create(app);
    patientId = (await tenant.createPatient()).id;
    for (const n of [1, 2, 3]) {
      const id = await app.database.withTenant(tenant.orgId, (tx) =>
        app.services.outbox.queueEmail(tx, {
          orgId: tenant.orgId,
          patientId,
          purpose: 'treatment',
          to,
          subject: `Reminder ${n}`,
          text: `Your appointment, reminder ${n}`,
          html: `<p>Reminder ${n}</p>`,
          idempotencyKey: `reminder-${n}`,
        }),
      );
      if (!id) throw new Error('not queued');
      const outcome = await app.services.outbox.deliver({ orgId: tenant.orgId, messageId: id });
      expect(outcome).toBe('delivered');
      clock.advance(24 * 3600_000);
    }
    admin = await tenant.signIn('admin');
  }, 120_000);

  afterAll(async () => {
    await app.close();
  });

  it('shows admins what the local mailbox received, newest first, page by page', async () => {
    const first = await admin.get(`/api/mailbox/messages?limit=2&to=${encodeURIComponent(to)}`);
    expect(first.statusCode).toBe(200);
    const page = first.json<MailboxPage>();
    expect(page.items.map((m) => m.subject)).toEqual(['Reminder 3', 'Reminder 2']);
    expect(page.items[0]).toMatchObject({
      to,
      text: 'Your appointment, reminder 3',
      html: '<p>Reminder 3</p>',
      status: 'delivered',
      purpose: 'treatment',
      patientId,
    });
    expect(page.items[0]?.messageId).toMatch(/^<[0-9a-f]{40}@careloop\.localhost>$/);
    if (!page.nextCursor) throw new Error('no next page');
    const second = await admin.get(
      `/api/mailbox/messages?limit=2&to=${encodeURIComponent(to)}&cursor=${page.nextCursor}`,
    );
    const rest = second.json<MailboxPage>();
    expect(rest.items.map((m) => m.subject)).toEqual(['Reminder 1']);
    expect(rest.nextCursor).toBeNull();
  });

  it('audits each read of a message about a patient', async () => {
    const events = await app.database.withTenant(tenant.orgId, (tx) =>
      tx
        .select()
        .from(auditEvents)
        .where(
          and(eq(auditEvents.recordType, 'outbound-message'), eq(auditEvents.patientId, patientId)),
        ),
    );
    expect(events.length).toBeGreaterThanOrEqual(3);
    expect(events[0]).toMatchObject({ action: 'read', outcome: 'success' });
  });

  it('is for admins only', async () => {
    for (const role of ['clinician', 'front-desk', 'marketer'] as const) {
      const session = await tenant.signIn(role);
      expect((await session.get('/api/mailbox/messages')).statusCode, role).toBe(403);
    }
  });

  it('refuses a forged cursor with a 400 naming it', async () => {
    const forged = Buffer.from(JSON.stringify(['yesterday', 'x'])).toString('base64url');
    const res = await admin.get(`/api/mailbox/messages?cursor=${forged}`);
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ path: '/query/cursor' });
  });

  it('shows another organization none of it', async () => {
    const other = await TestTenant.create(app);
    const otherAdmin = await other.signIn('admin');
    const res = await otherAdmin.get('/api/mailbox/messages');
    expect(res.json<MailboxPage>().items).toEqual([]);
  });
});
