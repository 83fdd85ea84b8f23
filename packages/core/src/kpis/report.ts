import { computeKpi, KPI_DEFINITIONS, type KpiDefinition, type KpiFormula } from './definitions.js';
import { emptyCounts, type KpiCounts } from './metrics.js';
import type { KpiFilters } from './periods.js';
import { type Cell, suppressCell } from './suppression.js';

export interface KpiTrendPoint extends Cell {
  /** First day of the bucket, YYYY-MM-DD. */
  bucket: string;
}

export interface KpiTile {
  id: string;
  label: string;
  unit: KpiDefinition['unit'];
  higherIsBetter: boolean;
  definition: string;
  /** `unavailable`: the data is not there (see `needs`); `live`: read now, without trend. */
  availability: 'rollup' | 'live' | 'unavailable';
  needs: string | null;
  current: Cell;
  previous: Cell;
  /** current − previous: percentage points ×100 for rates (0.05 = 5 points), units otherwise. */
  change: number | null;
  /** (current − previous) / previous, for counts, amounts and days; null for rates and scores. */
  relativeChange: number | null;
  trend: KpiTrendPoint[];
}

export interface KpiReport {
  filters: KpiFilters;
  previous: { from: string; to: string };
  /** The as-of day: retention and readmission count only windows closed by then. */
  asOf: string;
  /** Small cells are withheld below this count (null: this role sees every count). */
  suppressionThreshold: number | null;
  /** When the rollup was last refreshed for this organization (null: never). */
  refreshedAt: string | null;
  tiles: KpiTile[];
}

export interface KpiInputs {
  filters: KpiFilters;
  previous: { from: string; to: string };
  asOf: string;
  /** Every bucket of the period, in order, with its summed counts (missing: all zero). */
  buckets: readonly string[];
  bucketCounts: ReadonlyMap<string, KpiCounts>;
  current: KpiCounts;
  previousCounts: KpiCounts;
  /** Values read live (third-next-available), by KPI id, with the count they rest on. */
  live: Readonly<Record<string, { value: number | null; basis: number } | undefined>>;
  /** null: no suppression (roles with clinical access). */
  threshold: number | null;
  refreshedAt: string | null;
}

function availabilityOf(formula: KpiFormula): KpiTile['availability'] {
  return formula.kind === 'live'
    ? 'live'
    : formula.kind === 'unavailable'
      ? 'unavailable'
      : 'rollup';
}

/** Assembles the dashboard from summed counts: values, change, trend, suppression. Pure. */
export function buildKpiReport(input: KpiInputs): KpiReport {
  const t = input.threshold ?? 0;
  const tiles = KPI_DEFINITIONS.map((def): KpiTile => {
    const formula: KpiFormula = def.formula;
    const live = input.live[def.id];
    const raw = (counts: KpiCounts) =>
      formula.kind === 'live'
        ? { value: live?.value ?? null, numerator: null, denominator: live?.basis ?? null }
        : computeKpi(formula, counts);
    // A live figure counts schedules, not patients: nothing to suppress.
    const current =
      formula.kind === 'live'
        ? { ...raw(input.current), suppressed: false }
        : suppressCell(raw(input.current), t);
    const previous =
      formula.kind === 'live'
        ? { value: null, numerator: null, denominator: null, suppressed: false }
        : suppressCell(raw(input.previousCounts), t);
    const both = current.value !== null && previous.value !== null;
    const change = both ? (current.value ?? 0) - (previous.value ?? 0) : null;
    const relative =
      both &&
      (def.unit === 'count' || def.unit === 'currency' || def.unit === 'days') &&
      previous.value !== 0
        ? ((current.value ?? 0) - (previous.value ?? 0)) / Math.abs(previous.value ?? 1)
        : null;
    const trend =
      formula.kind === 'ratio' || formula.kind === 'count' || formula.kind === 'nps'
        ? input.buckets.map((bucket) => ({
            bucket,
            ...suppressCell(
              computeKpi(formula, input.bucketCounts.get(bucket) ?? emptyCounts()),
              t,
            ),
          }))
        : [];
    return {
      id: def.id,
      label: def.label,
      unit: def.unit,
      higherIsBetter: def.higherIsBetter,
      definition: def.definition,
      availability: availabilityOf(formula),
      needs:
        formula.kind === 'unavailable'
          ? formula.needs
          : formula.kind === 'live' && live?.value == null
            ? 'scheduling availability (free slots)'
            : null,
      current,
      previous,
      change,
      relativeChange: relative,
      trend,
    };
  });
  return {
    filters: input.filters,
    previous: input.previous,
    asOf: input.asOf,
    suppressionThreshold: input.threshold,
    refreshedAt: input.refreshedAt,
    tiles,
  };
}

/** The dashboard's table as CSV (what the export button downloads): suppressed cells stay empty. */
export function kpiReportCsv(report: KpiReport): string {
  const esc = (v: string) => (/[",\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v);
  const num = (c: Cell) => (c.suppressed ? 'suppressed' : c.value === null ? '' : String(c.value));
  const rows = [['kpi', 'unit', 'period', 'value', 'numerator', 'denominator'].join(',')];
  for (const tile of report.tiles) {
    const line = (period: string, c: Cell) =>
      [tile.label, tile.unit, period, num(c), c.numerator ?? '', c.denominator ?? '']
        .map((v) => esc(String(v)))
        .join(',');
    rows.push(line(`${report.filters.from}..${report.filters.to}`, tile.current));
    rows.push(line(`${report.previous.from}..${report.previous.to}`, tile.previous));
    for (const p of tile.trend) rows.push(line(`${report.filters.grain} of ${p.bucket}`, p));
  }
  return `${rows.join('\n')}\n`;
}
