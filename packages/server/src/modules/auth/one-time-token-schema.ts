import { index, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { orgIdColumn, sameOrganization } from '../directory/schema.js';
import { users } from './schema.js';

/**
 * A table of one-time links of one purpose (password reset, email verification): the same
 * columns for each, so that one helper (one-time-token.ts) serves them all. Only the SHA-256 of
 * a link's token is stored, so a database leak opens no account; core's `oneTimeTokenState`
 * says whether a row still works.
 */
export function oneTimeTokenTable<Name extends string>(name: Name) {
  return pgTable(
    name,
    {
      id: uuid('id').primaryKey().defaultRandom(),
      orgId: orgIdColumn(),
      userId: uuid('user_id').notNull(),
      tokenHash: text('token_hash').notNull().unique(`${name}_hash_key`),
      createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
      expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
      usedAt: timestamp('used_at', { withTimezone: true }),
    },
    (t) => [
      index(`${name}_user_idx`).on(t.orgId, t.userId),
      sameOrganization(t.orgId, t.userId, users),
    ],
  );
}

export type OneTimeTokenTable = ReturnType<typeof oneTimeTokenTable<string>>;
