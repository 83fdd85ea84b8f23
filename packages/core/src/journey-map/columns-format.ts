/**
 * The journey map's columns' format (docs/adr/0048): each UTC month of an organization's
 * touchpoints as fixed-width records sorted by patient, instant and id, written by the refresh
 * job in SQL, and every patient's dimensions; decoded and validated here, aggregated by
 * `columnarMap` (columnar.ts).
 */

/**
 * Bytes of one touchpoint record: patient number (int4), instant in µs (float8), type (int2),
 * channel (int2), stage × 256 + flags (int2); numbers of types, channels and stages index the
 * month's dictionaries.
 */
export const TOUCHPOINT_RECORD_BYTES = 18;
/** Bytes of one patient record: location (int2, 0 for none), birth day (int4, days since 1970). */
export const PATIENT_RECORD_BYTES = 6;
/** The birth day of a patient without a birth date. */
export const NO_BIRTH_DAY = -2_147_483_648;
export const FLAG_NO_SHOW = 1;
export const FLAG_NEGATIVE_FEEDBACK = 2;
/** Stage transitions drawn in the Sankey: the first SANKEY_DEPTH stages each patient entered. */
export const SANKEY_DEPTH = 6;
/** A patient contacted this many times about the same thing within a week: repeated contacts. */
export const REPEATED_CONTACTS = 3;

/** One month's touchpoints, decoded. Dictionaries are the month's own (sorted distinct values). */
export interface TouchpointColumns {
  readonly rows: number;
  readonly types: readonly string[];
  readonly channels: readonly string[];
  readonly stages: readonly string[];
  readonly patient: Int32Array;
  /** Microseconds since 1970 (exact: below 2^53). */
  readonly atUs: Float64Array;
  readonly type: Uint16Array;
  readonly channel: Uint16Array;
  readonly stage: Uint8Array;
  readonly flags: Uint8Array;
}

/** Every patient's dimensions, by patient number. */
export interface PatientColumns {
  readonly count: number;
  /** Location ids; a record's location `n` is `locations[n - 1]`, 0 none. */
  readonly locations: readonly string[];
  readonly location: Uint16Array;
  readonly birthDay: Int32Array;
}

/** Thrown when stored columns do not decode: derived data, rebuilt by the next refresh. */
export class ColumnsCorrupt extends Error {}

function dictionaryIndex(n: number, size: number, what: string): number {
  if (n >= size) throw new ColumnsCorrupt(`${what} ${n} outside a dictionary of ${size}`);
  return n;
}

/** Decodes a month's records (big-endian, as PostgreSQL's `*send` functions write them). */
export function decodeTouchpointColumns(
  data: Uint8Array,
  dictionaries: {
    types: readonly string[];
    channels: readonly string[];
    stages: readonly string[];
  },
): TouchpointColumns {
  if (data.byteLength % TOUCHPOINT_RECORD_BYTES !== 0)
    throw new ColumnsCorrupt(`${data.byteLength} bytes is not a whole number of records`);
  const rows = data.byteLength / TOUCHPOINT_RECORD_BYTES;
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const patient = new Int32Array(rows);
  const atUs = new Float64Array(rows);
  const type = new Uint16Array(rows);
  const channel = new Uint16Array(rows);
  const stage = new Uint8Array(rows);
  const flags = new Uint8Array(rows);
  const { types, channels, stages } = dictionaries;
  let previous = -1;
  for (let i = 0, o = 0; i < rows; i++, o += TOUCHPOINT_RECORD_BYTES) {
    const p = view.getInt32(o);
    if (p < previous) throw new ColumnsCorrupt('Records out of patient order');
    previous = p;
    patient[i] = p;
    const at = view.getFloat64(o + 4);
    if (!Number.isSafeInteger(at)) throw new ColumnsCorrupt('An instant that is not whole µs');
    atUs[i] = at;
    type[i] = dictionaryIndex(view.getUint16(o + 12), types.length, 'type');
    channel[i] = dictionaryIndex(view.getUint16(o + 14), channels.length, 'channel');
    const packed = view.getUint16(o + 16);
    stage[i] = dictionaryIndex(packed >>> 8, stages.length, 'stage');
    flags[i] = packed & 0xff;
  }
  return { rows, types, channels, stages, patient, atUs, type, channel, stage, flags };
}

/** Decodes the patients' records, numbered from 0. */
export function decodePatientColumns(
  data: Uint8Array,
  locations: readonly string[],
): PatientColumns {
  if (data.byteLength % PATIENT_RECORD_BYTES !== 0)
    throw new ColumnsCorrupt(`${data.byteLength} bytes is not a whole number of patients`);
  const count = data.byteLength / PATIENT_RECORD_BYTES;
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const location = new Uint16Array(count);
  const birthDay = new Int32Array(count);
  for (let i = 0, o = 0; i < count; i++, o += PATIENT_RECORD_BYTES) {
    location[i] = dictionaryIndex(view.getUint16(o), locations.length + 1, 'location');
    birthDay[i] = view.getInt32(o + 2);
  }
  return { count, locations, location, birthDay };
}

/** Which patients a map counts: by their dimensions, and a set found in the database. */
export interface PatientAdmission {
  locationId?: string;
  /** Born after this day (days since 1970), exclusive. */
  bornAfterDay?: number;
  /** Born on or before this day, inclusive. */
  bornByDay?: number;
  /** Patient numbers of a filter answered by the database (practitioner, payer, …). */
  among?: Uint8Array;
}

/** `admission` as a test of patient numbers; null when it admits everyone. */
export function admitsPatient(
  patients: PatientColumns,
  admission: PatientAdmission,
): ((patient: number) => boolean) | null {
  const { locationId, bornAfterDay, bornByDay, among } = admission;
  if (!locationId && bornAfterDay === undefined && bornByDay === undefined && !among) return null;
  const location = locationId === undefined ? -1 : patients.locations.indexOf(locationId) + 1;
  // A location no patient has: nobody.
  if (location === 0) return () => false;
  return (p) => {
    if (p >= patients.count) return false;
    if (among && among[p] !== 1) return false;
    if (location > 0 && patients.location[p] !== location) return false;
    const born = patients.birthDay[p] ?? NO_BIRTH_DAY;
    if (bornAfterDay !== undefined && (born === NO_BIRTH_DAY || born <= bornAfterDay)) return false;
    if (bornByDay !== undefined && (born === NO_BIRTH_DAY || born > bornByDay)) return false;
    return true;
  };
}
