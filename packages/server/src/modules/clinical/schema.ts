import { sql } from 'drizzle-orm';
import {
  date,
  index,
  integer,
  jsonb,
  numeric,
  pgTable,
  text,
  timestamp,
  uuid,
} from 'drizzle-orm/pg-core';
import {
  locations,
  orgIdColumn,
  practitioners,
  sameOrganization,
  serviceLines,
  tenantKey,
} from '../directory/schema.js';
import { patientIdColumn, patients } from '../patients/schema.js';
import type { QuestionnaireAnswer } from './answers.js';

/**
 * The clinical record of each patient: visits, problems, procedures, results, immunizations,
 * medicines, allergies, care plans, orders and questionnaire answers. Written only through the
 * clinical service (service.ts); read by the 360 view, the FHIR API and analytics.
 */

const encounterId = () => uuid('encounter_id');
const at = (name: string) => timestamp(name, { withTimezone: true });
const createdAt = () => at('created_at').notNull().defaultNow();
const updatedAt = () => at('updated_at').notNull().defaultNow();

export const encounters = pgTable(
  'encounters',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: orgIdColumn(),
    patientId: patientIdColumn(),
    class: text('class').notNull(),
    type: text('type').notNull(),
    /** Plain reason of an encounter written before migration 0015, until `keys rotate` seals it. */
    reason: text('reason'),
    /** The reason for the visit (often a diagnosis): AES-256-GCM bound to the encounter. */
    reasonEncrypted: text('reason_encrypted'),
    status: text('status').notNull().default('finished'),
    locationId: uuid('location_id'),
    practitionerId: uuid('practitioner_id'),
    serviceLineId: uuid('service_line_id'),
    startAt: timestamp('start_at', { withTimezone: true }).notNull(),
    endAt: timestamp('end_at', { withTimezone: true }),
  },
  (t) => [
    tenantKey(t),
    index('encounters_patient_idx').on(t.patientId, t.startAt),
    sameOrganization(t.orgId, t.locationId, locations),
    sameOrganization(t.orgId, t.practitionerId, practitioners),
    sameOrganization(t.orgId, t.serviceLineId, serviceLines),
    sameOrganization(t.orgId, t.patientId, patients),
  ],
);

export const conditions = pgTable(
  'conditions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: orgIdColumn(),
    patientId: patientIdColumn(),
    codeSystem: text('code_system').notNull(),
    code: text('code').notNull(),
    display: text('display').notNull(),
    clinicalStatus: text('clinical_status').notNull().default('active'),
    onsetDate: date('onset_date', { mode: 'string' }),
    abatementDate: date('abatement_date', { mode: 'string' }),
    recordedAt: timestamp('recorded_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('conditions_patient_idx').on(t.patientId),
    sameOrganization(t.orgId, t.patientId, patients),
  ],
);

export const procedures = pgTable(
  'procedures',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: orgIdColumn(),
    patientId: patientIdColumn(),
    encounterId: encounterId(),
    codeSystem: text('code_system').notNull(),
    code: text('code').notNull(),
    display: text('display').notNull(),
    status: text('status').notNull(),
    performedAt: at('performed_at'),
    performedEndAt: at('performed_end_at'),
    practitionerId: uuid('practitioner_id'),
    locationId: uuid('location_id'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('procedures_patient_idx').on(t.patientId, t.performedAt),
    sameOrganization(t.orgId, t.practitionerId, practitioners),
    sameOrganization(t.orgId, t.locationId, locations),
    sameOrganization(t.orgId, t.patientId, patients),
    sameOrganization(t.orgId, t.encounterId, encounters),
  ],
);

/** A compact clinical summary of an observation: what was measured, the value, and when. */
export const observations = pgTable(
  'observations',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: orgIdColumn(),
    patientId: patientIdColumn(),
    encounterId: encounterId(),
    /** vital-signs, laboratory, survey, social-history… */
    category: text('category'),
    codeSystem: text('code_system').notNull(),
    code: text('code').notNull(),
    display: text('display').notNull(),
    status: text('status').notNull(),
    valueNumber: numeric('value_number', { mode: 'string' }),
    valueUnit: text('value_unit'),
    /** Coded, text, or multi-component values (blood pressure as "120/80 mm[Hg]"). */
    valueText: text('value_text'),
    effectiveAt: at('effective_at'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('observations_patient_idx').on(t.patientId, t.code, t.effectiveAt),
    sameOrganization(t.orgId, t.patientId, patients),
    sameOrganization(t.orgId, t.encounterId, encounters),
  ],
);

