import { describe, expect, it } from 'vitest';
import { zonedInstant, zoneOffsetMs } from './zone.js';

const at = (wall: string, zone: string) => zonedInstant(Date.parse(`${wall}Z`), zone).toISOString();

describe('zonedInstant', () => {
  it('reads a wall-clock time in its zone, in standard and in daylight time', () => {
    expect(at('2026-01-15T09:00:00', 'America/New_York')).toBe('2026-01-15T14:00:00.000Z');
    expect(at('2026-07-15T09:00:00', 'America/New_York')).toBe('2026-07-15T13:00:00.000Z');
    expect(at('2026-07-15T09:00:00', 'Asia/Kolkata')).toBe('2026-07-15T03:30:00.000Z');
  });

  it('reads a time in the hour a clock skips with the daylight offset', () => {
    expect(at('2026-03-08T02:30:00', 'America/New_York')).toBe('2026-03-08T06:30:00.000Z');
  });

  it('reads a time a clock shows twice as its first reading, in daylight time', () => {
    expect(at('2026-11-01T01:30:00', 'America/New_York')).toBe('2026-11-01T05:30:00.000Z');
  });

  it('gives the offset at an instant, to the second', () => {
    expect(zoneOffsetMs(Date.parse('2026-01-15T14:00:00.999Z'), 'America/New_York')).toBe(
      -5 * 3_600_000,
    );
  });
});
