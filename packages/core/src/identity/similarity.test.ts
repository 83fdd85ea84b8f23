import { describe, expect, it } from 'vitest';
import { jaro, jaroWinkler, tokenSimilarity, tokensAtLeast, withinOneEdit } from './similarity.js';

describe('jaroWinkler', () => {
  it('gives the published values for the classic examples', () => {
    expect(jaroWinkler('martha', 'marhta')).toBeCloseTo(0.961, 3);
    expect(jaroWinkler('dwayne', 'duane')).toBeCloseTo(0.84, 3);
    expect(jaroWinkler('dixon', 'dicksonx')).toBeCloseTo(0.813, 3);
    expect(jaro('martha', 'marhta')).toBeCloseTo(0.944, 3);
  });

  it('is 1 for equal strings and 0 for strings with nothing in common', () => {
    expect(jaroWinkler('smith', 'smith')).toBe(1);
    expect(jaroWinkler('abc', 'xyz')).toBe(0);
    expect(jaroWinkler('', 'abc')).toBe(0);
  });

  it('is symmetric and handles strings longer than its scratch space', () => {
    const long = 'a'.repeat(200);
    const other = `${'a'.repeat(199)}b`;
    expect(jaroWinkler(long, other)).toBeCloseTo(jaroWinkler(other, long), 10);
    expect(jaroWinkler(long, other)).toBeGreaterThan(0.99);
  });
});

describe('withinOneEdit', () => {
  it('accepts one replaced, inserted or deleted character, or one swap of neighbours', () => {
    expect(withinOneEdit('6358553', '6358573')).toBe(true);
    expect(withinOneEdit('4814', '4184')).toBe(true);
    expect(withinOneEdit('abc', 'abcd')).toBe(true);
    expect(withinOneEdit('abcd', 'acd')).toBe(true);
  });

  it('rejects two errors', () => {
    expect(withinOneEdit('12345', '21354')).toBe(false);
    expect(withinOneEdit('abc', 'abcde')).toBe(false);
    expect(withinOneEdit('19361218', '19301206')).toBe(false);
  });
});

describe('tokenSimilarity', () => {
  it('ignores word order and is lowered, not sunk, by a missing word', () => {
    expect(tokenSimilarity(['main', 'st', '12'], ['12', 'main', 'st'])).toBe(1);
    const missing = tokenSimilarity(['69', 'giblin', 'st', 'killarney'], ['69', 'giblin', 'st']);
    expect(missing).toBeGreaterThan(0.9);
    expect(missing).toBeLessThan(1);
  });

  it('agrees with its early-exit form', () => {
    const a = ['116', 'alawa', 'st', 'longplain'];
    const b = ['17', 'ocean', 'rd'];
    expect(tokensAtLeast(a, b, 0.9)).toBe(tokenSimilarity(a, b) >= 0.9);
    expect(tokensAtLeast(a, ['116', 'alawa', 'sutreet', 'longplain'], 0.9)).toBe(true);
  });
});
