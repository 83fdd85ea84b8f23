import { randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { createTestApp, type Session, type TestApp, TestTenant } from '../../../test/app.js';
import { TestClock } from '../../../test/clock.js';
import { describeEachDatabase } from '../../../test/databases.js';

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

interface Delivery {
  id: string;
  status: string;
  attempts: number;
  responseCode: number | null;
  replayOf: string | null;
  eventType: string;
}

describeEachDatabase('signed webhooks (Standard Webhooks)', (kind) => {
  let app: TestApp;
  let admin: Session;
  let tenant: TestTenant;
  const clock = new TestClock('2026-12-06T09:00:00Z');
  let receiver: Server;
  let hookUrl: string;
  const received: Received[] = [];
  /** What the receiver answers next (then 200). */
  const answers: number[] = [];

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
        res.statusCode = answers.shift() ?? 200;
        res.end('ok');
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
    app = await createTestApp(kind, { INTEGRATION_ALLOWED_HOSTS: '127.0.0.1' }, { clock });
    // Queued, not worked: each test delivers its messages itself, as the worker would.
    await app.services.jobs.start();
    tenant = await TestTenant.create(app);
    admin = await tenant.signIn('admin');
  });
  afterAll(async () => {
    await app.close();
    await new Promise<void>((resolve) => receiver.close(() => resolve()));
  });

  /** The reference library's check, with its clock at the test's (it reads Date). */
  function verify(secret: string, message: Received): unknown {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(clock.now());
    try {
      return new Webhook(secret).verify(message.body, message.headers as Record<string, string>);
    } finally {
      vi.useRealTimers();
    }
  }

  async function endpoint(eventTypes: string[]): Promise<{ id: string; secret: string }> {
    const res = await admin.post('/api/integrations/webhooks', { url: hookUrl, eventTypes });
    expect(res.statusCode, res.body).toBe(200);
    const { endpoint: e, secret } = res.json<{ endpoint: { id: string }; secret: string }>();
    return { id: e.id, secret };
  }

  async function deliveries(endpointId: string): Promise<Delivery[]> {
    const res = await admin.get(`/api/integrations/deliveries?endpointId=${endpointId}`);
    expect(res.statusCode, res.body).toBe(200);
    return res.json<{ items: Delivery[] }>().items;
  }

  const deliver = (messageId: string) =>
    app.services.outbox.deliver({ orgId: tenant.orgId, messageId });

  it('refuses private and unlisted addresses', async () => {
    for (const url of [
      'http://10.1.2.3/hook',
      'https://169.254.169.254/latest',
      'http://localhost:1/x',
    ]) {
      const res = await admin.post('/api/integrations/webhooks', {
        url,
        eventTypes: ['appointment.booked'],
      });
      expect(res.statusCode, url).toBe(400);
      expect(res.json<{ path: string }>().path).toBe('/body/url');
    }
  });

  it('signs each delivery, retries a 500 and logs it, then delivers; ids only in the payload', async () => {
    const { id, secret } = await endpoint(['appointment.booked']);
    expect(secret).toMatch(/^whsec_/);
    const appointmentId = randomUUID();
    const eventId = randomUUID();
    const job = { orgId: tenant.orgId, appointmentId, event: 'booked' as const };
    expect(await app.services.webhooks.onAppointmentChanged(job, eventId)).toBe(1);
    // The job retried: nothing queued twice. An event nobody subscribed to: nothing.
    expect(await app.services.webhooks.onAppointmentChanged(job, eventId)).toBe(0);
    expect(
      await app.services.webhooks.onAppointmentChanged(
        { ...job, event: 'cancelled' },
        randomUUID(),
      ),
    ).toBe(0);
    const [queued] = await deliveries(id);
    if (!queued) throw new Error('no delivery');

    answers.push(500);
    const before = received.length;
    await expect(deliver(queued.id)).rejects.toThrow('http 500');
    const [failed] = await deliveries(id);
    expect(failed).toMatchObject({ status: 'queued', attempts: 1, responseCode: 500 });
    clock.advance(5_000);
    expect(await deliver(queued.id)).toBe('delivered');
    const [done] = await deliveries(id);
    expect(done).toMatchObject({ status: 'delivered', attempts: 2, responseCode: 200 });

    const attempts = received.slice(before);
    expect(attempts).toHaveLength(2);
    for (const a of attempts) {
      expect(a.headers['webhook-id']).toBe(`msg_${eventId}`);
      expect(verify(secret, a)).toEqual({
        type: 'appointment.booked',
        timestamp: expect.any(String),
        data: { appointmentId },
      });
    }
    expect(() =>
      verify(`whsec_${Buffer.alloc(32, 7).toString('base64')}`, attempts[1] as Received),
    ).toThrow();
  });

  it('replays a delivery with the same webhook-id and body, signed anew', async () => {
    const { id, secret } = await endpoint(['message.received']);
    const eventId = randomUUID();
    await app.services.webhooks.onMessageReceived(
      { orgId: tenant.orgId, inboundId: randomUUID() },
      eventId,
      null,
    );
    const [first] = await deliveries(id);
    if (!first) throw new Error('no delivery');
    await deliver(first.id);
    clock.advance(60_000);
    const replay = await admin.post(`/api/integrations/deliveries/${first.id}/replay`);
    expect(replay.statusCode, replay.body).toBe(200);
    const again = replay.json<Delivery>();
    expect(again).toMatchObject({
      replayOf: first.id,
      status: 'queued',
      eventType: 'message.received',
    });
    const before = received.length;
    expect(await deliver(again.id)).toBe('delivered');
    const [sent] = received.slice(before);
    if (!sent) throw new Error('nothing received');
    expect(sent.headers['webhook-id']).toBe(`msg_${eventId}`);
    expect(verify(secret, sent)).toMatchObject({ type: 'message.received' });
    expect((await deliveries(id)).map((d) => d.id)).toEqual([again.id, first.id]);
  });

  it('signs with the old and the new secret during a rotation, with the new one after', async () => {
    const { id, secret: old } = await endpoint(['appointment.no-show']);
    const rotated = await admin.post(`/api/integrations/webhooks/${id}/rotate-secret`);
    expect(rotated.statusCode, rotated.body).toBe(200);
    const { secret: fresh } = rotated.json<{ secret: string }>();
    expect(fresh).not.toBe(old);
    const send = async () => {
      await app.services.webhooks.onAppointmentChanged(
        { orgId: tenant.orgId, appointmentId: randomUUID(), event: 'no-show' },
        randomUUID(),
      );
      const [latest] = await deliveries(id);
      if (!latest) throw new Error('no delivery');
      const before = received.length;
      await deliver(latest.id);
      const [sent] = received.slice(before);
      if (!sent) throw new Error('nothing received');
      return sent;
    };
    const during = await send();
    expect(String(during.headers['webhook-signature']).split(' ')).toHaveLength(2);
    expect(verify(old, during)).toMatchObject({ type: 'appointment.no-show' });
    expect(verify(fresh, during)).toMatchObject({ type: 'appointment.no-show' });
    clock.advance(25 * 3_600_000);
    // A day later the session has ended too: sign in again.
    admin = await tenant.signIn('admin');
    const after = await send();
    expect(verify(fresh, after)).toMatchObject({ type: 'appointment.no-show' });
    expect(() => verify(old, after)).toThrow('No matching signature');
  });

  it('a disabled endpoint gets nothing more', async () => {
    const { id } = await endpoint(['appointment.completed']);
    await app.services.webhooks.onAppointmentChanged(
      { orgId: tenant.orgId, appointmentId: randomUUID(), event: 'completed' },
      randomUUID(),
    );
    const [queued] = await deliveries(id);
    if (!queued) throw new Error('no delivery');
    expect((await admin.post(`/api/integrations/webhooks/${id}/disable`)).statusCode).toBe(200);
    const before = received.length;
    expect(await deliver(queued.id)).toBe('failed');
    expect(received.length).toBe(before);
    const clinician = await tenant.signIn('clinician');
    expect((await clinician.get('/api/integrations/webhooks')).statusCode).toBe(403);
  });
});
