import { describe, expect, it } from 'vitest';
import type { MatchRecord } from './record.js';
import { scorePair } from './score.js';

const maria: MatchRecord = {
  given: 'Maria',
  family: 'Gonzalez',
  birthDate: '1980-03-04',
  sex: 'F',
  line: '12 Main Street Apt 4',
  city: 'Springfield',
  state: 'MA',
  postalCode: '01105',
  phone: '(413) 555-0123',
  email: 'maria.gonzalez@example.org',
  identifiers: [{ system: 'mrn', value: 'A1001' }],
};

/** Maria as a second registration: another MRN, and whatever else `changes` says. */
const again = (changes: Partial<MatchRecord>): MatchRecord => ({
  ...maria,
  identifiers: [{ system: 'mrn', value: 'B2002' }],
  ...changes,
});

describe('scorePair', () => {
  it('links a second registration with typos in both names', () => {
    const result = scorePair(maria, again({ given: 'Mraia', family: 'Gonzales' }));
    expect(result.outcome).toBe('link');
    expect(result.reason).toBe('score');
  });

  it('links a birth date with day and month swapped', () => {
    const result = scorePair(maria, again({ birthDate: '19800403' }));
    expect(result.comparison.birthDate).toBe('similar');
    expect(result.outcome).toBe('link');
  });

  it('links written-out street types, another phone format and a nickname', () => {
    const bill = { ...maria, given: 'William', sex: 'M' };
    const result = scorePair(
      bill,
      again({ given: 'Bill', sex: 'M', line: '12 MAIN ST #4', phone: '413.555.0123' }),
    );
    expect(result.outcome).toBe('link');
  });

  it('never links twins: same birth date and address, different given names', () => {
    const twin = again({ given: 'Sofia', email: null });
    const result = scorePair(maria, twin);
    expect(result.score).toBeGreaterThan(15);
    expect(result.outcome).toBe('review');
    expect(result.reason).toBe('twins');
  });

  it('never links twins whose given names only look alike (Anna and Hanna), yet links a typo', () => {
    const anna: MatchRecord = { ...maria, given: 'Anna', identifiers: [], email: null };
    const hanna = scorePair(anna, { ...anna, given: 'Hanna' });
    expect(hanna).toMatchObject({ outcome: 'review', reason: 'twins' });
    expect(scorePair(anna, { ...anna, given: 'Ana' }).outcome).toBe('link');
    expect(scorePair({ ...anna, given: 'William' }, { ...anna, given: 'Bill' }).outcome).toBe(
      'link',
    );
  });

  it('does not link a parent and child who share a name and an address', () => {
    const mother = again({ birthDate: '1955-11-20', email: null });
    const result = scorePair(maria, mother);
    expect(result.outcome).not.toBe('link');
    expect(result.reason).toBe('birth-date-conflict');
  });

  it('does not link two people of the same name born on other dates elsewhere', () => {
    const other = {
      given: 'Maria',
      family: 'Gonzalez',
      birthDate: '1991-07-22',
      line: '80 Elm Road',
      city: 'Worcester',
      postalCode: '01602',
    };
    expect(scorePair(maria, other).outcome).toBe('new');
  });

  it('counts a shared postcode once, not again as city and state', () => {
    const neighbour = {
      given: 'Maria',
      family: 'Okafor',
      birthDate: '2001-02-27',
      line: '1194 Norer Avenue',
      city: maria.city,
      state: maria.state,
      postalCode: maria.postalCode,
    };
    const result = scorePair(maria, neighbour);
    expect(result.fieldWeights.city).toBe(0);
    expect(result.fieldWeights.state).toBe(0);
    expect(result.outcome).toBe('new');
  });

  it('does not link on a shared name and address alone', () => {
    const roommate = {
      given: 'Maria',
      family: 'Gonzalez',
      line: maria.line,
      city: maria.city,
      postalCode: maria.postalCode,
      state: maria.state,
    };
    const result = scorePair(maria, roommate);
    expect(result.score).toBeGreaterThan(15);
    expect(result).toMatchObject({ outcome: 'review', reason: 'sparse' });
  });

  it('links on a shared identifier first, whatever the score', () => {
    const sparse: MatchRecord = {
      given: 'M',
      family: 'Gonzalez',
      identifiers: [{ system: 'mrn', value: 'A1001' }],
    };
    const result = scorePair(maria, sparse);
    expect(result.outcome).toBe('link');
    expect(result.reason).toBe('identifier');
  });

  it('sends a shared identifier between two different names to review', () => {
    const stranger = again({
      given: 'Robert',
      family: 'Okafor',
      identifiers: maria.identifiers ?? [],
    });
    expect(scorePair(maria, stranger)).toMatchObject({
      outcome: 'review',
      reason: 'name-conflict',
    });
  });

  it('explains the score field by field', () => {
    const result = scorePair(maria, again({ email: null }));
    expect(result.fieldWeights.email).toBe(0);
    expect(result.fieldWeights.given).toBeGreaterThan(0);
    const sum = Object.values(result.fieldWeights).reduce((a, b) => a + b, 0);
    expect(sum).toBeCloseTo(result.score, 10);
  });
});
