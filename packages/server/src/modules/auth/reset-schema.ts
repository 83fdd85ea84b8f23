import { index, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { orgIdColumn, sameOrganization } from '../directory/schema.js';
import { users } from './schema.js';

/**
 * Password reset links. Only the SHA-256 of a link's token is stored, so a database leak opens
 * no account; a link works once, for 30 minutes (core's `passwordResetState`).
 */
export const passwordResetTokens = pgTable(
  'password_reset_tokens',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: orgIdColumn(),
    userId: uuid('user_id').notNull(),
    tokenHash: text('token_hash').notNull().unique('password_reset_tokens_hash_key'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    usedAt: timestamp('used_at', { withTimezone: true }),
  },
  (t) => [
    index('password_reset_tokens_user_idx').on(t.orgId, t.userId),
    sameOrganization(t.orgId, t.userId, users),
  ],
);
