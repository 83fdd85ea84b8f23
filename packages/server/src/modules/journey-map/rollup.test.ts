import { comparePath, type JourneyMapQuery, NEW_PATIENT_DEFINITION } from '@careloop/core';
import { and, eq, inArray, type SQL, sql } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Db } from '../../db/client.js';
import { rowsOf } from '../../db/rows.js';
import type { RequestContext } from '../../http/actor.js';
import { createTestApp, type TestApp, TestTenant } from '../../test/app.js';
import { TestClock } from '../../test/clock.js';
import { describeEachDatabase } from '../../test/databases.js';
import { locations } from '../directory/schema.js';
import { patients as patientsTable } from '../patients/schema.js';
import { touchpoints } from '../timeline/schema.js';
import {
  cohortTouchpoints,
  pathsStatement,
  startedPathsStatement,
  startTypesStatement,
} from './queries.js';

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

describeEachDatabase('journey map stage-entry rollup', (kind) => {
  let t: TestApp;
  let org: TestTenant;
  let ctx: RequestContext;
  const patients: string[] = [];
  let locationId = '';

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

  it('answers every figure of the map as the touchpoints do, for ranges and filters', async () => {
    const done = await t.services.journeyMap.rollup.refresh(org.orgId);
    expect(done.whole).toBe(true);
    const whole = await t.services.journeyMap.map(ctx, QUERIES[0] ?? { from: '', to: '' });
    expect(whole.painPoints.some((p) => p.kind === 'repeated-contact')).toBe(true);
    for (const q of [...QUERIES, { from: '2026-01-01', to: '2026-04-30', locationId }]) {
      const { rollup, touchpoints: onRead } = await both(q);
      expect(onRead.patients, JSON.stringify(q)).toBeGreaterThan(0);
      expect(rollup, JSON.stringify(q)).toEqual(onRead);
    }
  });

  it('analyzes the rollup tables after a whole rebuild, so the map is planned on their new sizes', async () => {
    const unanalyzed = async () => {
      await t.database.ownerDb.execute(sql`select pg_stat_force_next_flush()`);
      return rowsOf<{ relname: string; n: number }>(
        await t.database.ownerDb.execute(sql`select relname, n_mod_since_analyze::int as n
          from pg_stat_user_tables where relname = 'journey_stage_segments'`),
      );
    };
    await t.services.journeyMap.rollup.refresh(org.orgId, { whole: true });
    expect(await unanalyzed()).toEqual([{ relname: 'journey_stage_segments', n: 0 }]);
  });

  it("reads the funnel's paths of the patients who started the definition only, with the same standings", async () => {
    await t.services.journeyMap.rollup.refresh(org.orgId, { whole: true });
    const settings = await t.services.journeyMap.settings(org.orgId);
    const asOf = new Date('2026-05-02T09:00:00Z');
    const standings = async (statement: (tx: Db) => Promise<SQL>) =>
      new Map(
        await t.database.withTenant(org.orgId, async (tx) =>
          rowsOf<{ patientId: string; events: { type: string; at: string }[] }>(
            await tx.execute(await statement(tx)),
          ).map((r) => [
            r.patientId,
            comparePath(
              NEW_PATIENT_DEFINITION,
              r.events.map((e) => ({ type: e.type, at: new Date(e.at) })),
              asOf,
            ),
          ]),
        ),
      );
    for (const q of QUERIES) {
      const all = await standings(async () =>
        pathsStatement(cohortTouchpoints(q, settings.mapping), NEW_PATIENT_DEFINITION),
      );
      const started = await standings(async (tx) => {
        const types = rowsOf<{ type: string }>(
          await tx.execute(startTypesStatement(q, NEW_PATIENT_DEFINITION)),
        ).map((r) => r.type);
        expect(types, JSON.stringify(q)).toEqual(['patient.registered']);
        return startedPathsStatement(q, NEW_PATIENT_DEFINITION, types);
      });
      const applying = [...all].filter(([, s]) => s.applies);
      expect(applying.length, JSON.stringify(q)).toBeGreaterThan(0);
      // Fewer rows: patients with step types in range but no first step are not read.
      expect(started.size, JSON.stringify(q)).toBeLessThan(all.size);
      expect(new Map(applying), JSON.stringify(q)).toEqual(started);
    }
  });

  it('cuts flows and waits from segments refreshed in parts as from a whole rebuild', async () => {
    const context = () =>
      t.database.withTenant(org.orgId, async (tx) => ({
        segments: rowsOf(
          await tx.execute(sql`select patient_id, first_at, first_id, stage, prev_at, prev_stage,
              run_at, prev_run_at, entry from journey_stage_segments
            order by patient_id, first_at, first_id`),
        ),
        // Each repeated contact's latest earlier first instant (docs/adr/0041).
        repeated: rowsOf<{ prev_first_at: unknown; third_at: unknown }>(
          await tx.execute(sql`select patient_id, first_at, third_at, prev_first_at
            from journey_repeated_contacts order by patient_id, third_at, first_at`),
        ),
      }));
    await t.services.journeyMap.rollup.refresh(org.orgId, { whole: true });
    const whole = await context();
    expect(whole.segments.length).toBeGreaterThan(100);
    // Some rows continue a patient's earlier ones across the refresh's first day.
    expect(
      whole.repeated.filter(
        (r) => r.prev_first_at !== null && new Date(String(r.third_at)) >= new Date('2026-02-13'),
      ).length,
    ).toBeGreaterThan(0);
    // The next refresh recounts from 2026-02-13 on, continuing each patient's history from
    // the segments before it (docs/adr/0037).
    await t.database.system((tx) =>
      tx.execute(sql`update journey_stage_refreshes set to_day = '2026-02-15'
        where org_id = ${org.orgId}`),
    );
    const part = await t.services.journeyMap.rollup.refresh(org.orgId);
    expect(part).toMatchObject({ whole: false, from: '2026-02-13' });
    expect(await context()).toEqual(whole);
    // Ranges that begin inside runs (waits cut at the range's start) and after the refresh's
    // first day, with and without patient filters.
    for (const q of [
      ...QUERIES,
      { from: '2026-02-14', to: '2026-04-30' },
      { from: '2026-02-13', to: '2026-03-01', locationId },
      { from: '2026-03-02', to: '2026-03-31', ageBand: '65+' as const },
    ]) {
      const { rollup, touchpoints: onRead } = await both(q);
      expect(onRead.transitions.length, JSON.stringify(q)).toBeGreaterThan(0);
      expect(rollup.sankey, JSON.stringify(q)).toEqual(onRead.sankey);
      expect(rollup.transitions, JSON.stringify(q)).toEqual(onRead.transitions);
      expect(rollup, JSON.stringify(q)).toEqual(onRead);
    }
  });

  it('reads the rollup when it holds the range, and counts late touchpoints at the next refresh', async () => {
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
    const recent = await t.services.journeyMap.rollup.refresh(org.orgId);
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
    await t.services.journeyMap.rollup.refresh(org.orgId, { whole: true });
    const settings = await t.services.journeyMap.settings(org.orgId);
    const mapping = [...settings.mapping, { type: 'transition.call', stage: 'visit' }];
    await t.database.withTenant(org.orgId, (tx) =>
      tx.execute(sql`insert into journey_map_settings (org_id, stages, mapping, definitions)
        values (${org.orgId}, ${JSON.stringify(settings.stages)}::jsonb, ${JSON.stringify(mapping)}::jsonb,
                ${JSON.stringify(settings.definitions)}::jsonb)`),
    );
    const changed = await both(q);
    expect(changed.rollup).toEqual(changed.touchpoints);
    const rebuilt = await t.services.journeyMap.rollup.refresh(org.orgId);
    expect(rebuilt.whole).toBe(true);
    const after = await both(q);
    expect(after.rollup).toEqual(after.touchpoints);
  });
});
