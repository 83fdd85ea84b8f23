import type { SourceDemographics, SourceKind } from '@careloop/core';
import {
  doublePrecision,
  index,
  jsonb,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { users } from '../auth/schema.js';
import { orgIdColumn, sameOrganization, tenantKey } from '../directory/schema.js';
import { patientIdColumn, patients } from '../patients/schema.js';

const at = (name: string) => timestamp(name, { withTimezone: true });

/**
 * The master patient index's memory: one row per person as one source describes them (an HL7
 * sender's MRN, a FHIR server's Patient id, a CSV file's row key, staff registration, portal
 * sign-up), linked to the golden record it was matched to. Survivorship decides the golden
 * record's fields from these rows, and unmerge gives each side its own back.
 */
export const patientSourceRecords = pgTable(
  'patient_source_records',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: orgIdColumn(),
    patientId: patientIdColumn(),
    kind: text('kind').$type<SourceKind>().notNull(),
    sourceSystem: text('source_system').notNull(),
    sourceId: text('source_id').notNull(),
    demographics: jsonb('demographics').$type<SourceDemographics>().notNull(),
    /** new | source | identifier | score | review | merge */
    linkMethod: text('link_method').notNull(),
    linkScore: doublePrecision('link_score'),
    receivedAt: at('received_at').notNull().defaultNow(),
    createdAt: at('created_at').notNull().defaultNow(),
  },
  (t) => [
    tenantKey(t),
    uniqueIndex('patient_source_records_key').on(t.orgId, t.sourceSystem, t.sourceId),
    index('patient_source_records_patient_idx').on(t.patientId),
    sameOrganization(t.orgId, t.patientId, patients),
  ],
);

/**
 * Possible duplicates waiting for a person: an incoming record scored between the review and
 * link thresholds (or a guard such as twins stopped an automatic link). Column names avoid
 * `patient_id` on purpose: a merge re-points every `patient_id` column, and a review item must
 * keep naming the two records it was about.
 */
export const mpiReviewItems = pgTable(
  'mpi_review_items',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: orgIdColumn(),
    incomingId: uuid('incoming_id').notNull(),
    candidateId: uuid('candidate_id').notNull(),
    sourceRecordId: uuid('source_record_id'),
    score: doublePrecision('score').notNull(),
    reason: text('reason').notNull(),
    /** Per field: agreement level and weight, as scored. */
    comparison: jsonb('comparison')
      .$type<{ field: string; level: string; weight: number }[]>()
      .notNull(),
    /** open | merged | distinct */
    status: text('status').notNull().default('open'),
    createdAt: at('created_at').notNull().defaultNow(),
    decidedAt: at('decided_at'),
    decidedBy: uuid('decided_by'),
    decisionReason: text('decision_reason'),
  },
  (t) => [
    uniqueIndex('mpi_review_items_pair_key').on(t.orgId, t.incomingId, t.candidateId),
    index('mpi_review_items_status_idx').on(t.orgId, t.status, t.createdAt, t.id),
    sameOrganization(t.orgId, t.incomingId, patients),
    sameOrganization(t.orgId, t.candidateId, patients),
    sameOrganization(t.orgId, t.sourceRecordId, patientSourceRecords),
    sameOrganization(t.orgId, t.decidedBy, users),
  ],
);

/**
 * Every merge of two golden records, with what it moved, so that it can be undone: the ids of
 * the rows re-pointed per table, and the rows dropped because the survivor had their like.
 */
export const patientMerges = pgTable(
  'patient_merges',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: orgIdColumn(),
    survivorId: uuid('survivor_id').notNull(),
    mergedId: uuid('merged_id').notNull(),
    /** review | staff | hl7 */
    origin: text('origin').notNull(),
    reason: text('reason'),
    moved: jsonb('moved').$type<Record<string, string[]>>().notNull(),
    dropped: jsonb('dropped').$type<Record<string, unknown[]>>().notNull(),
    /** The survivor's own golden fields before the merge, restored by an unmerge. */
    survivorBefore: jsonb('survivor_before').$type<Record<string, unknown>>().notNull(),
    mergedAt: at('merged_at').notNull().defaultNow(),
    mergedBy: uuid('merged_by'),
    unmergedAt: at('unmerged_at'),
    unmergedBy: uuid('unmerged_by'),
  },
  (t) => [
    index('patient_merges_survivor_idx').on(t.survivorId),
    index('patient_merges_merged_idx').on(t.mergedId),
    sameOrganization(t.orgId, t.survivorId, patients),
    sameOrganization(t.orgId, t.mergedId, patients),
    sameOrganization(t.orgId, t.mergedBy, users),
    sameOrganization(t.orgId, t.unmergedBy, users),
  ],
);

/**
 * Which Careloop record a source system's record became: (system, type, source id) → record.
 * Several sources may point at one record (the golden record of a patient seen by two EHRs).
 * The identity of records across systems, so the master patient index's: FHIR, HL7 and CSV
 * imports write it through `source-links.ts`, and a merge re-points it.
 */
export const sourceLinks = pgTable(
  'source_links',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: orgIdColumn(),
    sourceSystem: text('source_system').notNull(),
    sourceType: text('source_type').notNull(),
    sourceId: text('source_id').notNull(),
    recordType: text('record_type').notNull(),
    recordId: uuid('record_id').notNull(),
    patientId: uuid('patient_id'),
    createdAt: at('created_at').notNull().defaultNow(),
    updatedAt: at('updated_at').notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('source_links_key').on(t.orgId, t.sourceSystem, t.sourceType, t.sourceId),
    index('source_links_record_idx').on(t.orgId, t.recordType, t.recordId),
    index('source_links_patient_idx').on(t.patientId),
    sameOrganization(t.orgId, t.patientId, patients),
  ],
);
