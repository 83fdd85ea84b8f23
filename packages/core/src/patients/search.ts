import { normalizeEmail, normalizePhone } from '../contact/contact.js';

/** How a front-desk search box entry is read. */
export type PatientSearch =
  | { kind: 'all' }
  | { kind: 'birthDate'; date: string }
  | { kind: 'email'; email: string }
  | { kind: 'phone'; e164: string; raw: string }
  | { kind: 'identifier'; value: string }
  | { kind: 'name'; tokens: string[] };

/** Lower-case, accents removed, single spaces: the form names are searched in. */
export function searchableName(...parts: (string | null | undefined)[]): string {
  return parts
    .filter((p): p is string => Boolean(p))
    .join(' ')
    .normalize('NFD')
    .replace(/\p{Diacritic}/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}' -]/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * A golden record's search columns, derived from its names: `search_name` (family then given,
 * which the list, the search box and the matcher's name block read by prefix) and
 * `search_given`. Every writer of a patient row sets them through this.
 */
export function searchColumns(
  familyName: string,
  givenName: string,
): { searchName: string; searchGiven: string } {
  return {
    searchName: searchableName(familyName, givenName),
    searchGiven: searchableName(givenName),
  };
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const US_DATE = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/;

function validDate(y: number, m: number, d: number): string | null {
  const date = new Date(Date.UTC(y, m - 1, d));
  const ok = date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
  return ok ? date.toISOString().slice(0, 10) : null;
}

/**
 * Reads a search string: a birth date (YYYY-MM-DD or MM/DD/YYYY), an email, a phone number,
 * an identifier such as an MRN (letters and digits), or else name tokens in any order.
 */
export function parsePatientSearch(input: string | undefined): PatientSearch {
  const q = (input ?? '').trim();
  if (q === '') return { kind: 'all' };
  const iso = ISO_DATE.exec(q);
  if (iso) {
    const date = validDate(Number(iso[1]), Number(iso[2]), Number(iso[3]));
    if (date) return { kind: 'birthDate', date };
  }
  const us = US_DATE.exec(q);
  if (us) {
    const date = validDate(Number(us[3]), Number(us[1]), Number(us[2]));
    if (date) return { kind: 'birthDate', date };
  }
  if (q.includes('@')) {
    const email = normalizeEmail(q);
    if (email) return { kind: 'email', email };
  }
  if (/^[+()\d\s.-]+$/.test(q) && q.replace(/\D/g, '').length >= 7) {
    const phone = normalizePhone(q);
    if (phone) return { kind: 'phone', e164: phone.e164, raw: q.replace(/\s/g, '') };
  }
  if (/\d/.test(q) && !/\s/.test(q)) {
    return { kind: 'identifier', value: q };
  }
  const tokens = searchableName(q).split(' ').filter(Boolean).slice(0, 3);
  return tokens.length > 0 ? { kind: 'name', tokens } : { kind: 'all' };
}
