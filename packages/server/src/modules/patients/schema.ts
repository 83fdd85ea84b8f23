import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  check,
  date,
  index,
  integer,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import {
  locations,
  orgIdColumn,
  practitioners,
  sameOrganization,
  tenantKey,
} from '../directory/schema.js';

const createdAt = () => timestamp('created_at', { withTimezone: true }).notNull().defaultNow();

/** The golden record: one row per real person, whatever systems they came from. */
export const patients = pgTable(
  'patients',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: orgIdColumn(),
    givenName: text('given_name').notNull(),
    middleName: text('middle_name'),
    familyName: text('family_name').notNull(),
    preferredName: text('preferred_name'),
    /** Lower-cased, accent-free "family given" for prefix search. */
    searchName: text('search_name').notNull(),
    /** Lower-cased given name alone, for "given family" searches. */
    searchGiven: text('search_given').notNull(),
    birthDate: date('birth_date', { mode: 'string' }).notNull(),
    administrativeSex: text('administrative_sex').notNull(),
    genderIdentity: text('gender_identity'),
    preferredLanguage: text('preferred_language').notNull().default('en'),
    preferredChannel: text('preferred_channel'),
    timeZone: text('time_zone'),
    deceasedAt: timestamp('deceased_at', { withTimezone: true }),
    primaryLocationId: uuid('primary_location_id'),
    flags: text('flags').array().notNull().default(sql`'{}'::text[]`),
    status: text('status').notNull().default('active'),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    tenantKey(t),
    index('patients_org_search_name_idx').on(t.orgId, t.searchName.op('text_pattern_ops'), t.id),
    index('patients_org_search_given_idx').on(t.orgId, t.searchGiven.op('text_pattern_ops')),
    index('patients_org_birth_date_idx').on(t.orgId, t.birthDate, t.id),
    index('patients_org_created_idx').on(t.orgId, t.createdAt, t.id),
    // Typo-tolerant name search (pg_trgm, migration 0020); prefix search keeps the btree above.
    index('patients_search_name_trgm_idx').using('gin', t.searchName.op('gin_trgm_ops')),
    sameOrganization(t.orgId, t.primaryLocationId, locations),
  ],
);

/** A required link to the golden record; each table adds `sameOrganization(…, patients)`. */
export const patientIdColumn = () => uuid('patient_id').notNull();

export const patientAddresses = pgTable(
  'patient_addresses',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: orgIdColumn(),
    patientId: patientIdColumn(),
    use: text('use').notNull().default('home'),
    line1: text('line1').notNull(),
    line2: text('line2'),
    city: text('city').notNull(),
    state: text('state').notNull(),
    postalCode: text('postal_code').notNull(),
    country: text('country').notNull().default('US'),
    position: integer('position').notNull().default(0),
  },
  (t) => [
    index('patient_addresses_patient_idx').on(t.patientId),
    sameOrganization(t.orgId, t.patientId, patients),
  ],
);

/** Phones (E.164) and emails (lower-case), normalized on the way in. */
export const patientContactPoints = pgTable(
  'patient_contact_points',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: orgIdColumn(),
    patientId: patientIdColumn(),
    system: text('system').notNull(),
    value: text('value').notNull(),
    display: text('display').notNull(),
    use: text('use').notNull().default('home'),
    isPrimary: boolean('is_primary').notNull().default(false),
  },
  (t) => [
    index('patient_contact_points_patient_idx').on(t.patientId),
    index('patient_contact_points_value_idx').on(t.orgId, t.value),
    sameOrganization(t.orgId, t.patientId, patients),
  ],
);

export const patientIdentifiers = pgTable(
  'patient_identifiers',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: orgIdColumn(),
    patientId: patientIdColumn(),
    system: text('system').notNull(),
    value: text('value').notNull(),
    type: text('type'),
    source: text('source'),
  },
  (t) => [
    index('patient_identifiers_patient_idx').on(t.patientId),
    uniqueIndex('patient_identifiers_system_value_key').on(t.orgId, t.system, t.value),
    index('patient_identifiers_value_idx').on(t.orgId, t.value),
    sameOrganization(t.orgId, t.patientId, patients),
  ],
);

