import type {
  AvailableSlot,
  PortalAppointment,
  PortalAppointments,
  ScheduledAppointment,
} from '@careloop/core';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestApp, type Session, type TestApp, TestTenant } from '../../test/app.js';
import { TestClock } from '../../test/clock.js';
import { describeEachDatabase } from '../../test/databases.js';
import { type EhrSimulator, startEhrSimulator } from '../hl7/ehr-simulator.js';
import { outboundMessages } from '../messaging/schema.js';
import { tasks } from '../tasks/schema.js';
import { appointments, ehrBookingRequests, slotHolds } from './schema.js';
import { ehrSchedule } from './test/ehr-schedule.js';

/**
 * Issue 13, the EHR owns the schedule: a move of a requested appointment is an SIU^S13 the EHR
 * answers (the appointment keeps its time and status until its AA), and a patient books in the
 * portal through the same request; against the simulated EHR on a real loopback socket.
 */
describeEachDatabase('moves and portal bookings when the EHR owns the schedule', (kind) => {
  let app: TestApp;
  let tenant: TestTenant;
  let desk: Session;
  let ehr: EhrSimulator;
  let serviceId: string;
  let practitionerId: string;
  let locationId: string;
  const clock = new TestClock('2026-12-06T09:00:00Z');
  const DAY = '2026-12-10';
  const at = (hhmm: string) => `${DAY}T${hhmm}:00.000Z`;

  beforeAll(async () => {
    // The EHR refuses for good (AE) a move (S13) of a patient named Stuck; books the rest.
    ehr = await startEhrSimulator({ port: 0, rules: { error: /SIU\^S13[\s\S]*\|Stuck\^/ } });
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
    // The EHR's schedule, as a FHIR import leaves it: 09:00-12:00 New York free.
    ({ locationId, practitionerId, serviceId } = await ehrSchedule(app, tenant, admin, {
      slots: [{ status: 'free', startAt: new Date(at('14:00')), endAt: new Date(at('17:00')) }],
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

  const requestsOf = (appointmentId: string) =>
    app.database.withTenant(tenant.orgId, (tx) =>
      tx
        .select()
        .from(ehrBookingRequests)
        .where(eq(ehrBookingRequests.appointmentId, appointmentId)),
    );

  /** Delivers the message of the appointment's latest request of `event` to the EHR, once. */
  const deliver = async (appointmentId: string, event: 'S12' | 'S13') => {
    const request = (await requestsOf(appointmentId)).find(
      (r) => r.event === event && r.status === 'sent',
    );
    if (!request) throw new Error(`no ${event} request waiting`);
    const [message] = await app.database.withTenant(tenant.orgId, (tx) =>
      tx
        .select()
        .from(outboundMessages)
        .where(eq(outboundMessages.idempotencyKey, `ehr:request:${request.id}`)),
    );
    if (!message) throw new Error('no message to the EHR');
    return app.services.outbox.deliver({ orgId: tenant.orgId, messageId: message.id });
  };

  const appointmentRow = async (id: string) => {
    const [row] = await app.database.withTenant(tenant.orgId, (tx) =>
      tx.select().from(appointments).where(eq(appointments.id, id)),
    );
    if (!row) throw new Error('no appointment');
    return row;
  };

  /** An appointment requested by the front desk and booked on the EHR's AA. */
  const booked = async (start: string, familyName: string) => {
    const patient = await tenant.createPatient({ familyName });
    const res = await desk.post('/api/appointments', {
      patientId: patient.id,
      serviceId,
      practitionerId,
      locationId,
      start: at(start),
    });
    expect(res.statusCode, res.body).toBe(201);
    const appointment = res.json<ScheduledAppointment>();
    expect(await deliver(appointment.id, 'S12')).toBe('delivered');
    expect((await appointmentRow(appointment.id)).status).toBe('booked');
    return { appointment, patientId: patient.id };
  };

  const move = (id: string, start: string) =>
    desk.patch(`/api/appointments/${id}`, { action: 'reschedule', start: at(start) });

  const liveHolds = async () =>
    (
      await app.database.withTenant(tenant.orgId, (tx) =>
        tx.select().from(slotHolds).where(eq(slotHolds.orgId, tenant.orgId)),
      )
    ).filter((h) => h.releasedAt === null);

  it('sends a move as SIU^S13 with the new time, keeps the old time until the EHR’s AA, then moves', async () => {
    const { appointment } = await booked('14:00', 'Mover');
    const res = await move(appointment.id, '15:00');
    expect(res.statusCode, res.body).toBe(200);
    // Asked, not moved: the appointment keeps its time and stays booked; both times are taken.
    const asked = res.json<ScheduledAppointment>();
    expect(asked.status).toBe('booked');
    expect(asked.start).toBe(at('14:00'));
    expect(await open()).not.toContain('14:00');
    expect(await open()).not.toContain('15:00');
    const s13 = (await requestsOf(appointment.id)).find((r) => r.event === 'S13');
    expect(s13?.status).toBe('sent');
    expect(s13?.requestedStart?.toISOString()).toBe(at('15:00'));

    expect(await deliver(appointment.id, 'S13')).toBe('delivered');
    const received = ehr.received.at(-1);
    expect(received?.type).toBe('SIU^S13');
    expect(received?.ack).toBe('AA');
    const segments = received?.text.split('\r') ?? [];
    expect(segments[1]?.split('|')[1]).toBe(`${appointment.id}^CARELOOP`);
    // SCH-2: the EHR's own filler id from its AA to the S12.
    expect(segments[1]?.split('|')[2]).toMatch(/^F-\d+$/);
    expect(segments.find((s) => s.startsWith('AIS'))).toContain('|20261210150000+0000|');

    const row = await appointmentRow(appointment.id);
    expect(row.status).toBe('booked');
    expect(row.startAt.toISOString()).toBe(at('15:00'));
    expect(row.endAt.toISOString()).toBe(at('15:30'));
    expect((await requestsOf(appointment.id)).find((r) => r.event === 'S13')?.status).toBe(
      'accepted',
    );
    expect(await liveHolds()).toEqual([]);
    // The old time is free again, the new one taken.
    expect(await open()).toContain('14:00');
    expect(await open()).not.toContain('15:00');
    const view = await desk.get(`/api/appointments/${appointment.id}`);
    expect(view.json<ScheduledAppointment>().start).toBe(at('15:00'));
  });

  it('keeps the old time when the EHR refuses the move, frees the new one, and tells the front desk', async () => {
    const { appointment, patientId } = await booked('14:30', 'Stuck');
    const res = await move(appointment.id, '15:30');
    expect(res.statusCode, res.body).toBe(200);
    expect(await open()).not.toContain('15:30');

    expect(await deliver(appointment.id, 'S13')).toBe('failed');
    expect(ehr.received.at(-1)?.type).toBe('SIU^S13');
    expect(ehr.received.at(-1)?.ack).toBe('AE');

    const row = await appointmentRow(appointment.id);
    expect(row.status).toBe('booked');
    expect(row.startAt.toISOString()).toBe(at('14:30'));
    expect((await requestsOf(appointment.id)).find((r) => r.event === 'S13')?.status).toBe(
      'refused',
    );
    expect(await liveHolds()).toEqual([]);
    expect(await open()).toContain('15:30');
    expect(await open()).not.toContain('14:30');
    const raised = await app.database.withTenant(tenant.orgId, (tx) =>
      tx
        .select({ title: tasks.title, team: tasks.team })
        .from(tasks)
        .where(eq(tasks.patientId, patientId)),
    );
    expect(raised).toEqual([
      {
        title: 'The EHR refused to move an appointment: it keeps its time; tell the patient',
        team: 'front-desk',
      },
    ]);
  });

  it('refuses a move to a time the EHR does not offer or that is held, with 409, asking nothing', async () => {
    const { appointment } = await booked('16:00', 'Nowhere');
    const before = (await requestsOf(appointment.id)).length;
    // Outside the EHR's free slots.
    expect((await move(appointment.id, '17:30')).statusCode).toBe(409);
    // Booked by another (the first test's appointment moved to 15:00).
    const taken = await move(appointment.id, '15:00');
    expect(taken.statusCode).toBe(409);
    expect(taken.json<{ code: string }>().code).toBe('slot_taken');
    expect(await requestsOf(appointment.id)).toHaveLength(before);
  });

  it('books from the portal as a request: Requested in the patient’s list, Booked after the EHR’s AA', async () => {
    const { id: patientId } = await tenant.createPatient({
      givenName: 'Rosa',
      familyName: 'Portal',
    });
    const patient = await tenant.signIn('patient', { patientId });
    const offered = await patient.get(
      `/api/portal/availability?service=${serviceId}&from=${DAY}T00:00:00Z&to=${DAY}T23:59:00Z`,
    );
    expect(offered.statusCode, offered.body).toBe(200);
    const starts = offered.json<{ slots: AvailableSlot[] }>().slots.map((s) => s.start);
    expect(starts).toContain(at('16:30'));
    const res = await app.app.inject({
      method: 'POST',
      url: '/api/portal/appointments',
      headers: {
        cookie: patient.cookie,
        'x-csrf-token': patient.csrfToken,
        'content-type': 'application/json',
        'idempotency-key': 'portal-ehr-1',
      },
      payload: JSON.stringify({ serviceId, practitionerId, locationId, start: at('16:30') }),
    });
    expect(res.statusCode, res.body).toBe(201);
    const appointment = res.json<PortalAppointment>();
    expect(appointment.status).toBe('proposed');
    const list = async () =>
      (await patient.get('/api/portal/appointments'))
        .json<PortalAppointments>()
        .upcoming.filter((a) => a.id === appointment.id)
        .map((a) => a.status);
    expect(await list()).toEqual(['proposed']);
    expect(await open()).not.toContain('16:30');

    expect(await deliver(appointment.id, 'S12')).toBe('delivered');
    expect(ehr.received.at(-1)?.type).toBe('SIU^S12');
    expect(ehr.received.at(-1)?.text).toContain('|Portal^Rosa');
    expect(await list()).toEqual(['booked']);
    const [request] = await app.database.withTenant(tenant.orgId, (tx) =>
      tx
        .select()
        .from(ehrBookingRequests)
        .where(
          and(
            eq(ehrBookingRequests.appointmentId, appointment.id),
            eq(ehrBookingRequests.event, 'S12'),
          ),
        ),
    );
    expect(request?.status).toBe('accepted');
  });
});
