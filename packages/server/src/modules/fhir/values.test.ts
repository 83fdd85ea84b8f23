import { canonicalJson } from '@careloop/core';
import { describe, expect, it } from 'vitest';
import { readBundle, typeAndId, validateEntry } from './import/bundle.js';
import {
  parseDateParam,
  parseToken,
  patientIdParam,
  telecomValue,
} from './search/search-params.js';
import {
  calendarDateOf,
  codeOf,
  contentHash,
  instantOf,
  isContainedIn,
  languageOf,
  moneyOf,
  nameParts,
} from './values.js';

describe('FHIR values', () => {
  it('reads partial dates as the first instant they cover', () => {
    expect(instantOf('1974')?.toISOString()).toBe('1974-01-01T00:00:00.000Z');
    expect(instantOf('1974-12')?.toISOString()).toBe('1974-12-01T00:00:00.000Z');
    expect(instantOf('2024-03-05T09:00:00-05:00')?.toISOString()).toBe('2024-03-05T14:00:00.000Z');
    expect(instantOf('not a date')).toBeNull();
    expect(calendarDateOf('1974-12')).toEqual({ date: '1974-12-01', precision: 'month' });
    expect(calendarDateOf('2001-05-06T10:00:00Z')).toEqual({
      date: '2001-05-06',
      precision: 'day',
    });
  });

  it('takes a code from the first coding, or the text alone', () => {
    expect(codeOf({ coding: [{ system: 's', code: 'c' }], text: 'Label' })).toEqual({
      system: 's',
      code: 'c',
      display: 'Label',
    });
    expect(codeOf({ text: 'Only text' })?.display).toBe('Only text');
    expect(codeOf({})).toBeNull();
  });

  it('splits a name given only as text', () => {
    expect(nameParts({ text: 'Mary Ann Smith' })).toEqual({
      given: 'Mary',
      middle: 'Ann',
      family: 'Smith',
    });
    expect(nameParts({ family: 'Chalmers', given: ['Peter', 'James'] })).toEqual({
      given: 'Peter',
      middle: 'James',
      family: 'Chalmers',
    });
  });

  it('keeps money exact to the cent', () => {
    expect(moneyOf({ value: 112.41600000000001, currency: 'USD' })).toEqual({
      amount: '112.42',
      currency: 'USD',
    });
    expect(moneyOf({})).toBeNull();
  });

  it('hashes content, not key order', () => {
    expect(canonicalJson({ b: 1, a: [{ d: 2, c: 3 }] })).toBe('{"a":[{"c":3,"d":2}],"b":1}');
    expect(contentHash({ a: 1, b: 2 })).toBe(contentHash({ b: 2, a: 1 }));
    expect(contentHash({ a: 1 })).not.toBe(contentHash({ a: 2 }));
  });

  it('writes keys in string order, integer-like and __proto__ keys included', () => {
    // Hashes stored by earlier imports were taken over this exact text.
    expect(canonicalJson({ b: 1, 10: 'x', 2: 'y', a: undefined })).toBe('{"10":"x","2":"y","b":1}');
    expect(canonicalJson(JSON.parse('{"z":{"__proto__":{"b":1,"a":2}},"y":[3,null]}'))).toBe(
      '{"y":[3,null],"z":{"__proto__":{"a":2,"b":1}}}',
    );
    expect(canonicalJson({ s: 'é"\\\n', n: -0, f: 1e21, list: [undefined, 'x'] })).toBe(
      '{"f":1e+21,"list":[null,"x"],"n":0,"s":"é\\"\\\\\\n"}',
    );
  });

  it('recognises a copy that carries nothing new', () => {
    const whole = {
      name: 'X',
      extension: [{ url: 'u', valueInteger: 1 }],
      address: [{ city: 'A' }],
    };
    expect(isContainedIn({ name: 'X', address: [{ city: 'A' }] }, whole)).toBe(true);
    expect(isContainedIn({ name: 'Y' }, whole)).toBe(false);
    expect(isContainedIn({ address: [{ city: 'A' }, { city: 'B' }] }, whole)).toBe(false);
  });

  it('keeps the primary language subtag', () => {
    expect(languageOf('en-US')).toBe('en');
    expect(languageOf('zh_Hant')).toBe('zh');
    expect(languageOf('')).toBeNull();
  });
});

