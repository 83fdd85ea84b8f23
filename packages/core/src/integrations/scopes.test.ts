import { describe, expect, it } from 'vitest';
import { assertionRefusal, MAX_ASSERTION_SECONDS } from './assertion.js';
import {
  grantedScopes,
  parseSystemScope,
  scopeNeeds,
  scopeRefusal,
  scopesAllow,
  scopesCover,
} from './scopes.js';

describe('SMART system scopes', () => {
  it('parses v2 letters in order and the v1 forms', () => {
    expect([...(parseSystemScope('system/Patient.rs')?.interactions ?? [])]).toEqual(['r', 's']);
    expect(parseSystemScope('system/*.read')?.resource).toBe('*');
    expect(parseSystemScope('system/Patient.sr')).toBeNull();
    expect(parseSystemScope('system/Patient.rr')).toBeNull();
    expect(parseSystemScope('user/Patient.rs')).toBeNull();
    expect(parseSystemScope('system/Observation.rs')).toBeNull();
  });

  it('a Patient.rs grant reads patients and nothing else', () => {
    const scopes = ['system/Patient.rs'];
    expect(scopesAllow(scopes, 'Patient', 'r')).toBe(true);
    expect(scopesAllow(scopes, 'Patient', 's')).toBe(true);
    expect(scopesAllow(scopes, 'Patient', 'c')).toBe(false);
    expect(scopesAllow(scopes, 'Appointment', 'r')).toBe(false);
    expect(scopesAllow(['system/*.rs'], 'Appointment', 's')).toBe(true);
  });

  it('registers read and search scopes only', () => {
    expect(scopeRefusal('system/Patient.rs')).toBeNull();
    expect(scopeRefusal('system/Patient.cruds')).toMatch(/read and search only/);
    expect(scopeRefusal('system/Patient.write')).toMatch(/read and search only/);
    expect(scopeRefusal('patient/*.read')).toMatch(/not a SMART v2 system scope/);
  });

  it('grants what was asked when held, refuses what is not held', () => {
    const held = ['system/Patient.rs', 'system/Appointment.rs'];
    expect(grantedScopes(held, undefined)).toEqual({ granted: held });
    expect(grantedScopes(held, 'system/Patient.r')).toEqual({ granted: ['system/Patient.r'] });
    expect(grantedScopes(held, 'system/Patient.rs system/Encounter.rs')).toEqual({
      refused: 'system/Encounter.rs',
    });
    expect(grantedScopes(held, 'system/*.rs')).toEqual({ refused: 'system/*.rs' });
    expect(grantedScopes(held, 'system/Patient.c')).toEqual({ refused: 'system/Patient.c' });
  });

  it('maps routes to what they need', () => {
    expect(scopeNeeds('GET', '/fhir/R4/Patient/:id', 'patient:read')).toEqual([
      { resource: 'Patient', interaction: 'r' },
    ]);
    expect(scopeNeeds('GET', '/fhir/R4/Appointment', 'patient:read')).toEqual([
      { resource: 'Appointment', interaction: 's' },
    ]);
    expect(scopeNeeds('GET', '/fhir/R4/Patient/:id/$everything', 'patient:read')).toHaveLength(5);
    expect(scopeNeeds('POST', '/fhir/R4/', 'interop:write')).toBeNull();
    expect(scopeNeeds('POST', '/api/patients', 'patient:write')).toEqual([
      { resource: 'Patient', interaction: 'c' },
    ]);
    expect(scopeNeeds('GET', '/api/patients/:id', 'patient:read')).toEqual([
      { resource: 'Patient', interaction: 'r' },
    ]);
    expect(scopeNeeds('GET', '/api/users', 'user:read')).toBeNull();
    expect(scopesCover(['system/*.rs'], null)).toBe(false);
    expect(
      scopesCover(
        ['system/Patient.rs'],
        scopeNeeds('GET', '/fhir/R4/Patient/:id/$everything', 'patient:read'),
      ),
    ).toBe(false);
  });
});

describe('client assertion claims', () => {
  const now = new Date('2026-03-01T12:00:00Z');
  const t = now.getTime() / 1000;
  const expected = { clientId: 'c1', tokenUrl: 'https://h/oauth2/token', now };
  const good = { iss: 'c1', sub: 'c1', aud: 'https://h/oauth2/token', exp: t + 60, jti: 'j' };

  it('accepts a right assertion', () => {
    expect(assertionRefusal(good, expected)).toBeNull();
    expect(
      assertionRefusal({ ...good, aud: ['x', 'https://h/oauth2/token'] }, expected),
    ).toBeNull();
  });

  it.each([
    [{ ...good, iss: 'c2' }, /iss and sub/],
    [{ ...good, sub: 'c2' }, /iss and sub/],
    [{ ...good, aud: 'https://h/other' }, /aud must be/],
    [{ ...good, exp: t }, /expired/],
    [{ ...good, exp: t + MAX_ASSERTION_SECONDS + 1 }, /at most 300 seconds/],
    [{ ...good, exp: undefined }, /exp is required/],
    [{ ...good, jti: '' }, /jti is required/],
  ])('refuses %o', (claims, why) => {
    expect(assertionRefusal(claims, expected)).toMatch(why);
  });
});
