import { randomBytes, randomInt } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { and, eq, like } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { createTestApp, type TestApp, TestTenant } from '../../../test/app.js';
import { TestClock } from '../../../test/clock.js';
import { describeEachDatabase } from '../../../test/databases.js';
import { patientConsents } from '../../patients/schema.js';
import { inboundMessages, outboundMessages } from '../schema.js';
import { twilioSignature } from './twilio.js';

/** What the fake Twilio received: one Messages.json POST each. */
interface TwilioRequest {
  path: string;
  authorization: string | undefined;
  form: Record<string, string>;
}

/**
 * A fake of Twilio's Messages API on loopback (the one mock: Twilio is not reachable from
 * tests). It answers each POST with the next scripted reply, by default 201 and a new sid.
 */
class FakeTwilio {
  readonly requests: TwilioRequest[] = [];
  replies: { status: number; body: unknown }[] = [];
  private server: Server | null = null;

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      let text = '';
      req.on('data', (chunk: Buffer) => {
        text += chunk.toString('utf8');
      });
      req.on('end', () => {
        this.requests.push({
          path: req.url ?? '',
          authorization: req.headers.authorization,
          form: Object.fromEntries(new URLSearchParams(text)),
        });
        const reply = this.replies.shift() ?? {
          status: 201,
          body: { sid: `SM${randomBytes(16).toString('hex')}`, status: 'queued' },
        };
        res.writeHead(reply.status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(reply.body));
      });
    });
    this.server.on('clientError', (_error, socket) => socket.destroy());
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }
}

const ACCOUNT_SID = `AC${'0123456789abcdef'.repeat(2)}`;
const AUTH_TOKEN = 'test-auth-token-5e1f';
const PUBLIC_URL = 'https://crm.example.org';
const FROM = '+15005550006';

