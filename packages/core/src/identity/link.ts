import {
  type BlockingOptions,
  type BlockingStats,
  candidatePairs,
  candidatePairsAcross,
  emptyBlockingStats,
} from './blocking.js';
import { UnionFind } from './clusters.js';
import { compareRecords } from './compare.js';
import {
  ComparisonTally,
  decodeComparison,
  encodeComparison,
  estimateParameters,
  estimateUnmatched,
  type ParameterEstimate,
} from './em.js';
import { mapFields } from './fields.js';
import type { PreparedRecord } from './normalize.js';
import { DEFAULT_PARAMETERS, type MatchParameters, weightTable } from './parameters.js';
import {
  comparisonScore,
  decide,
  decidePair,
  type MatchOutcome,
  type MatchReason,
  pairGuard,
  scorePrepared,
} from './score.js';

export interface LinkageOptions extends BlockingOptions {
  /** Fixed parameters, or the starting point when learning. Defaults to DEFAULT_PARAMETERS. */
  parameters?: MatchParameters;
  /**
   * Learn the weights from this data before scoring (default true): u from random pairs, m by
   * EM on the candidate pairs.
   */
  learn?: boolean;
  /** Random pairs compared to measure u. Default 100,000. */
  randomPairs?: number;
}

/** A scored pair of record numbers (for linkage, `a` is in the left list and `b` in the right). */
export interface ScoredPair {
  a: number;
  b: number;
  score: number;
  reason: MatchReason;
}

export interface LinkageResult {
  /** The parameters the pairs were scored with (learned ones when `learn`). */
  parameters: MatchParameters;
  estimate: ParameterEstimate | null;
  candidatePairs: number;
  links: ScoredPair[];
  reviews: ScoredPair[];
  blocking: BlockingStats;
}

function at<T>(list: readonly T[], index: number): T {
  const item = list[index];
  if (item === undefined) throw new RangeError(`no record number ${index}`);
  return item;
}

/** A small seeded generator (mulberry32): the same input gives the same weights every run. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Uniformly drawn pairs of distinct records, with repetition (harmless at these counts). */
function* randomPairs(
  leftCount: number,
  rightCount: number,
  same: boolean,
  options: LinkageOptions,
): Generator<[number, number]> {
  const possible = same ? (leftCount * (leftCount - 1)) / 2 : leftCount * rightCount;
  const count = Math.min(options.randomPairs ?? 100_000, possible);
  const random = seeded(leftCount * 31 + rightCount);
  for (let k = 0; k < count; k++) {
    const i = Math.floor(random() * leftCount);
    const j = Math.floor(random() * rightCount);
    if (same && i === j) continue;
    yield [i, j];
  }
}

/**
 * Comparison codes of the candidate pairs, in the order blocking yields them: four bytes a pair,
 * in chunks, so the scoring pass repeats the (cheap) blocking but not the comparisons.
 */
class CodeList {
  private chunks: Uint32Array[] = [];
  private used = 0;
  private static readonly CHUNK = 1 << 20;

  push(code: number): void {
    let last = this.chunks[this.chunks.length - 1];
    if (!last || this.used === CodeList.CHUNK) {
      last = new Uint32Array(CodeList.CHUNK);
      this.chunks.push(last);
      this.used = 0;
    }
    last[this.used++] = code;
  }

  at(index: number): number {
    const chunk = this.chunks[Math.floor(index / CodeList.CHUNK)];
    return chunk?.[index % CodeList.CHUNK] ?? 0;
  }
}

/**
 * Scores every candidate pair. When learning, a first pass compares the pairs and tallies their
 * agreement patterns for EM, keeping one code per pair; the second pass, with the learned
 * weights, re-runs blocking and scores each pattern once.
 */
