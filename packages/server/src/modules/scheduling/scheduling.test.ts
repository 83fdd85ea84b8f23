import type { AvailableSlot, ScheduledAppointment } from '@careloop/core';
import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appointmentCancelReasonAad } from '../../crypto/encrypted-fields.js';
import { rowsOf } from '../../db/rows.js';
import { createTestApp, type Session, type TestApp, TestTenant } from '../../test/app.js';
import { describeEachDatabase } from '../../test/databases.js';
import { auditEvents } from '../audit/schema.js';
import { locations, practitioners } from '../directory/schema.js';
import { touchpoints } from '../timeline/schema.js';
import { appointments } from './schema.js';
import { updateImportedAppointment } from './service.js';

// Monday 4 March 2030, 12:00 UTC (07:00 in New York): the clock of every test here.
const START_OF_TESTS = Date.parse('2030-03-04T12:00:00Z');

interface Fixture {
  serviceId: string;
  practitionerId: string;
  otherPractitionerId: string;
  locationId: string;
  patientId: string;
}

describeEachDatabase('scheduling', (kind) => {
  let now = START_OF_TESTS;
  let app: TestApp;
  let tenant: TestTenant;
  let admin: Session;
  let desk: Session;
  let f: Fixture;

  /** A request with an Idempotency-Key (Session has no headers of its own). */
  const bookWithKey = (s: Session, key: string, body: unknown) =>
    app.app.inject({
      method: 'POST',
      url: '/api/appointments',
      headers: {
        cookie: s.cookie,
        'x-csrf-token': s.csrfToken,
        'content-type': 'application/json',
        'idempotency-key': key,
      },
      payload: JSON.stringify(body),
    });

  const slotsOn = async (from: string, to: string, extra = '') => {
    const res = await desk.get(
      `/api/availability?service=${f.serviceId}&location=${f.locationId}&from=${from}&to=${to}${extra}`,
    );
    expect(res.statusCode, res.body).toBe(200);
    return res.json<{ slots: AvailableSlot[] }>().slots;
  };

  const book = (start: string, practitionerId = f.practitionerId) =>
    desk.post('/api/appointments', {
      patientId: f.patientId,
      serviceId: f.serviceId,
      practitionerId,
      locationId: f.locationId,
      start,
    });

  beforeAll(async () => {
    app = await createTestApp(kind, {}, {}, () => new Date(now));
    await app.services.jobs.start();
    tenant = await TestTenant.create(app);
    admin = await tenant.signIn('admin');
    desk = await tenant.signIn('front-desk');
    const [loc] = await app.database.system((tx) =>
      tx
        .insert(locations)
        .values({ orgId: tenant.orgId, name: 'Main Street Clinic', timeZone: 'America/New_York' })
        .returning(),
    );
    const docs = await app.database.system((tx) =>
      tx
        .insert(practitioners)
        .values([
          { orgId: tenant.orgId, givenName: 'Ana', familyName: 'Reyes', prefix: 'Dr.' },
          { orgId: tenant.orgId, givenName: 'Ben', familyName: 'Okafor', prefix: 'Dr.' },
        ])
        .returning(),
    );
    if (!loc || !docs[0] || !docs[1]) throw new Error('fixture');
    const service = await admin.post('/api/scheduling/services', {
      name: 'Annual physical',
      durationMinutes: 30,
      bufferMinutes: 0,
      modality: 'in-person',
    });
    expect(service.statusCode, service.body).toBe(201);
    for (const doc of docs) {
      for (const weekday of [1, 2, 3, 4, 5]) {
        const rule = await admin.post('/api/scheduling/rules', {
          practitionerId: doc.id,
          locationId: loc.id,
          weekday,
          start: '09:00',
          end: '12:00',
        });
        expect(rule.statusCode, rule.body).toBe(201);
      }
    }
    const lunch = await admin.post('/api/scheduling/rules', {
      practitionerId: docs[0].id,
      locationId: loc.id,
      weekday: 2,
      kind: 'break',
      start: '10:00',
      end: '10:30',
    });
    expect(lunch.statusCode, lunch.body).toBe(201);
    f = {
      serviceId: service.json<{ id: string }>().id,
      practitionerId: docs[0].id,
      otherPractitionerId: docs[1].id,
      locationId: loc.id,
      patientId: (await tenant.createPatient({ givenName: 'Rosa', familyName: 'Diaz' })).id,
    };
  });
  afterAll(() => app.close());

  it('offers slots within the hours in the location’s zone, around breaks, from now on', async () => {
    // From last week to Tuesday: only Monday's hours, 09:00–12:00 in New York, after 07:00 now.
    const slots = await slotsOn('2030-02-25T00:00:00Z', '2030-03-05T00:00:00Z');
    expect(slots).toHaveLength(12);
    for (const s of slots) {
      expect(s.start >= '2030-03-04T14:00:00.000Z' && s.end <= '2030-03-04T17:00:00.000Z').toBe(
        true,
      );
    }
  });

  it('refuses a bad query with a 400 naming the field', async () => {
    const res = await desk.get(
      `/api/availability?service=${f.serviceId}&from=2030-03-05T00:00:00Z&to=2030-01-01T00:00:00Z`,
    );
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ path: '/query/to' });
    const far = await desk.get(
      `/api/availability?service=${f.serviceId}&from=2030-03-05T00:00:00Z&to=2030-09-01T00:00:00Z`,
    );
    expect(far.statusCode).toBe(400);
  });

  it('lists Tuesday’s open slots of one practitioner: 09:00–12:00 New York time, less the break', async () => {
    const res = await desk.get(
      `/api/availability?service=${f.serviceId}&practitioner=${f.practitionerId}&from=2030-03-05T00:00:00Z&to=2030-03-06T00:00:00Z`,
    );
    expect(res.statusCode, res.body).toBe(200);
    const starts = res.json<{ slots: AvailableSlot[] }>().slots.map((s) => s.start);
    expect(starts).toEqual([
      '2030-03-05T14:00:00.000Z',
      '2030-03-05T14:30:00.000Z',
      '2030-03-05T15:30:00.000Z',
      '2030-03-05T16:00:00.000Z',
      '2030-03-05T16:30:00.000Z',
    ]);
  });

  it('counts an imported block longer than a day that began days before the searched day as busy', async () => {
    // An EHR's "away" block, Wednesday noon to Saturday (no Careloop occupancy of its own).
    const [block] = await app.database.system((tx) =>
      tx
        .insert(appointments)
        .values({
          orgId: tenant.orgId,
          patientId: f.patientId,
          status: 'booked',
          practitionerId: f.otherPractitionerId,
          locationId: f.locationId,
          startAt: new Date('2030-03-06T12:00:00Z'),
          endAt: new Date('2030-03-09T00:00:00Z'),
        })
        .returning(),
    );
    if (!block) throw new Error('fixture');
    try {
      const friday = await slotsOn('2030-03-08T00:00:00Z', '2030-03-09T00:00:00Z');
      expect(friday.filter((s) => s.practitionerId === f.otherPractitionerId)).toEqual([]);
      expect(friday.filter((s) => s.practitionerId === f.practitionerId)).toHaveLength(6);
    } finally {
      await app.database.system((tx) =>
        tx.update(appointments).set({ status: 'cancelled' }).where(eq(appointments.id, block.id)),
      );
    }
  });

  it('books a slot: 201, on the timeline, audited, an appointment.changed job, and gone from availability', async () => {
    const res = await book('2030-03-06T14:00:00.000Z');
    expect(res.statusCode, res.body).toBe(201);
    const appointment = res.json<ScheduledAppointment>();
    expect(appointment).toMatchObject({
      status: 'booked',
      patientName: 'Rosa Diaz',
      serviceName: 'Annual physical',
      practitionerName: 'Dr. Ana Reyes',
      start: '2030-03-06T14:00:00.000Z',
      end: '2030-03-06T14:30:00.000Z',
    });
    const [touchpoint] = await app.database.system((tx) =>
      tx.select().from(touchpoints).where(eq(touchpoints.subjectId, appointment.id)),
    );
    expect(touchpoint).toMatchObject({ stage: 'scheduling', type: 'appointment-booked' });
    const audit = await app.database.system((tx) =>
      tx
        .select()
        .from(auditEvents)
        .where(
          and(eq(auditEvents.recordType, 'appointment'), eq(auditEvents.recordId, appointment.id)),
        ),
    );
    expect(audit.map((a) => a.action)).toContain('create');
    const jobs = await app.database.system(async (tx) =>
      rowsOf<{ event: string }>(
        await tx.execute(
          sql`select data->>'event' as event from pgboss.job where name = 'appointment.changed' and data->>'appointmentId' = ${appointment.id}`,
        ),
      ),
    );
    expect(jobs).toEqual([{ event: 'booked' }]);
    const slots = await slotsOn(
      '2030-03-06T00:00:00Z',
      '2030-03-07T00:00:00Z',
      `&practitioner=${f.practitionerId}`,
    );
    expect(slots.map((s) => s.start)).not.toContain('2030-03-06T14:00:00.000Z');
  });

  it('answers a taken slot with 409 slot_taken and the next open slots', async () => {
    const res = await book('2030-03-06T14:00:00.000Z');
    expect(res.statusCode, res.body).toBe(409);
    const body = res.json<{ code: string; alternatives: AvailableSlot[] }>();
    expect(body.code).toBe('slot_taken');
    expect(body.alternatives.length).toBeGreaterThan(0);
    for (const alt of body.alternatives) {
      expect(
        alt.practitionerId === f.practitionerId && alt.start === '2030-03-06T14:00:00.000Z',
      ).toBe(false);
    }
  });

  it('refuses a start outside the hours with a 400 naming start, and one in the past', async () => {
    const late = await book('2030-03-06T20:00:00.000Z');
    expect(late.statusCode).toBe(400);
    expect(late.json()).toMatchObject({ path: '/body/start' });
    now = Date.parse('2030-03-04T14:10:00Z');
    try {
      const past = await book('2030-03-04T14:00:00.000Z');
      expect(past.statusCode).toBe(400);
      expect(past.json()).toMatchObject({ message: 'start is in the past' });
    } finally {
      now = START_OF_TESTS;
    }
  });

  it('books once for one Idempotency-Key: the same body answers the same 201, another body 422', async () => {
    const body = {
      patientId: f.patientId,
      serviceId: f.serviceId,
      practitionerId: f.practitionerId,
      locationId: f.locationId,
      start: '2030-03-07T14:00:00.000Z',
    };
    const first = await bookWithKey(desk, 'retry-1', body);
    const again = await bookWithKey(desk, 'retry-1', body);
    expect(first.statusCode, first.body).toBe(201);
    expect(again.statusCode, again.body).toBe(201);
    expect(again.json<ScheduledAppointment>().id).toBe(first.json<ScheduledAppointment>().id);
    expect(again.headers['idempotent-replayed']).toBe('true');
    const other = await bookWithKey(desk, 'retry-1', {
      ...body,
      start: '2030-03-07T14:30:00.000Z',
    });
    expect(other.statusCode, other.body).toBe(422);
    expect(other.json()).toMatchObject({ code: 'idempotency_mismatch' });
    const count = await app.database.system(async (tx) =>
      rowsOf<{ n: number }>(
        await tx.execute(
          sql`select count(*)::int as n from appointments where start_at = '2030-03-07T14:00:00Z' and practitioner_id = ${f.practitionerId}`,
        ),
      ),
    );
    expect(count[0]?.n).toBe(1);
  });

  it('moves an appointment through check-in, completion, no-show and cancellation only when allowed', async () => {
    const booked = (await book('2030-03-08T15:00:00.000Z')).json<ScheduledAppointment>();
    const patch = (body: unknown) => desk.patch(`/api/appointments/${booked.id}`, body);
    const early = await patch({ action: 'check-in' });
    expect(early.statusCode, early.body).toBe(409); // days early
    expect((await patch({ action: 'no-show' })).statusCode).toBe(409); // not begun
    expect((await patch({ action: 'complete' })).statusCode).toBe(409); // not arrived
    now = Date.parse('2030-03-08T14:30:00Z');
    try {
      const arrived = await patch({ action: 'check-in' });
      expect(arrived.statusCode, arrived.body).toBe(200);
      expect(arrived.json()).toMatchObject({ status: 'arrived' });
      expect((await patch({ action: 'cancel', reason: 'changed mind' })).statusCode).toBe(409);
      const done = await patch({ action: 'complete' });
      expect(done.json()).toMatchObject({ status: 'fulfilled' });
    } finally {
      now = START_OF_TESTS;
    }
    const visit = await app.database.system((tx) =>
      tx
        .select()
        .from(touchpoints)
        .where(eq(touchpoints.subjectId, booked.id))
        .orderBy(touchpoints.occurredAt),
    );
    expect(visit.map((t) => [t.type, t.stage])).toEqual([
      ['appointment-booked', 'scheduling'],
      ['appointment-checked-in', 'visit'],
      ['appointment-completed', 'visit'],
    ]);
  });

  it('cancels with a reason (late within the policy’s hours), which frees the slot', async () => {
    const booked = (await book('2030-03-04T15:00:00.000Z')).json<ScheduledAppointment>();
    const noReason = await desk.patch(`/api/appointments/${booked.id}`, { action: 'cancel' });
    expect(noReason.statusCode).toBe(400);
    expect(noReason.json()).toMatchObject({ path: '/body/reason' });
    const cancelled = await desk.patch(`/api/appointments/${booked.id}`, {
      action: 'cancel',
      reason: 'Patient called: car trouble',
    });
    expect(cancelled.statusCode, cancelled.body).toBe(200);
    expect(cancelled.json()).toMatchObject({
      status: 'cancelled',
      lateCancel: true,
      cancelReason: 'Patient called: car trouble',
    });
    const again = await book('2030-03-04T15:00:00.000Z');
    expect(again.statusCode, again.body).toBe(201);
  });

  it('seals the cancellation reason to its appointment; it reads back only for roles allowed it', async () => {
    const booking = await book('2030-03-13T15:30:00.000Z');
    expect(booking.statusCode, booking.body).toBe(201);
    const booked = booking.json<ScheduledAppointment>();
    const marker = `Admitted with chest pain ${kind} MARK-CR-7781`;
    const cancelled = await desk.patch(`/api/appointments/${booked.id}`, {
      action: 'cancel',
      reason: marker,
    });
    expect(cancelled.statusCode, cancelled.body).toBe(200);
    expect(cancelled.json()).toMatchObject({ cancelReason: marker });
    const stored = rowsOf<{ plain: string | null; sealed: string | null }>(
      await app.database.system((tx) =>
        tx.execute(sql`select cancel_reason as plain, cancel_reason_encrypted as sealed
          from appointments where id = ${booked.id}`),
      ),
    );
    expect(stored).toHaveLength(1);
    expect(stored[0]?.plain).toBeNull();
    expect(stored[0]?.sealed).toBeTruthy();
    expect(stored[0]?.sealed).not.toContain('MARK-CR-7781');
    expect(stored[0]?.sealed).not.toContain('chest pain');
    expect(
      app.services.cipher.decrypt(
        stored[0]?.sealed ?? '',
        appointmentCancelReasonAad(booked.id, tenant.orgId),
      ),
    ).toBe(marker);
    const clinician = await tenant.signIn('clinician');
    const marketer = await tenant.signIn('marketer');
    const url = `/api/calendar?location=${f.locationId}&from=2030-03-13T00:00:00.000Z&to=2030-03-14T00:00:00.000Z`;
    for (const [who, expected] of [
      [desk, marker],
      [clinician, marker],
      [marketer, null],
    ] as const) {
      const one = await who.get(`/api/appointments/${booked.id}`);
      expect(one.statusCode, one.body).toBe(200);
      expect(one.json<ScheduledAppointment>().cancelReason).toBe(expected);
      const listed = (await who.get(url)).json<{ appointments: ScheduledAppointment[] }>();
      expect(listed.appointments.find((a) => a.id === booked.id)?.cancelReason).toBe(expected);
    }
  });

  it('reschedules into an open slot, and refuses a taken one with 409', async () => {
    const a = (await book('2030-03-11T14:00:00.000Z')).json<ScheduledAppointment>();
    const b = (await book('2030-03-11T14:30:00.000Z')).json<ScheduledAppointment>();
    const clash = await desk.patch(`/api/appointments/${a.id}`, {
      action: 'reschedule',
      start: b.start,
    });
    expect(clash.statusCode).toBe(409);
    expect(clash.json()).toMatchObject({ code: 'slot_taken' });
    const moved = await desk.patch(`/api/appointments/${a.id}`, {
      action: 'reschedule',
      start: '2030-03-11T15:30:00.000Z',
    });
    expect(moved.statusCode, moved.body).toBe(200);
    expect(moved.json()).toMatchObject({ start: '2030-03-11T15:30:00.000Z', status: 'booked' });
    expect((await book('2030-03-11T14:00:00.000Z')).statusCode).toBe(201);
  });

  it('shows the calendar without patient names to marketing, and lets clinicians read, not book', async () => {
    const marketer = await tenant.signIn('marketer');
    const clinician = await tenant.signIn('clinician');
    const url = `/api/calendar?practitioner=${f.practitionerId}&from=2030-03-04T00:00:00Z&to=2030-03-12T00:00:00Z`;
    const seen = (await marketer.get(url)).json<{ appointments: ScheduledAppointment[] }>();
    expect(seen.appointments.length).toBeGreaterThan(0);
    expect(seen.appointments.every((a) => a.patientName === null)).toBe(true);
    const read = (await clinician.get(url)).json<{ appointments: ScheduledAppointment[] }>();
    expect(read.appointments.some((a) => a.patientName === 'Rosa Diaz')).toBe(true);
    const refused = await clinician.post('/api/appointments', {
      patientId: f.patientId,
      serviceId: f.serviceId,
      practitionerId: f.practitionerId,
      locationId: f.locationId,
      start: '2030-03-12T14:00:00.000Z',
    });
    expect(refused.statusCode).toBe(403);
  });

  it('gives a telehealth visit a join link from the organization’s template, and an .ics', async () => {
    const settings = await admin.patch('/api/scheduling/settings', {
      telehealthUrlTemplate: 'https://meet.example.org/visit/{token}',
    });
    expect(settings.statusCode, settings.body).toBe(200);
    const video = await admin.post('/api/scheduling/services', {
      name: 'Video follow-up',
      durationMinutes: 20,
      modality: 'telehealth',
      practitionerIds: [f.otherPractitionerId],
    });
    const res = await desk.post('/api/appointments', {
      patientId: f.patientId,
      serviceId: video.json<{ id: string }>().id,
      practitionerId: f.otherPractitionerId,
      locationId: f.locationId,
      start: '2030-03-12T14:00:00.000Z',
    });
    expect(res.statusCode, res.body).toBe(201);
    const appointment = res.json<ScheduledAppointment>();
    expect(appointment.joinLink).toMatch(/^https:\/\/meet\.example\.org\/visit\/[\w-]{24}$/);
    const ics = await desk.get(`/api/appointments/${appointment.id}/ics`);
    expect(ics.statusCode).toBe(200);
    expect(ics.headers['content-type']).toMatch(/^text\/calendar/);
    expect(ics.body).toContain('DTSTART:20300312T140000Z');
    expect(ics.body).toContain(appointment.joinLink);
    const wrong = await desk.post('/api/appointments', {
      patientId: f.patientId,
      serviceId: video.json<{ id: string }>().id,
      practitionerId: f.practitionerId,
      locationId: f.locationId,
      start: '2030-03-12T15:00:00.000Z',
    });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json()).toMatchObject({ path: '/body/practitionerId' });
  });

  it('frees a booking’s time when an import (an EHR’s SIU, a CSV update) cancels or moves it', async () => {
    const a = (await book('2030-03-14T14:00:00.000Z')).json<ScheduledAppointment>();
    const b = (await book('2030-03-14T14:30:00.000Z')).json<ScheduledAppointment>();
    await app.database.withTenant(tenant.orgId, async (tx) => {
      await updateImportedAppointment(tx, { id: a.id, status: 'cancelled' });
      await updateImportedAppointment(tx, {
        id: b.id,
        startAt: new Date('2030-03-14T18:00:00Z'),
        endAt: new Date('2030-03-14T18:30:00Z'),
      });
    });
    expect((await book('2030-03-14T14:00:00.000Z')).statusCode).toBe(201);
    expect((await book('2030-03-14T14:30:00.000Z')).statusCode).toBe(201);
  });

  describe('the race', () => {
    it('books exactly one of 100 concurrent requests for one slot; the other 99 get 409 with alternatives', async () => {
      const patients = await Promise.all(
        Array.from({ length: 5 }, (_, i) => tenant.createPatient({ familyName: `Race${i}` })),
      );
      const start = '2030-03-13T15:00:00.000Z';
      const answers = await Promise.all(
        Array.from({ length: 100 }, (_, i) =>
          desk.post('/api/appointments', {
            patientId: patients[i % patients.length]?.id,
            serviceId: f.serviceId,
            practitionerId: f.practitionerId,
            locationId: f.locationId,
            start,
          }),
        ),
      );
      const codes = answers.map((a) => a.statusCode);
      expect(codes.filter((c) => c === 201)).toHaveLength(1);
      expect(codes.filter((c) => c === 409)).toHaveLength(99);
      for (const a of answers.filter((x) => x.statusCode === 409)) {
        const body = a.json<{ code: string; alternatives: AvailableSlot[] }>();
        expect(body.code).toBe('slot_taken');
        expect(body.alternatives.length).toBeGreaterThan(0);
      }
      const rows = await app.database.system(async (tx) =>
        rowsOf<{ n: number }>(
          await tx.execute(
            sql`select count(*)::int as n from appointments where practitioner_id = ${f.practitionerId} and start_at = ${start}::timestamptz`,
          ),
        ),
      );
      expect(rows[0]?.n).toBe(1);
    });
  });
});
