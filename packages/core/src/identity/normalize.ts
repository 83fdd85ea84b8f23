import { normalizeEmail, normalizePhone } from '../contact/contact.js';
import { searchableName } from '../patients/search.js';
import { nysiis } from './phonetic.js';
import type { MatchRecord } from './record.js';
import { regionCode } from './regions.js';

/** A name ready to compare: words, the words run together, and its phonetic code. */
export interface PreparedName {
  /** Lower case, no accents or punctuation, single spaces: `mary ann o brien`. */
  text: string;
  /** Without spaces, so that `Mary Ann` and `Maryann` agree: `maryannobrien`. */
  compact: string;
  tokens: readonly string[];
  /** NYSIIS code of the first word. */
  phonetic: string;
}

export interface PreparedAddress {
  /** Normalized words: `12 main st unit 4`. */
  text: string;
  tokens: readonly string[];
}

export type Sex = 'male' | 'female' | 'other';

/** A record normalized once, so that comparing it with many others repeats no work. */
export interface PreparedRecord {
  given: PreparedName | null;
  family: PreparedName | null;
  /** Eight digits, YYYYMMDD. Kept when impossible (a typo can make one): typos still compare. */
  birthDate: string | null;
  sex: Sex | null;
  line: PreparedAddress | null;
  city: string | null;
  state: string | null;
  postalCode: string | null;
  /** E.164 when the number parses, else its digits. */
  phone: string | null;
  email: string | null;
  /** `system|value`, values upper-cased without spaces or dashes. */
  identifiers: readonly string[];
}

const blank = (value: string | null | undefined): value is null | undefined =>
  value === null || value === undefined || value.trim() === '';

/** Name words for matching: searchable form, with apostrophes and hyphens as word breaks. */
export function prepareName(value: string | null | undefined): PreparedName | null {
  if (blank(value)) return null;
  const text = searchableName(value.replace(/['’-]/g, ' '));
  if (text === '') return null;
  const tokens = text.split(' ');
  return { text, compact: tokens.join(''), tokens, phonetic: nysiis(tokens[0] ?? '') };
}

// USPS Publication 28 and Australia Post abbreviations; the common ones, not the whole list.
const ADDRESS_WORDS: Readonly<Record<string, string>> = {
  street: 'st',
  str: 'st',
  avenue: 'ave',
  av: 'ave',
  road: 'rd',
  drive: 'dr',
  court: 'ct',
  place: 'pl',
  lane: 'ln',
  boulevard: 'blvd',
  circle: 'cir',
  crescent: 'cres',
  circuit: 'cct',
  terrace: 'tce',
  parade: 'pde',
  highway: 'hwy',
  parkway: 'pkwy',
  square: 'sq',
  close: 'cl',
  grove: 'gr',
  trail: 'trl',
  north: 'n',
  south: 's',
  east: 'e',
  west: 'w',
  apartment: 'unit',
  apt: 'unit',
  suite: 'unit',
  ste: 'unit',
  flat: 'unit',
};

/** Address line words, with street types and unit designators in one spelling each. */
export function prepareAddress(value: string | null | undefined): PreparedAddress | null {
  if (blank(value)) return null;
  const words = searchableName(value.replace(/#/g, ' unit ').replace(/['’]/g, ''))
    .replace(/-/g, ' ')
    .split(' ')
    .filter(Boolean)
    .map((w) => ADDRESS_WORDS[w] ?? w);
  if (words.length === 0) return null;
  return { text: words.join(' '), tokens: words };
}

const ISO = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:T.*)?$/;
const COMPACT = /^(\d{8})$/;

/** A birth date as YYYYMMDD digits, from ISO (time part ignored) or YYYYMMDD; else null. */
export function prepareBirthDate(value: string | null | undefined): string | null {
  if (blank(value)) return null;
  const text = value.trim();
  const compact = COMPACT.exec(text);
  if (compact) return compact[1] ?? null;
  const iso = ISO.exec(text);
  if (!iso) return null;
  const [, y = '', m = '', d = ''] = iso;
  return `${y}${m.padStart(2, '0')}${d.padStart(2, '0')}`;
}

/** FHIR administrative gender and HL7 v2 table 0001 codes; unknown is no information. */
export function prepareSex(value: string | null | undefined): Sex | null {
  if (blank(value)) return null;
  switch (value.trim().toLowerCase()) {
    case 'm':
    case 'male':
    case 'man':
      return 'male';
    case 'f':
    case 'female':
    case 'woman':
      return 'female';
    case 'o':
    case 'other':
    case 'x':
    case 'a':
    case 'n':
      return 'other';
    default:
      return null;
  }
}

/** Letters and digits, lower case: `SW1A 1AA` and `sw1a1aa` agree; US ZIP+4 keeps its ZIP. */
export function preparePostalCode(value: string | null | undefined): string | null {
  if (blank(value)) return null;
  const text = value.trim().toLowerCase();
  const zip = /^(\d{5})-?\d{4}$/.exec(text);
  const code = zip ? (zip[1] ?? '') : text.replace(/[^\p{L}\p{N}]/gu, '');
  return code === '' ? null : code;
}

/** A place word (city, state) in searchable form. */
export function preparePlace(value: string | null | undefined): string | null {
  if (blank(value)) return null;
  const text = searchableName(value);
  return text === '' ? null : text;
}

/** A state or province as its postal abbreviation when written out in full. */
export function prepareState(value: string | null | undefined): string | null {
  const place = preparePlace(value);
  return place === null ? null : regionCode(place);
}

// A US number as people write it: ten digits (area code 2–9), an optional leading 1, and only
// spaces, dots, dashes and brackets between. normalizePhone gives these +1 and the ten digits;
// taking that path directly skips a full parse, which dominates preparing a million records.
const PLAIN_US = /^\+?1?[\s.-]*\(?[2-9]\d{2}\)?[\s.-]*\d{3}[\s.-]*\d{4}$/;

/** E.164 when the number parses (US by default, as normalizePhone), else its digits (7+). */
export function preparePhone(value: string | null | undefined): string | null {
  if (blank(value)) return null;
  const text = value.trim();
  if (PLAIN_US.test(text)) {
    const digits = text.replace(/\D/g, '');
    return `+1${digits.slice(-10)}`;
  }
  const parsed = normalizePhone(text);
  if (parsed) return parsed.e164;
  const digits = value.replace(/\D/g, '');
  return digits.length >= 7 ? digits : null;
}

export function prepareEmail(value: string | null | undefined): string | null {
  if (blank(value)) return null;
  return normalizeEmail(value);
}

function prepareIdentifiers(record: MatchRecord): string[] {
  const out: string[] = [];
  for (const id of record.identifiers ?? []) {
    const value = id.value.toUpperCase().replace(/[\s-]/g, '');
    if (value !== '') out.push(`${id.system.trim()}|${value}`);
  }
  return out;
}

/** Normalizes every field of a record for comparison and blocking. */
export function prepareRecord(record: MatchRecord): PreparedRecord {
  return {
    given: prepareName(record.given),
    family: prepareName(record.family),
    birthDate: prepareBirthDate(record.birthDate),
    sex: prepareSex(record.sex),
    line: prepareAddress(record.line),
    city: preparePlace(record.city),
    state: prepareState(record.state),
    postalCode: preparePostalCode(record.postalCode),
    phone: preparePhone(record.phone),
    email: prepareEmail(record.email),
    identifiers: prepareIdentifiers(record),
  };
}
