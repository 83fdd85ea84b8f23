import {
  AGREEMENT_LEVELS,
  type AgreementLevel,
  type Comparison,
  MATCH_FIELDS,
  type MatchField,
  mapFields,
} from './fields.js';
import {
  DEFAULT_PARAMETERS,
  type FieldParameters,
  type LevelProbabilities,
  type MatchParameters,
  weightTable,
} from './parameters.js';
import { comparisonScore } from './score.js';

const LEVEL_BITS = 2;
const LEVEL_INDEX: Readonly<Record<AgreementLevel, number>> = {
  exact: 0,
  similar: 1,
  disagree: 2,
  missing: 3,
};

/** A comparison packed in one integer, two bits a field: a tally key. */
export function encodeComparison(comparison: Comparison): number {
  let code = 0;
  for (let f = MATCH_FIELDS.length - 1; f >= 0; f--) {
    const name = MATCH_FIELDS[f] ?? 'given';
    code = code * 4 + LEVEL_INDEX[comparison[name]];
  }
  return code;
}

function levelAt(code: number, field: number): AgreementLevel {
  const index = Math.floor(code / 2 ** (LEVEL_BITS * field)) % 4;
  return AGREEMENT_LEVELS[index] ?? 'missing';
}

export function decodeComparison(code: number): Comparison {
  return mapFields((name) => levelAt(code, MATCH_FIELDS.indexOf(name)));
}

/**
 * How many candidate pairs showed each pattern of agreement. EM needs only these counts, so the
 * pairs themselves need not be kept: a few thousand patterns stand for millions of pairs.
 */
export class ComparisonTally {
  readonly counts = new Map<number, number>();
  total = 0;

  add(comparison: Comparison, count = 1): void {
    this.addCode(encodeComparison(comparison), count);
  }

  addCode(code: number, count = 1): void {
    this.counts.set(code, (this.counts.get(code) ?? 0) + count);
    this.total += count;
  }
}

export interface EstimateOptions {
  /** The starting point and prior; its thresholds are kept. Defaults to DEFAULT_PARAMETERS. */
  initial?: MatchParameters;
  maxIterations?: number;
  /** Stop when no probability moves by more than this. */
  tolerance?: number;
  /**
   * Weight of the starting point as a prior, in pairs: a field seen in few pairs stays near its
   * default instead of swinging to 0 or 1 on little evidence.
   */
  priorPairs?: number;
}

export interface ParameterEstimate {
  parameters: MatchParameters;
  /** The share of candidate pairs estimated to be the same person. */
  matchProportion: number;
  iterations: number;
  converged: boolean;
}

type Counts = Record<MatchField, LevelProbabilities>;

const zeroCounts = (): Counts => mapFields(() => ({ exact: 0, similar: 0, disagree: 0 }));

/** Probabilities of a pattern's levels under one class, as a product over present fields. */
function likelihood(levels: readonly AgreementLevel[], probabilities: Counts): number {
  let p = 1;
  for (let f = 0; f < MATCH_FIELDS.length; f++) {
    const level = levels[f] ?? 'missing';
    if (level === 'missing') continue;
    const name = MATCH_FIELDS[f] ?? 'given';
    p *= probabilities[name][level];
  }
  return p;
}

/** Counts to probabilities, shrunk towards the prior; the prior itself when nothing was seen. */
function normalized(counts: LevelProbabilities, prior: LevelProbabilities, strength: number) {
  if (counts.exact + counts.similar + counts.disagree === 0) return { ...prior };
  const exact = counts.exact + strength * prior.exact;
  const similar = counts.similar + strength * prior.similar;
  const disagree = counts.disagree + strength * prior.disagree;
  const total = exact + similar + disagree;
  return total > 0
    ? { exact: exact / total, similar: similar / total, disagree: disagree / total }
    : { ...prior };
}

/**
 * Learns m and u probabilities from unlabeled candidate pairs by expectation–maximization on
 * the two-class mixture of Fellegi–Sunter (fields independent given the class), starting from
 * and shrunk towards the initial parameters. Takes the comparisons of candidate pairs, or
 * their tally.
 */
