import { KPI_METRICS, type KpiReport, type KpiTile } from '@careloop/core';
import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rowsOf } from '../../db/rows.js';
import { createTestApp, type Session, type TestApp, TestTenant } from '../../test/app.js';
import { TestClock } from '../../test/clock.js';
import { describeEachDatabase } from '../../test/databases.js';
import { auditEvents } from '../audit/schema.js';
import { encounters } from '../clinical/schema.js';
import { locations, practitioners, serviceLines } from '../directory/schema.js';
import { claims, schedules, slots } from '../fhir/schema.js';
import { appointments } from '../scheduling/schema.js';
import { touchpoints } from '../timeline/schema.js';
import { ROLLUP_METRICS } from './schema.js';

/** 2026-12-06 04:00 in New York (the organization's zone): the as-of day is 2026-12-06. */
const NOW = '2026-12-06T09:00:00Z';
const at = (day: string, hour = 15) => new Date(`${day}T${String(hour).padStart(2, '0')}:00:00Z`);
const novDay = (i: number) => `2026-11-${String(2 + (i % 26)).padStart(2, '0')}`;

const tile = (report: KpiReport, id: string): KpiTile => {
  const t = report.tiles.find((x) => x.id === id);
  if (!t) throw new Error(id);
  return t;
};

describeEachDatabase('KPI dashboard', (kind) => {
  let app: TestApp;
  let tenant: TestTenant;
  let admin: Session;
  let analyst: Session;
  const ids = { l1: '', l2: '', p1: '', s1: '' };
  const patients: Record<'A' | 'B' | 'C' | 'D' | 'E' | 'F' | 'G', string> = {
    A: '',
    B: '',
    C: '',
    D: '',
    E: '',
    F: '',
    G: '',
  };

  beforeAll(async () => {
    const clock = new TestClock(NOW);
    app = await createTestApp(kind, {}, { clock });
    tenant = await TestTenant.create(app);
    admin = await tenant.signIn('admin');
    analyst = await tenant.signIn('analyst');
    for (const key of Object.keys(patients) as (keyof typeof patients)[]) {
      patients[key] = (await tenant.createPatient()).id;
    }
    await seedCohort();
    await app.services.kpis.refresh(tenant.orgId);
  });
  afterAll(() => app.close());

  /**
   * The cohort, counted by hand below. November 2026: 20 appointments at L1 (14 visits by A×5,
   * B×5, C×4; 3 no-shows and 3 cancellations by D) and 12 visits by D at L2. October: E, 8 visits
   * and 2 cancellations. C was seen on 2025-06-01, F on 2025-06-10 and 2025-09-10, G on 2025-06-15.
   */
  async function seedCohort() {
    const orgId = tenant.orgId;
    await app.database.system(async (tx) => {
      const [l1, l2] = await tx
        .insert(locations)
        .values([
          { orgId, name: 'North' },
          { orgId, name: 'South' },
        ])
        .returning();
      const [p1] = await tx
        .insert(practitioners)
        .values({ orgId, givenName: 'Ada', familyName: 'Stone' })
        .returning();
      const [s1] = await tx
        .insert(serviceLines)
        .values({ orgId, code: 'pc', name: 'Primary care' })
        .returning();
      if (!l1 || !l2 || !p1 || !s1) throw new Error('directory not created');
      Object.assign(ids, { l1: l1.id, l2: l2.id, p1: p1.id, s1: s1.id });
      const appt = (patient: string, day: string, status: string, locationId = l1.id) => ({
        orgId,
        patientId: patient,
        status,
        locationId,
        practitionerId: p1.id,
        serviceLineId: s1.id,
        startAt: at(day),
        endAt: at(day, 16),
      });
      const rows = [
        ...Array.from({ length: 5 }, (_, i) => appt(patients.A, novDay(i), 'fulfilled')),
        ...Array.from({ length: 5 }, (_, i) => appt(patients.B, novDay(i + 5), 'fulfilled')),
        ...Array.from({ length: 4 }, (_, i) => appt(patients.C, novDay(i + 10), 'fulfilled')),
        ...Array.from({ length: 3 }, (_, i) => appt(patients.D, novDay(i + 14), 'noshow')),
        ...Array.from({ length: 3 }, (_, i) => appt(patients.D, novDay(i + 17), 'cancelled')),
        ...Array.from({ length: 12 }, (_, i) =>
          appt(patients.D, novDay(i + 1), 'fulfilled', l2.id),
        ),
        ...Array.from({ length: 8 }, (_, i) => appt(patients.E, `2026-10-${10 + i}`, 'fulfilled')),
        ...Array.from({ length: 2 }, (_, i) => appt(patients.E, `2026-10-${20 + i}`, 'cancelled')),
        appt(patients.C, '2025-06-01', 'fulfilled'),
        appt(patients.F, '2025-06-10', 'fulfilled'),
        appt(patients.F, '2025-09-10', 'fulfilled'),
        appt(patients.G, '2025-06-15', 'fulfilled'),
      ];
      const inserted = await tx.insert(appointments).values(rows).returning();
      const subject = inserted[0];
      if (!subject) throw new Error('no appointment');
      // A: discharged 09-05, readmitted 09-20 (15 days), discharged 09-25; admitted again 11-20.
      const stay = (start: string, end: string) => ({
        orgId,
        patientId: patients.A,
        class: 'inpatient',
        type: 'Inpatient admission',
        locationId: l1.id,
        startAt: at(start),
        endAt: at(end),
      });
      await tx
        .insert(encounters)
        .values([
          stay('2026-09-01', '2026-09-05'),
          stay('2026-09-20', '2026-09-25'),
          stay('2026-11-20', '2026-11-22'),
        ]);
      const tp = (
        day: string,
        hour: number,
        fields: { channel: string; direction: string; type: string; outcome: string },
        patientId = patients.A,
      ) => ({
        orgId,
        patientId,
        occurredAt: at(day, hour),
        stage: 'pre-visit',
        summary: fields.type,
        nonClinicalSummary: fields.type,
        subjectType: 'appointment',
        subjectId: subject.id,
        ...fields,
      });
      // 13 reminders (12 delivered, 1 bounced); 6 answered an hour later; 4 staff calls; 12 NPS answers (by B).
      const reminder = { channel: 'sms', direction: 'outbound', type: 'appointment.reminder' };
      await tx.insert(touchpoints).values([
        ...Array.from({ length: 12 }, (_, i) =>
          tp(novDay(i), 12, { ...reminder, outcome: 'delivered' }),
        ),
        tp(novDay(12), 12, { ...reminder, outcome: 'bounced' }),
        ...Array.from({ length: 6 }, (_, i) =>
          tp(novDay(i), 13, {
            channel: 'sms',
            direction: 'inbound',
            type: 'appointment.confirmed',
            outcome: 'confirmed',
          }),
        ),
        ...Array.from({ length: 4 }, (_, i) =>
          tp(novDay(i), 18, {
            channel: 'phone',
            direction: 'outbound',
            type: 'noshow.outreach',
            outcome: 'voicemail',
          }),
        ),
        ...[10, 10, 10, 10, 10, 10, 10, 8, 8, 8, 3, 3].map((score, i) =>
          tp(
            novDay(i),
            20,
            {
              channel: 'web',
              direction: 'inbound',
              type: 'survey.completed',
              outcome: `nps:${score}`,
            },
            patients.B,
          ),
        ),
      ]);
      await tx.insert(claims).values([
        {
          orgId,
          patientId: patients.A,
          status: 'active',
          billedAmount: '100.50',
          serviceStart: at('2026-11-03'),
        },
        {
          orgId,
          patientId: patients.B,
          status: 'active',
          billedAmount: '200.00',
          serviceStart: at('2026-11-04'),
        },
      ]);
      const [schedule] = await tx
        .insert(schedules)
        .values({ orgId, name: 'Dr Stone', locationId: l1.id, practitionerId: p1.id })
        .returning();
      if (!schedule) throw new Error('no schedule');
      const slot = (hours: number, status = 'free') => ({
        orgId,
        scheduleId: schedule.id,
        status,
        startAt: new Date(Date.parse(NOW) + hours * 3_600_000),
        endAt: new Date(Date.parse(NOW) + (hours + 0.5) * 3_600_000),
      });
      await tx.insert(slots).values([slot(-24), slot(24), slot(48, 'busy'), slot(49), slot(120)]);
    });
  }

  const report = async (session: Session, query: string) => {
    const res = await session.get(`/api/kpis?${query}`);
    expect(res.statusCode, res.body).toBe(200);
    return res.json<KpiReport>();
  };
  const NOV = 'from=2026-11-01&to=2026-11-30&grain=month';

  it('computes each KPI of November from the rollup as counted by hand', async () => {
    const r = await report(admin, NOV);
    expect(r.previous).toEqual({ from: '2026-10-02', to: '2026-10-31' });
    expect(r.suppressionThreshold).toBeNull();
    expect(tile(r, 'no-show-rate').current).toMatchObject({ numerator: 3, denominator: 29 });
    expect(tile(r, 'cancellation-rate').current).toMatchObject({ numerator: 3, denominator: 32 });
    expect(tile(r, 'new-patients').current.value).toBe(3); // A, B at L1; D at L2 (C came in 2025)
    expect(tile(r, 'message-delivery-rate').current).toMatchObject({
      numerator: 12,
      denominator: 13,
    });
    expect(tile(r, 'message-response-rate').current).toMatchObject({
      numerator: 6,
      denominator: 12,
    });
    expect(tile(r, 'automated-share').current).toMatchObject({ numerator: 13, denominator: 17 });
    expect(tile(r, 'nps').current.value).toBeCloseTo((100 * (7 - 2)) / 12);
    expect(tile(r, 'billed-revenue').current).toMatchObject({ value: 30_050, denominator: 2 });
    expect(tile(r, 'third-next-available').current.value).toBe(5);
    expect(tile(r, 'booked-revenue').availability).toBe('unavailable');
    // October: E's 8 visits and 2 cancellations, E new.
    expect(tile(r, 'cancellation-rate').previous.value).toBeCloseTo(0.2);
    expect(tile(r, 'new-patients').change).toBe(2);
    expect(tile(r, 'new-patients').trend).toEqual([
      expect.objectContaining({ bucket: '2026-11-01', value: 3 }),
    ]);
  });

  it('filters by location, practitioner and service line', async () => {
    const l1 = await report(admin, `${NOV}&location=${ids.l1}`);
    expect(tile(l1, 'no-show-rate').current).toMatchObject({ numerator: 3, denominator: 17 });
    expect(tile(l1, 'new-patients').current.value).toBe(2);
    // Claims carry no location: they drop out under a location filter.
    expect(tile(l1, 'billed-revenue').current.value).toBeNull();
    const l2 = await report(
      admin,
      `${NOV}&location=${ids.l2}&practitioner=${ids.p1}&serviceLine=${ids.s1}`,
    );
    expect(tile(l2, 'no-show-rate').current).toMatchObject({ value: 0, denominator: 12 });
    expect(tile(l2, 'third-next-available').current.value).toBeNull();
  });

  it('counts retention and readmission only over windows closed by the as-of day', async () => {
    const june = await report(admin, 'from=2025-06-01&to=2025-06-30&grain=month');
    // C (06-01) came back after 17 months, F (06-10) after 3, G never: 12 months 1 of 3.
    expect(tile(june, 'retention-12m').current).toMatchObject({ numerator: 1, denominator: 3 });
    // Only C's visit is 548 days old; C returned within 18 months.
    expect(tile(june, 'retention-18m').current).toMatchObject({ numerator: 1, denominator: 1 });
    const sept = await report(admin, 'from=2026-09-01&to=2026-09-30&grain=month');
    expect(tile(sept, 'readmission-30d').current).toMatchObject({ numerator: 1, denominator: 2 });
    const nov = await report(admin, NOV);
    expect(tile(nov, 'readmission-30d').current.value).toBeNull(); // 11-22 is not 30 days old
  });

  it('withholds small cells from the analyst, in the view and the CSV export', async () => {
    const r = await report(analyst, `${NOV}&location=${ids.l1}`);
    expect(r.suppressionThreshold).toBe(11);
    expect(tile(r, 'no-show-rate').current).toEqual({
      value: null,
      numerator: null,
      denominator: null,
      suppressed: true,
    });
    expect(tile(r, 'new-patients').current.suppressed).toBe(true);
    expect(tile(r, 'message-delivery-rate').current).toMatchObject({
      numerator: 12,
      suppressed: false,
    });
    expect(tile(r, 'nps').current.suppressed).toBe(false);
    const csv = await analyst.get(`/api/kpis/export.csv?${NOV}&location=${ids.l1}`);
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toContain('text/csv');
    expect(csv.body).toContain('No-show rate,rate,2026-11-01..2026-11-30,suppressed,,');
    // The organization's threshold is an admin's setting: at 3, the three no-shows show.
    const zero = await admin.patch('/api/organization/settings', {
      aggregateSuppressionThreshold: 0,
    });
    expect(zero.statusCode).toBe(400);
    const set = await admin.patch('/api/organization/settings', {
      aggregateSuppressionThreshold: 3,
    });
    expect(set.json()).toMatchObject({ aggregateSuppressionThreshold: 3 });
    const lower = await report(analyst, `${NOV}&location=${ids.l1}`);
    expect(tile(lower, 'no-show-rate').current).toMatchObject({ numerator: 3, suppressed: false });
    expect(tile(lower, 'new-patients').current.suppressed).toBe(true);
    await admin.patch('/api/organization/settings', { aggregateSuppressionThreshold: 11 });
  });

  it('audits each read and export as an aggregate read', async () => {
    const events = await app.database.system((tx) =>
      tx
        .select()
        .from(auditEvents)
        .where(and(eq(auditEvents.orgId, tenant.orgId), eq(auditEvents.recordType, 'kpi-report'))),
    );
    expect(events.some((e) => e.action === 'read' && e.actorId === analyst.userId)).toBe(true);
    expect(events.some((e) => e.action === 'export' && e.actorId === analyst.userId)).toBe(true);
    expect(events.every((e) => e.patientId === null)).toBe(true);
  });

  it('refuses bad filters with a 400 naming the field, and roles without the permission', async () => {
    const bad = await admin.get('/api/kpis?from=2026-12-01&to=2026-11-01');
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ path: '/querystring/from' });
    const grain = await admin.get('/api/kpis?from=2020-01-01&to=2022-12-31&grain=day');
    expect(grain.statusCode).toBe(400);
    expect((await admin.get('/api/kpis?location=nope')).statusCode).toBe(400);
    const clinician = await tenant.signIn('clinician');
    expect((await clinician.get('/api/kpis')).statusCode).toBe(403);
  });

  it('an incremental refresh of a day range equals a full refresh', async () => {
    const rollup = async () =>
      rowsOf<Record<string, unknown>>(
        await app.database.system((tx) =>
          tx.execute(sql`
            select * from kpi_daily_counts where org_id = ${tenant.orgId}
            order by day, location_id, practitioner_id, service_line_id, appointments, messages,
              discharges, claims`),
        ),
      );
    // A no-show lands on 11-25 after the refresh: invisible until its days are refreshed.
    await app.database.system((tx) =>
      tx.insert(appointments).values({
        orgId: tenant.orgId,
        patientId: patients.G,
        status: 'noshow',
        locationId: ids.l1,
        startAt: at('2026-11-25'),
        endAt: at('2026-11-25', 16),
      }),
    );
    expect(tile(await report(admin, NOV), 'no-show-rate').current.numerator).toBe(3);
    await app.services.kpis.refresh(tenant.orgId, { from: '2026-11-25', to: '2026-11-25' });
    const incremental = await rollup();
    expect(tile(await report(admin, NOV), 'no-show-rate').current.numerator).toBe(4);
    await app.services.kpis.refresh(tenant.orgId, { from: '2025-01-01', to: '2027-01-31' });
    expect(await rollup()).toEqual(incremental);
  });

  it('keeps each organization to its own rollup', async () => {
    const other = await TestTenant.create(app);
    const otherAdmin = await other.signIn('admin');
    await app.services.kpis.refresh(other.orgId);
    const r = await report(otherAdmin, NOV);
    expect(tile(r, 'cancellation-rate').current.denominator).toBe(0);
    const leaked = await app.database.withTenant(other.orgId, async (tx) =>
      rowsOf<{ n: number | string }>(
        await tx.execute(sql`select count(*) as n from kpi_daily_counts`),
      ),
    );
    expect(Number(leaked[0]?.n)).toBe(0);
  });
});

describe('the rollup table', () => {
  it('has a count column for each of the metrics of core', () => {
    expect([...ROLLUP_METRICS]).toEqual([...KPI_METRICS]);
  });
});

describe('the refresh job', () => {
  it('is a typed job with a checked payload', async () => {
    const { checkPayload } = await import('../jobs/names.js');
    expect(
      checkPayload('kpis.refresh', { orgId: '00000000-0000-4000-8000-000000000001' }),
    ).not.toBeNull();
    expect(checkPayload('kpis.refresh', { orgId: 'x' })).toBeNull();
    expect(
      checkPayload('kpis.refresh', { orgId: '00000000-0000-4000-8000-000000000001', from: 'soon' }),
    ).toBeNull();
  });
});
