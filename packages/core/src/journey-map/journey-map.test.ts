import { describe, expect, it } from 'vitest';
import { comparePath, type JourneyPathDefinition, NEW_PATIENT_DEFINITION } from './definitions.js';
import { journeyMapSearch, parseJourneyMapFilters } from './filters.js';
import { journeyMapFor, type RawJourneyMap, sentimentOf } from './privacy.js';
import { funnelOf, percentile } from './stats.js';
import { suppressPartition } from './suppression.js';
import {
  DEFAULT_STAGE_MAPPING,
  DEFAULT_STAGES,
  resolveStage,
  taxonomyProblems,
} from './taxonomy.js';

const asOf = new Date('2026-06-30T00:00:00Z');
const day = (n: number) => new Date(Date.UTC(2026, 5, 1) + n * 86_400_000);

const SIMPLE: JourneyPathDefinition = {
  key: 'simple',
  name: 'Simple',
  dropAfterDays: 20,
  steps: [
    { key: 'a', label: 'A', types: ['referral.received'] },
    { key: 'b', label: 'B', types: ['appointment.booked'], targetDays: 7 },
    { key: 'c', label: 'C', types: ['visit.*'] },
  ],
};

describe('stage mapping', () => {
  const t = (type: string, channel: string, stage: string) =>
    resolveStage(DEFAULT_STAGE_MAPPING, { type, channel, stage });
  it('places a whole type before its family and a family before the writer stage', () => {
    expect(t('patient.registered', 'portal', 'scheduling')).toBe('registration');
    expect(t('appointment.noshow', 'system', 'visit')).toBe('visit');
    expect(t('survey.completed', 'web', 'post-visit')).toBe('post-visit');
    expect(t('statement.sent', 'mail', 'billing')).toBe('post-visit');
    expect(t('something.new', 'sms', 'scheduling')).toBe('access');
  });
  it('puts what no rule places in follow-up', () => {
    expect(t('unheard.of', 'sms', 'nowhere')).toBe('follow-up');
  });
  it('lets a channel rule win over the type alone', () => {
    const rules = [
      ...DEFAULT_STAGE_MAPPING,
      { type: 'appointment.booked', channel: 'web', stage: 'awareness' },
    ];
    expect(
      resolveStage(rules, { type: 'appointment.booked', channel: 'web', stage: 'scheduling' }),
    ).toBe('awareness');
    expect(
      resolveStage(rules, { type: 'appointment.booked', channel: 'phone', stage: 'scheduling' }),
    ).toBe('access');
  });
  it('refuses a taxonomy with a rule to a missing stage, duplicate keys, or no follow-up', () => {
    expect(taxonomyProblems(DEFAULT_STAGES, DEFAULT_STAGE_MAPPING)).toEqual([]);
    const problems = taxonomyProblems(
      [
        { key: 'visit', label: 'Visit' },
        { key: 'visit', label: 'Again' },
      ],
      [{ type: 'x.y', stage: 'nowhere' }],
    );
    expect(problems.map((p) => p.path)).toEqual(['/stages/1/key', '/stages', '/mapping/0/stage']);
  });
});

