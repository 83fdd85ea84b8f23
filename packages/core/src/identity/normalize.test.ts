import { describe, expect, it } from 'vitest';
import { normalizePhone } from '../contact/contact.js';
import {
  prepareAddress,
  prepareBirthDate,
  prepareName,
  preparePhone,
  preparePostalCode,
  prepareRecord,
  prepareSex,
  prepareState,
} from './normalize.js';

describe('prepareAddress', () => {
  it('writes street types and unit designators one way', () => {
    expect(prepareAddress('12 Main Street, Apartment 4')?.text).toBe('12 main st unit 4');
    expect(prepareAddress('12 MAIN ST. #4')?.text).toBe('12 main st unit 4');
    expect(prepareAddress('7 Booth Crescent Suite 5')?.text).toBe('7 booth cres unit 5');
  });

  it('takes an empty line for no address', () => {
    expect(prepareAddress('  ')).toBeNull();
    expect(prepareAddress(null)).toBeNull();
  });
});

describe('prepareBirthDate', () => {
  it('reads ISO and YYYYMMDD dates, and ignores a time', () => {
    expect(prepareBirthDate('1958-12-31')).toBe('19581231');
    expect(prepareBirthDate('19581231')).toBe('19581231');
    expect(prepareBirthDate('1958-12-31T00:00:00Z')).toBe('19581231');
  });

  it('keeps an impossible date (a typo made it) and rejects other formats', () => {
    expect(prepareBirthDate('19581331')).toBe('19581331');
    expect(prepareBirthDate('12/31/1958')).toBeNull();
    expect(prepareBirthDate('')).toBeNull();
  });
});

describe('field normalizers', () => {
  it('reads names without case, accents or punctuation, and codes their sound', () => {
    const name = prepareName("  José-María O'Neil ");
    expect(name?.text).toBe('jose maria o neil');
    expect(name?.compact).toBe('josemariaoneil');
    expect(name?.phonetic).toBe('JAS');
  });

  it('reads sex codes from FHIR and HL7 v2, and unknown as no information', () => {
    expect(prepareSex('F')).toBe('female');
    expect(prepareSex('male')).toBe('male');
    expect(prepareSex('U')).toBeNull();
  });

  it('reads postcodes and states in one spelling', () => {
    expect(preparePostalCode('02139-4307')).toBe('02139');
    expect(preparePostalCode('SW1A 1AA')).toBe('sw1a1aa');
    expect(prepareState('Queensland')).toBe('qld');
    expect(prepareState('New York')).toBe('ny');
    expect(prepareState('NY')).toBe('ny');
  });

  it('reads US numbers as normalizePhone does, without its full parse', () => {
    for (const phone of ['(617) 555-0123', '617.555.0123', '+1 617 555 0123', '16175550123']) {
      expect(preparePhone(phone)).toBe(normalizePhone(phone)?.e164);
    }
    expect(preparePhone('+44 20 7946 0958')).toBe('+442079460958');
  });

  it('reads phones as E.164, or their digits when they do not parse', () => {
    expect(preparePhone('(617) 555-0123')).toBe('+16175550123');
    expect(preparePhone('555 0123 99')).toBe('555012399');
    expect(preparePhone('12')).toBeNull();
  });

  it('keeps identifiers by system, without spaces or dashes', () => {
    const record = prepareRecord({ identifiers: [{ system: 'ssn', value: '123-45 6789' }] });
    expect(record.identifiers).toEqual(['ssn|123456789']);
  });
});
