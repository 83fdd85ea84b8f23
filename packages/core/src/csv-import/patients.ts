import type { AdministrativeSex } from '../api/enums.js';
import { normalizeEmail, normalizePhone } from '../contact/contact.js';
import { type DateOrder, type Parsed, parseBirthDate } from './dates.js';
import { IDENTIFIER_PREFIX, MRN_SYSTEM, SSN_SYSTEM } from './fields.js';
import { type MappedRow, RowReader, type RowResult } from './rows.js';

/** A patient row ready for the master patient index and the golden record. */
export interface PatientImportRow {
  sourceId: string | null;
  givenName: string;
  middleName: string | null;
  familyName: string;
  birthDate: string;
  sex: AdministrativeSex;
  /** Null when the row has no address cell at all. */
  address: {
    line1: string;
    line2: string | null;
    city: string;
    state: string;
    postalCode: string;
  } | null;
  phones: { e164: string; display: string }[];
  emails: string[];
  identifiers: { system: string; value: string; type: string | null }[];
  preferredLanguage: string | null;
}

const SEXES: Readonly<Record<string, AdministrativeSex>> = {
  m: 'male',
  male: 'male',
  man: 'male',
  f: 'female',
  female: 'female',
  woman: 'female',
  o: 'other',
  other: 'other',
  x: 'other',
  u: 'unknown',
  unknown: 'unknown',
  unk: 'unknown',
};

export function parseSex(value: string): Parsed<AdministrativeSex> {
  const sex = SEXES[value.trim().toLowerCase()];
  return sex
    ? { ok: true, value: sex }
    : { ok: false, message: `"${value}" is not a sex (use M, F, O or U)` };
}

// English names of the languages US clinics meet most; anything else must be a BCP 47 tag.
const LANGUAGES: Readonly<Record<string, string>> = {
  english: 'en',
  spanish: 'es',
  espanol: 'es',
  español: 'es',
  chinese: 'zh',
  mandarin: 'zh',
  cantonese: 'yue',
  vietnamese: 'vi',
  tagalog: 'tl',
  arabic: 'ar',
  french: 'fr',
  korean: 'ko',
  russian: 'ru',
  portuguese: 'pt',
  haitian: 'ht',
  'haitian creole': 'ht',
  german: 'de',
  hindi: 'hi',
  italian: 'it',
  polish: 'pl',
  japanese: 'ja',
};
const BCP47 = /^[a-z]{2,3}(-[a-z0-9]{2,8})*$/i;

export function parseLanguage(value: string): Parsed<string> {
  const text = value.trim();
  const named = LANGUAGES[text.toLowerCase()];
  if (named) return { ok: true, value: named };
  if (BCP47.test(text)) {
    const [primary = '', ...rest] = text.split('-');
    return { ok: true, value: [primary.toLowerCase(), ...rest].join('-') };
  }
  return { ok: false, message: `"${text}" is not a language code (use en, es, zh-Hant…)` };
}

const IDENTIFIER_TYPES: Readonly<Record<string, { system: string; type: string }>> = {
  mrn: { system: MRN_SYSTEM, type: 'MR' },
  ssn: { system: SSN_SYSTEM, type: 'SS' },
};

function identifiersOf(reader: RowReader): PatientImportRow['identifiers'] {
  const out: PatientImportRow['identifiers'] = [];
  for (const [field, cells] of reader.mapped.values) {
    const known = IDENTIFIER_TYPES[field];
    const system =
      known?.system ??
      (field.startsWith(IDENTIFIER_PREFIX) ? field.slice(IDENTIFIER_PREFIX.length).trim() : null);
    const value = cells[0]?.value;
    if (!system || !value) continue;
    if (value.length > 100) {
      reader.fail(field, 'is longer than 100 characters');
      continue;
    }
    out.push({ system, value, type: known?.type ?? null });
  }
  return out;
}

/** Validates one mapped patient row: required names and birth date, readable values. */
export function readPatientRow(
  mapped: MappedRow,
  options: { dateOrder: DateOrder; asOf: Date },
): RowResult<PatientImportRow> {
  const r = new RowReader(mapped);
  const givenName = r.required('givenName', 'Given name', 100);
  const familyName = r.required('familyName', 'Family name', 100);
  if (!r.has('birthDate')) r.required('birthDate', 'Birth date');
  const birthDate = r.parsed('birthDate', (v) =>
    parseBirthDate(v, options.dateOrder, options.asOf),
  );
  const sex = r.parsed('sex', parseSex) ?? 'unknown';
  const phones: PatientImportRow['phones'] = [];
  for (const { column, value } of r.list('phone')) {
    const phone = normalizePhone(value);
    if (phone) {
      if (!phones.some((p) => p.e164 === phone.e164)) phones.push(phone);
    } else r.fail('phone', `"${value}" is not a phone number`, column);
  }
  const emails: string[] = [];
  for (const { column, value } of r.list('email')) {
    const email = normalizeEmail(value);
    if (email) {
      if (!emails.includes(email)) emails.push(email);
    } else r.fail('email', `"${value}" is not an email address`, column);
  }
  const line1 = r.text('line1');
  const line2 = r.text('line2');
  const city = r.text('city', 100);
  const state = r.text('state', 50);
  const postalCode = r.text('postalCode', 20);
  const hasAddress = [line1, line2, city, state, postalCode].some((v) => v !== null);
  const row: Omit<PatientImportRow, 'givenName' | 'familyName' | 'birthDate'> = {
    sourceId: r.text('sourceId', 200),
    middleName: r.text('middleName', 100),
    sex,
    address: hasAddress
      ? {
          line1: line1 ?? '',
          line2,
          city: city ?? '',
          state: state ?? '',
          postalCode: postalCode ?? '',
        }
      : null,
    phones,
    emails,
    identifiers: identifiersOf(r),
    preferredLanguage: r.parsed('preferredLanguage', parseLanguage),
  };
  if (r.errors.length > 0 || givenName === null || familyName === null || birthDate === null) {
    return { ok: false, row: mapped.row, errors: r.errors };
  }
  return { ok: true, row: mapped.row, value: { ...row, givenName, familyName, birthDate } };
}
