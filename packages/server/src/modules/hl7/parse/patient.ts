import {
  type AdministrativeSex,
  isFutureDate,
  normalizeEmail,
  normalizePhone,
} from '@careloop/core';
import { HL7_ERROR } from './ack.js';
import {
  type Hl7Time,
  identifierSystem,
  type PersonName,
  pickName,
  readAddresses,
  readCoded,
  readIdentifiers,
  readNames,
  readTelecoms,
  readTime,
} from './datatypes.js';
import { Hl7ContentError, invalid } from './errors.js';
import type { Segment } from './message.js';

/** A person as a PID segment describes them, before Careloop decides who they are. */
export interface Hl7Patient {
  identifiers: { system: string; value: string; type: string | null }[];
  name: PersonName | null;
  birth: Hl7Time | null;
  sex: AdministrativeSex | null;
  addresses: {
    use: string;
    line1: string;
    line2: string | null;
    city: string;
    state: string;
    postalCode: string;
    country: string;
  }[];
  contactPoints: { system: 'phone' | 'email'; value: string; display: string; use: string }[];
  language: string | null;
  deceasedAt: Date | null;
  deceased: boolean;
}

/**
 * Identifier types Careloop does not keep from a feed: a social security number is not needed to
 * recognise a patient who has an MRN, and holding one is a liability.
 */
const NOT_KEPT = new Set(['SS', 'SSN']);

const SEX: Record<string, AdministrativeSex> = {
  M: 'male',
  F: 'female',
  O: 'other',
  A: 'other',
  N: 'unknown',
  U: 'unknown',
};

// ISO 639-2 codes feeds commonly send in PID-15, to the two-letter codes Careloop stores.
const LANGUAGES: Record<string, string> = {
  eng: 'en',
  spa: 'es',
  fra: 'fr',
  fre: 'fr',
  deu: 'de',
  ger: 'de',
  ita: 'it',
  por: 'pt',
  ara: 'ar',
  zho: 'zh',
  chi: 'zh',
  yue: 'zh',
  cmn: 'zh',
  vie: 'vi',
  kor: 'ko',
  jpn: 'ja',
  rus: 'ru',
  pol: 'pl',
  hin: 'hi',
  tgl: 'tl',
  hat: 'ht',
  som: 'so',
  nep: 'ne',
};

/** PID-15: `en`, `EN`, `eng`, `en-US`, `ENGLISH`… → `en`, or null when it cannot be told. */
export function languageOf(code: string, text: string): string | null {
  const primary = code.trim().split(/[-_]/)[0]?.toLowerCase() ?? '';
  if (/^[a-z]{2}$/.test(primary)) return primary;
  if (LANGUAGES[primary]) return LANGUAGES[primary] ?? null;
  const word = text.trim().toLowerCase();
  if (word.startsWith('english')) return 'en';
  if (word.startsWith('spanish')) return 'es';
  return null;
}

/** Table 0190 address types to Careloop's uses; bad and old addresses are not kept. */
function addressUse(type: string): string | null {
  switch (type) {
    case 'B':
    case 'O':
      return 'work';
    case 'M':
      return 'mailing';
    case 'BA':
    case 'BDL':
    case 'BR':
      return null;
    default:
      return 'home';
  }
}

function country(code: string): string {
  const c = code.trim().toUpperCase();
  if (/^[A-Z]{2}$/.test(c)) return c;
  if (c === 'USA' || c === 'US A') return 'US';
  if (c === 'CAN') return 'CA';
  if (c === 'MEX') return 'MX';
  if (c === 'GBR') return 'GB';
  return 'US';
}

const clip = (s: string, n = 200) => (s.length > n ? s.slice(0, n) : s);

/**
 * Repetitions one PID or MRG field may hold (identifiers, names, addresses, phones). Real feeds
 * send a handful; a field with thousands is a broken or hostile message, refused (AE) rather
 * than stored or compared pairwise.
 */
export const MAX_FIELD_REPETITIONS = 50;

/** Refuses a field of more than MAX_FIELD_REPETITIONS repetitions (see there). */
function boundRepetitions(seg: Segment, field: number, what: string): void {
  if (seg.repetitions(field) <= MAX_FIELD_REPETITIONS) return;
  const location = `${seg.name}-${field}`;
  throw new Hl7ContentError(
    `${location} holds more than ${MAX_FIELD_REPETITIONS} ${what}`,
    location,
    HL7_ERROR.dataTypeError,
  );
}

