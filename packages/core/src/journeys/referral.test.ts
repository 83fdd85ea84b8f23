import { describe, expect, it } from 'vitest';
import { isReferral, referralClosed, referralIsNews } from './referral.js';

const now = new Date('2026-12-06T12:00:00Z');
const referral = {
  codes: ['3457005'],
  labels: ['Patient referral'],
  status: 'active',
  authoredAt: new Date('2026-12-05T09:00:00Z'),
};

describe('referrals', () => {
  it('tells a referral by its SNOMED category or a label naming one, in English or Spanish', () => {
    expect(isReferral({ codes: ['306206005'], labels: [] })).toBe(true);
    expect(isReferral({ codes: [], labels: ['Referral to cardiology'] })).toBe(true);
    expect(isReferral({ codes: [], labels: ['Remisión a cardiología'] })).toBe(true);
    expect(isReferral({ codes: ['108252007'], labels: ['Laboratory procedure'] })).toBe(false);
  });

  it('is news once: created now, active, authored within 14 days', () => {
    expect(referralIsNews(referral, true, now)).toBe(true);
    expect(referralIsNews(referral, false, now)).toBe(false);
    expect(referralIsNews({ ...referral, status: 'completed' }, true, now)).toBe(false);
    expect(
      referralIsNews({ ...referral, authoredAt: new Date('2019-03-01T00:00:00Z') }, true, now),
    ).toBe(false);
    expect(
      referralIsNews({ ...referral, authoredAt: new Date('2026-11-22T12:00:00Z') }, true, now),
    ).toBe(true);
    expect(
      referralIsNews({ ...referral, authoredAt: new Date('2026-11-22T11:59:00Z') }, true, now),
    ).toBe(false);
    expect(referralIsNews({ ...referral, authoredAt: null }, true, now)).toBe(false);
    expect(referralIsNews({ ...referral, codes: [], labels: ['Lab order'] }, true, now)).toBe(
      false,
    );
  });

  it('is closed when it leaves the open statuses for revoked, entered in error or completed; a hold is not a close', () => {
    expect(referralClosed('active', 'revoked')).toBe(true);
    expect(referralClosed('active', 'entered-in-error')).toBe(true);
    expect(referralClosed('active', 'completed')).toBe(true);
    expect(referralClosed('on-hold', 'revoked')).toBe(true);
    expect(referralClosed('active', 'on-hold')).toBe(false);
    expect(referralClosed('on-hold', 'active')).toBe(false);
    expect(referralClosed('active', 'active')).toBe(false);
    // Created closed, or closed again: it has nothing running to end.
    expect(referralClosed(null, 'revoked')).toBe(false);
    expect(referralClosed('revoked', 'completed')).toBe(false);
    expect(referralClosed('revoked', 'revoked')).toBe(false);
  });
});