describe('a path against a definition', () => {
  it('is completed when every step came within its target', () => {
    const s = comparePath(
      SIMPLE,
      [
        { type: 'referral.received', at: day(0) },
        { type: 'appointment.booked', at: day(3) },
        { type: 'visit.completed', at: day(10) },
      ],
      asOf,
    );
    expect(s.status).toBe('completed');
    expect(s.steps.map((x) => [x.state, x.waitDays])).toEqual([
      ['done', null],
      ['done', 3],
      ['done', 7],
    ]);
  });
  it('is late when a step came after its target', () => {
    const s = comparePath(
      SIMPLE,
      [
        { type: 'visit.completed', at: day(20) },
        { type: 'appointment.booked', at: day(8) },
        { type: 'referral.received', at: day(0) },
      ],
      asOf,
    );
    expect(s.status).toBe('late');
    expect(s.steps[1]).toMatchObject({ state: 'late', waitDays: 8 });
  });
  it('is on track while waiting within the target, late once overdue', () => {
    const waiting = comparePath(SIMPLE, [{ type: 'referral.received', at: day(25) }], asOf);
    expect(waiting.status).toBe('on-track');
    expect(waiting.steps.map((x) => x.state)).toEqual(['done', 'waiting', 'not-reached']);
    const overdue = comparePath(SIMPLE, [{ type: 'referral.received', at: day(15) }], asOf);
    expect(overdue.status).toBe('late');
    expect(overdue.steps[1]).toMatchObject({ state: 'overdue', waitDays: 14 });
  });
  it('is dropped after waiting longer than the definition allows', () => {
    const s = comparePath(
      SIMPLE,
      [
        { type: 'referral.received', at: day(0) },
        { type: 'appointment.booked', at: day(1) },
      ],
      asOf,
    );
    expect(s.status).toBe('dropped');
    expect(s.reached).toBe(1);
    expect(s.steps[2]).toMatchObject({ state: 'missed', waitDays: 28 });
  });
  it('does not apply to a patient who never reached the first step', () => {
    const s = comparePath(SIMPLE, [{ type: 'appointment.booked', at: day(1) }], asOf);
    expect(s.applies).toBe(false);
  });
  it('ignores steps before the one that starts the journey and lets one event finish two steps', () => {
    const s = comparePath(
      NEW_PATIENT_DEFINITION,
      [
        { type: 'appointment.booked', at: day(-5) },
        { type: 'patient.registered', at: day(0) },
        { type: 'appointment.booked', at: day(1) },
        { type: 'visit.completed', at: day(9) },
        { type: 'appointment.booked', at: day(12) },
      ],
      asOf,
    );
    expect(s.status).toBe('completed');
    expect(s.steps.map((x) => x.at?.toISOString().slice(0, 10))).toEqual([
      '2026-06-01',
      '2026-06-02',
      '2026-06-02',
      '2026-06-10',
      '2026-06-13',
    ]);
  });
});

