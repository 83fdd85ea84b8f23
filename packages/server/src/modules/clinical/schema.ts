import { date, index, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import {
  locations,
  orgIdColumn,
  practitioners,
  sameOrganization,
  serviceLines,
  tenantKey,
} from '../directory/schema.js';
import { patientIdColumn, patients } from '../patients/schema.js';

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
