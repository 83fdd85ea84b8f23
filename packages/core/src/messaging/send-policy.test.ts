import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { zoneOffsetMs } from '../dates/zone.js';
import {
  admitInBucket,
  admitUnderCap,
  CAP_BUCKETS,
  type CapBucket,
  capBucket,
  capWindows,
  DEFAULT_FREQUENCY_CAPS,
  type FrequencyCap,
  type FrequencyCaps,
  TEMPLATE_CAP_BUCKETS,
} from './frequency-caps.js';
import { inSendWindow, nextSendTime } from './quiet-hours.js';
import { TEMPLATE_PURPOSES } from './template-lint.js';

const ZONES = [
  'America/New_York',
  'America/Los_Angeles',
  'America/Phoenix',
  'America/Santiago',
  'Europe/London',
  'Europe/Madrid',
  'Australia/Lord_Howe',
  'Asia/Kolkata',
  'Pacific/Chatham',
  'UTC',
];
// 2024–2030, so every DST change of those years is in range.
const instant = fc
  .integer({ min: Date.UTC(2024, 0, 1), max: Date.UTC(2030, 11, 31) })
  .map((ms) => new Date(ms));
const zone = fc.constantFrom(...ZONES);

function localDate(at: Date, tz: string): string {
  return new Date(at.getTime() + zoneOffsetMs(at.getTime(), tz)).toISOString().slice(0, 10);
}

