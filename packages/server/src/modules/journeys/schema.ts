import { sql } from 'drizzle-orm';
import {
  check,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { orgIdColumn, sameOrganization, tenantKey } from '../directory/schema.js';
import { patientIdColumn, patients } from '../patients/schema.js';

/**
 * Journeys (docs/adr/0025): a journey per organization and key, with a draft being edited and
 * immutable published versions; enrolments run on the version they started on.
 */
export const journeys = pgTable(
  'journeys',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: orgIdColumn(),
    key: text('key').notNull(),
    name: text('name').notNull(),
    /** `draft` (never published), `published` (enrols), `paused` (steps wait), `archived`. */
    status: text('status').notNull().default('draft'),
    /** The definition being edited (core's JourneyDefinition), validated on every save. */
    draft: jsonb('draft').notNull(),
    publishedVersion: integer('published_version'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    tenantKey(t),
    uniqueIndex('journeys_key').on(t.orgId, t.key),
    check('journeys_status_check', sql`status in ('draft', 'published', 'paused', 'archived')`),
  ],
);

/** A published version: written once, never updated (the app's role may only insert). */
export const journeyVersions = pgTable(
  'journey_versions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: orgIdColumn(),
    journeyId: uuid('journey_id').notNull(),
    version: integer('version').notNull(),
    definition: jsonb('definition').notNull(),
    publishedAt: timestamp('published_at', { withTimezone: true }).notNull(),
    publishedBy: uuid('published_by'),
  },
  (t) => [
    tenantKey(t),
    uniqueIndex('journey_versions_version').on(t.orgId, t.journeyId, t.version),
    sameOrganization(t.orgId, t.journeyId, journeys),
  ],
);

/**
 * One patient in one journey version for one context (an appointment). `state` is core's
 * EnrolmentState; `context` holds instants and attributes the steps read, never free text.
 */
export const journeyEnrolments = pgTable(
  'journey_enrolments',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: orgIdColumn(),
    journeyId: uuid('journey_id').notNull(),
    versionId: uuid('version_id').notNull(),
    patientId: patientIdColumn(),
    /** What the enrolment is about: `appointment:<id>`, `encounter:<id>` or `manual:<id>`. */
    contextKey: text('context_key').notNull(),
    /**
     * The appointment it is about, if any. No foreign key: appointments are the scheduling
     * module's, and a journey must not stop a feed from replacing one (withdrawal finds it).
     */
    appointmentId: uuid('appointment_id'),
    context: jsonb('context').notNull(),
    state: jsonb('state').notNull(),
    status: text('status').notNull().default('active'),
    currentNode: text('current_node').notNull(),
    wakeAt: timestamp('wake_at', { withTimezone: true }),
    convertedAt: timestamp('converted_at', { withTimezone: true }),
    /** The last failure as an error code (never PHI), shown in the dead-letter view. */
    lastError: text('last_error'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    tenantKey(t),
    index('journey_enrolments_journey_idx').on(t.orgId, t.journeyId, t.status, t.currentNode),
    index('journey_enrolments_patient_idx').on(t.orgId, t.patientId, t.status),
    index('journey_enrolments_appointment_idx')
      .on(t.orgId, t.appointmentId)
      .where(sql`appointment_id is not null`),
    index('journey_enrolments_context_idx').on(t.orgId, t.journeyId, t.patientId, t.contextKey),
    check(
      'journey_enrolments_status_check',
      sql`status in ('active', 'completed', 'exited', 'failed')`,
    ),
    sameOrganization(t.orgId, t.journeyId, journeys),
    sameOrganization(t.orgId, t.versionId, journeyVersions),
    sameOrganization(t.orgId, t.patientId, patients),
  ],
);

/**
 * Each node an enrolment entered, once per occurrence: the unique key is what makes a step
 * happen once however often its job runs (docs/adr/0025), and the per-node counts read it.
 */
export const journeySteps = pgTable(
  'journey_steps',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: orgIdColumn(),
    enrolmentId: uuid('enrolment_id').notNull(),
    journeyId: uuid('journey_id').notNull(),
    nodeId: text('node_id').notNull(),
    occurrence: integer('occurrence').notNull(),
    /** `entered`, or an action's outcome: `queued`, `duplicate`, `expired`, `suppressed:<why>`, `task`, `recorded`, `enrolled`. */
    outcome: text('outcome').notNull(),
    messageId: uuid('message_id'),
    at: timestamp('at', { withTimezone: true }).notNull(),
  },
  (t) => [
    uniqueIndex('journey_steps_occurrence').on(t.orgId, t.enrolmentId, t.nodeId, t.occurrence),
    index('journey_steps_journey_idx').on(t.orgId, t.journeyId, t.nodeId),
    sameOrganization(t.orgId, t.enrolmentId, journeyEnrolments),
    sameOrganization(t.orgId, t.journeyId, journeys),
  ],
);
