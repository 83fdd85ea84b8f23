import { describe, expect, it } from 'vitest';
import { clusterPairs, dedupeRecords, linkRecords } from './link.js';
import { prepareRecord } from './normalize.js';
import type { MatchRecord } from './record.js';
import { syntheticRecords } from './synthetic.js';

const person: MatchRecord = {
  given: 'Jonas',
  family: 'Lindqvist',
  birthDate: '1990-02-14',
  sex: 'M',
  line: '31 Harbor Road',
  city: 'Gloucester',
  state: 'MA',
  postalCode: '01930',
  phone: '978 555 0142',
};

describe('dedupeRecords', () => {
  it('finds the duplicates of a generated population and none of its twins', () => {
    const people = [...syntheticRecords({ records: 4_000, seed: 3 })];
    const records = people.map((p) => prepareRecord(p.record));
    const result = dedupeRecords(records);
    const { pairs } = clusterPairs(records, result.links, result.parameters);
    const correct = pairs.filter((p) => people[p.a]?.person === people[p.b]?.person).length;
    let truePairs = 0;
    const sizes = new Map<number, number>();
    for (const p of people) sizes.set(p.person, (sizes.get(p.person) ?? 0) + 1);
    for (const n of sizes.values()) truePairs += (n * (n - 1)) / 2;
    expect(correct / pairs.length).toBeGreaterThan(0.99);
    expect(correct / truePairs).toBeGreaterThan(0.9);
    expect(result.estimate?.matchProportion).toBeGreaterThan(0);
  });

  it('does not let a record without a given name merge twins', () => {
    const twin = { ...person, given: 'Elsa', sex: 'F' };
    const sparse = { ...person, given: null, sex: null };
    const records = [person, twin, sparse].map(prepareRecord);
    const result = dedupeRecords(records, { learn: false });
    expect(result.links.length).toBe(2);
    const grouped = clusterPairs(records, result.links, result.parameters);
    expect(grouped.refused).toBe(1);
    expect(grouped.clusters).toHaveLength(1);
    expect(grouped.clusters[0]).toHaveLength(2);
  });

  it('keeps look-alike twins apart as the server does: a review, never a link or a cluster', () => {
    const anna = { ...person, given: 'Anna', sex: 'F' };
    const hanna = { ...anna, given: 'Hanna' };
    const sparse = { ...anna, given: null };
    const records = [anna, hanna, sparse].map(prepareRecord);
    const result = dedupeRecords(records, { learn: false });
    expect(result.links.map((l) => [l.a, l.b])).not.toContainEqual([0, 1]);
    expect(result.reviews).toContainEqual(expect.objectContaining({ a: 0, b: 1, reason: 'twins' }));
    const grouped = clusterPairs(records, result.links, result.parameters);
    expect(grouped.clusters.every((c) => !(c.includes(0) && c.includes(1)))).toBe(true);
  });

  it('lists every pair of a cluster, including those linked through a third record', () => {
    const records = [
      person,
      { ...person, line: '31 Harbour Rd', phone: null },
      { ...person, given: 'Jonsa', line: '31 Harbour Rd', phone: null, city: null },
    ].map(prepareRecord);
    const result = dedupeRecords(records, { learn: false });
    const grouped = clusterPairs(records, result.links, result.parameters);
    expect(grouped.pairs.map((p) => [p.a, p.b])).toEqual([
      [0, 1],
      [0, 2],
      [1, 2],
    ]);
  });
});

describe('linkRecords', () => {
  it('links a record of one list to its counterpart in the other', () => {
    const left = [person, { ...person, given: 'Anna', family: 'Berg', birthDate: '1970-01-01' }];
    const right = [
      { ...person, family: 'Lindquist' },
      { given: 'Omar', family: 'Haddad' },
    ];
    const result = linkRecords(left.map(prepareRecord), right.map(prepareRecord), { learn: false });
    expect(result.links.map((p) => [p.a, p.b])).toEqual([[0, 0]]);
  });
});