describe('quiet hours', () => {
  it('defers 22:30 in New York to 08:00 the next morning, across the fall-back night', () => {
    // Saturday 31 October 2026, 22:30 EDT; Sunday 1 November 08:00 is EST.
    const due = new Date('2026-11-01T02:30:00Z');
    expect(nextSendTime(due, 'America/New_York').toISOString()).toBe('2026-11-01T13:00:00.000Z');
    // 07:59 waits a minute; 20:59 goes now; 21:00 waits for the morning.
    expect(nextSendTime(new Date('2026-06-01T11:59:00Z'), 'America/New_York').toISOString()).toBe(
      '2026-06-01T12:00:00.000Z',
    );
    const late = new Date('2026-06-02T00:59:00Z');
    expect(nextSendTime(late, 'America/New_York')).toEqual(late);
    expect(nextSendTime(new Date('2026-06-02T01:00:00Z'), 'America/New_York').toISOString()).toBe(
      '2026-06-02T12:00:00.000Z',
    );
  });

  it('never sends in quiet hours, and defers to the earliest allowed instant', () => {
    fc.assert(
      fc.property(instant, zone, (now, tz) => {
        const next = nextSendTime(now, tz);
        expect(next.getTime()).toBeGreaterThanOrEqual(now.getTime());
        expect(inSendWindow(next, tz)).toBe(true);
        if (next.getTime() > now.getTime()) {
          // Nothing earlier was allowed: the instant before is quiet, and so is every minute between.
          expect(inSendWindow(new Date(next.getTime() - 1), tz)).toBe(false);
          for (let t = now.getTime(); t < next.getTime(); t += 15 * 60_000)
            expect(inSendWindow(new Date(t), tz)).toBe(false);
        }
        // Not more than the longest night (13 hours, plus an hour of DST) away.
        expect(next.getTime() - now.getTime()).toBeLessThanOrEqual(14 * 3600_000);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('frequency caps', () => {
  const cap = fc.record({
    perDay: fc.integer({ min: 1, max: 3 }),
    perWeek: fc.integer({ min: 1, max: 6 }),
  });

  function admitAll(attempts: Date[], tz: string, c: FrequencyCap): Date[] {
    const admitted: Date[] = [];
    for (const at of [...attempts].sort((a, b) => a.getTime() - b.getTime()))
      if (admitUnderCap(admitted, at, tz, c)) admitted.push(at);
    return admitted;
  }

  it('suppresses the fourth treatment reminder in a week and the second in a day', () => {
    const tz = 'America/New_York';
    const c = { perDay: 1, perWeek: 3 };
    const days = [1, 2, 3, 4].map((d) => new Date(Date.UTC(2026, 2, d, 15)));
    expect(admitAll(days, tz, c)).toEqual(days.slice(0, 3));
    // Eight days later the week is new again.
    expect(admitAll([...days, new Date(Date.UTC(2026, 2, 10, 15))], tz, c)).toHaveLength(4);
    const sameDay = [new Date(Date.UTC(2026, 2, 3, 13)), new Date(Date.UTC(2026, 2, 3, 23))];
    expect(admitAll(sameDay, tz, c)).toHaveLength(1);
  });

  it('never admits more than the cap in any local day or any seven local days, in any order', () => {
    const start = Date.UTC(2026, 2, 1);
    const attempt = fc
      .integer({ min: 0, max: 40 * 24 * 60 })
      .map((minute) => new Date(start + minute * 60_000));
    fc.assert(
      fc.property(fc.array(attempt, { maxLength: 60 }), zone, cap, (attempts, tz, c) => {
        const admitted = admitAll(attempts, tz, c);
        const perDate = new Map<string, number>();
        for (const at of admitted) {
          const d = localDate(at, tz);
          perDate.set(d, (perDate.get(d) ?? 0) + 1);
        }
        for (const n of perDate.values()) expect(n).toBeLessThanOrEqual(c.perDay);
        for (const d of perDate.keys()) {
          const end = Date.parse(`${d}T00:00:00Z`);
          let week = 0;
          for (let back = 0; back < 7; back++)
            week += perDate.get(new Date(end - back * 86_400_000).toISOString().slice(0, 10)) ?? 0;
          expect(week).toBeLessThanOrEqual(c.perWeek);
        }
        // And the order in which attempts arrive does not matter: the worker sees them in time.
        expect(admitAll([...attempts].reverse(), tz, c)).toEqual(admitted);
      }),
      { numRuns: 500 },
    );
  });

  it('starts its windows at local midnight, never after now', () => {
    fc.assert(
      fc.property(instant, zone, (now, tz) => {
        const { dayStart, weekStart } = capWindows(now, tz);
        expect(dayStart.getTime()).toBeLessThanOrEqual(now.getTime());
        expect(weekStart.getTime()).toBeLessThan(dayStart.getTime());
        expect(localDate(dayStart, tz) <= localDate(now, tz)).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('cap buckets', () => {
  it('counts a requested series apart from its purpose, and marketing never apart', () => {
    expect(capBucket('treatment', 'requested-series')).toBe('requested-series');
    expect(capBucket('operations', 'requested-series')).toBe('requested-series');
    expect(capBucket('marketing', 'requested-series')).toBe('marketing');
    fc.assert(
      fc.property(fc.constantFrom(...TEMPLATE_PURPOSES), (purpose) => {
        expect(capBucket(purpose, 'purpose')).toBe(purpose);
      }),
    );
  });

  const start = Date.UTC(2026, 2, 1);
  // Every hour of 40 days around the March DST changes (New York, London, Santiago's autumn).
  const attempt = fc
    .record({
      minute: fc.integer({ min: 0, max: 40 * 24 * 60 }),
      purpose: fc.constantFrom(...TEMPLATE_PURPOSES),
      template: fc.constantFrom(...TEMPLATE_CAP_BUCKETS),
    })
    .map((a) => ({
      at: new Date(start + a.minute * 60_000),
      bucket: capBucket(a.purpose, a.template),
    }));
  const capOf = fc.record({
    perDay: fc.integer({ min: 0, max: 3 }),
    perWeek: fc.integer({ min: 0, max: 8 }),
  });
  const caps = fc.record<FrequencyCaps>({
    treatment: capOf,
    operations: capOf,
    marketing: capOf,
    'requested-series': capOf,
  });

  function admitAll(
    attempts: { at: Date; bucket: CapBucket }[],
    tz: string,
    c: FrequencyCaps,
  ): { at: Date; bucket: CapBucket }[] {
    const admitted: { at: Date; bucket: CapBucket }[] = [];
    for (const a of [...attempts].sort((x, y) => x.at.getTime() - y.at.getTime()))
      if (admitInBucket(admitted, a.bucket, a.at, tz, c)) admitted.push(a);
    return admitted;
  }

  it('admits in each bucket exactly what that bucket alone would, whatever the others send', () => {
    fc.assert(
      fc.property(fc.array(attempt, { maxLength: 80 }), zone, caps, (attempts, tz, c) => {
        const admitted = admitAll(attempts, tz, c);
        for (const bucket of CAP_BUCKETS) {
          const alone = attempts.filter((a) => a.bucket === bucket);
          expect(admitted.filter((a) => a.bucket === bucket)).toEqual(admitAll(alone, tz, c));
        }
      }),
      { numRuns: 300 },
    );
  });

  it("never admits more than a bucket's cap in any local day or seven local days", () => {
    fc.assert(
      fc.property(fc.array(attempt, { maxLength: 80 }), zone, caps, (attempts, tz, c) => {
        const admitted = admitAll(attempts, tz, c);
        for (const bucket of CAP_BUCKETS) {
          const perDate = new Map<string, number>();
          for (const a of admitted.filter((x) => x.bucket === bucket)) {
            const d = localDate(a.at, tz);
            perDate.set(d, (perDate.get(d) ?? 0) + 1);
          }
          for (const [d, n] of perDate) {
            expect(n).toBeLessThanOrEqual(c[bucket].perDay);
            const end = Date.parse(`${d}T00:00:00Z`);
            let week = 0;
            for (let back = 0; back < 7; back++)
              week +=
                perDate.get(new Date(end - back * 86_400_000).toISOString().slice(0, 10)) ?? 0;
            expect(week).toBeLessThanOrEqual(c[bucket].perWeek);
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it('sends a daily requested series for 14 days in any zone, beside a daily treatment reminder', () => {
    fc.assert(
      fc.property(
        zone,
        fc.integer({ min: 0, max: 365 * 5 }),
        fc.integer({ min: 8 * 60, max: 20 * 60 }),
        (tz, day, localMinute) => {
          // 14 days at the same local time (across a DST change when the range has one).
          const first = Date.UTC(2025, 0, 1) + day * 86_400_000 + localMinute * 60_000;
          const attempts = Array.from({ length: 14 }, (_, i) => {
            const wall = first + i * 86_400_000;
            return new Date(wall - zoneOffsetMs(wall, tz));
          }).flatMap((at) => [
            { at, bucket: 'requested-series' as const },
            { at: new Date(at.getTime() + 60_000), bucket: 'treatment' as const },
          ]);
          const admitted = admitAll(attempts, tz, DEFAULT_FREQUENCY_CAPS);
          expect(admitted.filter((a) => a.bucket === 'requested-series')).toHaveLength(14);
          // The treatment reminders keep their own 1 a day, 3 a week.
          const treatment = admitted.filter((a) => a.bucket === 'treatment');
          // (days 1–3, then 8–10).
          expect(treatment).toHaveLength(6);
        },
      ),
      { numRuns: 300 },
    );
  });
});
