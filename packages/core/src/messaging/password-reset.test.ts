import { describe, expect, it } from 'vitest';
import {
  PASSWORD_RESET_MINUTES,
  parsePasswordResetToken,
  passwordResetExpiry,
  passwordResetState,
} from './password-reset.js';

describe('password reset links', () => {
  const issued = new Date('2026-03-01T12:00:00Z');
  const at = (minutes: number) => new Date(issued.getTime() + minutes * 60_000);

  it('work for 30 minutes after they are made, not a moment longer', () => {
    const token = { expiresAt: passwordResetExpiry(issued), usedAt: null };
    expect(PASSWORD_RESET_MINUTES).toBe(30);
    expect(passwordResetState(token, at(0))).toBe('valid');
    expect(passwordResetState(token, at(29.99))).toBe('valid');
    expect(passwordResetState(token, at(30))).toBe('expired');
    expect(passwordResetState(token, at(60 * 24))).toBe('expired');
  });

  it('work once: a used link is used even before it would expire', () => {
    const token = { expiresAt: passwordResetExpiry(issued), usedAt: at(1) };
    expect(passwordResetState(token, at(2))).toBe('used');
  });

  it('carry the organization and a 32-byte secret, and nothing else', () => {
    const orgId = '0b5e4f2a-7c1d-4e8f-9a6b-3c2d1e0f9a8b';
    const secret = 'A'.repeat(43);
    expect(parsePasswordResetToken(`${orgId}.${secret}`)).toEqual({
      orgId,
      token: `${orgId}.${secret}`,
    });
    for (const bad of ['', secret, `${orgId}.`, `${orgId}.${secret}.x`, `not-a-uuid.${secret}`]) {
      expect(() => parsePasswordResetToken(bad)).toThrow(
        expect.objectContaining({ problem: expect.objectContaining({ path: '/body/token' }) }),
      );
    }
  });
});
