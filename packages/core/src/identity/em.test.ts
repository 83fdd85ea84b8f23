import { describe, expect, it } from 'vitest';
import {
  ComparisonTally,
  decodeComparison,
  encodeComparison,
  estimateParameters,
  estimateUnmatched,
} from './em.js';
import { AGREEMENT_LEVELS, type Comparison, mapFields } from './fields.js';
import { DEFAULT_PARAMETERS, type LevelProbabilities } from './parameters.js';
import { seededRandom } from './synthetic.js';

type Level = 'exact' | 'similar' | 'disagree';

function draw(random: () => number, p: LevelProbabilities): Level {
  const x = random();
  if (x < p.exact) return 'exact';
  return x < p.exact + p.similar ? 'similar' : 'disagree';
}

// The truth EM should find: three informative fields, the rest missing.
const TRUE_M = {
  given: { exact: 0.8, similar: 0.15, disagree: 0.05 },
  family: { exact: 0.9, similar: 0.05, disagree: 0.05 },
  birthDate: { exact: 0.85, similar: 0.1, disagree: 0.05 },
};
const TRUE_U = {
  given: { exact: 0.05, similar: 0.05, disagree: 0.9 },
  family: { exact: 0.02, similar: 0.03, disagree: 0.95 },
  birthDate: { exact: 0.03, similar: 0.07, disagree: 0.9 },
};

function syntheticPairs(count: number, matchShare: number): Comparison[] {
  const random = seededRandom(42);
  return Array.from({ length: count }, () => {
    const truth = random() < matchShare ? TRUE_M : TRUE_U;
    return mapFields((name) =>
      name === 'given' || name === 'family' || name === 'birthDate'
        ? draw(random, truth[name])
        : 'missing',
    );
  });
}

describe('estimateParameters', () => {
  it('recovers m, u and the match share from unlabeled pairs', () => {
    const estimate = estimateParameters(syntheticPairs(40_000, 0.3));
    expect(estimate.converged).toBe(true);
    expect(estimate.matchProportion).toBeCloseTo(0.3, 1);
    for (const name of ['given', 'family', 'birthDate'] as const) {
      const { m, u } = estimate.parameters.fields[name];
      expect(m.exact).toBeCloseTo(TRUE_M[name].exact, 1);
      expect(u.exact).toBeCloseTo(TRUE_U[name].exact, 1);
      expect(u.disagree).toBeCloseTo(TRUE_U[name].disagree, 1);
    }
  });

  it('keeps the defaults of fields it never saw', () => {
    const estimate = estimateParameters(syntheticPairs(5_000, 0.3));
    expect(estimate.parameters.fields.phone).toEqual(DEFAULT_PARAMETERS.fields.phone);
  });
});

describe('estimateUnmatched', () => {
  it('measures how often fields agree by chance, never exactly zero', () => {
    const random = seededRandom(7);
    const tally = new ComparisonTally();
    for (let k = 0; k < 10_000; k++) {
      tally.add(
        mapFields((name) =>
          name === 'given'
            ? draw(random, TRUE_U.given)
            : name === 'identifier'
              ? 'disagree'
              : 'missing',
        ),
      );
    }
    const parameters = estimateUnmatched(tally);
    expect(parameters.fields.given.u.exact).toBeCloseTo(0.05, 2);
    expect(parameters.fields.identifier.u.exact).toBeGreaterThan(0);
    expect(parameters.fields.identifier.u.exact).toBeLessThan(0.001);
    expect(parameters.fields.phone.u).toEqual(DEFAULT_PARAMETERS.fields.phone.u);
  });
});

describe('encodeComparison', () => {
  it('packs every combination of levels reversibly', () => {
    const random = seededRandom(3);
    for (let k = 0; k < 200; k++) {
      const comparison = mapFields(() => AGREEMENT_LEVELS[Math.floor(random() * 4)] ?? 'missing');
      expect(decodeComparison(encodeComparison(comparison))).toEqual(comparison);
    }
  });
});
