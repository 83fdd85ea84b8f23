import { sql } from 'drizzle-orm';
import {
  check,
  index,
  integer,
  jsonb,
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
 * Issue 11 (h11r): open slots offered by text to a patient who replied "R" to a reminder
 * (docs/adr/0036-reschedule-offers.md). No slot is held: `slots` is what the text listed, and
 * a choice books through the scheduling service's race-safe path, or gets a fresh offer.
 */
export const rescheduleOffers = pgTable(
  'reschedule_offers',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: orgIdColumn(),
    patientId: patientIdColumn(),
    appointmentId: uuid('appointment_id').notNull(),
    /** open → accepted | replaced (a fresh offer followed) | expired | handed-off (a task). */
    status: text('status').notNull(),
    /** The slots the text listed, in its order (core's `OfferedSlot[]`). */
    slots: jsonb('slots').notNull(),
    /** 1 for the first offer of an "R", one more for each fresh offer after it. */
    round: integer('round').notNull().default(1),
    /** What caused it (a journey step's key, or the reply that asked for more): made once. */
    sourceKey: text('source_key').notNull(),
    /** The 1-based slot the patient chose, once accepted. */
    chosen: smallint('chosen'),
    /** The reply that answered it (an inbound message id), so a retried job finds it. */
    answerKey: text('answer_key'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    answeredAt: timestamp('answered_at', { withTimezone: true }),
  },
  (t) => [
    tenantKey(t),
    uniqueIndex('reschedule_offers_source_key').on(t.orgId, t.sourceKey),
    index('reschedule_offers_patient_idx').on(t.orgId, t.patientId, t.createdAt),
    sameOrganization(t.orgId, t.patientId, patients),
    sameOrganization(t.orgId, t.appointmentId, appointments),
    check(
      'reschedule_offers_status_check',
      sql`status in ('open', 'accepted', 'replaced', 'expired', 'handed-off')`,
    ),
  ],
);
