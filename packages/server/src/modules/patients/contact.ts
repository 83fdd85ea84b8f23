import { badRequest, normalizeEmail, normalizePhone, type PatientCreate } from '@careloop/core';

type ContactInput = NonNullable<PatientCreate['contactPoints']>[number];

export interface NormalizedContactPoint {
  system: 'phone' | 'email';
  value: string;
  display: string;
  use: string;
  isPrimary: boolean;
}

/**
 * Normalizes phones to E.164 and emails to lower case; the first of each system is primary.
 * An entry that is not a phone or an email is a 400 naming its index.
 */
export function normalizeContactPoints(
  input: readonly ContactInput[],
  basePath = '/body/contactPoints',
): NormalizedContactPoint[] {
  const seen = new Set<string>();
  const out: NormalizedContactPoint[] = [];
  input.forEach((cp, i) => {
    let value: string;
    let display: string;
    if (cp.system === 'phone') {
      const phone = normalizePhone(cp.value);
      if (!phone)
        throw badRequest(`"${cp.value}" is not a valid phone number`, `${basePath}/${i}/value`);
      value = phone.e164;
      display = phone.display;
    } else {
      const email = normalizeEmail(cp.value);
      if (!email)
        throw badRequest(`"${cp.value}" is not a valid email address`, `${basePath}/${i}/value`);
      value = email;
      display = email;
    }
    const key = `${cp.system}:${value}`;
    if (seen.has(key)) return;
    seen.add(key);
    const isPrimary = !out.some((o) => o.system === cp.system);
    out.push({
      system: cp.system,
      value,
      display,
      use: cp.use ?? (cp.system === 'phone' ? 'mobile' : 'home'),
      isPrimary,
    });
  });
  return out;
}
