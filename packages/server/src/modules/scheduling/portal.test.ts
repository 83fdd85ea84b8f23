import type { PortalAppointment, PortalAppointments, PortalBookingOptions } from '@careloop/core';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestApp, type Session, type TestApp, TestTenant } from '../../test/app.js';
import { openClinic } from '../../test/clinic.js';
import { describeEachDatabase } from '../../test/databases.js';
import { auditEvents } from '../audit/schema.js';
import { appointments } from './schema.js';

// Monday 4 March 2030, 12:00 UTC (07:00 in New York): the clock of every test here.
const NOW = Date.parse('2030-03-04T12:00:00Z');
/** Tuesday 09:00 in New York: 26 hours ahead, outside the 24-hour late-cancel window. */
const TUESDAY_9 = '2030-03-05T14:00:00.000Z';
/** Monday 10:00 in New York: 3 hours ahead, inside it. */
const TODAY_10 = '2030-03-04T15:00:00.000Z';

interface Org {
  tenant: TestTenant;
  desk: Session;
  anyServiceId: string;
  newServiceId: string;
  establishedServiceId: string;
  practitionerId: string;
  locationId: string;
}

describeEachDatabase('portal self-scheduling', (kind) => {
  let app: TestApp;
  let org: Org;
  let other: Org;
  let rosa: { id: string; session: Session };
  let sam: { id: string; session: Session };
  let keys = 0;

  const bookAs = (s: Session, body: unknown, key: string | null = `key-${++keys}`) =>
    app.app.inject({
      method: 'POST',
      url: '/api/portal/appointments',
      headers: {
        cookie: s.cookie,
        'x-csrf-token': s.csrfToken,
        'content-type': 'application/json',
        ...(key ? { 'idempotency-key': key } : {}),
      },
      payload: JSON.stringify(body),
    });
  const slot = (o: Org, start: string, serviceId = o.anyServiceId) => ({
    serviceId,
    practitionerId: o.practitionerId,
    locationId: o.locationId,
    start,
  });

  async function makeOrg(): Promise<Org> {
    const tenant = await TestTenant.create(app);
    const admin = await tenant.signIn('admin');
    // Its "Annual physical" is for established patients; two more services beside it.
    const clinic = await openClinic(app, tenant, admin, { patientRule: 'established' });
    const service = async (name: string, patientRule: string) => {
      const res = await admin.post('/api/scheduling/services', {
        name,
        durationMinutes: 30,
        modality: 'in-person',
        patientRule,
      });
      expect(res.statusCode, res.body).toBe(201);
      return res.json<{ id: string }>().id;
    };
    return {
      tenant,
      desk: await tenant.signIn('front-desk'),
      anyServiceId: await service('Follow-up visit', 'any'),
      newServiceId: await service('New patient visit', 'new'),
      establishedServiceId: clinic.serviceId,
      practitionerId: clinic.practitionerId,
      locationId: clinic.locationId,
    };
  }

  async function portalPatient(o: Org, givenName: string) {
    const { id } = await o.tenant.createPatient({ givenName, familyName: 'Portal' });
    return { id, session: await o.tenant.signIn('patient', { patientId: id }) };
  }

  beforeAll(async () => {
    app = await createTestApp(kind, {}, {}, () => new Date(NOW));
    await app.services.jobs.start();
    org = await makeOrg();
    other = await makeOrg();
    rosa = await portalPatient(org, 'Rosa');
    sam = await portalPatient(org, 'Sam');
  }, 120_000);
  afterAll(() => app.close());

  it('offers a new patient the services their rule allows, with places and practitioners', async () => {
    const res = await rosa.session.get('/api/portal/scheduling/options');
    expect(res.statusCode, res.body).toBe(200);
    const options = res.json<PortalBookingOptions>();
    expect(options.services.map((s) => s.name).sort()).toEqual([
      'Follow-up visit',
      'New patient visit',
    ]);
    expect(options.locations).toEqual([
      { id: org.locationId, name: 'Main Street Clinic', timeZone: 'America/New_York' },
    ]);
    expect(options.practitioners).toEqual([{ id: org.practitionerId, name: 'Dr. Ana Reyes' }]);
    const slots = await rosa.session.get(
      `/api/portal/availability?service=${org.newServiceId}&from=2030-03-05T00:00:00Z&to=2030-03-06T00:00:00Z`,
    );
    expect(slots.statusCode, slots.body).toBe(200);
    expect(slots.json<{ slots: unknown[] }>().slots).toHaveLength(6);
    const refused = await rosa.session.get(
      `/api/portal/availability?service=${org.establishedServiceId}&from=2030-03-05T00:00:00Z&to=2030-03-06T00:00:00Z`,
    );
    expect(refused.statusCode).toBe(409);
    expect(refused.json()).toMatchObject({ path: '/query/service' });
  });

  it('books for the patient themself, once for a double click or a retry with the same key', async () => {
    const body = slot(org, '2030-03-06T14:00:00.000Z');
    const [a, b] = await Promise.all([
      bookAs(rosa.session, body, 'dbl'),
      bookAs(rosa.session, body, 'dbl'),
    ]);
    expect([a.statusCode, b.statusCode], `${a.body} ${b.body}`).toEqual([201, 201]);
    const first = a.json<PortalAppointment>();
    expect(b.json<PortalAppointment>().id).toBe(first.id);
    expect(first.patientId).toBe(rosa.id);
    const retry = await bookAs(rosa.session, body, 'dbl');
    expect(retry.statusCode).toBe(201);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(retry.json<PortalAppointment>().id).toBe(first.id);
    const booked = await app.database.system((tx) =>
      tx
        .select()
        .from(appointments)
        .where(
          and(eq(appointments.patientId, rosa.id), eq(appointments.startAt, new Date(body.start))),
        ),
    );
    expect(booked).toHaveLength(1);
  });

  it('refuses a booking without an Idempotency-Key, or for another patient', async () => {
    const none = await bookAs(rosa.session, slot(org, '2030-03-06T15:00:00.000Z'), null);
    expect(none.statusCode).toBe(400);
    expect(none.json()).toMatchObject({ path: '/headers/idempotency-key' });
    const forSam = await bookAs(rosa.session, {
      ...slot(org, '2030-03-06T15:00:00.000Z'),
      patientId: sam.id,
    });
    expect(forSam.statusCode).toBe(400);
    const staffRoute = await rosa.session.post('/api/appointments', {
      ...slot(org, '2030-03-06T15:00:00.000Z'),
      patientId: sam.id,
    });
    expect(staffRoute.statusCode).toBe(403);
  });

  it('answers a taken slot with 409 and the next open slots', async () => {
    const taken = await bookAs(sam.session, slot(org, '2030-03-06T14:00:00.000Z'));
    expect(taken.statusCode).toBe(409);
    expect(taken.json()).toMatchObject({ code: 'slot_taken' });
    expect(taken.json<{ alternatives: unknown[] }>().alternatives.length).toBeGreaterThan(0);
  });

  it('applies the new-vs-established rule when booking', async () => {
    const refused = await bookAs(sam.session, slot(org, TUESDAY_9, org.establishedServiceId));
    expect(refused.statusCode).toBe(409);
    expect(refused.json()).toMatchObject({ path: '/body/serviceId' });
    // After a visit Sam is established: the rule turns around.
    await app.database.system((tx) =>
      tx.insert(appointments).values({
        orgId: org.tenant.orgId,
        patientId: sam.id,
        status: 'fulfilled',
        startAt: new Date('2030-01-07T14:00:00Z'),
        endAt: new Date('2030-01-07T14:30:00Z'),
      }),
    );
    expect((await bookAs(sam.session, slot(org, TUESDAY_9, org.newServiceId))).statusCode).toBe(
      409,
    );
    const ok = await bookAs(sam.session, slot(org, TUESDAY_9, org.establishedServiceId));
    expect(ok.statusCode, ok.body).toBe(201);
  });

  it('shows a patient their own appointments only, and hides everyone else’s', async () => {
    const mine = await rosa.session.get('/api/portal/appointments');
    expect(mine.statusCode, mine.body).toBe(200);
    const list = mine.json<PortalAppointments>();
    expect(list.upcoming.length).toBeGreaterThan(0);
    expect([...list.upcoming, ...list.past].every((a) => a.patientId === rosa.id)).toBe(true);
    const rosasId = list.upcoming[0]?.id ?? '';
    // Sam, of the same organization, and a patient of another organization: not found.
    const stranger = await portalPatient(other, 'Lee');
    for (const s of [sam.session, stranger.session]) {
      expect((await s.get(`/api/portal/appointments/${rosasId}/ics`)).statusCode).toBe(404);
      const cancel = await s.patch(`/api/portal/appointments/${rosasId}`, { action: 'cancel' });
      expect(cancel.statusCode).toBe(404);
      const theirs = (await s.get('/api/portal/appointments')).json<PortalAppointments>();
      expect(theirs.upcoming.some((a) => a.id === rosasId)).toBe(false);
    }
    // Staff routes stay closed to a patient.
    expect((await rosa.session.get(`/api/appointments/${rosasId}`)).statusCode).toBe(403);
    const ics = await rosa.session.get(`/api/portal/appointments/${rosasId}/ics`);
    expect(ics.statusCode).toBe(200);
    expect(ics.body).toContain('BEGIN:VCALENDAR');
    const audited = await app.database.system((tx) =>
      tx
        .select()
        .from(auditEvents)
        .where(and(eq(auditEvents.patientId, rosa.id), eq(auditEvents.recordType, 'appointment'))),
    );
    expect(audited.map((e) => e.action)).toEqual(
      expect.arrayContaining(['create', 'search', 'read']),
    );
  });

  it('moves and cancels ahead of the policy’s window, and refuses within it with a clear message', async () => {
    const late = await bookAs(rosa.session, slot(org, TODAY_10));
    expect(late.statusCode, late.body).toBe(201);
    const lateAppointment = late.json<PortalAppointment>();
    expect(lateAppointment.changeableUntil).toBeNull();
    const refused = await rosa.session.patch(`/api/portal/appointments/${lateAppointment.id}`, {
      action: 'cancel',
    });
    expect(refused.statusCode).toBe(409);
    expect(refused.json<{ message: string }>().message).toContain('within 24 hours');
    const moveLate = await rosa.session.patch(`/api/portal/appointments/${lateAppointment.id}`, {
      action: 'reschedule',
      start: '2030-03-07T14:00:00.000Z',
    });
    expect(moveLate.statusCode).toBe(409);

    const early = (
      await bookAs(rosa.session, slot(org, '2030-03-06T16:00:00.000Z'))
    ).json<PortalAppointment>();
    expect(early.changeableUntil).toBe('2030-03-05T16:00:00.000Z');
    const moved = await rosa.session.patch(`/api/portal/appointments/${early.id}`, {
      action: 'reschedule',
      start: '2030-03-07T15:00:00.000Z',
    });
    expect(moved.statusCode, moved.body).toBe(200);
    expect(moved.json<PortalAppointment>()).toMatchObject({
      status: 'booked',
      start: '2030-03-07T15:00:00.000Z',
    });
    const cancelled = await rosa.session.patch(`/api/portal/appointments/${early.id}`, {
      action: 'cancel',
    });
    expect(cancelled.statusCode, cancelled.body).toBe(200);
    expect(cancelled.json<PortalAppointment>()).toMatchObject({
      status: 'cancelled',
      lateCancel: false,
    });
    const list = (await rosa.session.get('/api/portal/appointments')).json<PortalAppointments>();
    expect(list.past.some((a) => a.id === early.id)).toBe(true);
    expect(list.upcoming.some((a) => a.id === early.id)).toBe(false);
  });
});
