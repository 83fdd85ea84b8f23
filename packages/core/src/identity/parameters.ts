import { type AgreementLevel, type MatchField, mapFields } from './fields.js';

/** How often each agreement level occurs; the three add up to 1 (missing is not counted). */
export interface LevelProbabilities {
  exact: number;
  similar: number;
  disagree: number;
}

/**
 * Fellegi–Sunter parameters of one field: `m`, the level probabilities among pairs that are the
 * same person, and `u`, among pairs that are not. A level's weight is log2(m / u).
 */
export interface FieldParameters {
  m: LevelProbabilities;
  u: LevelProbabilities;
}

/** Scores (sums of log2 weights) at or above which a pair is linked, or sent to review. */
export interface MatchThresholds {
  link: number;
  review: number;
}

export interface MatchParameters {
  fields: Readonly<Record<MatchField, FieldParameters>>;
  thresholds: MatchThresholds;
}

const field = (m: [number, number, number], u: [number, number, number]): FieldParameters => ({
  m: { exact: m[0], similar: m[1], disagree: m[2] },
  u: { exact: u[0], similar: u[1], disagree: u[2] },
});

/**
 * Defaults for registry data before any learning. `m` says how often a field of a duplicate
 * record is kept, mistyped or changed; `u` how often two different people agree by chance among
 * the pairs a matcher compares (blocking makes agreement likelier than among strangers at
 * large: a shared birth date about 1 in 1,000 rather than 1 in 30,000). Fields with a short list
 * of values (sex, state) have no `similar` level.
 */
export const DEFAULT_PARAMETERS: MatchParameters = {
  fields: {
    given: field([0.85, 0.1, 0.05], [0.01, 0.02, 0.97]),
    family: field([0.85, 0.1, 0.05], [0.005, 0.01, 0.985]),
    birthDate: field([0.88, 0.08, 0.04], [0.001, 0.005, 0.994]),
    sex: field([0.97, 0, 0.03], [0.5, 0, 0.5]),
    line: field([0.75, 0.15, 0.1], [0.001, 0.005, 0.994]),
    city: field([0.85, 0.08, 0.07], [0.02, 0.01, 0.97]),
    state: field([0.95, 0, 0.05], [0.2, 0, 0.8]),
    postalCode: field([0.85, 0.08, 0.07], [0.01, 0.02, 0.97]),
    phone: field([0.75, 0.1, 0.15], [0.0005, 0.001, 0.9985]),
    email: field([0.75, 0.1, 0.15], [0.0002, 0.0005, 0.9993]),
    identifier: field([0.9, 0.06, 0.04], [0.00001, 0.0001, 0.99989]),
  },
  thresholds: { link: 15, review: 8 },
};

/** log2(m / u) for one level; 0 for a missing value or a level the field does not have. */
export function levelWeight(parameters: FieldParameters, level: AgreementLevel): number {
  switch (level) {
    case 'missing':
      return 0;
    case 'exact':
    case 'similar':
    case 'disagree': {
      const m = parameters.m[level];
      const u = parameters.u[level];
      return m > 0 && u > 0 ? Math.log2(m / u) : 0;
    }
  }
}

/** Every field's weight at every level, computed once for scoring many pairs. */
export type WeightTable = Readonly<Record<MatchField, Readonly<Record<AgreementLevel, number>>>>;

export function weightTable(parameters: MatchParameters): WeightTable {
  return mapFields((name) => {
    const p = parameters.fields[name];
    return {
      exact: levelWeight(p, 'exact'),
      similar: levelWeight(p, 'similar'),
      disagree: levelWeight(p, 'disagree'),
      missing: 0,
    };
  });
}
