import { oneTimeTokenTable } from './one-time-token-schema.js';

/**
 * Email verification links of portal sign-ups: each works once, for a day (core's
 * `emailVerificationExpiry`).
 */
export const emailVerificationTokens = oneTimeTokenTable('email_verification_tokens');
