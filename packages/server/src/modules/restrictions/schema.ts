import { sql } from 'drizzle-orm';
import {
  check,
  foreignKey,
  index,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { users } from '../auth/schema.js';
import { orgIdColumn } from '../directory/schema.js';
import { patients } from '../patients/schema.js';

/**
 * Restrictions on a patient's record, with their history: a row is set by someone at a time,
 * and cleared by someone at a later time; at most one is active (not cleared) per patient.
 */
export const patientRestrictions = pgTable(
  'patient_restrictions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: orgIdColumn(),
    patientId: uuid('patient_id').notNull(),
    kind: text('kind').notNull(),
    setBy: uuid('set_by').notNull(),
    setAt: timestamp('set_at', { withTimezone: true }).notNull(),
    clearedBy: uuid('cleared_by'),
    clearedAt: timestamp('cleared_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('patient_restrictions_active_key')
      .on(t.orgId, t.patientId)
      .where(sql`cleared_at is null`),
    check('patient_restrictions_kind_check', sql`kind in ('confidential', 'vip', 'employee')`),
    foreignKey({
      name: 'patient_restrictions_patient_fk',
      columns: [t.orgId, t.patientId],
      foreignColumns: [patients.orgId, patients.id],
    }),
    foreignKey({
      name: 'patient_restrictions_set_by_fk',
      columns: [t.orgId, t.setBy],
      foreignColumns: [users.orgId, users.id],
    }),
    foreignKey({
      name: 'patient_restrictions_cleared_by_fk',
      columns: [t.orgId, t.clearedBy],
      foreignColumns: [users.orgId, users.id],
    }),
  ],
);

/** The users who may open a restricted patient's record without breaking the glass. */
export const patientCareTeamUsers = pgTable(
  'patient_care_team_users',
  {
    orgId: orgIdColumn(),
    patientId: uuid('patient_id').notNull(),
    userId: uuid('user_id').notNull(),
    addedBy: uuid('added_by').notNull(),
    addedAt: timestamp('added_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.orgId, t.patientId, t.userId] }),
    index('patient_care_team_users_user_idx').on(t.orgId, t.userId),
    foreignKey({
      name: 'patient_care_team_users_patient_fk',
      columns: [t.orgId, t.patientId],
      foreignColumns: [patients.orgId, patients.id],
    }),
    foreignKey({
      name: 'patient_care_team_users_user_fk',
      columns: [t.orgId, t.userId],
      foreignColumns: [users.orgId, users.id],
    }),
    foreignKey({
      name: 'patient_care_team_users_added_by_fk',
      columns: [t.orgId, t.addedBy],
      foreignColumns: [users.orgId, users.id],
    }),
  ],
);

/** Break-glass grants: who opened which restricted record, why, and until when. */
export const breakGlassGrants = pgTable(
  'break_glass_grants',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: orgIdColumn(),
    userId: uuid('user_id').notNull(),
    patientId: uuid('patient_id').notNull(),
    reason: text('reason').notNull(),
    grantedAt: timestamp('granted_at', { withTimezone: true }).notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    index('break_glass_grants_access_idx').on(t.orgId, t.patientId, t.userId, t.expiresAt),
    index('break_glass_grants_org_granted_idx').on(t.orgId, t.grantedAt, t.id),
    check('break_glass_grants_expiry_check', sql`expires_at > granted_at`),
    foreignKey({
      name: 'break_glass_grants_patient_fk',
      columns: [t.orgId, t.patientId],
      foreignColumns: [patients.orgId, patients.id],
    }),
    foreignKey({
      name: 'break_glass_grants_user_fk',
      columns: [t.orgId, t.userId],
      foreignColumns: [users.orgId, users.id],
    }),
  ],
);
