import { describe, expect, it } from 'vitest';
import { computeKpi, KPI_DEFINITIONS, type KpiFormula } from './definitions.js';
import { emptyCounts, type KpiCounts } from './metrics.js';
import {
  bucketStart,
  bucketsBetween,
  dayNumber,
  isoDay,
  parseKpiFilters,
  previousPeriod,
} from './periods.js';
import { buildKpiReport, kpiReportCsv } from './report.js';
import { isSmallCell, suppressCell } from './suppression.js';

const formulaOf = (id: string): KpiFormula => {
  const def = KPI_DEFINITIONS.find((d) => d.id === id);
  if (!def) throw new Error(id);
  return def.formula;
};
const counts = (partial: Partial<KpiCounts>): KpiCounts => ({ ...emptyCounts(), ...partial });
const day = (iso: string) => {
  const d = dayNumber(iso);
  if (d === null) throw new Error(iso);
  return d;
};

describe('KPI formulas', () => {
  // A cohort counted by hand: 20 appointments, 3 cancelled, 2 missed, 14 fulfilled, 1 still booked.
  const cohort = counts({
    appointments: 20,
    appointments_cancelled: 3,
    appointments_noshow: 2,
    appointments_fulfilled: 14,
    new_patients: 4,
    visits_closed_12m: 10,
    visits_returned_12m_closed: 6,
    visits_closed_18m: 8,
    visits_returned_18m_closed: 7,
    discharges_closed: 5,
    readmissions_30d_closed: 1,
    messages: 40,
    messages_delivered: 38,
    messages_answered: 19,
    outreach: 50,
    outreach_automated: 40,
    claims: 3,
    billed_cents: 123_450,
    nps_responses: 10,
    nps_promoters: 6,
    nps_detractors: 1,
  });
  const value = (id: string) => computeKpi(formulaOf(id), cohort).value;

  it('counts a no-show among appointments that were due, not those cancelled or still booked', () => {
    expect(value('no-show-rate')).toBeCloseTo(2 / 16);
    expect(value('cancellation-rate')).toBeCloseTo(3 / 20);
  });

  it('computes retention and readmission over closed windows only', () => {
    expect(value('retention-12m')).toBeCloseTo(0.6);
    expect(value('retention-18m')).toBeCloseTo(7 / 8);
    expect(value('readmission-30d')).toBeCloseTo(0.2);
  });

  it('computes message, automation, revenue and NPS figures', () => {
    expect(value('message-delivery-rate')).toBeCloseTo(0.95);
    expect(value('message-response-rate')).toBeCloseTo(0.5);
    expect(value('automated-share')).toBeCloseTo(0.8);
    expect(value('new-patients')).toBe(4);
    expect(computeKpi(formulaOf('billed-revenue'), cohort)).toEqual({
      value: 123_450,
      numerator: null,
      denominator: 3,
    });
    expect(value('nps')).toBeCloseTo(50);
  });

  it('answers null, not zero, for a rate without a denominator', () => {
    expect(computeKpi(formulaOf('no-show-rate'), emptyCounts()).value).toBeNull();
    expect(computeKpi(formulaOf('nps'), emptyCounts()).value).toBeNull();
    expect(computeKpi(formulaOf('new-patients'), emptyCounts()).value).toBe(0);
  });

  it('says what data a KPI needs when Careloop does not hold it', () => {
    const unavailable = KPI_DEFINITIONS.filter((d) => d.formula.kind === 'unavailable');
    expect(unavailable.map((d) => d.id).sort()).toEqual(['booked-revenue', 'referral-conversion']);
    for (const d of KPI_DEFINITIONS) expect(d.definition.length).toBeGreaterThan(40);
  });
});

describe('small-cell suppression', () => {
  it('withholds counts from 1 to threshold − 1, and shows zero', () => {
    expect(isSmallCell(0, 11)).toBe(false);
    expect(isSmallCell(1, 11)).toBe(true);
    expect(isSmallCell(10, 11)).toBe(true);
    expect(isSmallCell(11, 11)).toBe(false);
  });

  it('withholds a rate whose numerator or denominator is a small cell, with its counts', () => {
    expect(suppressCell({ value: 0.5, numerator: 5, denominator: 10 }, 11)).toEqual({
      value: null,
      numerator: null,
      denominator: null,
      suppressed: true,
    });
    expect(suppressCell({ value: 3 / 40, numerator: 3, denominator: 40 }, 11).suppressed).toBe(
      true,
    );
    expect(suppressCell({ value: 0, numerator: 0, denominator: 40 }, 11).suppressed).toBe(false);
    expect(suppressCell({ value: 3 / 40, numerator: 3, denominator: 40 }, 3).suppressed).toBe(
      false,
    );
  });
});

