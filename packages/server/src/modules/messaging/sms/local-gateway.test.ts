import { randomInt } from 'node:crypto';
import type { SmsGatewayPage, SmsInboundReceipt } from '@careloop/core';
import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { rowsOf } from '../../../db/rows.js';
import { createTestApp, type Session, type TestApp, TestTenant } from '../../../test/app.js';
import { TestClock } from '../../../test/clock.js';
import { describeEachDatabase } from '../../../test/databases.js';
import { auditEvents } from '../../audit/schema.js';
import { patientConsents } from '../../patients/schema.js';
import { touchpoints } from '../../timeline/schema.js';
import { inboundMessages, outboundMessages } from '../schema.js';

describeEachDatabase('the local SMS gateway (no SMS provider configured)', (kind) => {
  let app: TestApp;
  let tenant: TestTenant;
  let admin: Session;
  let patientId: string;
  let reminderId: string;
  // A fresh number per run: 617-555-01xx style, always a possible US number.
  const phone = `+1617555${String(randomInt(1000, 9999))}`;

  /** Runs the outbox worker's handler on every queued message of the tenant. */
  async function deliverQueued(): Promise<number> {
    const queued = await app.database.withTenant(tenant.orgId, (tx) =>
      tx
        .select({ id: outboundMessages.id })
        .from(outboundMessages)
        .where(eq(outboundMessages.status, 'queued')),
    );
    for (const { id } of queued) {
      await app.services.outbox.deliver({ orgId: tenant.orgId, messageId: id });
    }
    return queued.length;
  }

  const reply = (body: string, from = phone) =>
    admin.post('/api/sms-gateway/inbound', { from, body });

  const conversation = async () => {
    const res = await admin.get(`/api/sms-gateway/messages?number=${encodeURIComponent(phone)}`);
    expect(res.statusCode).toBe(200);
    return res.json<SmsGatewayPage>().items;
  };

  const smsConsents = () =>
    app.database.withTenant(tenant.orgId, (tx) =>
      tx
        .select({ purpose: patientConsents.purpose, status: patientConsents.status })
        .from(patientConsents)
        .where(and(eq(patientConsents.patientId, patientId), eq(patientConsents.channel, 'sms')))
        .orderBy(patientConsents.purpose),
    );

  beforeAll(async () => {
    // Midday in the clinic's zone, so the send-time checks' quiet hours never defer a text.
    app = await createTestApp(
      kind,
      {},
      { clock: new TestClock('2026-12-01T17:00:00Z', { tickMs: 1000 }) },
    );
    await app.services.jobs.start();
    tenant = await TestTenant.create(app, 'Riverside Clinic');
    admin = await tenant.signIn('admin');
    patientId = (await tenant.createPatient({ contactPoints: [{ system: 'phone', value: phone }] }))
      .id;
    const id = await app.database.withTenant(tenant.orgId, (tx) =>
      app.services.outbox.queueSms(tx, {
        orgId: tenant.orgId,
        patientId,
        purpose: 'treatment',
        to: phone,
        text: 'Riverside Clinic: your visit is on Tuesday at 9:00. Reply C to confirm.',
        idempotencyKey: 'reminder-1',
      }),
    );
    if (!id) throw new Error('not queued');
    reminderId = id;
    expect(await app.services.outbox.deliver({ orgId: tenant.orgId, messageId: id })).toBe(
      'delivered',
    );
  }, 120_000);

  afterAll(async () => {
    await app.close();
  });

  it('delivers a text to the local gateway, where the phone reads it', async () => {
    const items = await conversation();
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({
      id: reminderId,
      direction: 'outbound',
      number: phone,
      body: 'Riverside Clinic: your visit is on Tuesday at 9:00. Reply C to confirm.',
      status: 'delivered',
      patientId,
    });
    const [row] = await app.database.withTenant(tenant.orgId, (tx) =>
      tx.select().from(outboundMessages).where(eq(outboundMessages.id, reminderId)),
    );
    expect(row).toMatchObject({ channel: 'sms', provider: 'local-sms', subjectEncrypted: null });
    expect(row?.textEncrypted).not.toContain('Tuesday');
  });

  it('queues a text once per idempotency key, and refuses a number that is not E.164', async () => {
    const again = await app.database.withTenant(tenant.orgId, (tx) =>
      app.services.outbox.queueSms(tx, {
        orgId: tenant.orgId,
        patientId,
        purpose: 'treatment',
        to: phone,
        text: 'again',
        idempotencyKey: 'reminder-1',
      }),
    );
    expect(again).toBeNull();
    await expect(
      app.database.withTenant(tenant.orgId, (tx) =>
        app.services.outbox.queueSms(tx, {
          orgId: tenant.orgId,
          purpose: 'treatment',
          to: '617 555 0100',
          text: 'x',
          idempotencyKey: 'bad-number',
        }),
      ),
    ).rejects.toThrow(/E\.164/);
  });

  it("takes a reply as the patient's, ties it to the text it answers, and keeps its words off the timeline", async () => {
    const res = await reply('Running 10 minutes late, sorry');
    expect(res.statusCode).toBe(201);
    const receipt = res.json<SmsInboundReceipt>();
    expect(receipt).toMatchObject({ patientId, keyword: null, inReplyTo: reminderId });

    const items = await conversation();
    expect(items.map((m) => [m.direction, m.body])).toEqual([
      ['inbound', 'Running 10 minutes late, sorry'],
      ['outbound', 'Riverside Clinic: your visit is on Tuesday at 9:00. Reply C to confirm.'],
    ]);
    expect(items[1]?.status).toBe('replied');

    const [stored] = await app.database.withTenant(tenant.orgId, (tx) =>
      tx.select().from(inboundMessages).where(eq(inboundMessages.id, receipt.id)),
    );
    expect(stored?.bodyEncrypted).not.toContain('late');
    const events = await app.database.withTenant(tenant.orgId, (tx) =>
      tx
        .select()
        .from(touchpoints)
        .where(and(eq(touchpoints.patientId, patientId), eq(touchpoints.subjectId, receipt.id))),
    );
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      channel: 'sms',
      direction: 'inbound',
      type: 'message.received',
      summary: 'Replied to a text message',
    });
    expect(JSON.stringify(events)).not.toContain('late');

    // What the message.received job's consumer reads: the words, for its organization only.
    expect(await app.services.smsInbox.message(tenant.orgId, receipt.id)).toMatchObject({
      patientId,
      sender: phone,
      body: 'Running 10 minutes late, sorry',
      keyword: null,
      inReplyTo: reminderId,
    });
    const other = await TestTenant.create(app);
    expect(await app.services.smsInbox.message(other.orgId, receipt.id)).toBeNull();
  });

  it('audits each received message and each read of the conversation', async () => {
    const events = await app.database.withTenant(tenant.orgId, (tx) =>
      tx.select().from(auditEvents).where(eq(auditEvents.patientId, patientId)),
    );
    const kinds = events.map((e) => `${e.action} ${e.recordType}`);
    expect(kinds).toContain('create inbound-message');
    expect(kinds).toContain('read inbound-message');
    expect(kinds).toContain('read outbound-message');
  });

  it('enqueues message.received with the message in the same transaction', async () => {
    const [latest] = await app.database.withTenant(tenant.orgId, (tx) =>
      tx.select({ id: inboundMessages.id }).from(inboundMessages).limit(1),
    );
    const jobs = rowsOf<{ data: { orgId: string; inboundId: string } }>(
      await app.database.ownerDb.execute(
        sql`select data from pgboss.job where name = 'message.received' and data->>'orgId' = ${tenant.orgId}`,
      ),
    );
    expect(jobs.map((j) => j.data.inboundId)).toContain(latest?.id);
  });

  it('opts the patient out of SMS on STOP and confirms once; a second STOP gets no answer', async () => {
    const first = await reply(' Stop ');
    expect(first.json<SmsInboundReceipt>().keyword).toBe('stop');
    expect(await smsConsents()).toEqual([
      { purpose: 'care-follow-up', status: 'denied' },
      { purpose: 'marketing', status: 'denied' },
      { purpose: 'treatment-reminders', status: 'denied' },
    ]);
    expect(await deliverQueued()).toBe(1);
    const afterFirst = await conversation();
    expect(afterFirst[0]).toMatchObject({ direction: 'outbound', status: 'delivered' });
    expect(afterFirst[0]?.body).toMatch(/^Riverside Clinic: you are unsubscribed/);

    const second = await reply('STOP');
    expect(second.statusCode).toBe(201);
    expect(await deliverQueued()).toBe(0);
    const afterSecond = await conversation();
    expect(afterSecond[0]).toMatchObject({ direction: 'inbound', body: 'STOP' });
    expect(afterSecond.filter((m) => m.body.includes('unsubscribed'))).toHaveLength(1);
  });

  it('takes "stop it" as a message for staff, not a keyword', async () => {
    const res = await reply('stop it');
    expect(res.json<SmsInboundReceipt>().keyword).toBeNull();
    expect(await deliverQueued()).toBe(0);
  });

  it('re-subscribes care messages on START (marketing stays off) with one confirmation', async () => {
    await reply('start');
    expect(await smsConsents()).toEqual([
      { purpose: 'care-follow-up', status: 'granted' },
      { purpose: 'marketing', status: 'denied' },
      { purpose: 'treatment-reminders', status: 'granted' },
    ]);
    expect(await deliverQueued()).toBe(1);
    await reply('UNSTOP');
    expect(await deliverQueued()).toBe(0);
    const texts = (await conversation()).filter((m) => m.body.includes('subscribed to text'));
    expect(texts).toHaveLength(1);
  });

  it("answers HELP with the organization's name and how to stop", async () => {
    await reply('help');
    expect(await deliverQueued()).toBe(1);
    const [answer] = await conversation();
    expect(answer?.body).toMatch(/^Riverside Clinic: .*Reply STOP/);
  });

  it('refuses a number that is not one, naming the field', async () => {
    const res = await reply('hello', 'not a phone');
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ path: '/body/from' });
    const list = await admin.get('/api/sms-gateway/messages?number=abc');
    expect(list.statusCode).toBe(400);
    expect(list.json()).toMatchObject({ path: '/query/number' });
  });

  it('is for admins only, and shows another organization none of it', async () => {
    for (const role of ['clinician', 'front-desk', 'marketer'] as const) {
      const session = await tenant.signIn(role);
      const res = await session.get(
        `/api/sms-gateway/messages?number=${encodeURIComponent(phone)}`,
      );
      expect(res.statusCode, role).toBe(403);
      expect(
        (await session.post('/api/sms-gateway/inbound', { from: phone, body: 'x' })).statusCode,
      ).toBe(403);
    }
    const other = await TestTenant.create(app);
    const otherAdmin = await other.signIn('admin');
    const res = await otherAdmin.get(
      `/api/sms-gateway/messages?number=${encodeURIComponent(phone)}`,
    );
    expect(res.json<SmsGatewayPage>().items).toEqual([]);
  });

  it('moves a reply to the surviving record when its patient is merged into another', async () => {
    const otherPhone = `+1617555${String(randomInt(1000, 9999))}`;
    const duplicate = (
      await tenant.createPatient({ contactPoints: [{ system: 'phone', value: otherPhone }] })
    ).id;
    const survivor = (await tenant.createPatient()).id;
    const receipt = (await reply('See you then', otherPhone)).json<SmsInboundReceipt>();
    expect(receipt.patientId).toBe(duplicate);
    const merged = await admin.post(`/api/patients/${survivor}/merge`, { mergedId: duplicate });
    expect(merged.statusCode).toBe(200);
    const [row] = await app.database.withTenant(tenant.orgId, (tx) =>
      tx.select().from(inboundMessages).where(eq(inboundMessages.id, receipt.id)),
    );
    expect(row?.patientId).toBe(survivor);
  });

  it('pages a long conversation newest first and refuses a forged cursor', async () => {
    const first = await admin.get(
      `/api/sms-gateway/messages?limit=3&number=${encodeURIComponent(phone)}`,
    );
    const page = first.json<SmsGatewayPage>();
    expect(page.items).toHaveLength(3);
    if (!page.nextCursor) throw new Error('no next page');
    const all = await conversation();
    const rest: string[] = [];
    let cursor: string | null = page.nextCursor;
    while (cursor) {
      const next: SmsGatewayPage = (
        await admin.get(
          `/api/sms-gateway/messages?limit=3&number=${encodeURIComponent(phone)}&cursor=${cursor}`,
        )
      ).json<SmsGatewayPage>();
      rest.push(...next.items.map((m) => m.id));
      cursor = next.nextCursor;
    }
    expect([...page.items.map((m) => m.id), ...rest]).toEqual(all.map((m) => m.id));
    const forged = Buffer.from(JSON.stringify(['yesterday', 'x'])).toString('base64url');
    const bad = await admin.get(
      `/api/sms-gateway/messages?number=${encodeURIComponent(phone)}&cursor=${forged}`,
    );
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ path: '/query/cursor' });
  });
});