describe('funnel and percentiles', () => {
  it('interpolates percentiles as percentile_cont does', () => {
    expect(percentile([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(percentile([10, 1, 5], 0.9)).toBeCloseTo(9);
    expect(percentile([7], 0.9)).toBe(7);
    expect(percentile([], 0.5)).toBeNull();
  });
  it('counts who reached and who stopped at each step, and the waits', () => {
    const paths = [
      [
        { type: 'referral.received', at: day(0) },
        { type: 'appointment.booked', at: day(2) },
        { type: 'visit.completed', at: day(5) },
      ],
      [
        { type: 'referral.received', at: day(0) },
        { type: 'appointment.booked', at: day(4) },
        { type: 'visit.completed', at: day(6) },
      ],
      [
        { type: 'referral.received', at: day(0) },
        { type: 'appointment.booked', at: day(9) },
      ],
      [{ type: 'referral.received', at: day(0) }],
      [{ type: 'visit.completed', at: day(0) }],
    ].map((p) => comparePath(SIMPLE, p, asOf));
    const f = funnelOf(SIMPLE.steps, paths);
    // the third waits for C since day 9: 20 days at asOf, not more than dropAfterDays: late (B came late)
    expect(f).toMatchObject({ entered: 4, completed: 2, dropped: 1, late: 1, onTrack: 0 });
    expect(f.steps.map((s) => [s.reached, s.stoppedHere, s.dropOffRate])).toEqual([
      [4, 1, 0.25],
      [3, 1, 1 / 3],
      [2, 0, null],
    ]);
    // waits to B: 2, 4, 9 days → median 4, p90 = 4 + 0.8 × 5 = 8
    expect(f.steps[1]).toMatchObject({ medianDays: 4, late: 1 });
    expect(f.steps[1]?.p90Days).toBeCloseTo(8);
  });
});

describe('small-cell suppression', () => {
  it('hides counts from 1 to threshold - 1, keeps zeros, and hides the next smallest with a lone one', () => {
    const cells = suppressPartition(
      [
        { key: 'a', count: 0 },
        { key: 'b', count: 11 },
        { key: 'c', count: 10 },
        { key: 'd', count: 30 },
        { key: 'e', count: 12 },
      ],
      11,
    );
    expect(cells.map((c) => c.count)).toEqual([0, null, null, 30, 12]);
  });
  it('hides a second cell when one alone would be derived from the total', () => {
    const cells = suppressPartition(
      [
        { key: 'a', count: 40 },
        { key: 'b', count: 3 },
        { key: 'c', count: 25 },
      ],
      11,
    );
    expect(cells).toEqual([
      { key: 'a', count: 40, suppressed: null },
      { key: 'b', count: null, suppressed: 'small' },
      { key: 'c', count: null, suppressed: 'complementary' },
    ]);
  });
  it('adds nothing when two cells are already hidden', () => {
    const cells = suppressPartition(
      [
        { key: 'a', count: 40 },
        { key: 'b', count: 3 },
        { key: 'c', count: 5 },
      ],
      11,
    );
    expect(cells.map((c) => c.suppressed)).toEqual([null, 'small', 'small']);
  });
  it('hides the rates, waits and cumulative counts that derive from a hidden cell', () => {
    const paths = [
      ...Array.from({ length: 20 }, () => [
        { type: 'referral.received', at: day(0) },
        { type: 'appointment.booked', at: day(2) },
        { type: 'visit.completed', at: day(5) },
      ]),
      ...Array.from({ length: 15 }, () => [
        { type: 'referral.received', at: day(0) },
        { type: 'appointment.booked', at: day(3) },
      ]),
      ...Array.from({ length: 4 }, () => [{ type: 'referral.received', at: day(0) }]),
    ].map((p) => comparePath(SIMPLE, p, asOf));
    const raw: RawJourneyMap = {
      asOf: asOf.toISOString(),
      patients: 39,
      touchpoints: 114,
      stages: [],
      sankey: { nodes: [], links: [{ source: 'x', target: 'y', patients: 4 }] },
      transitions: [{ from: 'a', to: 'b', patients: 5, medianDays: 1, p90Days: 2 }],
      channelMix: [],
      funnel: { definition: 'simple', name: 'Simple', ...funnelOf(SIMPLE.steps, paths) },
      painPoints: [],
    };
    const open = journeyMapFor(raw, { suppress: false, threshold: 11, mayDrillDown: true });
    expect(open.funnel?.steps.map((s) => s.reached)).toEqual([39, 35, 20]);
    const hidden = journeyMapFor(raw, { suppress: true, threshold: 11, mayDrillDown: false });
    // stopped at A: 4 (small), at B: 15, completed: 20 → B's 15 hidden too (complementary)
    expect(hidden.funnel?.steps.map((s) => [s.reached, s.stoppedHere, s.dropOffRate])).toEqual([
      [39, null, null],
      [null, null, null],
      [null, 0, null],
    ]);
    expect(hidden.sankey.links[0]?.patients).toBeNull();
    expect(hidden.transitions[0]).toMatchObject({
      patients: null,
      medianDays: null,
      p90Days: null,
    });
  });
});

describe('filters in the URL', () => {
  const range = { from: '2026-01-01', to: '2026-03-31' };
  it('reads back what it wrote', () => {
    const filters = {
      from: '2026-04-01',
      to: '2026-06-30',
      ageBand: '65+' as const,
      payer: 'Acme & Co',
      listId: '00000000-0000-4000-8000-000000000042',
    };
    const parsed = parseJourneyMapFilters(new URLSearchParams(journeyMapSearch(filters)), range);
    expect(parsed).toEqual({ ok: true, filters });
  });
  it('names the field of a bad value', () => {
    const bad = (q: string) => parseJourneyMapFilters(new URLSearchParams(q), range);
    expect(bad('from=2026-02-30')).toMatchObject({ ok: false, field: 'from' });
    expect(bad('from=2026-05-01&to=2026-04-01')).toMatchObject({ ok: false, field: 'to' });
    expect(bad('locationId=1;drop')).toMatchObject({ ok: false, field: 'locationId' });
    expect(bad('ageBand=old')).toMatchObject({ ok: false, field: 'ageBand' });
    expect(bad('listId=all')).toMatchObject({ ok: false, field: 'listId' });
    expect(bad('from=1899-12-31')).toMatchObject({ ok: false, field: 'from' });
    expect(bad('from=2020-01-01&to=2026-01-01')).toMatchObject({ ok: false, field: 'to' });
  });
});

describe('sentiment', () => {
  it('reads NPS outcomes as promoter, passive, detractor', () => {
    expect([
      sentimentOf('nps:10'),
      sentimentOf('nps:7'),
      sentimentOf('nps:6'),
      sentimentOf('delivered'),
      sentimentOf(null),
    ]).toEqual(['positive', 'neutral', 'negative', null, null]);
  });
});
