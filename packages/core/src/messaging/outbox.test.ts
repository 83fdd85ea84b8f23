import { describe, expect, it } from 'vitest';
import { afterFailedAttempt, isClaimable, MESSAGE_MAX_ATTEMPTS } from './outbox.js';

describe('outbox rules', () => {
  it('retries a failed attempt until the last one, then the message is failed', () => {
    expect(afterFailedAttempt(1)).toBe('retry');
    expect(afterFailedAttempt(MESSAGE_MAX_ATTEMPTS - 1)).toBe('retry');
    expect(afterFailedAttempt(MESSAGE_MAX_ATTEMPTS)).toBe('failed');
    expect(afterFailedAttempt(2, 2)).toBe('failed');
  });

  it('lets a worker take a queued message nobody holds, or whose hold has lapsed', () => {
    const now = new Date('2026-03-01T12:00:00Z');
    const earlier = new Date('2026-03-01T11:59:00Z');
    const later = new Date('2026-03-01T12:01:00Z');
    expect(isClaimable({ status: 'queued', claimedUntil: null }, now)).toBe(true);
    expect(isClaimable({ status: 'queued', claimedUntil: earlier }, now)).toBe(true);
    expect(isClaimable({ status: 'queued', claimedUntil: later }, now)).toBe(false);
  });

  it('never lets a worker take a message already sent, delivered, failed or bounced', () => {
    const now = new Date('2026-03-01T12:00:00Z');
    for (const status of ['sent', 'delivered', 'failed', 'bounced'] as const) {
      expect(isClaimable({ status, claimedUntil: null }, now)).toBe(false);
    }
  });
});
