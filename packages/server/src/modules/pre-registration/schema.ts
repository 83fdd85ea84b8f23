import { boolean, index, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { users } from '../auth/schema.js';
import { orgIdColumn, sameOrganization, tenantKey } from '../directory/schema.js';
import { coverages, patientIdColumn, patients } from '../patients/schema.js';
import { appointments } from '../scheduling/schema.js';

/**
 * A patient's pre-registration before a visit (issue 13), one row per submission. What it said
 * about the patient went to its owners (the golden record, coverage, consents); this row keeps
 * when it was done, for which visit, the acknowledgements that belong to no other record
 * (consent to treatment, the privacy notice) and the emergency contact, encrypted and bound to
 * the row.
 */
export const preRegistrations = pgTable(
  'pre_registrations',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: orgIdColumn(),
    patientId: patientIdColumn(),
    /** The visit it was filled in for; null when started from the portal's home. */
    appointmentId: uuid('appointment_id'),
    /** The coverage it recorded; null for self-pay. */
    coverageId: uuid('coverage_id'),
    submittedBy: uuid('submitted_by').notNull(),
    submittedAt: timestamp('submitted_at', { withTimezone: true }).notNull(),
    treatmentConsent: boolean('treatment_consent').notNull(),
    privacyNotice: boolean('privacy_notice').notNull(),
    /** `{ name, relationship, phone }` as JSON, sealed (emergencyContactAad). */
    emergencyContactEncrypted: text('emergency_contact_encrypted').notNull(),
  },
  (t) => [
    tenantKey(t),
    index('pre_registrations_patient_idx').on(t.orgId, t.patientId, t.submittedAt),
    sameOrganization(t.orgId, t.patientId, patients),
    sameOrganization(t.orgId, t.appointmentId, appointments),
    sameOrganization(t.orgId, t.coverageId, coverages),
    sameOrganization(t.orgId, t.submittedBy, users),
  ],
);
