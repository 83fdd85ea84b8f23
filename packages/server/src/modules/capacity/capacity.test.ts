import type { CapacityReport } from '@careloop/core';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestApp, type Session, type TestApp, TestTenant } from '../../test/app.js';
import { describeEachDatabase } from '../../test/databases.js';
import { locations, practitioners, serviceLines } from '../directory/schema.js';
import { appointments, availabilityExceptions, availabilityRules } from '../scheduling/schema.js';

/**
 * A small schedule with every figure computed by hand. The organization and both clinics keep
 * UTC; the week is Monday 2 to Sunday 8 March 2026, read on Wednesday 4 March at 12:00.
 * - Dr A at North: Monday–Friday 09:00–17:00, lunch 12:00–13:00 (7 h a day); off on Wednesday
 *   (her exception); Thursday the whole organization works 10:00–12:00 (2 h): 7+7+0+2+7 = 23 h.
 * - Dr B at South: Tuesday and Thursday 08:00–12:00; Thursday 10:00–12:00 as well: 4+2 = 6 h.
 * - Appointments: A (cardiology) Monday 09:00–10:00 and 10:00–10:30 fulfilled, Tuesday 09:00–10:00
 *   no-show, Tuesday 14:00–15:00 cancelled, Friday 09:00–11:00 booked; B (dermatology) Tuesday
 *   08:00–09:00 fulfilled, Thursday 10:00–11:00 booked; one the Sunday before and one the Monday
 *   after, outside the week.
 */
const WEEK = 'from=2026-03-02&to=2026-03-08';
const NOW = '2026-03-04T12:00:00Z';