describe('periods and filters', () => {
  it('buckets by ISO week from Monday and by calendar month', () => {
    expect(isoDay(bucketStart(day('2026-12-06'), 'week'))).toBe('2026-11-30'); // a Sunday
    expect(isoDay(bucketStart(day('2026-11-30'), 'week'))).toBe('2026-11-30');
    expect(isoDay(bucketStart(day('2026-02-28'), 'month'))).toBe('2026-02-01');
    expect(bucketsBetween(day('2026-01-15'), day('2026-03-01'), 'month')).toEqual([
      '2026-01-01',
      '2026-02-01',
      '2026-03-01',
    ]);
  });

  it('compares with the period of equal length just before', () => {
    const p = previousPeriod(day('2026-03-01'), day('2026-03-31'));
    expect([isoDay(p.from), isoDay(p.to)]).toEqual(['2026-01-29', '2026-02-28']);
  });

  it('reads filters from a shared URL and refuses what is not valid, naming the field', () => {
    const ok = parseKpiFilters(
      { from: '2026-01-01', to: '2026-03-31', grain: 'month' },
      '2026-12-06',
    );
    expect(ok).toMatchObject({ ok: true, filters: { grain: 'month', location: null } });
    expect(parseKpiFilters({}, '2026-12-06')).toMatchObject({
      ok: true,
      filters: { from: '2026-09-14', to: '2026-12-06', grain: 'week' },
    });
    expect(parseKpiFilters({ from: '2026-02-30' }, '2026-12-06')).toMatchObject({
      ok: false,
      field: 'from',
    });
    expect(parseKpiFilters({ from: '2026-05-01', to: '2026-04-01' }, '2026-12-06')).toMatchObject({
      ok: false,
      field: 'from',
    });
    expect(parseKpiFilters({ grain: 'hour' }, '2026-12-06')).toMatchObject({
      ok: false,
      field: 'grain',
    });
    expect(parseKpiFilters({ location: "x' or 1=1" }, '2026-12-06')).toMatchObject({
      ok: false,
      field: 'location',
    });
    expect(parseKpiFilters({ from: '2020-01-01', to: '2026-01-01' }, '2026-12-06')).toMatchObject({
      ok: false,
      field: 'from',
    });
    expect(
      parseKpiFilters({ from: '2024-01-01', to: '2026-01-01', grain: 'day' }, '2026-12-06'),
    ).toMatchObject({ ok: false, field: 'grain' });
  });
});

describe('the report', () => {
  const filters = {
    from: '2026-11-01',
    to: '2026-11-30',
    grain: 'week' as const,
    location: null,
    practitioner: null,
    serviceLine: null,
  };
  const input = (threshold: number | null) => ({
    filters,
    previous: { from: '2026-10-02', to: '2026-10-31' },
    asOf: '2026-12-06',
    buckets: ['2026-10-26', '2026-11-02'],
    bucketCounts: new Map([
      ['2026-10-26', counts({ appointments: 4, appointments_cancelled: 1 })],
      ['2026-11-02', counts({ appointments: 40, appointments_cancelled: 12 })],
    ]),
    current: counts({ appointments: 44, appointments_cancelled: 13, new_patients: 30 }),
    previousCounts: counts({ appointments: 40, appointments_cancelled: 8, new_patients: 20 }),
    live: { 'third-next-available': { value: 4, basis: 12 } },
    threshold,
    refreshedAt: null,
  });

  it('gives each KPI its value, change against the previous period and trend', () => {
    const report = buildKpiReport(input(null));
    const cancel = report.tiles.find((t) => t.id === 'cancellation-rate');
    expect(cancel?.current.value).toBeCloseTo(13 / 44);
    expect(cancel?.change).toBeCloseTo(13 / 44 - 0.2);
    expect(cancel?.trend.map((p) => p.value)).toEqual([0.25, 0.3]);
    const fresh = report.tiles.find((t) => t.id === 'new-patients');
    expect(fresh?.change).toBe(10);
    expect(fresh?.relativeChange).toBeCloseTo(0.5);
    expect(report.tiles.find((t) => t.id === 'third-next-available')?.current.value).toBe(4);
  });

  it('suppresses small trend cells for roles without clinical access, in the CSV too', () => {
    const report = buildKpiReport(input(11));
    const cancel = report.tiles.find((t) => t.id === 'cancellation-rate');
    expect(cancel?.trend.map((p) => p.suppressed)).toEqual([true, false]);
    expect(cancel?.current.suppressed).toBe(false);
    const csv = kpiReportCsv(report);
    expect(csv).toContain('Cancellation rate,rate,week of 2026-10-26,suppressed,,');
    expect(csv).not.toContain(',1,4\n');
  });
});
