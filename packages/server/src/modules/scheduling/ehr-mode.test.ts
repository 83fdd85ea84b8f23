import net from 'node:net';
import type { AvailableSlot, ScheduledAppointment } from '@careloop/core';
import { and, eq, inArray, sql } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { rowsOf } from '../../db/rows.js';
import { createTestApp, type Session, type TestApp, TestTenant } from '../../test/app.js';
import { TestClock } from '../../test/clock.js';
import { describeEachDatabase } from '../../test/databases.js';
import { siu } from '../../test/hl7/messages.js';
import { auditEvents } from '../audit/schema.js';
import type { AuditActor } from '../audit/service.js';
import { schedules, slots } from '../fhir/schema.js';
import { type EhrSimulator, startEhrSimulator } from '../hl7/ehr-simulator.js';
import { outboundMessages } from '../messaging/schema.js';
import { tasks } from '../tasks/schema.js';
import { REFUSED_CANCEL_REASON } from './ehr-mode.js';
import { appointments, ehrBookingRequests, slotHolds } from './schema.js';
import { ehrSchedule } from './test/ehr-schedule.js';

/**
 * Issue 13, the EHR owns the schedule: availability is the EHR's free slots, a booking is an
 * SIU^S12 request through the outbox, booked on the EHR's AA and refused on its AE, against the
 * simulated EHR on a real loopback socket.
 */