export const immunizations = pgTable(
  'immunizations',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: orgIdColumn(),
    patientId: patientIdColumn(),
    encounterId: encounterId(),
    vaccineSystem: text('vaccine_system').notNull(),
    vaccineCode: text('vaccine_code').notNull(),
    display: text('display').notNull(),
    status: text('status').notNull(),
    occurredAt: at('occurred_at'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('immunizations_patient_idx').on(t.patientId, t.occurredAt),
    sameOrganization(t.orgId, t.patientId, patients),
    sameOrganization(t.orgId, t.encounterId, encounters),
  ],
);

export const medicationRequests = pgTable(
  'medication_requests',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: orgIdColumn(),
    patientId: patientIdColumn(),
    encounterId: encounterId(),
    medicationSystem: text('medication_system').notNull(),
    medicationCode: text('medication_code').notNull(),
    display: text('display').notNull(),
    status: text('status').notNull(),
    intent: text('intent').notNull(),
    authoredAt: at('authored_at'),
    requesterId: uuid('requester_id'),
    dosage: text('dosage'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('medication_requests_patient_idx').on(t.patientId, t.authoredAt),
    sameOrganization(t.orgId, t.requesterId, practitioners),
    sameOrganization(t.orgId, t.patientId, patients),
    sameOrganization(t.orgId, t.encounterId, encounters),
  ],
);

export const allergies = pgTable(
  'allergies',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: orgIdColumn(),
    patientId: patientIdColumn(),
    codeSystem: text('code_system').notNull(),
    code: text('code').notNull(),
    display: text('display').notNull(),
    clinicalStatus: text('clinical_status'),
    verificationStatus: text('verification_status'),
    /** food | medication | environment | biologic */
    category: text('category'),
    criticality: text('criticality'),
    recordedAt: at('recorded_at'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('allergies_patient_idx').on(t.patientId),
    sameOrganization(t.orgId, t.patientId, patients),
  ],
);

export const carePlans = pgTable(
  'care_plans',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: orgIdColumn(),
    patientId: patientIdColumn(),
    encounterId: encounterId(),
    status: text('status').notNull(),
    intent: text('intent').notNull(),
    title: text('title').notNull(),
    /** The planned activities' names, in order. */
    activities: text('activities').array().notNull().default(sql`'{}'::text[]`),
    periodStart: at('period_start'),
    periodEnd: at('period_end'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('care_plans_patient_idx').on(t.patientId),
    sameOrganization(t.orgId, t.patientId, patients),
    sameOrganization(t.orgId, t.encounterId, encounters),
  ],
);

/** An order or referral: a request for a service, from whom, to whom. */
export const serviceRequests = pgTable(
  'service_requests',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: orgIdColumn(),
    patientId: patientIdColumn(),
    encounterId: encounterId(),
    status: text('status').notNull(),
    intent: text('intent').notNull(),
    priority: text('priority'),
    category: text('category'),
    codeSystem: text('code_system'),
    code: text('code'),
    display: text('display').notNull(),
    requesterId: uuid('requester_id'),
    performerName: text('performer_name'),
    authoredAt: at('authored_at'),
    occurrenceAt: at('occurrence_at'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('service_requests_patient_idx').on(t.patientId, t.authoredAt),
    sameOrganization(t.orgId, t.requesterId, practitioners),
    sameOrganization(t.orgId, t.patientId, patients),
    sameOrganization(t.orgId, t.encounterId, encounters),
  ],
);

export const questionnaireResponses = pgTable(
  'questionnaire_responses',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: orgIdColumn(),
    patientId: patientIdColumn(),
    encounterId: encounterId(),
    questionnaire: text('questionnaire'),
    status: text('status').notNull(),
    authoredAt: at('authored_at'),
    /**
     * Answered items of a response written before migration 0015, flattened: [{ linkId, text,
     * answer }]; null once `careloop keys rotate` has sealed them into `answers_encrypted`.
     */
    answers: jsonb('answers').$type<QuestionnaireAnswer[]>(),
    /** The same list as JSON text, AES-256-GCM bound to the response (docs/encryption.md). */
    answersEncrypted: text('answers_encrypted'),
    itemCount: integer('item_count').notNull().default(0),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('questionnaire_responses_patient_idx').on(t.patientId, t.authoredAt),
    sameOrganization(t.orgId, t.patientId, patients),
    sameOrganization(t.orgId, t.encounterId, encounters),
  ],
);
