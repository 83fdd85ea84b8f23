import { describe, expect, it } from 'vitest';
import {
  emailVerificationExpiry,
  emailVerificationState,
  parseEmailVerificationToken,
} from './email-verification.js';

const ORG = '0b8f6a52-6d0e-4f4e-9a51-1c2d3e4f5a6b';
const SECRET = 'A'.repeat(43);

describe('email verification links', () => {
  it('work once, for a day', () => {
    const issued = new Date('2030-01-01T10:00:00Z');
    const expiresAt = emailVerificationExpiry(issued);
    expect(expiresAt.toISOString()).toBe('2030-01-02T10:00:00.000Z');
    const before = new Date('2030-01-02T09:59:59Z');
    expect(emailVerificationState({ expiresAt, usedAt: null }, before)).toBe('valid');
    expect(emailVerificationState({ expiresAt, usedAt: null }, expiresAt)).toBe('expired');
    expect(emailVerificationState({ expiresAt, usedAt: issued }, before)).toBe('used');
  });

  it('accept only an organization id and 32 random bytes, naming the field otherwise', () => {
    expect(parseEmailVerificationToken(`${ORG}.${SECRET}`)).toEqual({
      orgId: ORG,
      token: `${ORG}.${SECRET}`,
    });
    for (const bad of ['', SECRET, `${ORG}.short`, `not-a-uuid.${SECRET}`, `${ORG}.${SECRET}.x`]) {
      expect(() => parseEmailVerificationToken(bad)).toThrowError(
        expect.objectContaining({ problem: expect.objectContaining({ path: '/body/token' }) }),
      );
    }
  });
});
