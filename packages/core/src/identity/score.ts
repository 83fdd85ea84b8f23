import { compareRecords } from './compare.js';
import {
  type AgreementLevel,
  type Comparison,
  MATCH_FIELDS,
  type MatchField,
  mapFields,
} from './fields.js';
import { areNameVariants } from './nicknames.js';
import { type PreparedRecord, prepareRecord } from './normalize.js';
import {
  DEFAULT_PARAMETERS,
  type MatchParameters,
  type WeightTable,
  weightTable,
} from './parameters.js';
import type { MatchRecord } from './record.js';

/** What to do with a pair: link it to one golden record, ask a person, or keep them apart. */
export type MatchOutcome = 'link' | 'review' | 'new';

/**
 * Why a pair got its outcome. The guards stop an automatic link that the score alone would make:
 * - `twins`: same birth date and address, clearly different given names;
 * - `birth-date-conflict`: the birth dates differ by more than a typo (a parent and a child who
 *   share a name and an address);
 * - `name-conflict`: both given and family names differ;
 * - `sparse`: nothing that tells people apart agrees (birth date, identifier, phone, email):
 *   a shared name and address is a household, not yet a person.
 */
export type MatchReason =
  | 'identifier'
  | 'score'
  | 'twins'
  | 'birth-date-conflict'
  | 'name-conflict'
  | 'sparse';

export interface PairScore {
  /** Sum of the fields' log2 likelihood ratios: how many times likelier one person than two. */
  score: number;
  outcome: MatchOutcome;
  reason: MatchReason;
  comparison: Comparison;
  fieldWeights: Record<MatchField, number>;
}

type Guard = Extract<MatchReason, 'twins' | 'birth-date-conflict' | 'name-conflict'>;

const agrees = (level: AgreementLevel) => level === 'exact' || level === 'similar';

/** What the fields say against one person, whatever else agrees. */
function conflict(c: Comparison): Guard | null {
  if (c.given === 'disagree' && c.family === 'disagree') return 'name-conflict';
  if (c.birthDate === 'exact' && agrees(c.line) && c.given === 'disagree') return 'twins';
  if (c.birthDate === 'disagree') return 'birth-date-conflict';
  return null;
}

/**
 * The guard that keeps this pair from being linked, directly or through a cluster, if any. A
 * shared identifier overrides every guard but a name conflict (see `decide`).
 */
export function linkGuard(c: Comparison): Guard | null {
  const guard = conflict(c);
  if (guard === null || c.identifier !== 'exact') return guard;
  return guard === 'name-conflict' ? guard : null;
}

/**
 * The outcome of a compared pair. The deterministic step first: a shared identifier (same system
 * and value) links, unless the two share no name at all (an identifier typed into the wrong
 * chart). Twins have identifiers of their own, so map only identifiers that belong to one
 * person (MRN, SSN), never a family's insurance member id. Then the score against the
 * thresholds, where any guard turns a link into a review.
 */
export function decide(
  comparison: Comparison,
  score: number,
  parameters: MatchParameters,
): { outcome: MatchOutcome; reason: MatchReason } {
  const guard = linkGuard(comparison);
  if (comparison.identifier === 'exact') {
    return guard ? { outcome: 'review', reason: guard } : { outcome: 'link', reason: 'identifier' };
  }
  if (score >= parameters.thresholds.link) {
    if (guard) return { outcome: 'review', reason: guard };
    const distinctive = [comparison.birthDate, comparison.phone, comparison.email];
    return distinctive.some(agrees) || comparison.identifier === 'similar'
      ? { outcome: 'link', reason: 'score' }
      : { outcome: 'review', reason: 'sparse' };
  }
  return { outcome: score >= parameters.thresholds.review ? 'review' : 'new', reason: 'score' };
}

/**
 * Each field's contribution to the score: its weight at its level, except that city and state
 * add nothing when the postcode agrees. A postcode names its city and state, so counting all
 * three would count one fact three times (Fellegi–Sunter assumes fields independent), and two
 * neighbours of the same given name would score like one person.
 */
export function fieldContributions(
  comparison: Comparison,
  weights: WeightTable,
): Record<MatchField, number> {
  const implied = agrees(comparison.postalCode);
  return mapFields((name) =>
    implied && (name === 'city' || name === 'state') ? 0 : weights[name][comparison[name]],
  );
}

/** The score of a comparison: the sum of its fields' contributions. */
export function comparisonScore(comparison: Comparison, weights: WeightTable): number {
  const contributions = fieldContributions(comparison, weights);
  let score = 0;
  for (const name of MATCH_FIELDS) score += contributions[name];
  return score;
}

/**
 * Twins whose given names merely look alike (Anna and Hanna): same birth date and address, given
 * names that compare as similar but start with different letters and are not nicknames of each
 * other. Typing errors rarely change a name's first letter; parents often choose such names.
 */
export function lookAlikeTwins(a: PreparedRecord, b: PreparedRecord, c: Comparison): boolean {
  if (c.given !== 'similar' || c.birthDate !== 'exact' || !agrees(c.line)) return false;
  const x = a.given?.tokens[0] ?? '';
  const y = b.given?.tokens[0] ?? '';
  return x !== '' && y !== '' && x[0] !== y[0] && !areNameVariants(x, y);
}

/**
 * `linkGuard` with the one rule the agreement levels alone cannot see: look-alike twins, which
 * needs the names themselves. A shared identifier overrides it, as it does the other guards.
 * Every caller that links pairs (the server's index, `mpi link`, clustering) uses this.
 */
export function pairGuard(a: PreparedRecord, b: PreparedRecord, c: Comparison): Guard | null {
  const guard = linkGuard(c);
  if (guard !== null || c.identifier === 'exact') return guard;
  return lookAlikeTwins(a, b, c) ? 'twins' : null;
}

/**
 * `decide` for a pair of records: a link the agreement levels allow is turned into a review
 * when `pairGuard` finds look-alike twins.
 */
export function decidePair(
  a: PreparedRecord,
  b: PreparedRecord,
  comparison: Comparison,
  decided: { outcome: MatchOutcome; reason: MatchReason },
): { outcome: MatchOutcome; reason: MatchReason } {
  if (decided.outcome !== 'link') return decided;
  const guard = pairGuard(a, b, comparison);
  return guard ? { outcome: 'review', reason: guard } : decided;
}

/** Scores two prepared records (see `scorePair`). */
export function scorePrepared(
  a: PreparedRecord,
  b: PreparedRecord,
  parameters: MatchParameters = DEFAULT_PARAMETERS,
  weights: WeightTable = weightTable(parameters),
): PairScore {
  const comparison = compareRecords(a, b);
  const score = comparisonScore(comparison, weights);
  return {
    score,
    ...decidePair(a, b, comparison, decide(comparison, score, parameters)),
    comparison,
    fieldWeights: fieldContributions(comparison, weights),
  };
}

/** Compares two records field by field and decides whether they are one person. */
export function scorePair(
  a: MatchRecord,
  b: MatchRecord,
  parameters: MatchParameters = DEFAULT_PARAMETERS,
): PairScore {
  return scorePrepared(prepareRecord(a), prepareRecord(b), parameters);
}
