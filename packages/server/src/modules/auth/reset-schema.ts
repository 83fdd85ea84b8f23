import { oneTimeTokenTable } from './one-time-token-schema.js';

/** Password reset links: each works once, for 30 minutes (core's `passwordResetExpiry`). */
export const passwordResetTokens = oneTimeTokenTable('password_reset_tokens');
