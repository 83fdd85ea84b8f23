import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { columnarMap, percentileOf } from './columnar.js';
import {
  admitsPatient,
  ColumnsCorrupt,
  decodePatientColumns,
  decodeTouchpointColumns,
  FLAG_NO_SHOW,
  NO_BIRTH_DAY,
  TOUCHPOINT_RECORD_BYTES,
} from './columns-format.js';

const HOUR_US = 3_600_000_000;
const DAY_US = 24 * HOUR_US;
const T0 = Date.UTC(2026, 0, 5) * 1000;

interface Row {
  patient: number;
  at: number;
  type: number;
  channel: number;
  stage: number;
  flags?: number;
}

/** Records as the refresh's SQL writes them: big-endian int4, float8, int2, int2, int2. */
function encode(rows: readonly Row[]): Uint8Array {
  const data = new Uint8Array(rows.length * TOUCHPOINT_RECORD_BYTES);
  const view = new DataView(data.buffer);
  rows.forEach((r, i) => {
    const o = i * TOUCHPOINT_RECORD_BYTES;
    view.setInt32(o, r.patient);
    view.setFloat64(o + 4, r.at);
    view.setUint16(o + 12, r.type);
    view.setUint16(o + 14, r.channel);
    view.setUint16(o + 16, r.stage * 256 + (r.flags ?? 0));
  });
  return data;
}

const types = [
  'appointment.booked',
  'appointment.noshow',
  'appointment.reminder',
  'visit.completed',
];
const channels = ['email', 'sms', 'system'];
const stages = ['access', 'follow-up', 'visit'];