/**
 * The identifiers in the first of `fields` that has any (PID-3, then PID-2 for feeds older than
 * v2.3; MRG-1), keyed as Careloop keys them. More than MAX_FIELD_REPETITIONS is a content
 * error (AE).
 */
export function readPatientIdentifiers(
  seg: Segment,
  fields: number[],
  sender: string,
): Hl7Patient['identifiers'] {
  let source: ReturnType<typeof readIdentifiers> = [];
  for (const field of fields) {
    boundRepetitions(seg, field, 'identifiers');
    source = readIdentifiers(seg, field);
    if (source.length > 0) break;
  }
  const out: Hl7Patient['identifiers'] = [];
  for (const id of source) {
    if (NOT_KEPT.has(id.typeCode)) continue;
    const entry = {
      system: clip(identifierSystem(id, sender)),
      value: clip(id.value, 100),
      type: id.typeCode || null,
    };
    if (!out.some((o) => o.system === entry.system && o.value === entry.value)) out.push(entry);
  }
  return out;
}

function contactPointsOf(pid: Segment): Hl7Patient['contactPoints'] {
  const out: Hl7Patient['contactPoints'] = [];
  const add = (field: number, workByDefault: boolean) => {
    for (const t of readTelecoms(pid, field)) {
      if (t.kind === 'email') {
        const email = normalizeEmail(t.value);
        if (email) out.push({ system: 'email', value: email, display: email, use: 'home' });
        continue;
      }
      // Faxes, beepers and modems are not ways to reach a patient.
      if (t.equipment === 'FX' || t.equipment === 'BP' || t.equipment === 'MD') continue;
      const phone = normalizePhone(t.value);
      if (!phone) continue;
      const use =
        t.equipment === 'CP' ? 'mobile' : workByDefault || t.use === 'WPN' ? 'work' : 'home';
      out.push({ system: 'phone', value: phone.e164, display: phone.display, use });
    }
  };
  add(13, false);
  add(14, true);
  return out.filter(
    (c, i) => out.findIndex((o) => o.system === c.system && o.value === c.value) === i,
  );
}

/**
 * Reads a PID segment. A value that is present but unreadable (a birth date that is not a date)
 * is a content error; a value that is absent is left null for the caller to judge, since an
 * update may omit what a registration needs.
 */
export function readPatient(
  pid: Segment,
  sender: string,
  timeZone: string,
  /** When the message was received: a birth date after it is refused. */
  asOf: Date,
): Hl7Patient {
  boundRepetitions(pid, 5, 'names');
  boundRepetitions(pid, 11, 'addresses');
  boundRepetitions(pid, 13, 'phone numbers and emails');
  boundRepetitions(pid, 14, 'phone numbers and emails');
  const birthText = pid.value(7);
  const birth = birthText ? readTime(birthText, timeZone) : null;
  if (birthText && !birth) throw invalid('PID-7', 'date of birth');
  if (birth && birth.date < '1850') throw invalid('PID-7', 'date of birth');
  if (birth && isFutureDate(birth.date, asOf)) {
    throw new Hl7ContentError(
      'PID-7 (date of birth) is in the future',
      'PID-7',
      HL7_ERROR.dataTypeError,
    );
  }
  const sexCode = pid.value(8).toUpperCase();
  const language = readCoded(pid, 15);
  const deathText = pid.value(29);
  const deceasedAt = deathText ? (readTime(deathText, timeZone)?.instant ?? null) : null;
  const addresses: Hl7Patient['addresses'] = [];
  for (const a of readAddresses(pid, 11)) {
    const use = addressUse(a.type);
    if (!use) continue;
    addresses.push({
      use,
      line1: clip(a.line1),
      line2: a.line2 ? clip(a.line2) : null,
      city: clip(a.city, 100),
      state: clip(a.state, 50),
      postalCode: clip(a.postalCode, 20),
      country: country(a.country),
    });
  }
  const name = pickName(readNames(pid, 5));
  return {
    identifiers: readPatientIdentifiers(pid, [3, 2], sender),
    name: name
      ? { ...name, family: clip(name.family), given: clip(name.given), middle: clip(name.middle) }
      : null,
    birth,
    sex: SEX[sexCode] ?? null,
    addresses,
    contactPoints: contactPointsOf(pid),
    language: language ? languageOf(language.code, language.text) : null,
    deceasedAt,
    deceased: Boolean(deceasedAt) || pid.value(30).toUpperCase() === 'Y',
  };
}