describe('reading a bundle', () => {
  it('takes the source id from the resource, the request URL, the fullUrl, or the content', () => {
    const bundle = readBundle({
      resourceType: 'Bundle',
      type: 'batch',
      entry: [
        { resource: { resourceType: 'Patient', id: 'a' } },
        { resource: { resourceType: 'Patient' }, request: { method: 'PUT', url: 'Patient/b' } },
        { fullUrl: 'urn:uuid:5f1c', resource: { resourceType: 'Patient' } },
        { resource: { resourceType: 'Patient', gender: 'male' } },
        { request: { method: 'DELETE', url: 'Patient/a' } },
      ],
    });
    expect(bundle.entries.map((e) => e.sourceId?.slice(0, 7) ?? null)).toEqual([
      'a',
      'b',
      '5f1c',
      'sha256:',
      null,
    ]);
    expect(bundle.entries[4]?.kind).toBe('invalid');
  });

  it('rejects the second of two entries for the same resource', () => {
    const bundle = readBundle({
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        { resource: { resourceType: 'Patient', id: 'a' } },
        { resource: { resourceType: 'Patient', id: 'a' } },
      ],
    });
    expect(bundle.entries.map((e) => e.kind)).toEqual(['ready', 'invalid']);
  });

  it('validates against R4 and names the field at fault', () => {
    const [entry] = readBundle({
      resourceType: 'Bundle',
      type: 'batch',
      entry: [{ resource: { resourceType: 'Patient', birthDate: 'last tuesday' } }],
    }).entries;
    if (entry?.kind !== 'ready') throw new Error('expected a ready entry');
    const checked = validateEntry(entry);
    expect(checked.kind).toBe('invalid');
    if (checked.kind === 'invalid') expect(checked.error.path).toBe('birthDate');
  });

  it('parses references to their type and id', () => {
    expect(typeAndId('Patient/123')).toEqual(['Patient', '123']);
    expect(typeAndId('http://x.org/fhir/Patient/123/_history/2')).toEqual(['Patient', '123']);
    expect(typeAndId('urn:uuid:abc')).toBeNull();
  });
});

describe('search parameters', () => {
  it('reads birth dates with prefixes as half-open ranges', () => {
    expect(parseDateParam('1970')).toEqual({ from: '1970-01-01', to: '1971-01-01', negate: false });
    expect(parseDateParam('1970-12')).toEqual({
      from: '1970-12-01',
      to: '1971-01-01',
      negate: false,
    });
    expect(parseDateParam('ge1970-03-01')).toEqual({ from: '1970-03-01', to: null, negate: false });
    expect(parseDateParam('lt1970-03-01')).toEqual({ from: null, to: '1970-03-01', negate: false });
    expect(parseDateParam('ne1970-03-01')).toEqual({
      from: '1970-03-01',
      to: '1970-03-02',
      negate: true,
    });
    expect(() => parseDateParam('1970-02-30')).toThrow();
    // Year 0 is a JavaScript date but not a PostgreSQL one: it reached the database (a 500).
    expect(() => parseDateParam('0000')).toThrow(/calendar date/);
    expect(() => parseDateParam('2020-13-45')).toThrow(/calendar date/);
    expect(() => parseDateParam('soon')).toThrow();
  });

  it('reads tokens, telecoms and patient references', () => {
    expect(parseToken('urn:oid:1|123')).toEqual({ system: 'urn:oid:1', value: '123' });
    expect(parseToken('123')).toEqual({ system: null, value: '123' });
    expect(telecomValue('(617) 555-0142')).toEqual({ system: 'phone', value: '+16175550142' });
    expect(telecomValue('email|A@B.org')).toEqual({ system: 'email', value: 'a@b.org' });
    expect(patientIdParam('Patient/abc-1')).toBe('abc-1');
    expect(patientIdParam('https://x/fhir/Patient/abc')).toBe('abc');
    expect(patientIdParam(undefined)).toBeNull();
  });
});