/** The latest consent decision per channel and purpose; history lives in the timeline. */
export const patientConsents = pgTable(
  'patient_consents',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: orgIdColumn(),
    patientId: patientIdColumn(),
    channel: text('channel').notNull(),
    purpose: text('purpose').notNull(),
    status: text('status').notNull(),
    source: text('source').notNull(),
    recordedAt: timestamp('recorded_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('patient_consents_key').on(t.patientId, t.channel, t.purpose),
    sameOrganization(t.orgId, t.patientId, patients),
  ],
);

export const coverages = pgTable(
  'coverages',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: orgIdColumn(),
    patientId: patientIdColumn(),
    payer: text('payer').notNull(),
    plan: text('plan'),
    memberId: text('member_id').notNull(),
    groupNumber: text('group_number'),
    /** The policy holder when not the patient (a parent, a spouse); null: the patient. */
    subscriberName: text('subscriber_name'),
    /** The patient's relationship to the subscriber: self, spouse, child or other. */
    subscriberRelationship: text('subscriber_relationship').notNull().default('self'),
    priority: integer('priority').notNull().default(1),
    status: text('status').notNull().default('active'),
    startDate: date('start_date', { mode: 'string' }),
    endDate: date('end_date', { mode: 'string' }),
    // Issue 13 (h13r): asked at pre-registration.
    subscriberBirthDate: date('subscriber_birth_date', { mode: 'string' }),
  },
  (t) => [
    index('coverages_patient_idx').on(t.patientId),
    sameOrganization(t.orgId, t.patientId, patients),
    // Issue 13 (h13r): card images and pre-registrations reference a coverage.
    tenantKey(t),
  ],
);

// Issue 13 (h13r): pre-registration before a visit.
/**
 * The insurance card a patient photographs (front and back): PNG, JPEG or PDF (sniffed from the
 * bytes), at most 5 MB, encrypted and bound to its row, one per side of a coverage.
 */
export const coverageCardImages = pgTable(
  'coverage_card_images',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: orgIdColumn(),
    coverageId: uuid('coverage_id').notNull(),
    side: text('side').notNull(),
    contentType: text('content_type').notNull(),
    sizeBytes: integer('size_bytes').notNull(),
    dataEncrypted: text('data_encrypted').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    tenantKey(t),
    uniqueIndex('coverage_card_images_side_key').on(t.orgId, t.coverageId, t.side),
    sameOrganization(t.orgId, t.coverageId, coverages),
    check('coverage_card_images_side_check', sql`side in ('front', 'back')`),
    check(
      'coverage_card_images_type_check',
      sql`content_type in ('application/pdf', 'image/png', 'image/jpeg')`,
    ),
    check('coverage_card_images_size_check', sql`size_bytes > 0 and size_bytes <= 5242880`),
  ],
);

export const careTeamMembers = pgTable(
  'care_team_members',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: orgIdColumn(),
    patientId: patientIdColumn(),
    practitionerId: uuid('practitioner_id'),
    name: text('name').notNull(),
    role: text('role').notNull(),
    since: date('since', { mode: 'string' }),
  },
  (t) => [
    index('care_team_members_patient_idx').on(t.patientId),
    sameOrganization(t.orgId, t.practitionerId, practitioners),
    sameOrganization(t.orgId, t.patientId, patients),
  ],
);

/**
 * The last MRN sequence number each organization gave out. Registration takes the next one
 * with `UPDATE … RETURNING` in its own transaction, so concurrent registrations wait on the
 * row and never share a number.
 */
export const mrnCounters = pgTable('mrn_counters', {
  orgId: orgIdColumn().primaryKey(),
  lastValue: bigint('last_value', { mode: 'number' }).notNull().default(0),
});
