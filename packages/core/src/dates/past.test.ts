import { describe, expect, it } from 'vitest';
import { isFutureDate } from './past.js';

describe('isFutureDate', () => {
  const asOf = new Date('2026-12-05T23:00:00Z');

  it('refuses a day that has begun nowhere yet', () => {
    expect(isFutureDate('9999-12-31', asOf)).toBe(true);
    expect(isFutureDate('2026-12-07', asOf)).toBe(true);
  });

  it('takes today, and tomorrow where tomorrow has already begun (UTC+14)', () => {
    expect(isFutureDate('2026-12-05', asOf)).toBe(false);
    expect(isFutureDate('2026-12-06', asOf)).toBe(false);
    expect(isFutureDate('1968-04-12', asOf)).toBe(false);
  });
});
