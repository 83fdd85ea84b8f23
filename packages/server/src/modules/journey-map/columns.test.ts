import type { DrillDownQuery, JourneyMapQuery } from '@careloop/core';
import { and, eq, inArray, sql } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { rowsOf } from '../../db/rows.js';
import type { RequestContext } from '../../http/actor.js';
import { createTestApp, type TestApp, TestTenant } from '../../test/app.js';
import { TestClock } from '../../test/clock.js';
import { describeEachDatabase } from '../../test/databases.js';
import { locations, practitioners } from '../directory/schema.js';
import { patientListMembers, patientLists } from '../lists/schema.js';
import { coverages, patients as patientsTable } from '../patients/schema.js';
import { appointments } from '../scheduling/schema.js';
import { touchpoints } from '../timeline/schema.js';

/** Types of every stage, channels of every kind: a cohort whose paths cross stages and days. */
const TYPES = [
  'campaign.email',
  'patient.registered',
  'appointment.booked',
  'appointment.reminder',
  'appointment.confirmed',
  'visit.completed',
  'appointment.noshow',
  'survey.completed',
  'noshow.outreach',
  'transition.call',
];
const CHANNELS = ['sms', 'email', 'phone', 'portal', 'system', 'in-person'];
const BIRTH_DATES = ['1950-01-01', '1980-05-05', '2000-06-06', '2015-07-07'];

/** A small deterministic generator (no test depends on Math.random). */
function lcg(seed: number) {
  let state = seed;
  return (n: number) => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return Math.floor(state / 65_536) % n; // the high bits: the low ones cycle
  };
}

const QUERIES: JourneyMapQuery[] = [
  { from: '2026-01-01', to: '2026-04-30' },
  // Starts inside runs and inside seven-day windows of repeated contacts.
  { from: '2026-02-10', to: '2026-03-20' },
  { from: '2026-03-15', to: '2026-03-15' },
  { from: '2026-01-01', to: '2026-04-30', ageBand: '65+' },
  { from: '2026-02-01', to: '2026-03-31', ageBand: '18-34' },
];

