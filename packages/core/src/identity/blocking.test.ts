import { describe, expect, it } from 'vitest';
import {
  blockingKeys,
  candidatePairs,
  candidatePairsAcross,
  emptyBlockingStats,
} from './blocking.js';
import { type PreparedRecord, prepareRecord } from './normalize.js';
import type { MatchRecord } from './record.js';
import { syntheticRecords } from './synthetic.js';

const pairSet = (pairs: Iterable<[number, number]>) =>
  new Set([...pairs].map(([i, j]) => `${i}:${j}`));

const base: MatchRecord = {
  given: 'Olivia',
  family: 'Hartmann',
  birthDate: '1975-06-08',
  line: '4 Elm Street',
  postalCode: '02139',
  phone: '617 555 0199',
};

describe('candidatePairs', () => {
  it('keeps a duplicate whatever single field is wrong', () => {
    const variants: MatchRecord[] = [
      { ...base, given: 'Olvia' },
      { ...base, family: 'Hartman' },
      { ...base, family: 'Smith', phone: null },
      { ...base, birthDate: '1975-08-06', postalCode: '02138' },
      { ...base, birthDate: '1957-06-08', phone: null },
      { ...base, line: '99 Oak Road', postalCode: '94110', phone: null },
      { given: 'Hartmann', family: 'Olivia', birthDate: '1975-06-09', postalCode: '10001' },
    ];
    for (const variant of variants) {
      const records = [base, variant].map(prepareRecord);
      expect([...candidatePairs(records)]).toEqual([[0, 1]]);
    }
  });

  it('finds nearly every duplicate of a generated population', () => {
    const people = [...syntheticRecords({ records: 5_000, seed: 11 })];
    const found = pairSet(candidatePairs(people.map((p) => prepareRecord(p.record))));
    let pairs = 0;
    let kept = 0;
    people.forEach((p, i) => {
      for (let j = i + 1; j < people.length && j < i + 10; j++) {
        if (people[j]?.person !== p.person) continue;
        pairs++;
        if (found.has(`${i}:${j}`)) kept++;
      }
    });
    expect(pairs).toBeGreaterThan(500);
    expect(kept / pairs).toBeGreaterThan(0.99);
  });

  it('gives each pair once, lower number first', () => {
    const people = [...syntheticRecords({ records: 2_000, seed: 5 })];
    const pairs = [...candidatePairs(people.map((p) => prepareRecord(p.record)))];
    expect(pairSet(pairs).size).toBe(pairs.length);
    expect(pairs.every(([i, j]) => i < j)).toBe(true);
  });

  it('compares a huge block within a window, so cost grows with its size', () => {
    // 3,000 people born the same day in one postcode: a block of every pair would be 4.5M.
    const records: PreparedRecord[] = Array.from({ length: 3_000 }, (_, k) =>
      prepareRecord({
        given: `Given${k}`,
        family: `Family${k}`,
        birthDate: '1900-01-01',
        postalCode: '02139',
      }),
    );
    const stats = emptyBlockingStats();
    const count = [...candidatePairs(records, { fullBlockSize: 100, window: 20 }, stats)].length;
    expect(stats.windowedBlocks).toBeGreaterThan(0);
    const keys = blockingKeys(records[0] ?? prepareRecord({})).length;
    expect(keys).toBe(5);
    expect(count).toBeLessThan(3_000 * 20 * keys);
  });

  it('does not lose a pair to a large block that it shares with others', () => {
    const crowd = Array.from({ length: 300 }, (_, k) =>
      prepareRecord({ given: `Ann${k}`, family: `F${k}`, postalCode: '02139' }),
    );
    const a = prepareRecord({
      given: 'Ann',
      family: 'Aalto',
      postalCode: '02139',
      phone: '6175550100',
    });
    const b = prepareRecord({
      given: 'Ann',
      family: 'Zyl',
      postalCode: '02139',
      phone: '6175550100',
    });
    const records = [a, ...crowd, b];
    const stats = emptyBlockingStats();
    const pairs = pairSet(candidatePairs(records, { fullBlockSize: 100, window: 5 }, stats));
    expect(stats.windowedBlocks).toBeGreaterThan(0);
    expect(pairs.has(`0:${records.length - 1}`)).toBe(true);
  });
});

describe('candidatePairsAcross', () => {
  it('pairs records of one list only with records of the other', () => {
    const left = [base, { ...base, given: 'Emma', family: 'Stone' }].map(prepareRecord);
    const right = [{ ...base, given: 'Olvia' }, base, { given: 'Zed' }].map(prepareRecord);
    const pairs = [...candidatePairsAcross(left, right)];
    expect(pairs).toContainEqual([0, 0]);
    expect(pairs).toContainEqual([0, 1]);
    for (const [i, j] of pairs) {
      expect(i).toBeLessThan(left.length);
      expect(j).toBeLessThan(right.length);
    }
  });
});
