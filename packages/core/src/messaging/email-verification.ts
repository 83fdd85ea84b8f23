import { CareloopError } from '../errors/problem.js';

/** How long an email verification link works: a day, as the email says. */
export const EMAIL_VERIFICATION_HOURS = 24;

/** When a verification link made at `issuedAt` stops working. */
export function emailVerificationExpiry(issuedAt: Date): Date {
  return new Date(issuedAt.getTime() + EMAIL_VERIFICATION_HOURS * 3_600_000);
}

export type EmailVerificationState = 'valid' | 'expired' | 'used';

/** Whether a verification link can still verify at `now`: once, and before it expires. */
export function emailVerificationState(
  token: { expiresAt: Date; usedAt: Date | null },
  now: Date,
): EmailVerificationState {
  if (token.usedAt !== null) return 'used';
  return now.getTime() < token.expiresAt.getTime() ? 'valid' : 'expired';
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const SECRET = /^[A-Za-z0-9_-]{43}$/;

/**
 * A verification link's token, `<orgId>.<secret>` (32 random bytes, base64url): the
 * organization lets the server look it up under row-level security; only a hash of the whole
 * token is stored. Anything else is a 400 naming the field.
 */
export function parseEmailVerificationToken(
  token: string,
  field = '/body/token',
): { orgId: string; token: string } {
  const [orgId, secret, ...rest] = token.split('.');
  if (!orgId || !secret || rest.length > 0 || !UUID.test(orgId) || !SECRET.test(secret)) {
    throw new CareloopError('bad_request', 'This verification link is not valid', field);
  }
  return { orgId, token };
}