function run(
  pairs: (stats: BlockingStats) => Iterable<[number, number]>,
  left: readonly PreparedRecord[],
  right: readonly PreparedRecord[],
  options: LinkageOptions,
): LinkageResult {
  let parameters = options.parameters ?? DEFAULT_PARAMETERS;
  let estimate: ParameterEstimate | null = null;
  let codes: CodeList | null = null;
  if (options.learn ?? true) {
    const chance = new ComparisonTally();
    for (const [i, j] of randomPairs(left.length, right.length, left === right, options)) {
      chance.add(compareRecords(at(left, i), at(right, j)));
    }
    const tally = new ComparisonTally();
    codes = new CodeList();
    for (const [i, j] of pairs(emptyBlockingStats())) {
      const code = encodeComparison(compareRecords(at(left, i), at(right, j)));
      tally.addCode(code);
      codes.push(code);
    }
    // m from EM on the candidates, whose second class absorbs the non-matches that blocking
    // let through; u from random pairs, which blocking has not biased towards agreement.
    estimate = estimateParameters(tally, { initial: parameters });
    const unmatched = estimateUnmatched(chance, parameters);
    const learned = estimate.parameters;
    parameters = {
      thresholds: parameters.thresholds,
      fields: mapFields((name) => ({ m: learned.fields[name].m, u: unmatched.fields[name].u })),
    };
  }
  const weights = weightTable(parameters);
  const verdicts = new Map<number, { score: number; outcome: MatchOutcome; reason: MatchReason }>();
  const verdict = (code: number) => {
    let known = verdicts.get(code);
    if (!known) {
      const comparison = decodeComparison(code);
      const score = comparisonScore(comparison, weights);
      known = { score, ...decide(comparison, score, parameters) };
      verdicts.set(code, known);
    }
    return known;
  };
  const blocking = emptyBlockingStats();
  const links: ScoredPair[] = [];
  const reviews: ScoredPair[] = [];
  let count = 0;
  for (const [a, b] of pairs(blocking)) {
    const code = codes
      ? codes.at(count)
      : encodeComparison(compareRecords(at(left, a), at(right, b)));
    count++;
    const cached = verdict(code);
    const { score } = cached;
    // The verdict of a comparison is cached by its code; look-alike twins need the names.
    const { outcome, reason } =
      cached.outcome === 'link'
        ? decidePair(at(left, a), at(right, b), decodeComparison(code), cached)
        : cached;
    if (outcome === 'link') links.push({ a, b, score, reason });
    else if (outcome === 'review') reviews.push({ a, b, score, reason });
  }
  return { parameters, estimate, candidatePairs: count, links, reviews, blocking };
}

/** Finds the records of one list that are the same person (deduplication). */
export function dedupeRecords(
  records: readonly PreparedRecord[],
  options: LinkageOptions = {},
): LinkageResult {
  return run((stats) => candidatePairs(records, options, stats), records, records, options);
}

/** Finds the pairs of records, one from each list, that are the same person (linkage). */
export function linkRecords(
  left: readonly PreparedRecord[],
  right: readonly PreparedRecord[],
  options: LinkageOptions = {},
): LinkageResult {
  return run((stats) => candidatePairsAcross(left, right, options, stats), left, right, options);
}

export interface ClusterResult {
  /** Groups of two or more record numbers, each sorted, ordered by their first record. */
  clusters: number[][];
  /** Every pair within each cluster. */
  pairs: ScoredPair[];
  /** Links not followed because they would put a guarded pair (twins…) in one cluster. */
  refused: number;
}

/** True when some record of one group may not be linked to some record of the other. */
function guarded(records: readonly PreparedRecord[], x: readonly number[], y: readonly number[]) {
  for (const a of x) {
    for (const b of y) {
      const x = at(records, a);
      const y = at(records, b);
      if (pairGuard(x, y, compareRecords(x, y)) !== null) return true;
    }
  }
  return false;
}

/**
 * Clusters of linked records for deduplication, and every pair within each: when A links to B
 * and B to C, A and C are one person too. Links are followed from the highest score down, and a
 * link that would put two guarded records in one cluster is refused: a sparse record (no given
 * name) that matches both twins must not merge the twins. Pairs linked directly keep their
 * score; the others are scored now (lower than a link's, perhaps: a third record joins them).
 */
export function clusterPairs(
  records: readonly PreparedRecord[],
  links: readonly ScoredPair[],
  parameters: MatchParameters,
): ClusterResult {
  const sets = new UnionFind(records.length);
  const members = new Map<number, number[]>();
  let refused = 0;
  for (const link of [...links].sort((p, q) => q.score - p.score)) {
    const ra = sets.find(link.a);
    const rb = sets.find(link.b);
    if (ra === rb) continue;
    const x = members.get(ra) ?? [ra];
    const y = members.get(rb) ?? [rb];
    if (guarded(records, x, y)) {
      refused++;
      continue;
    }
    sets.union(ra, rb);
    members.delete(ra);
    members.delete(rb);
    members.set(
      sets.find(ra),
      [...x, ...y].sort((p, q) => p - q),
    );
  }
  const groups = [...members.values()].sort((p, q) => (p[0] ?? 0) - (q[0] ?? 0));
  const direct = new Map<string, ScoredPair>();
  for (const link of links) direct.set(`${link.a}:${link.b}`, link);
  const weights = weightTable(parameters);
  const pairs: ScoredPair[] = [];
  for (const group of groups) {
    for (let i = 0; i < group.length; i++) {
      for (let j = i + 1; j < group.length; j++) {
        const a = group[i] ?? 0;
        const b = group[j] ?? 0;
        const known = direct.get(`${a}:${b}`);
        if (known) pairs.push(known);
        else {
          const s = scorePrepared(at(records, a), at(records, b), parameters, weights);
          pairs.push({ a, b, score: s.score, reason: s.reason });
        }
      }
    }
  }
  return { clusters: groups, pairs, refused };
}
