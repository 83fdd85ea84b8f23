import { describe, expect, it } from 'vitest';
import { clusters, UnionFind } from './clusters.js';

describe('clusters', () => {
  it('joins pairs transitively and leaves singletons out', () => {
    expect(
      clusters([
        [0, 1],
        [5, 6],
        [1, 2],
        [9, 9],
      ]),
    ).toEqual([
      [0, 1, 2],
      [5, 6],
    ]);
  });

  it('gives nothing for no pairs', () => {
    expect(clusters([])).toEqual([]);
  });
});

describe('UnionFind', () => {
  it('grows past its first size', () => {
    const sets = new UnionFind(2);
    sets.union(1, 1000);
    expect(sets.find(1000)).toBe(sets.find(1));
    expect(sets.find(500)).toBe(500);
  });
});
