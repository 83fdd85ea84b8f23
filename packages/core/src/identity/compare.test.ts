import { describe, expect, it } from 'vitest';
import {
  compareAddress,
  compareBirthDate,
  compareIdentifiers,
  compareName,
  comparePhone,
  compareRecords,
} from './compare.js';
import { prepareAddress, prepareName, prepareRecord } from './normalize.js';

const name = (text: string) => prepareName(text);

describe('compareName', () => {
  it('takes a typo, a nickname or a sound-alike for similar', () => {
    expect(compareName(name('Katherine'), name('Katherien'))).toBe('similar');
    expect(compareName(name('William'), name('Bill'))).toBe('similar');
    expect(compareName(name('Phillips'), name('Filips'))).toBe('similar');
  });

  it('takes spacing and case for the same name', () => {
    expect(compareName(name('Mary Ann'), name('MARYANN'))).toBe('exact');
  });

  it('takes different names for different', () => {
    expect(compareName(name('Olivia'), name('Alexandra'))).toBe('disagree');
    expect(compareName(name('Mason'), name('Jason'))).toBe('disagree');
  });

  it('has nothing to say when a name is missing', () => {
    expect(compareName(null, name('Olivia'))).toBe('missing');
  });
});

describe('compareBirthDate', () => {
  it('takes swapped day and month, one mistyped digit or two swapped digits for similar', () => {
    expect(compareBirthDate('19800304', '19800403')).toBe('similar');
    expect(compareBirthDate('19800304', '19800384')).toBe('similar');
    expect(compareBirthDate('19800304', '19080304')).toBe('similar');
    expect(compareBirthDate('19800304', '19500304')).toBe('similar');
  });

  it('takes two errors for different', () => {
    expect(compareBirthDate('19361218', '19301206')).toBe('disagree');
    expect(compareBirthDate('19800304', '19551120')).toBe('disagree');
  });
});

describe('other comparators', () => {
  it('takes a typo in an address or a missing unit for similar', () => {
    const line = prepareAddress('116 Alawa Street Longplain');
    expect(compareAddress(line, prepareAddress('116 alawa st longplain'))).toBe('exact');
    expect(compareAddress(line, prepareAddress('116 Alawa Sutreet Longplain'))).toBe('similar');
    expect(compareAddress(line, prepareAddress('22 Mathieson Crescent'))).toBe('disagree');
  });

  it('compares identifiers only within their system', () => {
    expect(compareIdentifiers(['ssn|123'], ['mrn|123'])).toBe('missing');
    expect(compareIdentifiers(['ssn|6358553'], ['ssn|6358573'])).toBe('similar');
    expect(compareIdentifiers(['mrn|1', 'ssn|123456'], ['ssn|999999'])).toBe('disagree');
    expect(compareIdentifiers(['mrn|1', 'ssn|123456'], ['ssn|123456'])).toBe('exact');
  });

  it('takes the same number with and without area code for similar', () => {
    expect(comparePhone('+16175550123', '5550123')).toBe('similar');
  });

  it('reads names filled in the wrong boxes', () => {
    const a = prepareRecord({ given: 'Ryan', family: 'Campbell' });
    const b = prepareRecord({ given: 'Campbell', family: 'Ryan' });
    const c = compareRecords(a, b);
    expect([c.given, c.family]).toEqual(['similar', 'similar']);
  });
});
