import {
  type OneTimeTokenState,
  oneTimeTokenExpiry,
  oneTimeTokenState,
  parseOneTimeToken,
} from '../auth/one-time-token.js';

/** How long an email verification link works: a day, as the email says. */
export const EMAIL_VERIFICATION_HOURS = 24;

/** When a verification link made at `issuedAt` stops working. */
export function emailVerificationExpiry(issuedAt: Date): Date {
  return oneTimeTokenExpiry(issuedAt, EMAIL_VERIFICATION_HOURS * 3_600_000);
}

export type EmailVerificationState = OneTimeTokenState;

/** Whether a verification link can still verify at `now`: once, and before it expires. */
export const emailVerificationState = oneTimeTokenState;

/**
 * A verification link's token, `<orgId>.<secret>` (core's one-time token). Anything else is a
 * 400 naming the field.
 */
export function parseEmailVerificationToken(
  token: string,
  field = '/body/token',
): { orgId: string; token: string } {
  return parseOneTimeToken(token, 'This verification link is not valid', field);
}
