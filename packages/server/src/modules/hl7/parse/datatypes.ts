import { zonedInstant } from '@careloop/core';
import type { Segment } from './message.js';

/**
 * HL7 v2 data types read from a segment as plain values: times (DTM/TS), names (XPN),
 * identifiers (CX, EI), addresses (XAD), telecoms (XTN) and codes (CE/CWE). Pure functions.
 */

export type TimePrecision = 'year' | 'month' | 'day' | 'time';

export interface Hl7Time {
  instant: Date;
  /** The calendar date as written, `YYYY-MM-DD` (missing month/day read as 01). */
  date: string;
  precision: TimePrecision;
}

const DTM = /^(\d{4})(\d{2})?(\d{2})?(?:(\d{2})(\d{2})?(\d{2})?(?:\.(\d{1,4}))?)?([+-]\d{4})?$/;

const daysIn = (year: number, month: number) => new Date(Date.UTC(year, month, 0)).getUTCDate();

/**
 * An HL7 date/time `YYYY[MM[DD[HH[MM[SS[.S…]]]]]][±ZZZZ]`. Without an offset the time is the
 * sender's local time, read in `timeZone` (the organization's). Null when it is not a real time.
 */
export function readTime(value: string, timeZone: string): Hl7Time | null {
  const m = DTM.exec(value.trim());
  if (!m) return null;
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  const year = Number(y);
  const month = Number(mo ?? '1');
  const day = Number(d ?? '1');
  const hour = Number(h ?? '0');
  const minute = Number(mi ?? '0');
  const second = Number(s ?? '0');
  if (year < 1000 || month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return null;
  if (hour > 23 || minute > 59 || second > 59) return null;
  const ms = frac ? Math.round(Number(`0.${frac}`) * 1000) : 0;
  const wall = Date.UTC(year, month - 1, day, hour, minute, second, ms);
  let instant: Date;
  if (zone) {
    const sign = zone.startsWith('-') ? -1 : 1;
    const zh = Number(zone.slice(1, 3));
    const zm = Number(zone.slice(3, 5));
    if (zh > 14 || zm > 59) return null;
    instant = new Date(wall - sign * (zh * 60 + zm) * 60_000);
  } else {
    instant = zonedInstant(wall, timeZone);
  }
  const date = `${y}-${mo ?? '01'}-${d ?? '01'}`;
  const precision: TimePrecision = h ? 'time' : d ? 'day' : mo ? 'month' : 'year';
  return { instant, date, precision };
}

export interface PersonName {
  family: string;
  given: string;
  middle: string;
  suffix: string;
  prefix: string;
  /** HL7 table 0200: L legal, D display, M maiden, N nickname, A alias… */
  type: string;
}

/** Every name in an XPN field (PID-5, NK1-2, MRG-7). */
export function readNames(seg: Segment, field: number): PersonName[] {
  const out: PersonName[] = [];
  for (let r = 0; r < seg.repetitions(field); r += 1) {
    out.push({
      family: seg.value(field, 1, 1, r),
      given: seg.value(field, 2, 1, r),
      middle: seg.value(field, 3, 1, r),
      suffix: seg.value(field, 4, 1, r),
      prefix: seg.value(field, 5, 1, r),
      type: seg.value(field, 7, 1, r).toUpperCase(),
    });
  }
  return out.filter((n) => n.family || n.given);
}

/** The name a person is known by: the legal one, else the first that is not maiden or alias. */
export function pickName(names: PersonName[]): PersonName | null {
  return (
    names.find((n) => n.type === 'L') ??
    names.find((n) => n.type !== 'M' && n.type !== 'A' && n.type !== 'BAD') ??
    names[0] ??
    null
  );
}

export interface Hl7Identifier {
  value: string;
  /** CX.4 assigning authority: namespace, universal id and its type. */
  namespace: string;
  universalId: string;
  universalIdType: string;
  /** CX.5, table 0203: MR, PI, SS, VN, AN… */
  typeCode: string;
}

/** Every identifier in a CX field (PID-3, MRG-1, PV1-19). */
export function readIdentifiers(seg: Segment, field: number): Hl7Identifier[] {
  const out: Hl7Identifier[] = [];
  for (let r = 0; r < seg.repetitions(field); r += 1) {
    const value = seg.value(field, 1, 1, r);
    if (!value) continue;
    out.push({
      value,
      namespace: seg.value(field, 4, 1, r),
      universalId: seg.value(field, 4, 2, r),
      universalIdType: seg.value(field, 4, 3, r).toUpperCase(),
      typeCode: seg.value(field, 5, 1, r).toUpperCase(),
    });
  }
  return out;
}

/**
 * The identifier system Careloop keys an HL7 identifier by: the assigning authority's OID when it
 * has one (`urn:oid:…`, the same system a FHIR feed would use), else its namespace, else — when
 * the sender names no authority — the sender itself and the identifier type, so that two
 * hospitals' unqualified "MR 12345" never meet.
 */
export function identifierSystem(id: Hl7Identifier, sender: string): string {
  if (id.universalId && id.universalIdType === 'ISO') return `urn:oid:${id.universalId}`;
  if (id.namespace) return `urn:careloop:hl7:${id.namespace}`;
  if (id.universalId) return `urn:careloop:hl7:${id.universalId}`;
  return `urn:careloop:hl7:${sender}:${id.typeCode || 'id'}`;
}

/** EI (SCH-1, SCH-2, RF1-6): `id^namespace^universal id^type`. */
export function readEntityId(seg: Segment, field: number): string | null {
  const id = seg.value(field, 1);
  if (!id) return null;
  const scope = seg.value(field, 2) || seg.value(field, 3);
  return scope ? `${scope}|${id}` : id;
}

export interface Coded {
  code: string;
  text: string;
  system: string;
}

/** CE/CWE: the first triplet, falling back to the alternate one. */
export function readCoded(seg: Segment, field: number, repetition = 0): Coded | null {
  const code = seg.value(field, 1, 1, repetition) || seg.value(field, 4, 1, repetition);
  const text = seg.value(field, 2, 1, repetition) || seg.value(field, 5, 1, repetition);
  const system = seg.value(field, 3, 1, repetition) || seg.value(field, 6, 1, repetition);
  if (!code && !text) return null;
  return { code, text, system };
}

export interface Hl7Address {
  line1: string;
  line2: string;
  city: string;
  state: string;
  postalCode: string;
  country: string;
  /** Table 0190: H home, M mailing, B business, C current, P permanent, BA bad… */
  type: string;
}

export function readAddresses(seg: Segment, field: number): Hl7Address[] {
  const out: Hl7Address[] = [];
  for (let r = 0; r < seg.repetitions(field); r += 1) {
    out.push({
      line1: seg.value(field, 1, 1, r),
      line2: seg.value(field, 2, 1, r),
      city: seg.value(field, 3, 1, r),
      state: seg.value(field, 4, 1, r),
      postalCode: seg.value(field, 5, 1, r),
      country: seg.value(field, 6, 1, r),
      type: seg.value(field, 7, 1, r).toUpperCase(),
    });
  }
  return out.filter((a) => a.line1 || a.city || a.postalCode);
}

export interface Hl7Telecom {
  /** The number as best it can be assembled, or the email address. */
  value: string;
  kind: 'phone' | 'email';
  /** Table 0201: PRN, ORN, WPN, NET… */
  use: string;
  /** Table 0202: PH, CP, FX, Internet… */
  equipment: string;
}

/** XTN: v2.5 sends the number in parts (country, area, local, extension) or unformatted in XTN.12. */
export function readTelecoms(seg: Segment, field: number): Hl7Telecom[] {
  const out: Hl7Telecom[] = [];
  for (let r = 0; r < seg.repetitions(field); r += 1) {
    const use = seg.value(field, 2, 1, r).toUpperCase();
    const equipment = seg.value(field, 3, 1, r).toUpperCase();
    const email = seg.value(field, 4, 1, r);
    if (email && (equipment === 'INTERNET' || equipment === 'X.400' || use === 'NET')) {
      out.push({ value: email, kind: 'email', use, equipment });
      continue;
    }
    const parts = [5, 6, 7].map((c) => seg.value(field, c, 1, r));
    const assembled = parts[2] ? `${parts[0] ? `+${parts[0]} ` : ''}${parts[1]}${parts[2]}` : '';
    const value = seg.value(field, 12, 1, r) || assembled || seg.value(field, 1, 1, r);
    if (value) out.push({ value, kind: 'phone', use, equipment });
  }
  return out;
}
