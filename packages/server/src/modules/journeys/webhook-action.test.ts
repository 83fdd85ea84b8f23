import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { journeyStepKey } from '@careloop/core';
import { and, eq } from 'drizzle-orm';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { createTestApp, type Session, type TestApp, TestTenant } from '../../test/app.js';
import { TestClock } from '../../test/clock.js';
import { describeEachDatabase } from '../../test/databases.js';
import { outboundMessages } from '../messaging/schema.js';
import { journeyEnrolments, journeySteps } from './schema.js';

// Issue 11 (h11w): the journey action "call a signed webhook" (docs/adr/0039).

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

describeEachDatabase('journey webhook action', (kind) => {
  let app: TestApp;
  let admin: Session;
  let tenant: TestTenant;
  const clock = new TestClock('2026-12-06T09:00:00Z');
  let receiver: Server;
  let hookUrl: string;
  const received: Received[] = [];
  /** The webhook-ids the receiver accepted (answered 2xx): a receiver dedupes on them. */
  const accepted = new Set<string>();
  /** What the receiver answers next (then 200). */
  const answers: number[] = [];

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
        res.statusCode = answers.shift() ?? 200;
        if (res.statusCode < 300) accepted.add(String(req.headers['webhook-id']));
        res.end('ok');
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
    app = await createTestApp(kind, { INTEGRATION_ALLOWED_HOSTS: '127.0.0.1' }, { clock });
    // Queued, not worked: each test runs steps and deliveries itself, as the workers would.
    await app.services.jobs.start();
    tenant = await TestTenant.create(app);
    admin = await tenant.signIn('admin');
  }, 120_000);
  afterAll(async () => {
    await app?.close();
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

  async function endpoint(includesPatientId = false): Promise<{ id: string; secret: string }> {
    const res = await admin.post('/api/integrations/webhooks', {
      url: hookUrl,
      eventTypes: [],
      includesPatientId,
    });
    expect(res.statusCode, res.body).toBe(200);
    const { endpoint: e, secret } = res.json<{ endpoint: { id: string }; secret: string }>();
    return { id: e.id, secret };
  }

  /** A manual journey: a webhook step to each endpoint given, then the end. */
  function journey(key: string, endpoints: string[]) {
    const nodes = endpoints.map((id, i) => ({
      id: `hook${i}`,
      type: 'action',
      action: { kind: 'webhook', endpoint: id, event: 'recall.due' },
      next: i + 1 < endpoints.length ? `hook${i + 1}` : 'done',
    }));
    return {
      key,
      name: key,
      trigger: { kind: 'manual' },
      reentry: 'always',
      entry: 'hook0',
      nodes: [...nodes, { id: 'done', type: 'exit' }],
    };
  }

  async function publish(definition: unknown) {
    const created = await admin.post('/api/journeys', { definition });
    expect(created.statusCode, created.body).toBe(200);
    const { id } = created.json<{ id: string }>();
    return { id, published: await admin.post(`/api/journeys/${id}/publish`) };
  }

  async function enrol(journeyId: string, patientId: string): Promise<string> {
    const res = await admin.post(`/api/journeys/${journeyId}/enrolments`, { patientId });
    expect(res.statusCode, res.body).toBe(200);
    return res.json<{ id: string }>().id;
  }

  const messagesOf = (endpointId: string) =>
    app.database.system((tx) =>
      tx
        .select()
        .from(outboundMessages)
        .where(
          and(eq(outboundMessages.channel, 'webhook'), eq(outboundMessages.recipient, endpointId)),
        ),
    );

  const deliver = (messageId: string) =>
    app.services.outbox.deliver({ orgId: tenant.orgId, messageId });

  it('a journey naming an endpoint that does not exist or is disabled cannot publish', async () => {
    const missing = await publish(
      journey('hook-missing', ['0b1f4c9e-8d6a-4f1e-9c3b-2a7d5e6f8a90']),
    );
    expect(missing.published.statusCode, missing.published.body).toBe(422);
    expect(missing.published.json<{ path: string }>().path).toBe(
      '/body/definition/nodes/0/action/endpoint',
    );
    const { id } = await endpoint();
    expect((await admin.post(`/api/integrations/webhooks/${id}/disable`)).statusCode).toBe(200);
    const disabled = await publish(journey('hook-disabled', [id]));
    expect(disabled.published.statusCode, disabled.published.body).toBe(422);
    // A raw address is no endpoint: the schema refuses it on save.
    const raw = await admin.post('/api/journeys', { definition: journey('hook-raw', [hookUrl]) });
    expect(raw.statusCode, raw.body).toBe(400);
  });

  it('the step queues one signed delivery whose webhook-id is its idempotency key; retried, replayed and re-run, one id', async () => {
    const { id: endpointId, secret } = await endpoint();
    const { id: journeyId, published } = await publish(journey('hook-once', [endpointId]));
    expect(published.statusCode, published.body).toBe(200);
    const patient = await tenant.createPatient();
    const enrolmentId = await enrol(journeyId, patient.id);
    expect(await app.services.journeys.runtime.runStep(tenant.orgId, enrolmentId)).toBe('advanced');
    const stepKey = journeyStepKey(enrolmentId, 'hook0', 1);
    const [message, ...more] = await messagesOf(endpointId);
    if (!message) throw new Error('nothing queued');
    expect(more).toHaveLength(0);
    expect(message.idempotencyKey).toBe(`webhook:${endpointId}:${stepKey}`);

    // The receiver answers 500, then 200: retried with the same id, accepted once.
    answers.push(500);
    const before = received.length;
    await expect(deliver(message.id)).rejects.toThrow('http 500');
    clock.advance(5_000);
    expect(await deliver(message.id)).toBe('delivered');
    const attempts = received.slice(before);
    expect(attempts).toHaveLength(2);
    for (const a of attempts) {
      expect(a.headers['webhook-id']).toBe(stepKey);
      // Minimum necessary: the step's ids, no patient id (the endpoint's policy), no names.
      expect(verify(secret, a)).toEqual({
        type: 'recall.due',
        timestamp: expect.any(String),
        data: { journeyKey: 'hook-once', journeyVersion: 1, nodeId: 'hook0', enrolmentId },
      });
    }
    expect([...accepted].filter((a) => a === stepKey)).toHaveLength(1);

    // The worker killed between the POST and its mark: the outbox sends it again, same id.
    await app.database.system((tx) =>
      tx
        .update(outboundMessages)
        .set({ status: 'queued', sentAt: null })
        .where(eq(outboundMessages.id, message.id)),
    );
    clock.advance(60_000);
    expect(await deliver(message.id)).toBe('delivered');
    expect(received.at(-1)?.headers['webhook-id']).toBe(stepKey);

    // The step run again (its job retried; its state as before it ran): nothing more queued.
    expect(await app.services.journeys.runtime.runStep(tenant.orgId, enrolmentId)).toBe('idle');
    await app.database.system((tx) =>
      tx
        .update(journeyEnrolments)
        .set({
          status: 'active',
          state: {
            node: 'hook0',
            status: 'active',
            occurrences: {},
            wakeAt: null,
            awaiting: null,
            convertedAt: null,
            endReason: null,
          },
        })
        .where(eq(journeyEnrolments.id, enrolmentId)),
    );
    await app.services.journeys.runtime.runStep(tenant.orgId, enrolmentId);
    expect(await messagesOf(endpointId)).toHaveLength(1);

    // Replay from the delivery log: the same webhook-id, signed anew.
    const replay = await admin.post(`/api/integrations/deliveries/${message.id}/replay`);
    expect(replay.statusCode, replay.body).toBe(200);
    expect(await deliver(replay.json<{ id: string }>().id)).toBe('delivered');
    const last = received.at(-1);
    if (!last) throw new Error('nothing received');
    expect(last.headers['webhook-id']).toBe(stepKey);
    expect(verify(secret, last)).toMatchObject({ type: 'recall.due' });
    expect([...accepted].filter((a) => a === stepKey)).toHaveLength(1);
  });

  it("carries the patient's id only where the endpoint's policy allows it", async () => {
    const { id: endpointId, secret } = await endpoint(true);
    const { id: journeyId } = await publish(journey('hook-patient', [endpointId]));
    const patient = await tenant.createPatient();
    const enrolmentId = await enrol(journeyId, patient.id);
    await app.services.journeys.runtime.runStep(tenant.orgId, enrolmentId);
    const [message] = await messagesOf(endpointId);
    if (!message) throw new Error('nothing queued');
    await deliver(message.id);
    const last = received.at(-1);
    if (!last) throw new Error('nothing received');
    expect(verify(secret, last)).toMatchObject({
      data: { enrolmentId, nodeId: 'hook0', patientId: patient.id },
    });
  });

  it('an endpoint disabled after publishing sends the step to the dead letters with a reason', async () => {
    const first = await endpoint();
    const second = await endpoint();
    const { id: journeyId } = await publish(journey('hook-gone', [first.id, second.id]));
    expect((await admin.post(`/api/integrations/webhooks/${second.id}/disable`)).statusCode).toBe(
      200,
    );
    const patient = await tenant.createPatient();
    const enrolmentId = await enrol(journeyId, patient.id);
    // The first attempt: no retry can bring the endpoint back, so no retry is spent.
    await app.services.journeys.runtime.handleStepJob(
      { orgId: tenant.orgId, enrolmentId },
      { retryCount: 0, retryLimit: 4 },
    );
    const dead = await admin.get('/api/journeys/dead-letters');
    expect(dead.statusCode, dead.body).toBe(200);
    expect(dead.json<{ enrolmentId: string; error: string }[]>()).toContainEqual(
      expect.objectContaining({ enrolmentId, error: 'webhook_endpoint_unavailable' }),
    );
    // The step's transaction rolled back: the first endpoint's delivery was not queued either.
    expect(await messagesOf(first.id)).toHaveLength(0);
    const steps = await app.database.system((tx) =>
      tx.select().from(journeySteps).where(eq(journeySteps.enrolmentId, enrolmentId)),
    );
    expect(steps).toHaveLength(0);
  });
});