describeEachDatabase('booking when the EHR owns the schedule', (kind) => {
  let app: TestApp;
  let tenant: TestTenant;
  let desk: Session;
  let ehr: EhrSimulator;
  let serviceId: string;
  let practitionerId: string;
  let locationId: string;
  const clock = new TestClock('2026-12-06T09:00:00Z');
  const DAY = '2026-12-10';

  beforeAll(async () => {
    // Refuses for good (AE) any request for a patient named Refusal; "not now" (AR) for Later.
    ehr = await startEhrSimulator({
      port: 0,
      rules: { error: /\|Refusal\^/, refuse: /\|Later\^/ },
    });
    app = await createTestApp(
      kind,
      { EHR_MLLP_ENDPOINT: `127.0.0.1:${ehr.listener.port}` },
      {},
      () => clock.now(),
    );
    await app.services.jobs.start();
    tenant = await TestTenant.create(app);
    const admin = await tenant.signIn('admin');
    desk = await tenant.signIn('front-desk');
    // The EHR's schedule, as a FHIR import leaves it: 09:00–10:30 free, 10:30–11:00 busy.
    ({ locationId, practitionerId, serviceId } = await ehrSchedule(app, tenant, admin, {
      slots: [
        {
          status: 'free',
          startAt: new Date(`${DAY}T14:00:00Z`),
          endAt: new Date(`${DAY}T15:30:00Z`),
        },
        {
          status: 'busy',
          startAt: new Date(`${DAY}T15:30:00Z`),
          endAt: new Date(`${DAY}T16:00:00Z`),
        },
      ],
    }));
  }, 180_000);

  afterAll(async () => {
    await app?.close();
    await ehr?.close();
  });

  const open = async () => {
    const res = await desk.get(
      `/api/availability?service=${serviceId}&from=${DAY}T00:00:00Z&to=${DAY}T23:59:00Z`,
    );
    expect(res.statusCode, res.body).toBe(200);
    return res.json<{ slots: AvailableSlot[] }>().slots.map((s) => s.start.slice(11, 16));
  };

  const request = async (start: string, family: string) => {
    const patient = await tenant.createPatient({ familyName: family });
    const res = await desk.post('/api/appointments', {
      patientId: patient.id,
      serviceId,
      practitionerId,
      locationId,
      start: `${DAY}T${start}:00.000Z`,
    });
    expect(res.statusCode, res.body).toBe(201);
    const appointment = res.json<ScheduledAppointment>();
    expect(appointment.status).toBe('proposed');
    return { appointment, patientId: patient.id };
  };

  const appointmentRow = (id: string) =>
    app.database.withTenant(tenant.orgId, (tx) =>
      tx.select().from(appointments).where(eq(appointments.id, id)),
    );
  const requestRows = (id: string) =>
    app.database.withTenant(tenant.orgId, (tx) =>
      tx.select().from(ehrBookingRequests).where(eq(ehrBookingRequests.appointmentId, id)),
    );
  const liveHolds = async () =>
    (
      await app.database.withTenant(tenant.orgId, (tx) =>
        tx.select().from(slotHolds).where(eq(slotHolds.orgId, tenant.orgId)),
      )
    ).filter((h) => h.releasedAt === null);

  /** The outbox row of the request's message, delivered to the simulated EHR once. */
  const deliverFor = async (appointmentId: string) => {
    const [req] = await app.database.withTenant(tenant.orgId, (tx) =>
      tx
        .select()
        .from(ehrBookingRequests)
        .where(eq(ehrBookingRequests.appointmentId, appointmentId)),
    );
    if (!req) throw new Error('no request');
    const [message] = await app.database.withTenant(tenant.orgId, (tx) =>
      tx
        .select()
        .from(outboundMessages)
        .where(eq(outboundMessages.idempotencyKey, `ehr:request:${req.id}`)),
    );
    if (!message) throw new Error('no message to the EHR');
    return app.services.outbox.deliver({ orgId: tenant.orgId, messageId: message.id });
  };

  it('offers the EHR’s free slots, not Careloop’s rules', async () => {
    expect(await open()).toEqual(['14:00', '14:30', '15:00']);
  });

  it('books on the EHR’s AA, with its filler id, after a Requested stage that holds the slot', async () => {
    const { appointment } = await request('14:00', 'Accepted');
    // Requested: the slot is held, so nobody else is offered it.
    expect(await open()).toEqual(['14:30', '15:00']);
    const taken = await desk.post('/api/appointments', {
      patientId: (await tenant.createPatient()).id,
      serviceId,
      practitionerId,
      locationId,
      start: `${DAY}T14:00:00.000Z`,
    });
    expect(taken.statusCode).toBe(409);
    expect(taken.json<{ code: string }>().code).toBe('slot_taken');

    expect(await deliverFor(appointment.id)).toBe('delivered');
    const received = ehr.received.at(-1);
    const segments = received?.text.split('\r') ?? [];
    expect(segments[0]).toContain('|SIU^S12^SIU_S12|');
    expect(segments[1]?.split('|')[1]).toBe(`${appointment.id}^CARELOOP`);
    expect(segments.find((s) => s.startsWith('AIS'))).toContain('|20261210140000+0000|');
    expect(received?.ack).toBe('AA');

    const [row] = await appointmentRow(appointment.id);
    expect(row?.status).toBe('booked');
    const [req] = await requestRows(appointment.id);
    expect(req?.status).toBe('accepted');
    expect(req?.fillerId).toMatch(/^F-\d+$/);
    expect(req?.controlId).toBe(received?.controlId);
    expect(await liveHolds()).toEqual([]);
    // Booked, it stays out of availability.
    expect(await open()).toEqual(['14:30', '15:00']);
    const view = await desk.get(`/api/appointments/${appointment.id}`);
    expect(view.json<ScheduledAppointment>().status).toBe('booked');
  });

  it('frees the hold on the EHR’s refusal, keeps its reason off the appointment, and tells the patient and the front desk', async () => {
    const { appointment, patientId } = await request('14:30', 'Refusal');
    expect(await open()).toEqual(['15:00']);
    expect(await deliverFor(appointment.id)).toBe('failed');
    expect(ehr.received.at(-1)?.ack).toBe('AE');

    const [row] = await appointmentRow(appointment.id);
    expect(row?.status).toBe('cancelled');
    expect(row?.cancelReason).toBe(REFUSED_CANCEL_REASON);
    const [req] = await requestRows(appointment.id);
    expect(req?.status).toBe('refused');
    expect(req?.refusalReason).toBe('Refused by the simulated EHR');
    expect(await open()).toEqual(['14:30', '15:00']);

    const [task] = await app.database.withTenant(tenant.orgId, (tx) =>
      tx.select().from(tasks).where(eq(tasks.patientId, patientId)),
    );
    expect(task?.team).toBe('front-desk');
    expect(task?.title).toMatch(/refused an appointment request/);
    const told = await app.database.withTenant(tenant.orgId, (tx) =>
      tx
        .select()
        .from(outboundMessages)
        .where(and(eq(outboundMessages.patientId, patientId), eq(outboundMessages.channel, 'sms'))),
    );
    expect(told.map((m) => m.idempotencyKey)).toEqual([`ehr:refused:${req?.id}`]);
  });

  it('keeps a request Requested and its slot held while the EHR does not take it, and retries with the same control id', async () => {
    const { appointment } = await request('15:00', 'Later');
    expect(await deliverFor(appointment.id)).toBe('deferred');
    expect(await deliverFor(appointment.id)).toBe('deferred');
    const [first, second] = ehr.received.slice(-2);
    expect(first?.ack).toBe('AR');
    expect(second?.controlId).toBe(first?.controlId);
    const [row] = await appointmentRow(appointment.id);
    expect(row?.status).toBe('proposed');
    const [req] = await requestRows(appointment.id);
    expect(req?.status).toBe('sent');
    expect(await open()).not.toContain('15:00');
  });

  it('takes the EHR’s own S12 echo of a request as that appointment, never a second one', async () => {
    const { appointment, patientId } = await request('14:30', 'Echoed');
    const actor: AuditActor = {
      orgId: tenant.orgId,
      userId: null,
      email: null,
      role: 'cli',
      ip: null,
      userAgent: 'test',
    };
    const count = async () =>
      (
        await app.database.withTenant(tenant.orgId, (tx) =>
          tx.select({ id: appointments.id }).from(appointments),
        )
      ).length;
    const before = await count();
    const receipt = await app.services.hl7.receive(
      tenant.orgId,
      siu(
        'S12',
        'echo-1',
        { mrn: 'EHR-555' },
        {
          placer: `${appointment.id}^CARELOOP`,
          filler: 'F-9001',
          start: '202612100930',
          minutes: 30,
        },
      ),
      { channel: 'file', actor },
    );
    expect(receipt.messages[0]?.ackCode).toBe('AA');
    expect(await count()).toBe(before);
    const [row] = await appointmentRow(appointment.id);
    expect(row?.status).toBe('booked');
    expect(row?.patientId).toBe(patientId);
    // The EHR's AA, arriving after its echo, changes nothing more.
    expect(await deliverFor(appointment.id)).toBe('delivered');
    const [again] = await appointmentRow(appointment.id);
    expect(again?.status).toBe('booked');
  });

  it('tells the EHR of a cancellation by its filler id (S15), without the free-text reason', async () => {
    // One more free slot in the EHR's schedule, as its next import would bring it.
    await app.database.system(async (tx) => {
      const [schedule] = await tx.select().from(schedules).where(eq(schedules.orgId, tenant.orgId));
      if (!schedule) throw new Error('fixture');
      await tx.insert(slots).values({
        orgId: tenant.orgId,
        scheduleId: schedule.id,
        status: 'free',
        startAt: new Date(`${DAY}T16:00:00Z`),
        endAt: new Date(`${DAY}T16:30:00Z`),
      });
    });
    const { appointment } = await request('16:00', 'Cancelled');
    expect(await deliverFor(appointment.id)).toBe('delivered');
    const [booked] = await requestRows(appointment.id);
    const res = await desk.patch(`/api/appointments/${appointment.id}`, {
      action: 'cancel',
      reason: 'Patient has a fever',
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json<ScheduledAppointment>().status).toBe('cancelled');
    const cancel = (await requestRows(appointment.id)).find((r) => r.event === 'S15');
    if (!cancel) throw new Error('no S15 request');
    const [message] = await app.database.withTenant(tenant.orgId, (tx) =>
      tx
        .select()
        .from(outboundMessages)
        .where(eq(outboundMessages.idempotencyKey, `ehr:request:${cancel.id}`)),
    );
    if (!message) throw new Error('no S15 message');
    expect(await app.services.outbox.deliver({ orgId: tenant.orgId, messageId: message.id })).toBe(
      'delivered',
    );
    const received = ehr.received.at(-1);
    expect(received?.type).toBe('SIU^S15');
    const sch = received?.text.split('\r')[1]?.split('|') ?? [];
    expect(sch[2]).toBe(booked?.fillerId);
    expect(sch[6]).toBe('CANCELLED^Clinic cancelled^L');
    expect(received?.text).not.toContain('fever');
    expect(await open()).toContain('16:00');
  });

  /**
   * An EHR that answers `count` HL7 messages at once, once it has them all: the sends come back
   * together, and the outbox marks them as a group (on PostgreSQL: the first alone, the rest
   * together). Queues `count` messages to it; answers their outbox ids.
   */
  const answeredTogether = async (count: number, key: string) => {
    const sockets: net.Socket[] = [];
    const server = net.createServer((socket) => {
      socket.on('error', () => socket.destroy());
      socket.once('data', () => {
        sockets.push(socket);
        if (sockets.length < count) return;
        for (const s of sockets) {
          s.write(
            `\x0bMSH|^~\\&|EHR|EHR|CARELOOP|CARELOOP|20261206090000||ACK|A1|P|2.5.1\rMSA|AA|X\x1c\r`,
          );
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    if (!address || typeof address === 'string') throw new Error('no port');
    const messageIds = await app.database.withTenant(tenant.orgId, async (tx) => {
      const ids: string[] = [];
      for (let i = 0; i < count; i++) {
        const id = await app.services.outbox.queueHl7(tx, {
          orgId: tenant.orgId,
          patientId: null,
          endpoint: `127.0.0.1:${address.port}`,
          text: `MSH|^~\\&|CARELOOP|CARELOOP|EHR|EHR|20261206090000||ADT^A08|G${i}|P|2.5.1`,
          idempotencyKey: `${key}:${i}`,
        });
        if (id) ids.push(id);
      }
      return ids;
    });
    const close = async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    };
    return { messageIds, close };
  };
  const statusesOf = async (ids: string[]) => {
    const rows = await app.database.withTenant(tenant.orgId, (tx) =>
      tx
        .select({ id: outboundMessages.id, status: outboundMessages.status })
        .from(outboundMessages)
        .where(inArray(outboundMessages.id, ids)),
    );
    return ids.map((id) => rows.find((r) => r.id === id)?.status);
  };

  it('marks the EHR’s acceptances of a batch in grouped marks, not one transaction each', async () => {
    const { messageIds, close } = await answeredTogether(6, 'test:grouped');
    try {
      const outcomes = await app.services.outbox.deliverBatch(
        messageIds.map((messageId) => ({ orgId: tenant.orgId, messageId })),
      );
      expect(outcomes).toEqual(messageIds.map(() => 'delivered'));
      const marks = rowsOf<{ mark: string }>(
        await app.database.withTenant(tenant.orgId, (tx) =>
          tx.execute(sql`
            select xmin::text as mark from outbound_messages
            where id in (${sql.join(
              messageIds.map((id) => sql`${id}::uuid`),
              sql`, `,
            )})`),
        ),
      );
      expect(marks).toHaveLength(6);
      // On PGlite a mark runs to its end within the promise jobs of the send that started it
      // (the database is in this process), so each send is its own group there; the grouping
      // shows on the server, where a mark waits on the network while the other sends come back.
      if (kind === 'postgres') {
        expect(new Set(marks.map((r) => r.mark)).size).toBeLessThanOrEqual(2);
      }
    } finally {
      await close();
    }
  });

  it('leaves unmarked, to be sent again, only the message whose answer could not be recorded; the rest of its group is marked', async () => {
    const { messageIds, close } = await answeredTogether(6, 'test:listener');
    app.services.outbox.onEhrAnswer(async (_tx, answer) => {
      if (answer.idempotencyKey === 'test:listener:3') throw new Error('the booking failed');
    });
    try {
      const outcomes = await app.services.outbox.deliverBatch(
        messageIds.map((messageId) => ({ orgId: tenant.orgId, messageId })),
      );
      expect(outcomes.map((o) => (o instanceof Error ? o.message : o))).toEqual([
        'delivered',
        'delivered',
        'delivered',
        'the booking failed',
        'delivered',
        'delivered',
      ]);
      expect(await statusesOf(messageIds)).toEqual([
        'delivered',
        'delivered',
        'delivered',
        'queued',
        'delivered',
        'delivered',
      ]);
    } finally {
      app.services.outbox.onEhrAnswer(async (tx, answer) => {
        await app.services.scheduling.ehr?.answered(tx, answer);
      });
      await close();
    }
  });

  it('audits the change of schedule mode', async () => {
    const events = await app.database.withTenant(tenant.orgId, (tx) =>
      tx
        .select({ reason: auditEvents.reason })
        .from(auditEvents)
        .where(eq(auditEvents.recordType, 'scheduling-settings')),
    );
    expect(events.map((e) => e.reason)).toContain('schedule mode: careloop → ehr');
  });
});