describe('journey map columns', () => {
  // Patient 0: access (booked) → 3 reminders in 6 days → visit 2 days later → no-show later.
  // Patient 1: a reminder in January, then access in February (another month).
  const january = decodeTouchpointColumns(
    encode([
      { patient: 0, at: T0, type: 0, channel: 0, stage: 0 },
      { patient: 0, at: T0 + DAY_US, type: 2, channel: 1, stage: 1 },
      { patient: 0, at: T0 + 3 * DAY_US, type: 2, channel: 1, stage: 1 },
      { patient: 0, at: T0 + 6 * DAY_US, type: 2, channel: 1, stage: 1 },
      { patient: 0, at: T0 + 8 * DAY_US, type: 3, channel: 2, stage: 2 },
      { patient: 1, at: T0 + 2 * DAY_US, type: 2, channel: 0, stage: 1 },
    ]),
    { types, channels, stages },
  );
  const february = decodeTouchpointColumns(
    encode([
      { patient: 0, at: T0 + 30 * DAY_US, type: 0, channel: 0, stage: 0, flags: FLAG_NO_SHOW },
      { patient: 1, at: T0 + 31 * DAY_US, type: 0, channel: 0, stage: 0 },
    ]),
    { types: ['appointment.booked'], channels: ['email'], stages: ['access'] },
  );
  const everything = { fromUs: T0, toUs: T0 + 60 * DAY_US, admits: null };

  it('counts patients, flows, waits and pain points across months, as computed by hand', () => {
    const map = columnarMap([january, february], everything);
    expect(map.patients).toBe(2);
    expect(map.touchpoints).toBe(8);
    // Patient 0 enters access, follow-up, visit, access; patient 1 follow-up, access.
    expect(map.links).toEqual([
      { fromPosition: 1, from: 'access', to: 'follow-up', patients: 1 },
      { fromPosition: 1, from: 'follow-up', to: 'access', patients: 1 },
      { fromPosition: 2, from: 'follow-up', to: 'visit', patients: 1 },
      { fromPosition: 3, from: 'visit', to: 'access', patients: 1 },
    ]);
    expect(map.transitions).toEqual([
      { from: 'access', to: 'follow-up', patients: 1, medianDays: 1, p90Days: 1 },
      { from: 'follow-up', to: 'access', patients: 1, medianDays: 29, p90Days: 29 },
      // From the run's first reminder (day 1) to the visit (day 8).
      { from: 'follow-up', to: 'visit', patients: 1, medianDays: 7, p90Days: 7 },
      { from: 'visit', to: 'access', patients: 1, medianDays: 22, p90Days: 22 },
    ]);
    expect(map.channelMix).toEqual([
      { stage: 'access', channel: 'email', count: 3 },
      { stage: 'follow-up', channel: 'email', count: 1 },
      { stage: 'follow-up', channel: 'sms', count: 3 },
      { stage: 'visit', channel: 'system', count: 1 },
    ]);
    expect(map.noShows).toBe(1);
    // Three reminders within seven days (days 1, 3 and 6).
    expect(map.repeatedContacts).toBe(1);
  });

  it('cuts the range: a patient starts where the range does, and a week reaches no further back', () => {
    const map = columnarMap([january, february], { ...everything, fromUs: T0 + 2 * DAY_US });
    expect(map.patients).toBe(2);
    // Patient 0's reminders of days 3 and 6 only: two, not three.
    expect(map.repeatedContacts).toBe(0);
    expect(map.links[0]).toEqual({ fromPosition: 1, from: 'follow-up', to: 'access', patients: 1 });
    const drill = columnarMap([january, february], { ...everything, drill: 'repeated-contact' });
    expect(drill.drill).toEqual([0]);
  });

  it('returns each starter’s path from its first start on, and admits patients by dimension', () => {
    const map = columnarMap([january, february], {
      ...everything,
      definition: { stepTypes: ['appointment.*', 'visit.completed'], firstTypes: ['visit.*'] },
    });
    expect(map.paths).toEqual([
      {
        patient: 0,
        events: [
          { type: 'visit.completed', atUs: T0 + 8 * DAY_US },
          { type: 'appointment.booked', atUs: T0 + 30 * DAY_US },
        ],
      },
    ]);
    const location = 'c0ffee00-0000-4000-8000-000000000001';
    const patients = decodePatientColumns(
      (() => {
        const data = new Uint8Array(12);
        const view = new DataView(data.buffer);
        view.setUint16(0, 1);
        view.setInt32(2, 3_000);
        view.setUint16(6, 0);
        view.setInt32(8, NO_BIRTH_DAY);
        return data;
      })(),
      [location],
    );
    const only = (admission: Parameters<typeof admitsPatient>[1]) =>
      columnarMap([january, february], {
        ...everything,
        admits: admitsPatient(patients, admission),
      }).patients;
    expect(admitsPatient(patients, {})).toBeNull();
    expect(only({ locationId: location })).toBe(1);
    expect(only({ locationId: 'c0ffee00-0000-4000-8000-000000000002' })).toBe(0);
    // Patient 1 has no birth date: in no age band.
    expect(only({ bornByDay: 3_000 })).toBe(1);
    expect(only({ bornAfterDay: 3_000 })).toBe(0);
    expect(only({ among: Uint8Array.from([0, 1]) })).toBe(1);
  });

  it('refuses records that do not decode', () => {
    const dictionaries = { types, channels, stages };
    expect(() => decodeTouchpointColumns(new Uint8Array(17), dictionaries)).toThrow(ColumnsCorrupt);
    const outOfOrder = encode([
      { patient: 2, at: T0, type: 0, channel: 0, stage: 0 },
      { patient: 1, at: T0, type: 0, channel: 0, stage: 0 },
    ]);
    expect(() => decodeTouchpointColumns(outOfOrder, dictionaries)).toThrow(/patient order/);
    const unknownType = encode([{ patient: 0, at: T0, type: 9, channel: 0, stage: 0 }]);
    expect(() => decodeTouchpointColumns(unknownType, dictionaries)).toThrow(/type 9/);
    const fraction = encode([{ patient: 0, at: 0.5, type: 0, channel: 0, stage: 0 }]);
    expect(() => decodeTouchpointColumns(fraction, dictionaries)).toThrow(/whole µs/);
    expect(() => decodePatientColumns(new Uint8Array(7), [])).toThrow(ColumnsCorrupt);
  });

  it('selects the same percentiles as sorting does, ties and all', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.integer({ min: 0, max: 40 }).map((n) => n / 8),
          { maxLength: 300 },
        ),
        fc.constantFrom(0, 0.1, 0.5, 0.9, 1),
        (values, p) => {
          // The reference: sort, then interpolate as percentile_cont does.
          const sorted = [...values].sort((a, b) => a - b);
          const rank = p * (sorted.length - 1);
          const low = sorted[Math.floor(rank)] ?? 0;
          const high = sorted[Math.ceil(rank)] ?? low;
          const expected =
            values.length === 0 ? null : low + (high - low) * (rank - Math.floor(rank));
          expect(percentileOf(Float64Array.from(values), p)).toBe(expected);
        },
      ),
    );
  });
});
