import { index, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { orgIdColumn, sameOrganization } from '../directory/schema.js';
import { users } from './schema.js';

/**
 * Email verification links of portal sign-ups. Only the SHA-256 of a link's token is stored;
 * a link works once, for a day (core's `emailVerificationState`).
 */
export const emailVerificationTokens = pgTable(
  'email_verification_tokens',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: orgIdColumn(),
    userId: uuid('user_id').notNull(),
    tokenHash: text('token_hash').notNull().unique('email_verification_tokens_hash_key'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    usedAt: timestamp('used_at', { withTimezone: true }),
  },
  (t) => [
    index('email_verification_tokens_user_idx').on(t.orgId, t.userId),
    sameOrganization(t.orgId, t.userId, users),
  ],
);
