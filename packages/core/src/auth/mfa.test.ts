import { describe, expect, it } from 'vitest';
import { mfaRequiredFor } from './mfa.js';

describe('mfaRequiredFor', () => {
  const off = { mfaRequired: false, mfaAdminsExempt: false };
  it('requires a second factor of admins by default, and of nobody else', () => {
    expect(mfaRequiredFor('admin', off)).toBe(true);
    expect(mfaRequiredFor('clinician', off)).toBe(false);
    expect(mfaRequiredFor('patient', off)).toBe(false);
  });
  it('exempts admins only where the organization says so', () => {
    expect(mfaRequiredFor('admin', { ...off, mfaAdminsExempt: true })).toBe(false);
  });
  it('requires it of all staff, admins included, when the organization requires it', () => {
    const all = { mfaRequired: true, mfaAdminsExempt: true };
    expect(mfaRequiredFor('admin', all)).toBe(true);
    expect(mfaRequiredFor('front-desk', all)).toBe(true);
    expect(mfaRequiredFor('patient', all)).toBe(false);
  });
});
