import { index, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { users } from '../auth/schema.js';
import { orgIdColumn, sameOrganization } from '../directory/schema.js';
import { patientIdColumn, patients } from '../patients/schema.js';

/** Non-clinical care-team notes. The body is encrypted in the application (AES-256-GCM). */
export const notes = pgTable(
  'notes',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: orgIdColumn(),
    patientId: patientIdColumn(),
    authorId: uuid('author_id'),
    authorName: text('author_name').notNull(),
    category: text('category').notNull().default('general'),
    bodyEncrypted: text('body_encrypted').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('notes_patient_idx').on(t.patientId, t.createdAt),
    sameOrganization(t.orgId, t.authorId, users),
    sameOrganization(t.orgId, t.patientId, patients),
  ],
);
