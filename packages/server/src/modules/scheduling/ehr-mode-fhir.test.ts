import { fhirRequestOf, type ScheduledAppointment } from '@careloop/core';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestApp, type Session, type TestApp, TestTenant } from '../../test/app.js';
import { TestClock } from '../../test/clock.js';
import { describeEachDatabase } from '../../test/databases.js';
import { type FhirSimulator, startFhirSimulator } from '../ehr-link/fhir-simulator.js';
import { sendFhir } from '../messaging/fhir/fhir-sender.js';
import { outboundMessages } from '../messaging/schema.js';
import { tasks } from '../tasks/schema.js';
import { REFUSED_CANCEL_REASON } from './ehr-mode.js';
import { appointments, ehrBookingRequests, slotHolds } from './schema.js';
import { ehrSchedule } from './test/ehr-schedule.js';

/**
 * Issue 13 (h13f), the FHIR path of the EHR-owned schedule: with EHR_FHIR_BASE a booking is a
 * conditional create of an Appointment through the outbox, booked on the EHR's 201 with its id,
 * refused on a 4xx or a declined Appointment, retried on a 5xx; moves and cancellations are
 * updates. Against the simulated EHR's FHIR endpoint on a real loopback socket.
 */
describeEachDatabase('booking through the EHR’s FHIR server', (kind) => {
  let app: TestApp;
  let tenant: TestTenant;
  let desk: Session;
  let ehr: FhirSimulator;
  let serviceId: string;
  let practitionerId: string;
  let locationId: string;
  const clock = new TestClock('2026-12-06T09:00:00Z');
  const DAY = '2026-12-10';

  beforeAll(async () => {
    ehr = await startFhirSimulator({
      port: 0,
      token: 'sim-token',
      rules: { decline: /"Declined, /, refuse: /"Later, / },
    });
    app = await createTestApp(
      kind,
      { EHR_FHIR_BASE: ehr.base, EHR_FHIR_TOKEN: 'sim-token' },
      {},
      () => clock.now(),
    );
    await app.services.jobs.start();
    tenant = await TestTenant.create(app);
    const admin = await tenant.signIn('admin');
    desk = await tenant.signIn('front-desk');
    // The EHR's schedule: 14:00–18:00 free. The mode needs an EHR endpoint: EHR_FHIR_BASE is one.
    ({ locationId, practitionerId, serviceId } = await ehrSchedule(app, tenant, admin, {
      slots: [
        {
          status: 'free',
          startAt: new Date(`${DAY}T14:00:00Z`),
          endAt: new Date(`${DAY}T18:00:00Z`),
        },
      ],
    }));
  }, 180_000);

  afterAll(async () => {
    await app?.close();
    await ehr?.close();
  });

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
  const appointmentRow = async (id: string) => {
    const [row] = await app.database.withTenant(tenant.orgId, (tx) =>
      tx.select().from(appointments).where(eq(appointments.id, id)),
    );
    return row;
  };
  const requestRows = (id: string) =>
    app.database.withTenant(tenant.orgId, (tx) =>
      tx.select().from(ehrBookingRequests).where(eq(ehrBookingRequests.appointmentId, id)),
    );
  /** The outbox row of the appointment's latest request of `event`. */
  const messageFor = async (appointmentId: string, event = 'S12') => {
    const req = (await requestRows(appointmentId)).find((r) => r.event === event);
    if (!req) throw new Error(`no ${event} request`);
    const [message] = await app.database.withTenant(tenant.orgId, (tx) =>
      tx
        .select()
        .from(outboundMessages)
        .where(eq(outboundMessages.idempotencyKey, `ehr:request:${req.id}`)),
    );
    if (!message) throw new Error('no message to the EHR');
    return message;
  };
  const deliverFor = async (appointmentId: string, event = 'S12') =>
    app.services.outbox.deliver({
      orgId: tenant.orgId,
      messageId: (await messageFor(appointmentId, event)).id,
    });
  const inEhr = (placerId: string) =>
    [...ehr.appointments.values()].filter((a) =>
      (a.identifier ?? []).some((i) => i.value === placerId),
    );
  const liveHoldsOf = async (start: string) =>
    (
      await app.database.withTenant(tenant.orgId, (tx) =>
        tx
          .select()
          .from(slotHolds)
          .where(eq(slotHolds.startAt, new Date(`${DAY}T${start}:00.000Z`))),
      )
    ).filter((h) => h.releasedAt === null);

  it('books on the EHR’s 201, keeping its Appointment id as the filler id', async () => {
    const { appointment } = await request('14:00', 'Accepted');
    const message = await messageFor(appointment.id);
    expect(message.channel).toBe('fhir');
    expect(message.recipient).toBe(ehr.base);
    // The Appointment names the patient: sealed in the row.
    expect(message.textEncrypted).not.toContain('Accepted');

    expect(await deliverFor(appointment.id)).toBe('delivered');
    const received = ehr.received.at(-1);
    expect(received).toMatchObject({ method: 'POST', path: 'Appointment', status: 201 });
    expect(received?.authorization).toBe('Bearer sim-token');
    expect(received?.ifNoneExist).toBe(
      `identifier=${encodeURIComponent(`urn:careloop:appointment|${appointment.id}`)}`,
    );
    const [sent] = inEhr(appointment.id);
    expect(sent?.status).toBe('booked');
    expect(sent?.start).toBe(`${DAY}T14:00:00.000Z`);
    expect(sent?.participant?.map((p) => p.actor?.type)).toEqual([
      'Patient',
      'Practitioner',
      'Location',
    ]);

    expect((await appointmentRow(appointment.id))?.status).toBe('booked');
    const [req] = await requestRows(appointment.id);
    expect(req?.status).toBe('accepted');
    expect(req?.fillerId).toBe(sent?.id);
    expect(await liveHoldsOf('14:00')).toEqual([]);
  });

  it('frees the hold when the EHR refuses (409, its time taken there), and tells the patient and the front desk', async () => {
    // Someone at the EHR books Dr Osei at 14:30 first.
    await sendFhir(
      { base: ehr.base, token: 'sim-token' },
      {
        method: 'POST',
        path: 'Appointment',
        ifNoneExist: null,
        refuseStatuses: [],
        body: {
          resourceType: 'Appointment',
          status: 'booked',
          identifier: [{ system: 'urn:ehr:local', value: 'EHR-LOCAL-1' }],
          serviceType: [],
          start: `${DAY}T14:30:00.000Z`,
          end: `${DAY}T15:00:00.000Z`,
          minutesDuration: 30,
          participant: [
            {
              actor: {
                type: 'Practitioner',
                identifier: { system: 'urn:careloop:practitioner', value: practitionerId },
              },
              required: 'required',
              status: 'accepted',
            },
          ],
        },
      },
    );
    const { appointment, patientId } = await request('14:30', 'Refusal');
    expect(await liveHoldsOf('14:30')).toHaveLength(1);
    expect(await deliverFor(appointment.id)).toBe('failed');
    expect(ehr.received.at(-1)?.status).toBe(409);

    const row = await appointmentRow(appointment.id);
    expect(row?.status).toBe('cancelled');
    expect(row?.cancelReason).toBe(REFUSED_CANCEL_REASON);
    const [req] = await requestRows(appointment.id);
    expect(req).toMatchObject({ status: 'refused', refusalReason: 'Slot taken' });
    expect(await liveHoldsOf('14:30')).toEqual([]);
    const [task] = await app.database.withTenant(tenant.orgId, (tx) =>
      tx.select().from(tasks).where(eq(tasks.patientId, patientId)),
    );
    expect(task).toMatchObject({ team: 'front-desk' });
    expect(task?.title).toMatch(/refused an appointment request/);
    const told = await app.database.withTenant(tenant.orgId, (tx) =>
      tx
        .select()
        .from(outboundMessages)
        .where(and(eq(outboundMessages.patientId, patientId), eq(outboundMessages.channel, 'sms'))),
    );
    expect(told.map((m) => m.idempotencyKey)).toEqual([`ehr:refused:${req?.id}`]);
  });

  it('takes an Appointment the EHR answers cancelled as a refusal', async () => {
    const { appointment } = await request('15:00', 'Declined');
    expect(await deliverFor(appointment.id)).toBe('failed');
    expect(inEhr(appointment.id).map((a) => a.status)).toEqual(['cancelled']);
    expect((await appointmentRow(appointment.id))?.status).toBe('cancelled');
    const [req] = await requestRows(appointment.id);
    expect(req).toMatchObject({ status: 'refused', refusalReason: 'Appointment cancelled' });
    expect(await liveHoldsOf('15:00')).toEqual([]);
  });

  it('keeps a request Requested and its slot held while the EHR answers 5xx, and retries', async () => {
    const { appointment } = await request('15:30', 'Later');
    expect(await deliverFor(appointment.id)).toBe('deferred');
    expect(await deliverFor(appointment.id)).toBe('deferred');
    expect(ehr.received.slice(-2).map((r) => r.status)).toEqual([503, 503]);
    expect((await appointmentRow(appointment.id))?.status).toBe('proposed');
    const [req] = await requestRows(appointment.id);
    expect(req?.status).toBe('sent');
    expect(await liveHoldsOf('15:30')).toHaveLength(1);
    const message = await messageFor(appointment.id);
    expect(message.status).toBe('queued');
    expect(message.attempts).toBe(2);
  });

  it('creates one Appointment when a worker died between its POST and its mark, and the retry sends it again', async () => {
    const { appointment } = await request('16:00', 'Crashed');
    const message = await messageFor(appointment.id);
    // The first worker sent the request (the EHR created the Appointment) and died before it
    // marked the row: the row is still queued, and the job runs again.
    const text = await app.database.withTenant(tenant.orgId, (tx) =>
      app.services.outbox.textOf(tx, tenant.orgId, message.id),
    );
    if (!text) throw new Error('no text');
    const first = await sendFhir({ base: ehr.base, token: 'sim-token' }, fhirRequestOf(text));
    expect(inEhr(appointment.id)).toHaveLength(1);

    expect(await deliverFor(appointment.id)).toBe('delivered');
    expect(ehr.received.at(-1)).toMatchObject({ method: 'POST', status: 200 });
    expect(inEhr(appointment.id)).toHaveLength(1);
    expect((await appointmentRow(appointment.id))?.status).toBe('booked');
    const [req] = await requestRows(appointment.id);
    expect(req?.fillerId).toBe(first.fillerId);
  });

  it('sends a move as a PUT of the Appointment with its new time, and a cancellation with status cancelled', async () => {
    const { appointment } = await request('16:30', 'Moved');
    expect(await deliverFor(appointment.id)).toBe('delivered');
    const [booked] = await requestRows(appointment.id);
    const fillerId = booked?.fillerId;
    if (!fillerId) throw new Error('no filler id');

    const move = await desk.patch(`/api/appointments/${appointment.id}`, {
      action: 'reschedule',
      start: `${DAY}T17:00:00.000Z`,
    });
    expect(move.statusCode, move.body).toBe(200);
    expect(await deliverFor(appointment.id, 'S13')).toBe('delivered');
    expect(ehr.received.at(-1)).toMatchObject({
      method: 'PUT',
      path: `Appointment/${fillerId}`,
      status: 200,
    });
    expect(ehr.appointments.get(fillerId)).toMatchObject({
      status: 'booked',
      start: `${DAY}T17:00:00.000Z`,
    });
    expect((await appointmentRow(appointment.id))?.startAt.toISOString()).toBe(
      `${DAY}T17:00:00.000Z`,
    );

    const cancel = await desk.patch(`/api/appointments/${appointment.id}`, {
      action: 'cancel',
      reason: 'Patient has a fever',
    });
    expect(cancel.statusCode, cancel.body).toBe(200);
    expect(await deliverFor(appointment.id, 'S15')).toBe('delivered');
    const received = ehr.received.at(-1);
    expect(received).toMatchObject({ method: 'PUT', path: `Appointment/${fillerId}`, status: 200 });
    expect(received?.body).not.toContain('fever');
    expect(ehr.appointments.get(fillerId)?.status).toBe('cancelled');
  });
});
