import { describe, expect, it } from 'vitest';
import { capacityCsv, capacityFigures, thirdNextAvailableDays, weekOf } from './index.js';

describe('capacity figures', () => {
  const week = [
    { status: 'fulfilled', count: 20, hours: 10 },
    { status: 'noshow', count: 5, hours: 2.5 },
    { status: 'cancelled', count: 15, hours: 7.5 },
    { status: 'booked', count: 10, hours: 5 },
  ];

  it('counts booked hours of every appointment that held its time, a no-show too', () => {
    const f = capacityFigures(35, week, null);
    // 10 + 2.5 + 5 of 35 available hours; cancelled time is free again.
    expect(f.bookedHours).toBe(17.5);
    expect(f.utilization).toBe(0.5);
    expect(f.appointments).toBe(50);
    // 5 no-shows of 25 that reached their time; 15 cancelled of 50.
    expect(f.noShowRate).toBe(0.2);
    expect(f.cancellationRate).toBe(0.3);
    expect(f.suppressed).toBe(false);
  });

  it('withholds counts under the threshold and the rates made from them, never the hours', () => {
    const f = capacityFigures(35, week, 11);
    expect(f).toEqual({
      availableHours: 35,
      bookedHours: 17.5,
      utilization: 0.5,
      appointments: null,
      noShowRate: null,
      cancellationRate: null,
      suppressed: true,
    });
    expect(capacityFigures(35, week, 5).suppressed).toBe(false);
  });

  it('has no utilization without available hours, and no rate without appointments', () => {
    const f = capacityFigures(0, [], 11);
    expect(f).toMatchObject({ utilization: null, noShowRate: null, cancellationRate: null });
    expect(f.appointments).toBe(0);
  });
});

describe('weeks and lead times', () => {
  it('puts a day in the week beginning the Monday before it', () => {
    expect(weekOf('2026-03-02')).toBe('2026-03-02'); // a Monday
    expect(weekOf('2026-03-08')).toBe('2026-03-02'); // the Sunday after
    expect(weekOf('2026-03-01')).toBe('2026-02-23');
  });

  it('measures to the third slot ahead, whatever the order', () => {
    const now = Date.parse('2026-03-01T12:00:00Z');
    const at = (iso: string) => Date.parse(iso);
    expect(
      thirdNextAvailableDays(
        [at('2026-03-04T12:00:00Z'), at('2026-03-02T12:00:00Z'), at('2026-03-03T00:00:00Z')],
        now,
      ),
    ).toBe(3);
    expect(thirdNextAvailableDays([at('2026-03-02T12:00:00Z')], now)).toBeNull();
  });
});

describe('capacity CSV', () => {
  it('writes each table with its header row, suppressed cells named, text defused', () => {
    const f = capacityFigures(35, [{ status: 'noshow', count: 2, hours: 1 }], 11);
    const csv = capacityCsv({
      weeks: [{ ...f, week: '2026-03-02', location: 'Main, "North"' }],
      serviceLines: [{ ...f, serviceLine: '=cmd()' }],
      leadTimes: [{ service: 'Annual physical', thirdNextAvailableDays: null }],
    });
    expect(csv.weeks.split('\n')).toEqual([
      'week,location,available_hours,booked_hours,utilization,appointments,no_show_rate,cancellation_rate',
      '2026-03-02,"Main, ""North""",35,1,0.0286,suppressed,suppressed,suppressed',
    ]);
    expect(csv.serviceLines.split('\n')[1]).toMatch(/^'=cmd\(\),/);
    expect(csv.leadTimes).toBe('service,third_next_available_days\nAnnual physical,');
  });
});
