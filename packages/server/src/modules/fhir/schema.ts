import { sql } from 'drizzle-orm';
import {
  boolean,
  check,
  index,
  jsonb,
  numeric,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { encounters } from '../clinical/schema.js';
import {
  locations,
  orgIdColumn,
  practitioners,
  sameOrganization,
  serviceLines,
  tenantKey,
} from '../directory/schema.js';
import { patientIdColumn, patients } from '../patients/schema.js';

const encounterId = () => uuid('encounter_id');
const at = (name: string) => timestamp(name, { withTimezone: true });
const createdAt = () => at('created_at').notNull().defaultNow();
const updatedAt = () => at('updated_at').notNull().defaultNow();
/** Money as exact decimals: these rows feed revenue attribution. */
const money = (name: string) => numeric(name, { precision: 14, scale: 2, mode: 'string' });

/**
 * Every FHIR resource received, as received, with its provenance: which system sent it, when,
 * and what became of it. Keyed on the sender's own id, so a re-import updates in place.
 */
export const fhirSourceRecords = pgTable(
  'fhir_source_records',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: orgIdColumn(),
    sourceSystem: text('source_system').notNull(),
    resourceType: text('resource_type').notNull(),
    sourceId: text('source_id').notNull(),
    /** mapped | stored-not-mapped | rejected */
    status: text('status').notNull(),
    /** SHA-256 of the resource's canonical JSON: the same hash on re-import means unchanged. */
    contentHash: text('content_hash').notNull(),
    /**
     * The resource as received, before Careloop encrypted raw resources (migration 0012): left
     * on older rows until `careloop keys rotate` moves it into `resource_encrypted`.
     */
    resource: jsonb('resource'),
    /** The resource's JSON, AES-256-GCM bound to its source key (docs/encryption.md). */
    resourceEncrypted: text('resource_encrypted'),
    /** Why it was not mapped or was rejected, for the person replaying it. */
    detail: text('detail'),
    receivedAt: at('received_at').notNull().defaultNow(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('fhir_source_records_key').on(t.orgId, t.sourceSystem, t.resourceType, t.sourceId),
    index('fhir_source_records_status_idx').on(t.orgId, t.status, t.resourceType),
    check(
      'fhir_source_records_resource_kept',
      sql`${t.resource} is not null or ${t.resourceEncrypted} is not null`,
    ),
  ],
);

/** Organizations outside the tenant, as other systems name them: hospitals, practices, payers. */
export const externalOrganizations = pgTable(
  'external_organizations',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: orgIdColumn(),
    name: text('name').notNull(),
    /** provider | payer | other */
    kind: text('kind').notNull(),
    identifierSystem: text('identifier_system'),
    identifierValue: text('identifier_value'),
    phone: text('phone'),
    line1: text('line1'),
    city: text('city'),
    state: text('state'),
    postalCode: text('postal_code'),
    active: boolean('active').notNull().default(true),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [tenantKey(t), index('external_organizations_name_idx').on(t.orgId, t.name)],
);

export const relatedPersons = pgTable(
  'related_persons',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: orgIdColumn(),
    patientId: patientIdColumn(),
    relationship: text('relationship'),
    givenName: text('given_name'),
    familyName: text('family_name'),
    /** E.164 */
    phone: text('phone'),
    email: text('email'),
    active: boolean('active').notNull().default(true),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('related_persons_patient_idx').on(t.patientId),
    sameOrganization(t.orgId, t.patientId, patients),
  ],
);

/** A bill sent to a payer: what was charged, for which dates, by whom. */
export const claims = pgTable(
  'claims',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: orgIdColumn(),
    patientId: patientIdColumn(),
    encounterId: encounterId(),
    status: text('status').notNull(),
    /** institutional | professional | pharmacy | oral | vision */
    type: text('type'),
    use: text('use'),
    billedAmount: money('billed_amount'),
    currency: text('currency'),
    serviceStart: at('service_start'),
    serviceEnd: at('service_end'),
    submittedAt: at('submitted_at'),
    providerPractitionerId: uuid('provider_practitioner_id'),
    providerOrganizationId: uuid('provider_organization_id'),
    payerName: text('payer_name'),
    payerOrganizationId: uuid('payer_organization_id'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    tenantKey(t),
    index('claims_patient_idx').on(t.patientId, t.serviceStart),
    index('claims_org_service_idx').on(t.orgId, t.serviceStart),
    sameOrganization(t.orgId, t.providerPractitionerId, practitioners),
    sameOrganization(t.orgId, t.providerOrganizationId, externalOrganizations),
    sameOrganization(t.orgId, t.payerOrganizationId, externalOrganizations),
    sameOrganization(t.orgId, t.patientId, patients),
    sameOrganization(t.orgId, t.encounterId, encounters),
  ],
);

