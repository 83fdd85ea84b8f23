import { sql } from 'drizzle-orm';
import {
  check,
  index,
  pgTable,
  smallint,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { orgIdColumn, sameOrganization, tenantKey } from '../directory/schema.js';
import { patientIdColumn, patients } from '../patients/schema.js';
import { appointments } from '../scheduling/schema.js';

/**
 * A patient's answer to the post-visit survey (issue 11, docs/adr/0042-survey-links.md): one per
 * visit (the unique key is what makes a link work once). Scores in the clear, for the NPS KPI
 * and staff of every role; the free text sealed and bound to the row (surveyCommentAad).
 */
export const surveyResponses = pgTable(
  'survey_responses',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: orgIdColumn(),
    patientId: patientIdColumn(),
    appointmentId: uuid('appointment_id').notNull(),
    answeredAt: timestamp('answered_at', { withTimezone: true }).notNull(),
    /** How it was answered: the invitation's link, or the signed-in portal. */
    via: text('via').notNull(),
    language: text('language').notNull(),
    nps: smallint('nps').notNull(),
    category: text('category').notNull(),
    communication: text('communication'),
    scheduling: text('scheduling'),
    commentEncrypted: text('comment_encrypted'),
  },
  (t) => [
    tenantKey(t),
    uniqueIndex('survey_responses_appointment_key').on(t.orgId, t.appointmentId),
    index('survey_responses_patient_idx').on(t.orgId, t.patientId, t.answeredAt),
    sameOrganization(t.orgId, t.patientId, patients),
    sameOrganization(t.orgId, t.appointmentId, appointments),
    check('survey_responses_nps_check', sql`nps between 0 and 10`),
    check('survey_responses_category_check', sql`category in ('detractor', 'passive', 'promoter')`),
    check('survey_responses_via_check', sql`via in ('link', 'portal')`),
    check(
      'survey_responses_communication_check',
      sql`communication in ('never', 'sometimes', 'usually', 'always')`,
    ),
    check(
      'survey_responses_scheduling_check',
      sql`scheduling in ('never', 'sometimes', 'usually', 'always')`,
    ),
  ],
);