describeEachDatabase('SMS through a Twilio-compatible provider', (kind) => {
  const twilio = new FakeTwilio();
  let app: TestApp;
  let tenant: TestTenant;
  let patientId: string;
  const phone = `+1617555${String(randomInt(1000, 9999))}`;

  /** Posts a webhook as Twilio would: form-encoded, signed over our public URL (or not). */
  const webhook = (path: string, params: Record<string, string>, signature?: string) =>
    app.app.inject({
      method: 'POST',
      url: path,
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature':
          signature ?? twilioSignature(AUTH_TOKEN, `${PUBLIC_URL}${path}`, params),
      },
      payload: new URLSearchParams(params).toString(),
    });

  // Midday in the clinic's zone, each reading a second on, so the send-time checks' quiet hours
  // never defer a text; each reminder three days after the last, under the treatment caps.
  const clock = new TestClock('2026-12-01T17:00:00Z', { tickMs: 1000 });
  const queueText = (key: string) => {
    clock.advance(3 * 24 * 3600_000);
    return app.database.withTenant(tenant.orgId, async (tx) => {
      const id = await app.services.outbox.queueSms(tx, {
        orgId: tenant.orgId,
        patientId,
        purpose: 'treatment',
        to: phone,
        text: 'Riverside Clinic: reminder for Tuesday 9:00. Reply C to confirm.',
        idempotencyKey: key,
      });
      if (!id) throw new Error('not queued');
      return id;
    });
  };

  const message = async (id: string) => {
    const [row] = await app.database.withTenant(tenant.orgId, (tx) =>
      tx.select().from(outboundMessages).where(eq(outboundMessages.id, id)),
    );
    if (!row) throw new Error('no such message');
    return row;
  };

  /** Keyword confirmations waiting for the worker. */
  const queuedConfirmations = async () =>
    (
      await app.database.withTenant(tenant.orgId, (tx) =>
        tx
          .select({ id: outboundMessages.id })
          .from(outboundMessages)
          .where(
            and(
              eq(outboundMessages.status, 'queued'),
              like(outboundMessages.idempotencyKey, 'sms-keyword:%'),
            ),
          ),
      )
    ).map((r) => r.id);

  beforeAll(async () => {
    const base = await twilio.start();
    app = await createTestApp(
      kind,
      {
        SMS_PROVIDER: 'twilio',
        TWILIO_ACCOUNT_SID: ACCOUNT_SID,
        TWILIO_AUTH_TOKEN: AUTH_TOKEN,
        TWILIO_FROM: FROM,
        TWILIO_BASE_URL: base,
        CARELOOP_PUBLIC_URL: PUBLIC_URL,
      },
      { clock },
    );
    await app.services.jobs.start();
    tenant = await TestTenant.create(app, 'Riverside Clinic');
    patientId = (await tenant.createPatient({ contactPoints: [{ system: 'phone', value: phone }] }))
      .id;
  }, 120_000);

  beforeEach(() => {
    twilio.replies = [];
  });

  afterAll(async () => {
    await app.close();
    await twilio.stop();
  });

  it('sends through the Messages API with basic auth, the text and a signed-for status callback', async () => {
    const id = await queueText('reminder-send');
    const before = twilio.requests.length;
    expect(await app.services.outbox.deliver({ orgId: tenant.orgId, messageId: id })).toBe('sent');
    const request = twilio.requests[before];
    expect(request?.path).toBe(`/2010-04-01/Accounts/${ACCOUNT_SID}/Messages.json`);
    expect(request?.authorization).toBe(
      `Basic ${Buffer.from(`${ACCOUNT_SID}:${AUTH_TOKEN}`).toString('base64')}`,
    );
    expect(request?.form).toEqual({
      To: phone,
      From: FROM,
      Body: 'Riverside Clinic: reminder for Tuesday 9:00. Reply C to confirm.',
      StatusCallback: `${PUBLIC_URL}/api/sms/twilio/status?org=${tenant.orgId}&message=${id}`,
    });
    expect(await message(id)).toMatchObject({ status: 'sent', provider: 'twilio' });
    // A second run of the job sends nothing.
    expect(await app.services.outbox.deliver({ orgId: tenant.orgId, messageId: id })).toBe(
      'skipped',
    );
    expect(twilio.requests.length).toBe(before + 1);
  });

  it('moves the status on a signed delivery report, never backwards, and refuses an unsigned one', async () => {
    const id = await queueText('reminder-status');
    await app.services.outbox.deliver({ orgId: tenant.orgId, messageId: id });
    const sid = (await message(id)).providerMessageId ?? '';
    const path = `/api/sms/twilio/status?org=${tenant.orgId}&message=${id}`;
    const report = { MessageSid: sid, MessageStatus: 'delivered', AccountSid: ACCOUNT_SID };

    const forged = await webhook(
      path,
      report,
      twilioSignature('not-the-token', `${PUBLIC_URL}${path}`, report),
    );
    expect(forged.statusCode).toBe(403);
    const unsigned = await app.app.inject({
      method: 'POST',
      url: path,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams(report).toString(),
    });
    expect(unsigned.statusCode).toBe(403);
    // Signed for another message: the query is part of what is signed.
    // (Another id: the last digit changed, never to itself: one id in 16 ends in 0.)
    const otherId = `${id.slice(0, -1)}${id.endsWith('0') ? '1' : '0'}`;
    const otherPath = `/api/sms/twilio/status?org=${tenant.orgId}&message=${otherId}`;
    const moved = await webhook(
      otherPath,
      report,
      twilioSignature(AUTH_TOKEN, `${PUBLIC_URL}${path}`, report),
    );
    expect(moved.statusCode).toBe(403);
    expect((await message(id)).status).toBe('sent');

    expect((await webhook(path, report)).statusCode).toBe(204);
    expect((await message(id)).status).toBe('delivered');
    const late = { ...report, MessageStatus: 'sent' };
    expect((await webhook(path, late)).statusCode).toBe(204);
    expect((await message(id)).status).toBe('delivered');
  });

  it('marks a text failed on an undelivered report, with the error code only', async () => {
    const id = await queueText('reminder-undelivered');
    await app.services.outbox.deliver({ orgId: tenant.orgId, messageId: id });
    const sid = (await message(id)).providerMessageId ?? '';
    const path = `/api/sms/twilio/status?org=${tenant.orgId}&message=${id}`;
    const res = await webhook(path, {
      MessageSid: sid,
      MessageStatus: 'undelivered',
      ErrorCode: '30003',
    });
    expect(res.statusCode).toBe(204);
    expect(await message(id)).toMatchObject({
      status: 'failed',
      lastError: 'sms not delivered: TWILIO_30003',
    });
  });

  it('fails a text the provider refuses for good, and retries one it cannot take now', async () => {
    const refused = await queueText('reminder-refused');
    twilio.replies = [
      { status: 400, body: { code: 21211, message: `The 'To' number ${phone} is not valid` } },
    ];
    expect(await app.services.outbox.deliver({ orgId: tenant.orgId, messageId: refused })).toBe(
      'failed',
    );
    const row = await message(refused);
    expect(row.status).toBe('failed');
    expect(row.lastError).toBe('sms not sent: TWILIO_21211 (HTTP 400)');
    expect(row.lastError).not.toContain(phone.slice(2));

    const busy = await queueText('reminder-busy');
    twilio.replies = [{ status: 503, body: {} }];
    await expect(
      app.services.outbox.deliver({ orgId: tenant.orgId, messageId: busy }),
    ).rejects.toThrow(/HTTP 503/);
    expect((await message(busy)).status).toBe('queued');
  });

  it('opts out on a signed inbound STOP with one confirmation; a retry of it and a second STOP send none', async () => {
    const path = `/api/sms/twilio/inbound?org=${tenant.orgId}`;
    const stop = {
      MessageSid: `SM${randomBytes(16).toString('hex')}`,
      From: phone,
      To: FROM,
      Body: 'STOP',
      AccountSid: ACCOUNT_SID,
    };

    const forged = await webhook(path, stop, 'AAAAAAAAAAAAAAAAAAAAAAAAAAA=');
    expect(forged.statusCode).toBe(403);
    const rows = () =>
      app.database.withTenant(tenant.orgId, (tx) =>
        tx.select().from(inboundMessages).where(eq(inboundMessages.sender, phone)),
      );
    expect(await rows()).toHaveLength(0);

    const first = await webhook(path, stop);
    expect(first.statusCode).toBe(200);
    expect(first.headers['content-type']).toMatch(/xml/);
    const consents = await app.database.withTenant(tenant.orgId, (tx) =>
      tx
        .select({ status: patientConsents.status })
        .from(patientConsents)
        .where(and(eq(patientConsents.patientId, patientId), eq(patientConsents.channel, 'sms'))),
    );
    expect(consents.map((c) => c.status)).toEqual(['denied', 'denied', 'denied']);

    const confirmations = await queuedConfirmations();
    expect(confirmations).toHaveLength(1);
    const before = twilio.requests.length;
    for (const id of confirmations)
      await app.services.outbox.deliver({ orgId: tenant.orgId, messageId: id });
    expect(twilio.requests.length).toBe(before + 1);
    expect(twilio.requests[before]?.form.Body).toMatch(/^Riverside Clinic: you are unsubscribed/);
    expect(twilio.requests[before]?.form.To).toBe(phone);

    // Twilio retries the same message: nothing new.
    expect((await webhook(path, stop)).statusCode).toBe(200);
    // The patient sends STOP again: already opted out, no second confirmation.
    const again = { ...stop, MessageSid: `SM${randomBytes(16).toString('hex')}`, Body: ' stop ' };
    expect((await webhook(path, again)).statusCode).toBe(200);
    expect(await queuedConfirmations()).toEqual([]);
    expect(await rows()).toHaveLength(2);
  });

  it('answers 404 for an organization that does not exist, and 400 naming a missing field', async () => {
    const nobody = `/api/sms/twilio/inbound?org=00000000-0000-4000-8000-000000000000`;
    const params = { MessageSid: `SM${randomBytes(16).toString('hex')}`, From: phone, Body: 'hi' };
    expect((await webhook(nobody, params)).statusCode).toBe(404);
    const path = `/api/sms/twilio/inbound?org=${tenant.orgId}`;
    const missing = await webhook(path, { MessageSid: params.MessageSid, From: phone });
    expect(missing.statusCode).toBe(400);
    expect(missing.json()).toMatchObject({ path: '/body/Body' });
  });

  it('keeps the local gateway off while a provider is configured', async () => {
    const admin = await tenant.signIn('admin');
    const res = await admin.post('/api/sms-gateway/inbound', { from: phone, body: 'hello' });
    expect(res.statusCode).toBe(409);
  });

  it('declares exactly the two Twilio webhooks as signature-checked routes', () => {
    const webhooks = app.routes
      .filter((r) => r.policy && 'webhook' in r.policy && r.policy.webhook === 'twilio-signature')
      .map((r) => `${r.method} ${r.url}`)
      .sort();
    expect(webhooks).toEqual(['POST /api/sms/twilio/inbound', 'POST /api/sms/twilio/status']);
  });
});