/** A payer's answer to a claim: what was billed and what was paid. */
export const explanationsOfBenefit = pgTable(
  'explanations_of_benefit',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: orgIdColumn(),
    patientId: patientIdColumn(),
    claimId: uuid('claim_id'),
    status: text('status').notNull(),
    outcome: text('outcome'),
    type: text('type'),
    billedAmount: money('billed_amount'),
    paidAmount: money('paid_amount'),
    currency: text('currency'),
    serviceStart: at('service_start'),
    serviceEnd: at('service_end'),
    providerPractitionerId: uuid('provider_practitioner_id'),
    providerOrganizationId: uuid('provider_organization_id'),
    payerName: text('payer_name'),
    payerOrganizationId: uuid('payer_organization_id'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('explanations_of_benefit_patient_idx').on(t.patientId, t.serviceStart),
    index('explanations_of_benefit_claim_idx').on(t.claimId),
    sameOrganization(t.orgId, t.claimId, claims),
    sameOrganization(t.orgId, t.providerPractitionerId, practitioners),
    sameOrganization(t.orgId, t.providerOrganizationId, externalOrganizations),
    sameOrganization(t.orgId, t.payerOrganizationId, externalOrganizations),
    sameOrganization(t.orgId, t.patientId, patients),
  ],
);

/** Whose time can be booked: a clinician's, a room's, a service's. */
export const schedules = pgTable(
  'schedules',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: orgIdColumn(),
    name: text('name').notNull(),
    practitionerId: uuid('practitioner_id'),
    locationId: uuid('location_id'),
    serviceLineId: uuid('service_line_id'),
    active: boolean('active').notNull().default(true),
    planningStart: at('planning_start'),
    planningEnd: at('planning_end'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    tenantKey(t),
    index('schedules_org_idx').on(t.orgId, t.name),
    sameOrganization(t.orgId, t.practitionerId, practitioners),
    sameOrganization(t.orgId, t.locationId, locations),
    sameOrganization(t.orgId, t.serviceLineId, serviceLines),
  ],
);

export const slots = pgTable(
  'slots',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: orgIdColumn(),
    scheduleId: uuid('schedule_id').notNull(),
    /** free | busy | busy-unavailable | busy-tentative | entered-in-error */
    status: text('status').notNull(),
    startAt: at('start_at').notNull(),
    endAt: at('end_at').notNull(),
    overbooked: boolean('overbooked').notNull().default(false),
    serviceType: text('service_type'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('slots_schedule_start_idx').on(t.scheduleId, t.startAt),
    index('slots_org_status_start_idx').on(t.orgId, t.status, t.startAt),
    sameOrganization(t.orgId, t.scheduleId, schedules),
  ],
);

/**
 * A message to or from a patient recorded by another system. The message body stays in the
 * source record: free text a patient wrote is not copied into Careloop's summaries.
 */
export const communications = pgTable(
  'communications',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: orgIdColumn(),
    patientId: patientIdColumn(),
    encounterId: encounterId(),
    status: text('status').notNull(),
    /** A touchpoint channel: email, sms, phone, mail, portal, in-person… */
    channel: text('channel').notNull(),
    /** inbound (from the patient) or outbound (to the patient) */
    direction: text('direction').notNull(),
    category: text('category'),
    topic: text('topic'),
    sentAt: at('sent_at'),
    receivedAt: at('received_at'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('communications_patient_idx').on(t.patientId, t.sentAt),
    sameOrganization(t.orgId, t.patientId, patients),
    sameOrganization(t.orgId, t.encounterId, encounters),
  ],
);
