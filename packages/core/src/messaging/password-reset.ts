import { CareloopError } from '../errors/problem.js';

/** How long a password reset link works. */
export const PASSWORD_RESET_MINUTES = 30;

/** When a reset link made at `issuedAt` stops working. */
export function passwordResetExpiry(issuedAt: Date): Date {
  return new Date(issuedAt.getTime() + PASSWORD_RESET_MINUTES * 60_000);
}

export type PasswordResetState = 'valid' | 'expired' | 'used';

/** Whether a reset link can still set a password at `now`: once, and before it expires. */
export function passwordResetState(
  token: { expiresAt: Date; usedAt: Date | null },
  now: Date,
): PasswordResetState {
  if (token.usedAt !== null) return 'used';
  return now.getTime() < token.expiresAt.getTime() ? 'valid' : 'expired';
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const SECRET = /^[A-Za-z0-9_-]{43}$/;

/**
 * A reset link's token: the organization of the account and 32 random bytes (base64url), as
 * `<orgId>.<secret>`. The organization lets the server look the token up under its row-level
 * security; only a hash of the whole token is stored. Anything else is a 400 naming the field.
 */
export function parsePasswordResetToken(
  token: string,
  field = '/body/token',
): { orgId: string; token: string } {
  const [orgId, secret, ...rest] = token.split('.');
  if (!orgId || !secret || rest.length > 0 || !UUID.test(orgId) || !SECRET.test(secret)) {
    throw new CareloopError('bad_request', 'This password reset link is not valid', field);
  }
  return { orgId, token };
}
