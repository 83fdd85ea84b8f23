import { describe, expect, it } from 'vitest';
import {
  fullBirthDate,
  type SurvivorshipSource,
  survivingChanges,
  survivingValues,
} from './survivorship.js';

const at = (iso: string) => new Date(iso);
const source = (
  id: string,
  kind: SurvivorshipSource['kind'],
  receivedAt: string,
  demographics: SurvivorshipSource['demographics'],
): SurvivorshipSource => ({ id, kind, receivedAt: at(receivedAt), demographics });

describe('survivorship', () => {
  it('takes identity from the most trusted source, however recent a less trusted one is', () => {
    const result = survivingValues([
      source('ehr', 'hl7', '2024-01-01T00:00:00Z', { given: 'Margaret', family: 'Ng' }),
      source('csv', 'csv', '2025-06-01T00:00:00Z', { given: 'Peggy', family: 'Ng' }),
      source('web', 'portal', '2025-07-01T00:00:00Z', { given: 'Maggie', language: 'zh' }),
    ]);
    expect(result.givenName).toMatchObject({ value: 'Margaret', sourceId: 'ehr', kind: 'hl7' });
    expect(result.familyName?.sourceId).toBe('ehr');
  });

  it('lets the most recent of equally trusted sources win, and the patient state their language', () => {
    const result = survivingValues([
      source('desk', 'staff', '2024-03-01T00:00:00Z', { family: 'Okafor', language: 'en' }),
      source('ehr', 'fhir', '2024-05-01T00:00:00Z', { family: 'Okafor-Bell', language: 'fr' }),
      source('web', 'portal', '2024-04-01T00:00:00Z', { language: 'ig' }),
    ]);
    expect(result.familyName?.value).toBe('Okafor-Bell');
    // Portal and staff rank above clinical systems for a preference; the portal is newer.
    expect(result.preferredLanguage).toMatchObject({ value: 'ig', sourceId: 'web' });
  });

  it('ignores empty, unknown and partial values instead of letting them erase better ones', () => {
    const result = survivingValues([
      source('old', 'hl7', '2020-01-01T00:00:00Z', { birthDate: '19790214', sex: 'female' }),
      source('new', 'hl7', '2024-01-01T00:00:00Z', {
        birthDate: '1979',
        sex: 'unknown',
        given: ' ',
      }),
    ]);
    expect(result.birthDate).toMatchObject({ value: '1979-02-14', sourceId: 'old' });
    expect(result.administrativeSex?.value).toBe('female');
    expect(result.givenName).toBeUndefined();
  });

  it('takes a death only from staff or a clinical system', () => {
    expect(
      survivingValues([
        source('csv', 'csv', '2024-01-01T00:00:00Z', { deceasedAt: '2023-12-01T00:00:00Z' }),
      ]).deceasedAt,
    ).toBeUndefined();
    expect(
      survivingValues([
        source('ehr', 'fhir', '2024-01-01T00:00:00Z', { deceasedAt: '2023-12-01T00:00:00Z' }),
      ]).deceasedAt?.value,
    ).toBe('2023-12-01T00:00:00Z');
  });

  it('does not depend on the order the sources come in', () => {
    const a = source('a', 'staff', '2024-01-01T00:00:00Z', { given: 'Ann' });
    const b = source('b', 'fhir', '2024-01-01T00:00:00Z', { given: 'Anne' });
    expect(survivingValues([a, b]).givenName?.value).toBe('Ann');
    expect(survivingValues([b, a]).givenName?.value).toBe('Ann');
  });

  it('reads full dates only', () => {
    expect(fullBirthDate('2001-02-29')).toBeNull();
    expect(fullBirthDate('20000229')).toBe('2000-02-29');
    expect(fullBirthDate('2000-02')).toBeNull();
  });
});

describe('survivingChanges', () => {
  const golden = {
    givenName: 'Ana',
    middleName: null,
    familyName: 'Silva',
    birthDate: '1980-02-03',
    administrativeSex: 'female',
    preferredLanguage: 'pt',
    deceasedAt: null,
  };

  it('keeps the language the patient chose when a clinical feed sends another, later', () => {
    const { values, changed } = survivingChanges(golden, [
      source('web', 'portal', '2024-01-01T00:00:00Z', { language: 'pt' }),
      source('ehr', 'hl7', '2025-01-01T00:00:00Z', {
        given: 'Ana',
        family: 'Silva',
        language: 'en',
      }),
    ]);
    expect(values).toEqual({});
    expect(changed).toEqual([]);
  });

  it('names the fields that change and leaves alone those no source speaks to', () => {
    const { values, changed } = survivingChanges(golden, [
      source('ehr', 'fhir', '2025-01-01T00:00:00Z', {
        given: 'Ana',
        family: 'Silva-Costa',
        deceasedAt: '2025-01-01T10:00:00Z',
      }),
    ]);
    expect(values).toEqual({
      familyName: 'Silva-Costa',
      deceasedAt: new Date('2025-01-01T10:00:00Z'),
    });
    expect(changed).toEqual(['familyName', 'deceasedAt']);
  });
});
