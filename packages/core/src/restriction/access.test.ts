import { describe, expect, it } from 'vitest';
import { ROLES, type Role } from '../auth/roles.js';
import { CareloopError } from '../errors/problem.js';
import {
  breakGlassReason,
  detailAccess,
  grantExpiry,
  mayBreakGlass,
  type PatientAccessFacts,
} from './access.js';

const asOf = new Date('2026-12-05T12:00:00Z');
const facts = (over: Partial<PatientAccessFacts>): PatientAccessFacts => ({
  role: 'clinician',
  restriction: 'confidential',
  onCareTeam: false,
  grantExpiresAt: null,
  asOf,
  ...over,
});

describe('detailAccess', () => {
  it('opens an unrestricted record to every role', () => {
    for (const role of ROLES) {
      expect(detailAccess(facts({ role, restriction: null }))).toEqual({ kind: 'open' });
    }
  });

  it('opens a restricted record to its care team, whatever the role', () => {
    for (const role of ['front-desk', 'clinician', 'marketer'] as Role[]) {
      expect(detailAccess(facts({ role, onCareTeam: true }))).toEqual({ kind: 'care-team' });
    }
  });

  it('restricts every kind alike for staff outside the care team, admins included', () => {
    for (const restriction of ['confidential', 'vip', 'employee'] as const) {
      expect(detailAccess(facts({ role: 'admin', restriction }))).toEqual({
        kind: 'restricted',
        mayBreakGlass: true,
      });
    }
  });

  it('opens the record while a break-glass grant lasts, and closes it at expiry', () => {
    const until = new Date(asOf.getTime() + 60_000);
    expect(detailAccess(facts({ grantExpiresAt: until }))).toEqual({
      kind: 'break-glass',
      expiresAt: until,
    });
    expect(detailAccess(facts({ grantExpiresAt: until, asOf: until })).kind).toBe('restricted');
    expect(
      detailAccess(facts({ grantExpiresAt: until, asOf: new Date(until.getTime() + 1) })).kind,
    ).toBe('restricted');
  });

  it('lets only roles with clinical access break the glass', () => {
    const allowed = ROLES.filter(mayBreakGlass);
    expect(allowed).toEqual(['admin', 'care-coordinator', 'clinician']);
    for (const role of ['front-desk', 'marketer', 'analyst', 'patient'] as Role[]) {
      expect(detailAccess(facts({ role }))).toEqual({ kind: 'restricted', mayBreakGlass: false });
    }
  });
});

describe('breakGlassReason', () => {
  it('keeps a stated reason, spaces folded', () => {
    expect(breakGlassReason('  Patient in ED,   unconscious; need allergies ')).toBe(
      'Patient in ED, unconscious; need allergies',
    );
  });

  it('refuses an empty or token reason, naming the field', () => {
    for (const reason of ['', '   ', 'need it', 'x'.repeat(14)]) {
      const error = (() => {
        try {
          breakGlassReason(reason);
        } catch (e) {
          return e;
        }
        return null;
      })();
      expect(error).toBeInstanceOf(CareloopError);
      expect((error as CareloopError).problem).toMatchObject({ status: 400, path: '/body/reason' });
    }
  });

  it('refuses a reason past 500 characters', () => {
    expect(() => breakGlassReason('a'.repeat(501))).toThrow(CareloopError);
  });
});

it('grantExpiry adds the configured minutes', () => {
  expect(grantExpiry(asOf, 30).toISOString()).toBe('2026-12-05T12:30:00.000Z');
});
