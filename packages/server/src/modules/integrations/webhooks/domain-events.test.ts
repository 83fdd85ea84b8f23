import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sql } from 'drizzle-orm';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { rowsOf } from '../../../db/rows.js';
import { createTestApp, type Session, type TestApp, TestTenant } from '../../../test/app.js';
import { TestClock } from '../../../test/clock.js';
import { describeEachDatabase } from '../../../test/databases.js';
import { adt, merge, siu } from '../../../test/hl7/messages.js';
import type { AuditActor } from '../../audit/service.js';

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

/**
 * The domain events whose owners queue webhooks in their own transaction (confirmation,
 * consent, merge, discharge) reach a real HTTP receiver, signed as Standard Webhooks define,
 * with ids only in the payload.
 */
describeEachDatabase('domain events as signed webhooks', (kind) => {
  let app: TestApp;
  let admin: Session;
  let tenant: TestTenant;
  let actor: AuditActor;
  let secret: string;
  let endpointId: string;
  const clock = new TestClock('2026-12-06T09:00:00Z');
  let receiver: Server;
  const received: Received[] = [];

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
        res.end('ok');
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
    app = await createTestApp(kind, { INTEGRATION_ALLOWED_HOSTS: '127.0.0.1' }, { clock });
    // Queued, not worked: each test delivers what was queued, as the worker would.
    await app.services.jobs.start();
    tenant = await TestTenant.create(app);
    admin = await tenant.signIn('admin');
    actor = {
      orgId: tenant.orgId,
      userId: null,
      email: null,
      role: 'cli',
      ip: null,
      userAgent: 'test',
    };
    const res = await admin.post('/api/integrations/webhooks', {
      url,
      eventTypes: [
        'appointment.confirmed',
        'consent.changed',
        'patient.merged',
        'encounter.discharged',
      ],
    });
    expect(res.statusCode, res.body).toBe(200);
    const created = res.json<{ endpoint: { id: string }; secret: string }>();
    endpointId = created.endpoint.id;
    secret = created.secret;
  }, 120_000);

  afterAll(async () => {
    await app?.close();
    await new Promise<void>((resolve) => receiver.close(() => resolve()));
  });

  /** The reference library's check, with its clock at the test's (it reads Date). */
  function verified(message: Received): unknown {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(clock.now());
    try {
      return new Webhook(secret).verify(message.body, message.headers as Record<string, string>);
    } finally {
      vi.useRealTimers();
    }
  }

  /** Delivers every queued webhook message and returns the verified payloads received. */
  async function deliverQueued(): Promise<unknown[]> {
    const res = await admin.get(`/api/integrations/deliveries?endpointId=${endpointId}`);
    expect(res.statusCode, res.body).toBe(200);
    const queued = res
      .json<{ items: { id: string; status: string }[] }>()
      .items.filter((d) => d.status === 'queued')
      .reverse();
    const before = received.length;
    for (const d of queued) {
      expect(await app.services.outbox.deliver({ orgId: tenant.orgId, messageId: d.id })).toBe(
        'delivered',
      );
    }
    return received.slice(before).map(verified);
  }

  const feed = async (text: string) => {
    const receipt = await app.services.hl7.receive(tenant.orgId, text, { channel: 'file', actor });
    expect(receipt.messages.map((m) => m.ackCode)).toEqual(['AA']);
  };

  const patientIdOf = async (mrn: string): Promise<string> => {
    const res = await admin.get(`/api/patients?q=${mrn}`);
    const [patient] = res.json<{ items: { id: string }[] }>().items;
    if (!patient) throw new Error(`no patient ${mrn}`);
    return patient.id;
  };

  it("a patient's confirmation sends appointment.confirmed, once", async () => {
    const person = { mrn: 'WH-1', family: 'Mensah', given: 'Kofi' };
    await feed(siu('S12', 'w-1', person, { filler: 'WF-1', start: '202612100930', minutes: 30 }));
    const [row] = rowsOf<{ id: string }>(
      await app.database.system((tx) =>
        tx.execute(sql`select id from appointments where org_id = ${tenant.orgId} limit 1`),
      ),
    );
    if (!row) throw new Error('no appointment');
    const confirm = () =>
      app.database.withTenant(tenant.orgId, (tx) =>
        app.services.scheduling.confirmByPatient(tx, {
          orgId: tenant.orgId,
          appointmentId: row.id,
          at: clock.now(),
          channel: 'sms',
        }),
      );
    expect(await confirm()).toBe(true);
    // Confirmed already: no change, no second event.
    expect(await confirm()).toBe(false);
    expect(await deliverQueued()).toEqual([
      {
        type: 'appointment.confirmed',
        timestamp: expect.any(String),
        data: { appointmentId: row.id },
      },
    ]);
  });

  it('a consent recorded by staff and a STOP by text each send consent.changed', async () => {
    await feed(
      adt('A04', 'w-2', { mrn: 'WH-2', family: 'Diallo', phone: '6175550142' }, { visit: 'VW-2' }),
    );
    const patientId = await patientIdOf('WH-2');
    const res = await admin.patch(`/api/patients/${patientId}/preferences`, {
      consents: [{ channel: 'email', purpose: 'marketing', status: 'granted' }],
    });
    expect(res.statusCode, res.body).toBe(200);
    const stop = await admin.post('/api/sms-gateway/inbound', {
      from: '+16175550142',
      body: 'STOP',
    });
    expect(stop.statusCode, stop.body).toBeLessThan(300);
    const payloads = await deliverQueued();
    expect(payloads).toContainEqual({
      type: 'consent.changed',
      timestamp: expect.any(String),
      data: { patientId, channel: 'email', purpose: 'marketing', status: 'granted' },
    });
    expect(payloads).toContainEqual({
      type: 'consent.changed',
      timestamp: expect.any(String),
      data: { patientId, channel: 'sms', purpose: 'treatment-reminders', status: 'denied' },
    });
    // No words of the message, no name: ids and the consent only.
    expect(JSON.stringify(payloads)).not.toMatch(/Diallo|STOP/);
  });

  it('a merge by HL7 A40 and one by staff each send patient.merged', async () => {
    await feed(adt('A04', 'w-3', { mrn: 'WH-3', family: 'Ito', given: 'Ken' }, { visit: 'VW-3' }));
    await feed(
      adt('A04', 'w-4', { mrn: 'WH-4', family: 'Ito', given: 'Kenji' }, { visit: 'VW-4' }),
    );
    const survivor = await patientIdOf('WH-3');
    const merged = await patientIdOf('WH-4');
    await feed(merge('w-5', { mrn: 'WH-3', family: 'Ito', given: 'Ken' }, 'WH-4'));
    await feed(adt('A04', 'w-6', { mrn: 'WH-5', family: 'Lund', given: 'Eva' }, { visit: 'VW-5' }));
    await feed(
      adt('A04', 'w-7', { mrn: 'WH-6', family: 'Lund', given: 'Evelina' }, { visit: 'VW-6' }),
    );
    const keep = await patientIdOf('WH-5');
    const fold = await patientIdOf('WH-6');
    const res = await admin.post(`/api/patients/${keep}/merge`, { mergedId: fold });
    expect(res.statusCode, res.body).toBe(200);
    // Both at the test clock's instant: in either order.
    const payloads = await deliverQueued();
    expect(payloads).toHaveLength(2);
    expect(payloads).toEqual(
      expect.arrayContaining([
        {
          type: 'patient.merged',
          timestamp: expect.any(String),
          data: { patientId: survivor, mergedPatientId: merged },
        },
        {
          type: 'patient.merged',
          timestamp: expect.any(String),
          data: { patientId: keep, mergedPatientId: fold },
        },
      ]),
    );
  });

  it('an inpatient discharge by HL7 A03 sends encounter.discharged; an outpatient visit does not', async () => {
    const person = { mrn: 'WH-7', family: 'Reyes' };
    await feed(
      adt('A01', 'w-8', person, { visit: 'V-1', patientClass: 'I', admitAt: '202612010815-0500' }),
    );
    await feed(
      adt('A03', 'w-9', person, {
        visit: 'V-1',
        patientClass: 'I',
        admitAt: '202612010815-0500',
        dischargeAt: '202612051015-0500',
      }),
    );
    await feed(
      adt('A03', 'w-10', person, {
        visit: 'V-2',
        patientClass: 'O',
        admitAt: '202612050815-0500',
        dischargeAt: '202612050915-0500',
      }),
    );
    const patientId = await patientIdOf('WH-7');
    const payloads = await deliverQueued();
    expect(payloads).toEqual([
      {
        type: 'encounter.discharged',
        timestamp: expect.any(String),
        data: { encounterId: expect.any(String), patientId },
      },
    ]);
  });
});
