import {
  type OneTimeTokenState,
  oneTimeTokenExpiry,
  oneTimeTokenState,
  parseOneTimeToken,
} from '../auth/one-time-token.js';

/** How long a password reset link works. */
export const PASSWORD_RESET_MINUTES = 30;

/** When a reset link made at `issuedAt` stops working. */
export function passwordResetExpiry(issuedAt: Date): Date {
  return oneTimeTokenExpiry(issuedAt, PASSWORD_RESET_MINUTES * 60_000);
}

export type PasswordResetState = OneTimeTokenState;

/** Whether a reset link can still set a password at `now`: once, and before it expires. */
export const passwordResetState = oneTimeTokenState;

/**
 * A reset link's token: the organization of the account and 32 random bytes (base64url), as
 * `<orgId>.<secret>` (core's one-time token). Anything else is a 400 naming the field.
 */
export function parsePasswordResetToken(
  token: string,
  field = '/body/token',
): { orgId: string; token: string } {
  return parseOneTimeToken(token, 'This password reset link is not valid', field);
}
