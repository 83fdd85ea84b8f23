import { type CountryCode, parsePhoneNumberFromString } from 'libphonenumber-js';

export type NormalizedPhone = { e164: string; display: string };

/**
 * Normalize a phone number to E.164. Numbers without a country prefix are read in the
 * clinic's default country. Returns null when the input is not a possible phone number.
 */
export function normalizePhone(
  input: string,
  defaultCountry: CountryCode = 'US',
): NormalizedPhone | null {
  const parsed = parsePhoneNumberFromString(input.trim(), defaultCountry);
  if (!parsed?.isPossible()) {
    return null;
  }
  return { e164: parsed.number, display: parsed.formatNational() };
}

// Deliberately permissive (RFC 5322 is larger than any form field): one @, a dot in the domain.
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Lower-cases and trims an email address; null when it is not one. */
export function normalizeEmail(input: string): string | null {
  const value = input.trim().toLowerCase();
  return EMAIL.test(value) && value.length <= 254 ? value : null;
}

/** Digits only, for matching a typed phone fragment against stored E.164 numbers. */
export function phoneDigits(input: string): string {
  return input.replace(/\D/g, '');
}
