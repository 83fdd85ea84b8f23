import { index, jsonb, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { users } from '../auth/schema.js';
import { organizations, orgIdColumn, sameOrganization, tenantKey } from '../directory/schema.js';
import { patientIdColumn, patients } from '../patients/schema.js';

/**
 * An organization's journey-map settings: its stage taxonomy, the rules that place touchpoints
 * in stages and its journey definitions (the small-cell threshold is the organization's own,
 * `organizations.aggregate_suppression_threshold`, shared with the KPIs). One row per organization;
 * none means the defaults of core's journey-map rules. Validated by core before it is written.
 */
export const journeyMapSettings = pgTable(
  'journey_map_settings',
  {
    orgId: uuid('org_id')
      .primaryKey()
      .references(() => organizations.id),
    stages: jsonb('stages').notNull(),
    mapping: jsonb('mapping').notNull(),
    definitions: jsonb('definitions').notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    updatedBy: uuid('updated_by'),
  },
  (t) => [sameOrganization(t.orgId, t.updatedBy, users)],
);

/**
 * A static list of patients saved from a journey-map drill-down. Named for what it is, so the
 * segments feature can take it over (a segment whose members were chosen by hand).
 */
export const patientLists = pgTable(
  'patient_lists',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: orgIdColumn(),
    name: text('name').notNull(),
    /** Where the list came from, e.g. `journey-map:no-show`. */
    source: text('source').notNull(),
    createdBy: uuid('created_by'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    tenantKey(t),
    index('patient_lists_org_created_idx').on(t.orgId, t.createdAt),
    sameOrganization(t.orgId, t.createdBy, users),
  ],
);

export const patientListMembers = pgTable(
  'patient_list_members',
  {
    orgId: orgIdColumn(),
    listId: uuid('list_id').notNull(),
    patientId: patientIdColumn(),
  },
  (t) => [
    primaryKey({ columns: [t.orgId, t.listId, t.patientId] }),
    sameOrganization(t.orgId, t.listId, patientLists),
    sameOrganization(t.orgId, t.patientId, patients),
  ],
);
