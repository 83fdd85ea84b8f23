import type {
  DrillDownResult,
  JourneyMap,
  JourneyMapSettings,
  PatientJourney,
} from '@careloop/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type Session, type TestApp, TestTenant } from '../../test/app.js';
import { TestClock } from '../../test/clock.js';
import { describeEachDatabase } from '../../test/databases.js';
import { touchpoints } from '../timeline/schema.js';

/**
 * A small cohort with every figure computed by hand (range 2026-03-01..31, read as of
 * 2026-04-01T00:00Z, the end of the range):
 * - P1 (born 1950): registered 03-01, booked by phone 03-02, SMS reminder 03-05, visit 03-09,
 *   survey 03-10 rated 3/10, follow-up booked by phone 03-20: the whole new-patient journey.
 * - P2: registered 03-01, booked on the portal 03-04 (3 days: first contact late), no-show 03-10.
 * - P3: registered 03-01, nothing since: first contact overdue.
 * - P4: three SMS reminders 03-03, 03-05, 03-07 (repeated contacts), never registered.
 */
const RANGE = 'from=2026-03-01&to=2026-03-31';

describeEachDatabase('journey map', (kind) => {
  let t: TestApp;
  let org: TestTenant;
  let admin: Session;
  let analyst: Session;
  const p: string[] = [];

  beforeAll(async () => {
    t = await createTestApp(kind, {}, { clock: new TestClock('2026-12-06T09:00:00Z') });
    org = await TestTenant.create(t);
    admin = await org.signIn('admin');
    analyst = await org.signIn('analyst');
    for (const birthDate of ['1950-01-01', '1990-05-05', '1991-06-06', '1992-07-07'])
      p.push((await org.createPatient({ birthDate })).id);
    const at = (day: number) => new Date(Date.UTC(2026, 2, day, 10));
    const tp = (
      patient: number,
      day: number,
      type: string,
      channel: string,
      stage: string,
      outcome: string | null = null,
    ) => ({
      orgId: org.orgId,
      patientId: p[patient] ?? '',
      occurredAt: at(day),
      type,
      channel,
      stage,
      outcome,
      direction: 'outbound',
      summary: `${type} summary`,
      nonClinicalSummary: type,
    });
    await t.database.system((tx) =>
      tx
        .insert(touchpoints)
        .values([
          tp(0, 1, 'patient.registered', 'portal', 'scheduling'),
          tp(0, 2, 'appointment.booked', 'phone', 'scheduling'),
          tp(0, 5, 'appointment.reminder', 'sms', 'pre-visit'),
          tp(0, 9, 'visit.completed', 'in-person', 'visit'),
          tp(0, 10, 'survey.completed', 'web', 'post-visit', 'nps:3'),
          tp(0, 20, 'appointment.booked', 'phone', 'scheduling'),
          tp(1, 1, 'patient.registered', 'portal', 'scheduling'),
          tp(1, 4, 'appointment.booked', 'portal', 'scheduling'),
          tp(1, 10, 'appointment.noshow', 'system', 'visit'),
          tp(2, 1, 'patient.registered', 'portal', 'scheduling'),
          tp(3, 3, 'appointment.reminder', 'sms', 'pre-visit'),
          tp(3, 5, 'appointment.reminder', 'sms', 'pre-visit'),
          tp(3, 7, 'appointment.reminder', 'sms', 'pre-visit'),
        ]),
    );
  });
  afterAll(() => t.close());

  const map = async (s: Session, query = RANGE) => {
    const res = await s.get(`/api/journey-map?${query}`);
    expect(res.statusCode, res.body).toBe(200);
    return res.json<JourneyMap>();
  };

  it('draws the flows between stages, the waits and the channel mix', async () => {
    const m = await map(admin);
    expect(m).toMatchObject({
      patients: 4,
      touchpoints: 13,
      suppressed: false,
      mayDrillDown: true,
    });
    expect(m.asOf).toBe('2026-04-01T00:00:00.000Z');
    const links = m.sankey.links.map((l) => `${l.source} ${l.target} ${l.patients}`).sort();
    expect(links).toEqual([
      '1|registration 2|access 2',
      '2|access 3|pre-visit 1',
      '2|access 3|visit 1',
      '3|pre-visit 4|visit 1',
      '4|visit 5|post-visit 1',
      '5|post-visit 6|access 1',
    ]);
    const regToAccess = m.transitions.find((x) => x.from === 'registration' && x.to === 'access');
    // 1 and 3 days: median 2, 90th percentile 1 + 0.9 × 2 = 2.8
    expect(regToAccess?.patients).toBe(2);
    expect(regToAccess?.medianDays).toBeCloseTo(2);
    expect(regToAccess?.p90Days).toBeCloseTo(2.8);
    const mix = Object.fromEntries(
      m.channelMix.map((r) => [
        r.stage,
        r.channels.map((c) => `${c.channel}:${c.count}`).join(' '),
      ]),
    );
    expect(mix).toEqual({
      registration: 'portal:3',
      access: 'phone:2 portal:1',
      'pre-visit': 'sms:4',
      visit: 'in-person:1 system:1',
      'post-visit': 'web:1',
    });
  });

  it('compares each path with the new-patient definition in a funnel', async () => {
    const f = (await map(admin)).funnel;
    expect(f).toMatchObject({
      definition: 'new-patient',
      entered: 3,
      completed: 1,
      late: 2,
      dropped: 0,
      onTrack: 0,
    });
    expect(f?.steps.map((s) => [s.key, s.reached, s.stoppedHere, s.dropOffRate])).toEqual([
      ['referral', 3, 1, 1 / 3],
      ['first-contact', 2, 0, 0],
      ['booked', 2, 1, 0.5],
      ['visit', 1, 0, 0],
      ['follow-up', 1, 0, null],
    ]);
    expect(f?.steps[1]).toMatchObject({ medianDays: 2, late: 1 });
    expect(f?.steps[4]?.medianDays).toBeCloseTo(11);
  });

  it('ranks pain points and names the patients behind each for clinical roles', async () => {
    const m = await map(admin);
    const kinds = m.painPoints.map((x) => `${x.kind}:${x.detail ?? ''}:${x.patients}`);
    expect(kinds).toContain('drop-off:booked:1');
    expect(kinds).toContain('no-show::1');
    expect(kinds).toContain('repeated-contact::1');
    expect(kinds).toContain('negative-feedback::1');
    const drill = async (q: string) => {
      const res = await admin.get(`/api/journey-map/drill-down?${RANGE}&${q}`);
      expect(res.statusCode, res.body).toBe(200);
      return res.json<DrillDownResult>().patients.map((x) => x.id);
    };
    expect(await drill('kind=drop-off&detail=booked')).toEqual([p[1]]);
    expect(await drill('kind=drop-off&detail=referral')).toEqual([p[2]]);
    expect(await drill('kind=no-show')).toEqual([p[1]]);
    expect(await drill('kind=negative-feedback')).toEqual([p[0]]);
    expect(await drill('kind=repeated-contact')).toEqual([p[3]]);
    expect(await drill('kind=wait&detail=registration>access')).toEqual([p[1]]);
    // Paged: the next page is empty, the total still counts the patient; bad pages are refused.
    const next = await admin.get(`/api/journey-map/drill-down?${RANGE}&kind=no-show&offset=1`);
    expect(next.json<DrillDownResult>()).toMatchObject({ total: 1, offset: 1, patients: [] });
    expect(await drill('kind=no-show&offset=0&limit=1')).toEqual([p[1]]);
    for (const bad of ['offset=-1', 'limit=0', 'limit=501']) {
      const res = await admin.get(`/api/journey-map/drill-down?${RANGE}&kind=no-show&${bad}`);
      expect(res.statusCode, bad).toBe(400);
      expect(res.body, bad).toContain(bad.split('=')[0]);
    }
    const audit = await t.database.system((tx) =>
      tx.query.auditEvents.findMany({
        where: (a, { eq }) => eq(a.recordType, 'journey-map-drill-down'),
      }),
    );
    expect(audit.length).toBe(8);
  });

  it('filters the cohort by age band', async () => {
    const m = await map(admin, `${RANGE}&ageBand=65%2B`);
    expect(m.patients).toBe(1);
    expect(m.funnel?.completed).toBe(1);
  });

  it('shows non-clinical roles counts above the threshold only, and no names', async () => {
    const hidden = await map(analyst);
    expect(hidden).toMatchObject({
      suppressed: true,
      mayDrillDown: false,
      patients: null,
      threshold: 11,
    });
    expect(hidden.sankey.links.every((l) => l.patients === null)).toBe(true);
    expect(hidden.funnel?.entered).toBeNull();
    expect(
      (await analyst.get(`/api/journey-map/drill-down?${RANGE}&kind=no-show`)).statusCode,
    ).toBe(403);
    const settings = (await admin.get('/api/journey-map/settings')).json<JourneyMapSettings>();
    const saved = await admin.request('PUT', '/api/journey-map/settings', {
      ...settings,
      suppressionThreshold: 2,
    });
    expect(saved.statusCode, saved.body).toBe(200);
    const low = await map(analyst);
    expect(low.patients).toBe(4);
    expect(low.sankey.links.find((l) => l.source === '1|registration')?.patients).toBe(2);
    expect(
      low.sankey.links.find((l) => l.source === '2|access' && l.target === '3|visit')?.patients,
    ).toBeNull();
    // access: phone 2 and portal 1; portal hidden, so phone too (the total 3 would give it away)
    const access = low.channelMix.find((r) => r.stage === 'access');
    expect(access).toEqual({
      stage: 'access',
      total: 3,
      channels: [
        { channel: 'phone', count: null },
        { channel: 'portal', count: null },
      ],
    });
    await admin.request('PUT', '/api/journey-map/settings', settings);
  });

  it('refuses bad filters with the field named', async () => {
    const bad = await admin.get('/api/journey-map?from=2026-04-01&to=2026-03-01');
    expect(bad.statusCode).toBe(400);
    expect(bad.json<{ path: string }>().path).toBe('/querystring/to');
    expect((await admin.get('/api/journey-map?from=2026-13-01&to=2026-03-01')).statusCode).toBe(
      400,
    );
    const early = await admin.get('/api/journey-map?from=0010-01-01&to=0010-02-01&ageBand=65%2B');
    expect(early.statusCode).toBe(400);
    expect(early.json<{ path: string }>().path).toBe('/querystring/from');
    expect((await analyst.get(`/api/journey-map?${RANGE}&condition=I10`)).statusCode).toBe(403);
    // A saved list filters for roles that may read lists; a garbled id is a 400.
    const listId = '00000000-0000-4000-8000-000000000042';
    expect((await analyst.get(`/api/journey-map?${RANGE}&listId=${listId}`)).statusCode).toBe(403);
    const byList = await admin.get(`/api/journey-map?${RANGE}&listId=${listId}`);
    expect(byList.statusCode).toBe(200);
    expect(byList.json<{ patients: number }>().patients).toBe(0);
    expect((await admin.get(`/api/journey-map?${RANGE}&listId=nope`)).statusCode).toBe(400);
    const unknownStage = await admin.request('PUT', '/api/journey-map/settings', {
      stages: [{ key: 'follow-up', label: 'Follow-up' }],
      mapping: [{ type: 'visit.*', stage: 'visit' }],
      definitions: [],
      suppressionThreshold: 11,
    });
    expect(unknownStage.statusCode).toBe(400);
    expect(unknownStage.json<{ path: string }>().path).toBe('/body/mapping/0/stage');
    expect((await analyst.request('PUT', '/api/journey-map/settings', {})).statusCode).toBe(400);
    const frontDesk = await org.signIn('front-desk');
    const settings = (await admin.get('/api/journey-map/settings')).json<JourneyMapSettings>();
    expect((await frontDesk.request('PUT', '/api/journey-map/settings', settings)).statusCode).toBe(
      403,
    );
  });

  it("draws one patient's journey with stage changes, waits, sentiment and standing", async () => {
    const res = await admin.get(`/api/patients/${p[0]}/journey`);
    expect(res.statusCode, res.body).toBe(200);
    const j = res.json<PatientJourney>();
    const march = j.events.filter((e) => e.occurredAt.startsWith('2026-03'));
    expect(march.map((e) => [e.stage, e.stageChange])).toEqual([
      ['registration', false],
      ['access', true],
      ['pre-visit', true],
      ['visit', true],
      ['post-visit', true],
      ['access', true],
    ]);
    expect(march[1]?.waitDays).toBeCloseTo(1);
    expect(march[4]?.sentiment).toBe('negative');
    expect(j.standings.map((s) => [s.definition, s.status])).toEqual([
      ['new-patient', 'completed'],
    ]);
    const marketer = await org.signIn('marketer');
    const redacted = (await marketer.get(`/api/patients/${p[0]}/journey`)).json<PatientJourney>();
    expect(redacted.events.find((e) => e.type === 'visit.completed')?.summary).toBe(
      'visit.completed',
    );
  });

  describe('tasks and lists from a drill-down', () => {
    it('creates a task per patient and saves a list', async () => {
      const tasks = await admin.post('/api/journey-map/tasks', {
        patientIds: [p[1], p[2]],
        title: 'Call to rebook',
      });
      expect(tasks.statusCode, tasks.body).toBe(200);
      expect(tasks.json()).toEqual({ created: 2, skipped: 0 });
      const list = await admin.post('/api/journey-map/lists', {
        name: 'No-shows March',
        patientIds: [p[1]],
      });
      expect(list.statusCode, list.body).toBe(200);
      expect(list.json()).toMatchObject({ name: 'No-shows March', size: 1 });
    });
  });
});
