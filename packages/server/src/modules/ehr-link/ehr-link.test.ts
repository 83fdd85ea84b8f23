import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestApp, type TestApp, TestTenant } from '../../test/app.js';
import { TestClock } from '../../test/clock.js';
import { describeEachDatabase } from '../../test/databases.js';
import { siu } from '../../test/hl7/messages.js';
import type { AuditActor } from '../audit/service.js';
import { type EhrSimulator, startEhrSimulator } from '../hl7/ehr-simulator.js';
import { outboundMessages } from '../messaging/schema.js';
import { appointments } from '../scheduling/schema.js';

/**
 * A patient's confirmation of an appointment an EHR sent goes back to that EHR as SIU^S14
 * through the outbox, retried until it is acknowledged, against a simulated EHR on a real
 * socket. Appointments Careloop booked itself tell no one.
 */
describeEachDatabase('confirmations back to the EHR', (kind) => {
  let app: TestApp;
  let tenant: TestTenant;
  let ehr: EhrSimulator;
  let actor: AuditActor;
  const clock = new TestClock('2026-12-06T09:00:00Z');

  beforeAll(async () => {
    // Refuses (AR) its first message, as an EHR that was down for a moment, and refuses for
    // good (AE) any message about filler id F-BAD.
    ehr = await startEhrSimulator({ port: 0, rules: { refuseFirst: 1, error: /F-BAD/ } });
    app = await createTestApp(
      kind,
      { EHR_MLLP_ENDPOINT: `127.0.0.1:${ehr.listener.port}` },
      {},
      () => clock.now(),
    );
    await app.services.jobs.start();
    tenant = await TestTenant.create(app);
    actor = {
      orgId: tenant.orgId,
      userId: null,
      email: null,
      role: 'cli',
      ip: null,
      userAgent: 'test',
    };
  }, 120_000);

  afterAll(async () => {
    await app?.close();
    await ehr?.close();
  });

  /** An appointment booked by the EHR's SIU feed, by its filler id. */
  const fromEhr = async (filler: string, mrn: string) => {
    const receipt = await app.services.hl7.receive(
      tenant.orgId,
      siu('S12', `c-${filler}`, { mrn }, { filler, start: '202612101430', minutes: 20 }),
      { channel: 'file', actor },
    );
    expect(receipt.messages[0]?.ackCode).toBe('AA');
    const [row] = await app.database.withTenant(tenant.orgId, (tx) =>
      tx
        .select({ id: appointments.id })
        .from(appointments)
        .where(eq(appointments.orgId, tenant.orgId))
        .orderBy(appointments.createdAt),
    );
    const rows = await app.database.withTenant(tenant.orgId, (tx) =>
      tx.select({ id: appointments.id }).from(appointments),
    );
    expect(row).toBeTruthy();
    return rows.at(-1)?.id ?? '';
  };

  const confirm = (appointmentId: string) =>
    app.database.withTenant(tenant.orgId, (tx) =>
      app.services.scheduling.confirmByPatient(tx, {
        orgId: tenant.orgId,
        appointmentId,
        at: clock.now(),
        channel: 'sms',
      }),
    );

  const hl7Rows = () =>
    app.database.withTenant(tenant.orgId, (tx) =>
      tx
        .select()
        .from(outboundMessages)
        .where(and(eq(outboundMessages.orgId, tenant.orgId), eq(outboundMessages.channel, 'hl7'))),
    );

  it('sends an S14 naming the EHR’s own ids, again after a refusal, until it is acknowledged', async () => {
    const id = await fromEhr('F-100', 'MRN-100');
    expect(await confirm(id)).toBe(true);
    const [row] = await hl7Rows();
    if (!row) throw new Error('no message to the EHR');
    expect(row.recipient).toBe(`127.0.0.1:${ehr.listener.port}`);

    const payload = { orgId: tenant.orgId, messageId: row.id };
    // The first try meets an AR: the message stays queued, its next try waits a minute.
    expect(await app.services.outbox.deliver(payload)).toBe('deferred');
    expect(ehr.received.map((r) => r.ack)).toEqual(['AR']);
    expect(await app.services.outbox.deliver(payload)).toBe('delivered');
    expect(ehr.received.map((r) => r.ack)).toEqual(['AR', 'AA']);

    const [first, second] = ehr.received;
    expect(first?.controlId).toBe(second?.controlId);
    const segments = second?.text.split('\r') ?? [];
    expect(segments[0]).toContain('|SIU^S14^SIU_S12|');
    expect(segments[1]?.split('|')[2]).toBe('F-100');
    expect(segments[1]?.split('|')[6]).toBe('CONFIRMED^Confirmed by patient^L');
    expect(segments.find((s) => s.startsWith('PID'))).toBe(
      'PID|1||MRN-100^^^&2.16.840.1.113883.19.5&ISO^MR',
    );
    const [sent] = await hl7Rows();
    expect(sent?.status).toBe('delivered');
    expect(sent?.providerMessageId).toBe(second?.controlId);
    // A second confirmation of the same appointment changes nothing and sends nothing.
    expect(await confirm(id)).toBe(false);
    expect((await hl7Rows()).length).toBe(1);
  });

  it('gives up at once when the EHR refuses the content (AE)', async () => {
    const id = await fromEhr('F-BAD', 'MRN-101');
    await confirm(id);
    const row = (await hl7Rows()).find((r) => r.status === 'queued');
    if (!row) throw new Error('no message to the EHR');
    expect(await app.services.outbox.deliver({ orgId: tenant.orgId, messageId: row.id })).toBe(
      'failed',
    );
    expect(ehr.received.at(-1)?.ack).toBe('AE');
  });

  it('tells no EHR about an appointment booked in Careloop', async () => {
    const patient = await tenant.createPatient();
    const [own] = await app.database.system((tx) =>
      tx
        .insert(appointments)
        .values({
          orgId: tenant.orgId,
          patientId: patient.id,
          status: 'booked',
          startAt: new Date('2026-12-11T15:00:00Z'),
          endAt: new Date('2026-12-11T15:30:00Z'),
        })
        .returning({ id: appointments.id }),
    );
    const before = (await hl7Rows()).length;
    expect(await confirm(own?.id ?? '')).toBe(true);
    expect((await hl7Rows()).length).toBe(before);
  });
});
