import { sql } from 'drizzle-orm';
import {
  index,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { users } from '../auth/schema.js';
import { orgIdColumn, sameOrganization, tenantKey } from '../directory/schema.js';
import { patientIdColumn, patients } from '../patients/schema.js';

/**
 * A list of patients chosen by hand: saved from a journey-map drill-down, kept by staff (add,
 * remove) and by journeys (`list_add`, `list_remove`); entering one is the `list.entered` event
 * a journey may start on (docs/adr/0040). Named for what it is, so the segments feature can take
 * it over (a segment whose members were chosen by hand).
 */
export const patientLists = pgTable(
  'patient_lists',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: orgIdColumn(),
    name: text('name').notNull(),
    /** Where the list came from, e.g. `journey-map:no-show`, `staff`, `ready-journey`. */
    source: text('source').notNull(),
    createdBy: uuid('created_by'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    /**
     * Issue 11 (h11l): a stable name journeys refer to (`due-for-preventive-screening`), unique
     * in the organization; null for a list saved from a drill-down.
     */
    key: text('key'),
  },
  (t) => [
    tenantKey(t),
    index('patient_lists_org_created_idx').on(t.orgId, t.createdAt),
    sameOrganization(t.orgId, t.createdBy, users),
    uniqueIndex('patient_lists_org_key_idx').on(t.orgId, t.key).where(sql`${t.key} is not null`),
  ],
);

export const patientListMembers = pgTable(
  'patient_list_members',
  {
    orgId: orgIdColumn(),
    listId: uuid('list_id').notNull(),
    patientId: patientIdColumn(),
    /** Issue 11 (h11l): when the patient entered the list. */
    addedAt: timestamp('added_at', { withTimezone: true }).notNull().defaultNow(),
    /**
     * Issue 11 (h11l): who put them there, shown in the console: `staff`, `journey:<key>`, or
     * the list's source for the members it was saved with; null for members added before.
     */
    source: text('source'),
    /** The staff member who added them, when one did. */
    addedBy: uuid('added_by'),
  },
  (t) => [
    primaryKey({ columns: [t.orgId, t.listId, t.patientId] }),
    sameOrganization(t.orgId, t.addedBy, users),
    sameOrganization(t.orgId, t.listId, patientLists),
    sameOrganization(t.orgId, t.patientId, patients),
  ],
);