describeEachDatabase('journey map columns', (kind) => {
  let t: TestApp;
  let org: TestTenant;
  let ctx: RequestContext;
  const patients: string[] = [];
  let locationId = '';
  let practitionerId = '';
  let listId = '';

  beforeAll(async () => {
    t = await createTestApp(kind, {}, { clock: new TestClock('2026-05-02T09:00:00Z') });
    org = await TestTenant.create(t);
    for (let i = 0; i < 24; i++)
      patients.push((await org.createPatient({ birthDate: BIRTH_DATES[i % 4] })).id);
    // A third of the patients at one location (the rollup carries it, docs/adr/0032).
    const [location] = await t.database.system((tx) =>
      tx.insert(locations).values({ orgId: org.orgId, name: 'North' }).returning(),
    );
    locationId = location?.id ?? '';
    await t.database.system((tx) =>
      tx
        .update(patientsTable)
        .set({ primaryLocationId: locationId })
        .where(
          inArray(
            patientsTable.id,
            patients.filter((_, i) => i % 3 === 0),
          ),
        ),
    );
    // A practitioner seeing every fourth patient in February, a payer covering every fifth: the
    // filters the database answers (docs/adr/0048).
    const [practitioner] = await t.database.system((tx) =>
      tx
        .insert(practitioners)
        .values({ orgId: org.orgId, givenName: 'Ada', familyName: 'North' })
        .returning(),
    );
    practitionerId = practitioner?.id ?? '';
    await t.database.system(async (tx) => {
      await tx.insert(appointments).values(
        patients
          .filter((_, i) => i % 4 === 0)
          .map((patientId, i) => ({
            orgId: org.orgId,
            patientId,
            status: 'booked',
            practitionerId,
            startAt: new Date(Date.UTC(2026, 1, 2 + i, 9)),
            endAt: new Date(Date.UTC(2026, 1, 2 + i, 10)),
          })),
      );
      await tx.insert(coverages).values(
        patients
          .filter((_, i) => i % 5 === 0)
          .map((patientId, i) => ({
            orgId: org.orgId,
            patientId,
            payer: 'Acme',
            memberId: `M${i}`,
          })),
      );
    });
    // A saved list of every other patient.
    const [list] = await t.database.system((tx) =>
      tx
        .insert(patientLists)
        .values({ orgId: org.orgId, name: 'Every other', source: 'staff' })
        .returning(),
    );
    listId = list?.id ?? '';
    await t.database.system((tx) =>
      tx
        .insert(patientListMembers)
        .values(
          patients
            .filter((_, i) => i % 2 === 0)
            .map((patientId) => ({ orgId: org.orgId, listId, patientId })),
        ),
    );
    const next = lcg(12);
    const rows: (typeof touchpoints.$inferInsert)[] = [];
    for (const [i, patientId] of patients.entries()) {
      let at = Date.UTC(2026, 0, 1 + next(20), 8);
      for (let k = 0; k < 20 + next(14); k++) {
        // Mostly hours apart (several a day, stage changes within a day), some days apart,
        // some at the same instant (ties ordered by id).
        const step = next(4);
        at += step === 0 ? 0 : step === 1 ? 3_600_000 * (1 + next(5)) : 86_400_000 * next(9);
        const type = TYPES[(next(TYPES.length) + i) % TYPES.length] ?? 'campaign.email';
        rows.push({
          orgId: org.orgId,
          patientId,
          occurredAt: new Date(at),
          type,
          channel: CHANNELS[next(CHANNELS.length)] ?? 'sms',
          stage: 'pre-visit',
          outcome: type === 'survey.completed' ? `nps:${next(11)}` : null,
          direction: 'outbound',
          summary: type,
          nonClinicalSummary: type,
        });
      }
    }
    await t.database.system((tx) => tx.insert(touchpoints).values(rows));
    ctx = {
      actor: {
        userId: org.orgId,
        orgId: org.orgId,
        orgName: 'Rollup Health',
        email: 'clinician@rollup.test',
        displayName: 'Clinician',
        role: 'clinician',
        patientId: null,
        sessionId: 'test',
        csrfToken: 'test',
        stage: 'active',
      },
      audit: {
        orgId: org.orgId,
        userId: null,
        email: null,
        role: 'clinician',
        ip: null,
        userAgent: null,
      },
    };
  });
  afterAll(() => t.close());

  const both = async (q: JourneyMapQuery) => ({
    rollup: await t.services.journeyMap.map(ctx, q),
    touchpoints: await t.services.journeyMap.map(ctx, q, 'touchpoints'),
  });
  /** The months written from the generated touchpoints (the patients' creation is not one). */
  const columnsRead = async () =>
    rowsOf<{ n: number }>(
      await t.database.ownerDb.execute(
        sql`select count(*)::int as n from journey_map_months
          where org_id = ${org.orgId} and month < '2026-05-01'`,
      ),
    )[0]?.n ?? 0;

  it('answers every figure of the map as the touchpoints do, for ranges and filters', async () => {
    const done = await t.services.journeyMap.columns.refresh(org.orgId);
    expect(done.whole).toBe(true);
    // January to March 2026, one row each.
    expect(await columnsRead()).toBe(3);
    const whole = await t.services.journeyMap.map(ctx, QUERIES[0] ?? { from: '', to: '' });
    expect(whole.painPoints.some((p) => p.kind === 'repeated-contact')).toBe(true);
    expect(whole.funnel?.steps[0]?.reached).toBeGreaterThan(0);
    for (const q of [
      ...QUERIES,
      { from: '2026-01-01', to: '2026-04-30', locationId },
      { from: '2026-01-01', to: '2026-04-30', practitionerId },
      { from: '2026-02-10', to: '2026-03-20', payer: 'Acme', ageBand: '65+' as const },
      { from: '2026-01-01', to: '2026-04-30', payer: 'Acme', practitionerId, locationId },
      { from: '2026-01-01', to: '2026-04-30', listId },
      { from: '2026-02-10', to: '2026-03-20', listId, ageBand: '65+' as const },
    ]) {
      const { rollup, touchpoints: onRead } = await both(q);
      expect(onRead.patients, JSON.stringify(q)).toBeGreaterThan(0);
      expect(rollup, JSON.stringify(q)).toEqual(onRead);
    }
    // A payer nobody has, a location of nobody: nobody, both ways.
    const none = await both({ from: '2026-01-01', to: '2026-04-30', payer: 'Nobody' });
    expect(none.rollup.patients).toBe(0);
    expect(none.rollup).toEqual(none.touchpoints);
  });

  it('lists the same patients behind each pain point as the touchpoints do', async () => {
    await t.services.journeyMap.columns.refresh(org.orgId, { whole: true });
    const q = QUERIES[0] ?? { from: '', to: '' };
    const map = await t.services.journeyMap.map(ctx, q);
    const drills: DrillDownQuery[] = [
      { ...q, kind: 'no-show' },
      { ...q, kind: 'negative-feedback' },
      { ...q, kind: 'repeated-contact' },
      { ...q, locationId, kind: 'repeated-contact' },
      ...map.transitions
        .slice(0, 4)
        .map((w): DrillDownQuery => ({ ...q, kind: 'wait', detail: `${w.from}>${w.to}` })),
      ...(map.funnel?.steps ?? []).map(
        (step): DrillDownQuery => ({ ...q, kind: 'drop-off', detail: step.key }),
      ),
    ];
    let listed = 0;
    for (const d of drills) {
      const columns = await t.services.journeyMap.drillDown(ctx, d);
      const onRead = await t.services.journeyMap.drillDown(ctx, d, 'touchpoints');
      expect(columns, JSON.stringify(d)).toEqual(onRead);
      listed += columns.total;
    }
    expect(listed).toBeGreaterThan(20);
  });

  it('writes the same columns when refreshed in parts as from a whole rebuild', async () => {
    const months = () =>
      t.database.withTenant(org.orgId, async (tx) =>
        rowsOf(
          await tx.execute(sql`select to_char(month, 'YYYY-MM-DD') as month, rows, types, channels,
              stages, encode(sha256(data), 'hex') as data
            from journey_map_months where month < '2026-05-01' order by month`),
        ),
      );
    await t.services.journeyMap.columns.refresh(org.orgId, { whole: true });
    const whole = await months();
    expect(whole.length).toBe(3);
    // The next refresh writes the months from 2026-02-13 on again.
    await t.database.system((tx) =>
      tx.execute(sql`update journey_stage_refreshes set to_day = '2026-02-15'
        where org_id = ${org.orgId}`),
    );
    await t.database.system((tx) =>
      tx.execute(sql`update journey_map_months set data = '', rows = 0
        where org_id = ${org.orgId} and month >= '2026-02-01'`),
    );
    const versions = () =>
      t.database.withTenant(org.orgId, async (tx) =>
        rowsOf<{ month: string; version: string }>(
          await tx.execute(sql`select to_char(month, 'YYYY-MM-DD') as month, version::text as version
            from journey_map_months order by month`),
        ),
      );
    const before = await versions();
    const part = await t.services.journeyMap.columns.refresh(org.orgId);
    expect(part).toMatchObject({ whole: false, from: '2026-02-13' });
    expect(await months()).toEqual(whole);
    // January was not rewritten; February on were, with new versions.
    const after = await versions();
    expect(after[0]).toEqual(before[0]);
    expect(after[1]?.version).not.toBe(before[1]?.version);
    // A whole rebuild that writes the same records keeps every version (and every process's
    // decoded months).
    await t.services.journeyMap.columns.refresh(org.orgId, { whole: true });
    expect(await versions()).toEqual(after);
    for (const q of [
      { from: '2026-02-14', to: '2026-04-30' },
      { from: '2026-02-13', to: '2026-03-01', locationId },
      { from: '2026-03-02', to: '2026-03-31', ageBand: '65+' as const },
    ]) {
      const { rollup, touchpoints: onRead } = await both(q);
      expect(onRead.transitions.length, JSON.stringify(q)).toBeGreaterThan(0);
      expect(rollup, JSON.stringify(q)).toEqual(onRead);
    }
  });

  it('warms the last 13 months, after which a map reads none of them again', async () => {
    await t.services.journeyMap.columns.refresh(org.orgId, { whole: true });
    t.services.journeyMap.columns.forget();
    // January to March 2026 (the patients' creation, at the real time, lies ahead of the clock).
    expect(await t.services.journeyMap.columns.warm()).toBe(3);
    // Records overwritten under the same version: a read that fetched them would not decode.
    await t.database.system((tx) =>
      tx.execute(sql`update journey_map_months set data = decode(repeat('00', 17), 'hex')
        where org_id = ${org.orgId}`),
    );
    const q = { from: '2026-01-01', to: '2026-04-30' };
    const { rollup, touchpoints: onRead } = await both(q);
    expect(rollup).toEqual(onRead);
    await t.services.journeyMap.columns.refresh(org.orgId, { whole: true });
  });

  it('answers from the touchpoints when the columns do not decode, and writes them whole again', async () => {
    await t.services.journeyMap.columns.refresh(org.orgId, { whole: true });
    t.services.journeyMap.columns.forget();
    // Seventeen bytes: not a whole record.
    await t.database.system((tx) =>
      tx.execute(sql`update journey_map_months set data = decode(repeat('00', 17), 'hex')
        where org_id = ${org.orgId} and month = '2026-03-01'`),
    );
    const q = { from: '2026-03-01', to: '2026-03-31' };
    const fallback = await both(q);
    expect(fallback.rollup.patients).toBeGreaterThan(0);
    expect(fallback.rollup).toEqual(fallback.touchpoints);
    const covered = () =>
      t.database.withTenant(org.orgId, async (tx) =>
        t.services.journeyMap.columns.covers(
          tx,
          org.orgId,
          q,
          (await t.services.journeyMap.settings(org.orgId, tx)).mapping,
        ),
      );
    expect(await covered()).toBe(false);
    expect((await t.services.journeyMap.columns.refresh(org.orgId)).whole).toBe(true);
    expect(await covered()).toBe(true);
    const { rollup, touchpoints: onRead } = await both(q);
    expect(rollup).toEqual(onRead);
  });

  it('reads the columns when they hold the range, and counts late touchpoints at the next refresh', async () => {
    const q = { from: '2026-01-01', to: '2026-05-01' };
    const [patient] = patients;
    const late = {
      orgId: org.orgId,
      patientId: patient ?? '',
      occurredAt: new Date('2026-05-01T10:00:00Z'),
      type: 'transition.call',
      channel: 'phone',
      stage: 'follow-up',
      outcome: null,
      direction: 'outbound',
      summary: 'call',
      nonClinicalSummary: 'call',
    };
    await t.database.system((tx) => tx.insert(touchpoints).values(late));
    const before = await both(q);
    expect(before.rollup.touchpoints).toBe((before.touchpoints.touchpoints ?? 0) - 1);
    const recent = await t.services.journeyMap.columns.refresh(org.orgId);
    expect(recent.whole).toBe(false);
    const after = await both(q);
    expect(after.rollup).toEqual(after.touchpoints);
    await t.database.system((tx) =>
      tx
        .delete(touchpoints)
        .where(
          and(
            eq(touchpoints.orgId, org.orgId),
            eq(touchpoints.occurredAt, late.occurredAt),
            eq(touchpoints.type, late.type),
          ),
        ),
    );
  });

  it('falls back to the touchpoints when the mapping changed, until rebuilt', async () => {
    const q = QUERIES[1] ?? { from: '2026-02-10', to: '2026-03-20' };
    await t.services.journeyMap.columns.refresh(org.orgId, { whole: true });
    const settings = await t.services.journeyMap.settings(org.orgId);
    const mapping = [...settings.mapping, { type: 'transition.call', stage: 'visit' }];
    await t.database.withTenant(org.orgId, (tx) =>
      tx.execute(sql`insert into journey_map_settings (org_id, stages, mapping, definitions)
        values (${org.orgId}, ${JSON.stringify(settings.stages)}::jsonb, ${JSON.stringify(mapping)}::jsonb,
                ${JSON.stringify(settings.definitions)}::jsonb)`),
    );
    const changed = await both(q);
    expect(changed.rollup).toEqual(changed.touchpoints);
    const rebuilt = await t.services.journeyMap.columns.refresh(org.orgId);
    expect(rebuilt.whole).toBe(true);
    const after = await both(q);
    expect(after.rollup).toEqual(after.touchpoints);
  });
});
