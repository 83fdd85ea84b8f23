import { describe, expect, it } from 'vitest';
import { parsePatientSearch, searchableName, searchColumns } from './search.js';

describe('parsePatientSearch', () => {
  it('reads ISO and US birth dates', () => {
    expect(parsePatientSearch('1968-04-12')).toEqual({ kind: 'birthDate', date: '1968-04-12' });
    expect(parsePatientSearch('4/12/1968')).toEqual({ kind: 'birthDate', date: '1968-04-12' });
  });

  it('does not take an impossible date for a birth date', () => {
    expect(parsePatientSearch('1968-02-30').kind).not.toBe('birthDate');
  });

  it('reads emails case-insensitively', () => {
    expect(parsePatientSearch(' Maria@Example.ORG ')).toEqual({
      kind: 'email',
      email: 'maria@example.org',
    });
  });

  it('reads formatted phone numbers as E.164', () => {
    expect(parsePatientSearch('(617) 555-0123')).toMatchObject({
      kind: 'phone',
      e164: '+16175550123',
    });
  });

  it('reads an MRN as an identifier', () => {
    expect(parsePatientSearch('MRN100234')).toEqual({ kind: 'identifier', value: 'MRN100234' });
  });

  it('reads names in any order, without accents', () => {
    expect(parsePatientSearch('José  Núñez')).toEqual({ kind: 'name', tokens: ['jose', 'nunez'] });
  });

  it('treats an empty box as everyone', () => {
    expect(parsePatientSearch('   ')).toEqual({ kind: 'all' });
  });
});

describe('searchableName', () => {
  it('joins parts and folds case and accents', () => {
    expect(searchableName("O'Brien", 'Zoë')).toBe("o'brien zoe");
  });
});

describe('searchColumns', () => {
  it('derives the family-then-given search name and the given one from the names', () => {
    expect(searchColumns(' Núñez-Ortega ', 'José  María')).toEqual({
      searchName: 'nunez-ortega jose maria',
      searchGiven: 'jose maria',
    });
  });
});