export function estimateParameters(
  pairs: Iterable<Comparison> | ComparisonTally,
  options: EstimateOptions = {},
): ParameterEstimate {
  const initial = options.initial ?? DEFAULT_PARAMETERS;
  const maxIterations = options.maxIterations ?? 200;
  const tolerance = options.tolerance ?? 1e-6;
  const priorPairs = options.priorPairs ?? 20;
  let tally: ComparisonTally;
  if (pairs instanceof ComparisonTally) tally = pairs;
  else {
    tally = new ComparisonTally();
    for (const comparison of pairs) tally.add(comparison);
  }
  const patterns = [...tally.counts].map(([code, count]) => ({
    levels: MATCH_FIELDS.map((_, f) => levelAt(code, f)),
    count,
    code,
  }));
  let m: Counts = mapFields((name) => ({ ...initial.fields[name].m }));
  let u: Counts = mapFields((name) => ({ ...initial.fields[name].u }));
  // Start from the share of pairs the initial parameters would link.
  const weights = weightTable(initial);
  let linked = 0;
  for (const p of patterns) {
    const score = comparisonScore(decodeComparison(p.code), weights);
    if (score >= initial.thresholds.link) linked += p.count;
  }
  let lambda = Math.min(0.5, Math.max(0.001, tally.total > 0 ? linked / tally.total : 0.1));
  let iterations = 0;
  let converged = false;
  while (iterations < maxIterations && tally.total > 0) {
    iterations++;
    const mCounts = zeroCounts();
    const uCounts = zeroCounts();
    let matchMass = 0;
    for (const p of patterns) {
      const pm = lambda * likelihood(p.levels, m);
      const pu = (1 - lambda) * likelihood(p.levels, u);
      const g = pm + pu > 0 ? pm / (pm + pu) : 0;
      matchMass += g * p.count;
      for (let f = 0; f < MATCH_FIELDS.length; f++) {
        const level = p.levels[f] ?? 'missing';
        if (level === 'missing') continue;
        const name = MATCH_FIELDS[f] ?? 'given';
        mCounts[name][level] += g * p.count;
        uCounts[name][level] += (1 - g) * p.count;
      }
    }
    const next = {
      lambda: matchMass / tally.total,
      m: mapFields((name) => normalized(mCounts[name], initial.fields[name].m, priorPairs)),
      u: mapFields((name) => normalized(uCounts[name], initial.fields[name].u, priorPairs)),
    };
    const change = Math.max(
      Math.abs(next.lambda - lambda),
      maxChange(m, next.m),
      maxChange(u, next.u),
    );
    ({ lambda, m, u } = next);
    if (change < tolerance) {
      converged = true;
      break;
    }
  }
  return {
    parameters: {
      fields: mapFields((name): FieldParameters => ({ m: m[name], u: u[name] })),
      thresholds: { ...initial.thresholds },
    },
    matchProportion: lambda,
    iterations,
    converged,
  };
}

function maxChange(a: Counts, b: Counts): number {
  let max = 0;
  for (const name of MATCH_FIELDS) {
    for (const level of ['exact', 'similar', 'disagree'] as const) {
      max = Math.max(max, Math.abs(a[name][level] - b[name][level]));
    }
  }
  return max;
}

/**
 * The `u` probabilities measured on random pairs of records, nearly all of them two different
 * people: how often each field agrees by chance in this data. Add-one-half smoothing keeps a
 * level never seen by chance (a shared identifier) finite; a field compared fewer than
 * `minPairs` times keeps its initial `u`.
 */
export function estimateUnmatched(
  randomPairs: Iterable<Comparison> | ComparisonTally,
  initial: MatchParameters = DEFAULT_PARAMETERS,
  minPairs = 100,
): MatchParameters {
  const counts = zeroCounts();
  const add = (comparison: Comparison, n: number) => {
    for (const name of MATCH_FIELDS) {
      const level = comparison[name];
      if (level !== 'missing') counts[name][level] += n;
    }
  };
  if (randomPairs instanceof ComparisonTally) {
    for (const [code, n] of randomPairs.counts) add(decodeComparison(code), n);
  } else for (const comparison of randomPairs) add(comparison, 1);
  return {
    thresholds: { ...initial.thresholds },
    fields: mapFields((name): FieldParameters => {
      const c = counts[name];
      const n = c.exact + c.similar + c.disagree;
      const { m, u } = initial.fields[name];
      if (n < minPairs) return { m: { ...m }, u: { ...u } };
      // A level the field does not have (u = 0 by design) stays absent.
      const rate = (level: keyof LevelProbabilities) =>
        u[level] === 0 ? 0 : (c[level] + 0.5) / (n + 1.5);
      const exact = rate('exact');
      const similar = rate('similar');
      return { m: { ...m }, u: { exact, similar, disagree: Math.max(0, 1 - exact - similar) } };
    }),
  };
}
