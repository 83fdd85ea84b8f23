import { CareloopError } from '../errors/problem.js';

/**
 * One-time links (password reset, email verification) share one shape: a token
 * `<orgId>.<secret>` (32 random bytes, base64url) of which only a hash is stored, that works
 * once and until it expires. The organization lets the server look the token up under its
 * row-level security.
 */
export type OneTimeTokenState = 'valid' | 'expired' | 'used';

/** When a token made at `issuedAt` with a lifetime of `lifetimeMs` stops working. */
export function oneTimeTokenExpiry(issuedAt: Date, lifetimeMs: number): Date {
  return new Date(issuedAt.getTime() + lifetimeMs);
}

/** Whether a token still works at `now`: once, and before it expires. */
export function oneTimeTokenState(
  token: { expiresAt: Date; usedAt: Date | null },
  now: Date,
): OneTimeTokenState {
  if (token.usedAt !== null) return 'used';
  return now.getTime() < token.expiresAt.getTime() ? 'valid' : 'expired';
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const SECRET = /^[A-Za-z0-9_-]{43}$/;

/** A token as a link carries it back; anything else is a 400 with `message`, naming `field`. */
export function parseOneTimeToken(
  token: string,
  message: string,
  field = '/body/token',
): { orgId: string; token: string } {
  const [orgId, secret, ...rest] = token.split('.');
  if (!orgId || !secret || rest.length > 0 || !UUID.test(orgId) || !SECRET.test(secret)) {
    throw new CareloopError('bad_request', message, field);
  }
  return { orgId, token };
}
