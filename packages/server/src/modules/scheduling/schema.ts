import { boolean, index, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import {
  locations,
  orgIdColumn,
  practitioners,
  sameOrganization,
  serviceLines,
} from '../directory/schema.js';
import { patientIdColumn, patients } from '../patients/schema.js';

export const appointments = pgTable(
  'appointments',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: orgIdColumn(),
    patientId: patientIdColumn(),
    status: text('status').notNull(),
    serviceLineId: uuid('service_line_id'),
    practitionerId: uuid('practitioner_id'),
    locationId: uuid('location_id'),
    startAt: timestamp('start_at', { withTimezone: true }).notNull(),
    endAt: timestamp('end_at', { withTimezone: true }).notNull(),
    telehealth: boolean('telehealth').notNull().default(false),
    /** Plain, from before migration 0012: emptied by `careloop keys rotate`. */
    reason: text('reason'),
    /** The visit reason (often a diagnosis): AES-256-GCM bound to the appointment. */
    reasonEncrypted: text('reason_encrypted'),
    cancelReason: text('cancel_reason'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('appointments_patient_idx').on(t.patientId, t.startAt),
    index('appointments_org_start_idx').on(t.orgId, t.startAt),
    sameOrganization(t.orgId, t.serviceLineId, serviceLines),
    sameOrganization(t.orgId, t.practitionerId, practitioners),
    sameOrganization(t.orgId, t.locationId, locations),
    sameOrganization(t.orgId, t.patientId, patients),
  ],
);
