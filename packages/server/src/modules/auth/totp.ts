import { createHash, randomBytes } from 'node:crypto';
import { Secret, TOTP } from 'otpauth';

/**
 * TOTP as RFC 6238 describes it and authenticator apps expect: HMAC-SHA-1, 6 digits, 30-second
 * steps. A code is accepted one step either side of now (clock drift), and never for a step at
 * or before the last one accepted (no replay).
 */
const TOTP_SETTINGS = { algorithm: 'SHA1', digits: 6, period: 30 } as const;
const ISSUER = 'Careloop';
export const RECOVERY_CODE_COUNT = 10;

/** A new random secret (160 bits, RFC 4226's recommendation), base32 for the apps. */
export function newTotpSecret(): string {
  return new Secret({ size: 20 }).base32;
}

function totp(secret: string, label = ''): TOTP {
  return new TOTP({ issuer: ISSUER, label, secret: Secret.fromBase32(secret), ...TOTP_SETTINGS });
}

/** The `otpauth://` URI an authenticator app reads from the QR code. */
export function totpUri(secret: string, email: string): string {
  return totp(secret, email).toString();
}

/**
 * The step `code` belongs to, within one step of `now`, when it is later than `lastStep`;
 * otherwise null (wrong, too old, or already used).
 */
export function acceptTotp(
  secret: string,
  code: string,
  now: Date,
  lastStep: number | null,
): number | null {
  const token = code.replace(/\s+/g, '');
  if (!/^\d{6}$/.test(token)) return null;
  const t = totp(secret);
  const delta = t.validate({ token, timestamp: now.getTime(), window: 1 });
  if (delta === null) return null;
  const step = t.counter({ timestamp: now.getTime() }) + delta;
  return lastStep !== null && step <= lastStep ? null : step;
}

/** The code for `secret` at `at` (for tests, and nothing else). */
export function totpCodeAt(secret: string, at: Date): string {
  return totp(secret).generate({ timestamp: at.getTime() });
}

/** Ten single-use codes of 80 random bits each, as `xxxx-xxxx-xxxx-xxxx` (base32, lower case). */
export function newRecoveryCodes(): string[] {
  return Array.from({ length: RECOVERY_CODE_COUNT }, () => {
    const text = new Secret({ buffer: randomBytes(10).buffer }).base32.toLowerCase();
    return text.match(/.{4}/g)?.join('-') ?? text;
  });
}

/**
 * What is stored of a recovery code: its SHA-256. The codes carry 80 random bits, so a fast hash
 * is enough (no dictionary to try), and a lookup needs no per-code salt.
 */
export function recoveryCodeHash(code: string): string {
  const normalized = code.toLowerCase().replace(/[^a-z2-7]/g, '');
  return createHash('sha256').update(`careloop-recovery\0${normalized}`).digest('hex');
}
