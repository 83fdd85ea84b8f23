import { sql } from 'drizzle-orm';
import { check, index, integer, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { users } from '../auth/schema.js';
import { orgIdColumn, sameOrganization } from '../directory/schema.js';
import { patients } from '../patients/schema.js';

export const tasks = pgTable(
  'tasks',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: orgIdColumn(),
    patientId: uuid('patient_id'),
    /** May carry clinical detail: read by roles allowed it (`FIELD_POLICY.task.title`). */
    title: text('title').notNull(),
    /**
     * What every role that reads the work queue sees as the title (migration 0016); null: no
     * writer gave one, and those roles see core's `TASK_LABEL`.
     */
    nonClinicalTitle: text('non_clinical_title'),
    /** Plain, from before migration 0012: emptied by `careloop keys rotate`. */
    description: text('description'),
    /** Free text that may carry clinical detail: AES-256-GCM bound to the task. */
    descriptionEncrypted: text('description_encrypted'),
    assigneeId: uuid('assignee_id'),
    /** The team queue (core's TEAMS), whoever of the team takes it; null: no queue. */
    team: text('team'),
    dueAt: timestamp('due_at', { withTimezone: true }),
    status: text('status').notNull().default('open'),
    priority: text('priority').notNull().default('normal'),
    createdBy: uuid('created_by'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    completedAt: timestamp('completed_at', { withTimezone: true }),
    // Issue 11: call tasks (docs/inbox.md).
    /** `task`, or `call`: a call to the patient with a script, whose outcome is recorded. */
    kind: text('kind').notNull().default('task'),
    /** What the caller says: a template's text rendered for the patient, or typed by staff. */
    callScript: text('call_script'),
    callOutcome: text('call_outcome'),
    /** The caller's note: free text, AES-256-GCM bound to the task. */
    callNoteEncrypted: text('call_note_encrypted'),
    callOutcomeAt: timestamp('call_outcome_at', { withTimezone: true }),
    callAttempts: integer('call_attempts').notNull().default(0),
  },
  (t) => [
    index('tasks_patient_open_idx').on(t.patientId).where(sql`status in ('open', 'in-progress')`),
    index('tasks_org_status_due_idx').on(t.orgId, t.status, t.dueAt, t.id),
    index('tasks_assignee_idx').on(t.assigneeId, t.status),
    index('tasks_team_idx').on(t.orgId, t.team, t.status).where(sql`team is not null`),
    check('tasks_team_check', sql`team in ('front-desk', 'care-coordination', 'clinical')`),
    sameOrganization(t.orgId, t.patientId, patients),
    sameOrganization(t.orgId, t.assigneeId, users),
    sameOrganization(t.orgId, t.createdBy, users),
    // Issue 11: call tasks.
    check('tasks_kind_check', sql`kind in ('task', 'call')`),
    check(
      'tasks_call_outcome_check',
      sql`call_outcome in ('reached', 'voicemail', 'no-answer', 'wrong-number', 'declined')`,
    ),
    check('tasks_call_script_check', sql`kind <> 'call' or call_script is not null`),
  ],
);