describeEachDatabase('capacity and utilization', (kind) => {
  let t: TestApp;
  let org: TestTenant;
  let admin: Session;
  let analyst: Session;
  const id = { north: '', south: '', a: '', b: '', cardiology: '', dermatology: '' };

  beforeAll(async () => {
    t = await createTestApp(kind, {}, {}, () => new Date(NOW));
    org = await TestTenant.create(t);
    admin = await org.signIn('admin');
    analyst = await org.signIn('analyst');
    const patient = (await org.createPatient()).id;
    const orgId = org.orgId;
    await t.database.system(async (tx) => {
      await tx.execute(sql`update organizations set time_zone = 'UTC' where id = ${orgId}`);
      const [north, south] = await tx
        .insert(locations)
        .values([
          { orgId, name: 'North', timeZone: 'UTC' },
          { orgId, name: 'South', timeZone: 'UTC' },
        ])
        .returning();
      const [a, b] = await tx
        .insert(practitioners)
        .values([
          { orgId, givenName: 'Ada', familyName: 'A' },
          { orgId, givenName: 'Bo', familyName: 'B' },
        ])
        .returning();
      const [cardiology, dermatology] = await tx
        .insert(serviceLines)
        .values([
          { orgId, code: 'card', name: 'Cardiology' },
          { orgId, code: 'derm', name: 'Dermatology' },
        ])
        .returning();
      if (!north || !south || !a || !b || !cardiology || !dermatology) throw new Error('fixture');
      Object.assign(id, {
        north: north.id,
        south: south.id,
        a: a.id,
        b: b.id,
        cardiology: cardiology.id,
        dermatology: dermatology.id,
      });
      const rule = (p: string, l: string, weekday: number, start: string, end: string) => ({
        orgId,
        practitionerId: p,
        locationId: l,
        weekday,
        kind: 'hours',
        startTime: start,
        endTime: end,
      });
      await tx
        .insert(availabilityRules)
        .values([
          ...[1, 2, 3, 4, 5].flatMap((d) => [
            rule(a.id, north.id, d, '09:00', '17:00'),
            { ...rule(a.id, north.id, d, '12:00', '13:00'), kind: 'break' },
          ]),
          rule(b.id, south.id, 2, '08:00', '12:00'),
          rule(b.id, south.id, 4, '08:00', '12:00'),
        ]);
      await tx.insert(availabilityExceptions).values([
        { orgId, practitionerId: a.id, date: '2026-03-04', hours: null, note: 'Day off' },
        {
          orgId,
          date: '2026-03-05',
          hours: JSON.stringify([{ start: '10:00', end: '12:00' }]),
          note: 'Training',
        },
      ]);
      const visit = (
        p: string,
        l: string,
        line: string,
        start: string,
        end: string,
        status: string,
      ) => ({
        orgId,
        patientId: patient,
        practitionerId: p,
        locationId: l,
        serviceLineId: line,
        startAt: new Date(start),
        endAt: new Date(end),
        status,
      });
      await tx
        .insert(appointments)
        .values([
          visit(
            a.id,
            north.id,
            cardiology.id,
            '2026-03-02T09:00Z',
            '2026-03-02T10:00Z',
            'fulfilled',
          ),
          visit(
            a.id,
            north.id,
            cardiology.id,
            '2026-03-02T10:00Z',
            '2026-03-02T10:30Z',
            'fulfilled',
          ),
          visit(a.id, north.id, cardiology.id, '2026-03-03T09:00Z', '2026-03-03T10:00Z', 'noshow'),
          visit(
            a.id,
            north.id,
            cardiology.id,
            '2026-03-03T14:00Z',
            '2026-03-03T15:00Z',
            'cancelled',
          ),
          visit(a.id, north.id, cardiology.id, '2026-03-06T09:00Z', '2026-03-06T11:00Z', 'booked'),
          visit(
            b.id,
            south.id,
            dermatology.id,
            '2026-03-03T08:00Z',
            '2026-03-03T09:00Z',
            'fulfilled',
          ),
          visit(b.id, south.id, dermatology.id, '2026-03-05T10:00Z', '2026-03-05T11:00Z', 'booked'),
          visit(
            a.id,
            north.id,
            cardiology.id,
            '2026-03-01T23:00Z',
            '2026-03-01T23:30Z',
            'fulfilled',
          ),
          visit(a.id, north.id, cardiology.id, '2026-03-09T09:00Z', '2026-03-09T10:00Z', 'booked'),
        ]);
    });
    const service = async (name: string, durationMinutes: number, practitionerIds: string[]) => {
      const res = await admin.post('/api/scheduling/services', {
        name,
        durationMinutes,
        modality: 'in-person',
        practitionerIds,
      });
      expect(res.statusCode, res.body).toBeLessThan(300);
    };
    await service('Long consult', 90, []);
    await service('Skin check', 60, [id.b]);
  });
  afterAll(() => t.close());

  const report = async (s: Session, query = WEEK) => {
    const res = await s.get(`/api/capacity?${query}`);
    expect(res.statusCode, res.body).toBe(200);
    return res.json<CapacityReport>();
  };

  it('sets booked against available hours by week and location, with the rates', async () => {
    const r = await report(admin);
    expect(r.totals).toEqual({
      availableHours: 29,
      bookedHours: 6.5,
      utilization: 0.2241,
      appointments: 7,
      noShowRate: 0.25,
      cancellationRate: 0.1429,
      suppressed: false,
    });
    expect(r.weeks).toEqual([
      {
        week: '2026-03-02',
        locationId: id.north,
        location: 'North',
        availableHours: 23,
        bookedHours: 4.5,
        utilization: 0.1957,
        appointments: 5,
        noShowRate: 0.3333,
        cancellationRate: 0.2,
        suppressed: false,
      },
      {
        week: '2026-03-02',
        locationId: id.south,
        location: 'South',
        availableHours: 6,
        bookedHours: 2,
        utilization: 0.3333,
        appointments: 2,
        noShowRate: 0,
        cancellationRate: 0,
        suppressed: false,
      },
    ]);
    expect(r.serviceLines.map((s) => [s.serviceLine, s.bookedHours, s.appointments])).toEqual([
      ['Cardiology', 4.5, 5],
      ['Dermatology', 2, 2],
    ]);
  });

  it("measures each service's third-next-available slot from now", async () => {
    const r = await report(admin);
    // Long consult (90 min, anyone): Thursday A 10:00, Friday A 13:00 and 14:30 (her morning is
    // booked, lunch cuts 11:00–12:30): Friday 14:30 is 2 days 2.5 hours ahead.
    // Skin check (60 min, B only): Thursday 11:00 (10:00 is booked), then Tuesday 10 March
    // 08:00 and 09:00: 5 days 21 hours ahead.
    expect(r.leadTimes.map((l) => [l.service, l.thirdNextAvailableDays])).toEqual([
      ['Long consult', 2.1],
      ['Skin check', 5.9],
    ]);
  });

  it('filters by location, practitioner and service line (the hours of its practitioners)', async () => {
    const north = await report(admin, `${WEEK}&location=${id.north}`);
    expect([north.totals.availableHours, north.totals.bookedHours]).toEqual([23, 4.5]);
    const b = await report(admin, `${WEEK}&practitioner=${id.b}`);
    expect([b.totals.availableHours, b.totals.bookedHours, b.totals.appointments]).toEqual([
      6, 2, 2,
    ]);
    const skin = await report(admin, `${WEEK}&serviceLine=${id.dermatology}`);
    expect(skin.weeks.map((w) => [w.location, w.availableHours, w.bookedHours])).toEqual([
      ['South', 6, 2],
    ]);
  });

  it('withholds small counts and their rates from roles without clinical access', async () => {
    const r = await report(analyst);
    expect(r.suppressionThreshold).toBe(11);
    expect(r.totals).toMatchObject({
      availableHours: 29,
      bookedHours: 6.5,
      appointments: null,
      noShowRate: null,
      cancellationRate: null,
      suppressed: true,
    });
  });

  it('refuses a bad period with the field named', async () => {
    const res = await admin.get('/api/capacity?from=2026-01-01&to=2026-12-31');
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('/querystring/from');
    const bad = await admin.get('/api/capacity?from=2026-02-30');
    expect(bad.statusCode).toBe(400);
    const denied = await (await org.signIn('front-desk')).get(`/api/capacity?${WEEK}`);
    expect(denied.statusCode).toBe(403);
  });
});
