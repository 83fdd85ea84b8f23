import { index, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { orgIdColumn, sameOrganization } from '../directory/schema.js';
import { patientIdColumn, patients } from '../patients/schema.js';

/**
 * The journey event log: every interaction with a patient. Services append a touchpoint in the
 * same transaction as the change that caused it; `subject_type`/`subject_id` link back to it.
 */
export const touchpoints = pgTable(
  'touchpoints',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: orgIdColumn(),
    patientId: patientIdColumn(),
    occurredAt: timestamp('occurred_at', { withTimezone: true }).notNull().defaultNow(),
    channel: text('channel').notNull(),
    direction: text('direction').notNull(),
    type: text('type').notNull(),
    stage: text('stage').notNull(),
    sourceSystem: text('source_system').notNull().default('careloop'),
    outcome: text('outcome'),
    /** What happened, possibly with clinical detail: roles the policy allows it read this. */
    summary: text('summary').notNull(),
    /** What happened without clinical detail: every role may read it (docs/adr/0011). */
    nonClinicalSummary: text('non_clinical_summary').notNull(),
    subjectType: text('subject_type'),
    subjectId: uuid('subject_id'),
  },
  (t) => [
    index('touchpoints_patient_time_idx').on(t.patientId, t.occurredAt, t.id),
    // Issue 12: the journey map reads an organization's touchpoints of a date range.
    index('touchpoints_org_time_idx').on(t.orgId, t.occurredAt),
    // Issue 12 (docs/adr/0034): the funnel finds who started a journey definition by type.
    index('touchpoints_org_type_time_idx').on(t.orgId, t.type, t.occurredAt),
    sameOrganization(t.orgId, t.patientId, patients),
  ],
);
