import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  check,
  index,
  integer,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { orgIdColumn, practitioners, sameOrganization, tenantKey } from '../directory/schema.js';
import { patients } from '../patients/schema.js';

export const users = pgTable(
  'users',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: orgIdColumn(),
    /** Lower-cased; unique across the installation because login happens before the org is known. */
    email: text('email').notNull(),
    displayName: text('display_name').notNull(),
    role: text('role').notNull(),
    passwordHash: text('password_hash').notNull(),
    patientId: uuid('patient_id'),
    /** Receives a task for each break-glass access (admins only; see docs/restricted-records.md). */
    privacyOfficer: boolean('privacy_officer').notNull().default(false),
    practitionerId: uuid('practitioner_id'),
    disabledAt: timestamp('disabled_at', { withTimezone: true }),
    lastLoginAt: timestamp('last_login_at', { withTimezone: true }),
    /** TOTP secret (base32), encrypted with the field cipher; null until enrolment is confirmed. */
    totpSecret: text('totp_secret'),
    /** A secret shown for enrolment and not yet confirmed with a code (encrypted). */
    totpPendingSecret: text('totp_pending_secret'),
    totpEnabledAt: timestamp('totp_enabled_at', { withTimezone: true }),
    /** The last accepted 30-second step: a code of this step or an earlier one is refused. */
    totpLastStep: bigint('totp_last_step', { mode: 'number' }),
    /** SHA-256 of each unused recovery code; a used code is removed. */
    recoveryCodeHashes: text('recovery_code_hashes').array().notNull().default(sql`'{}'`),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    /**
     * When the owner proved the email is theirs. Null only for a portal sign-up that has not
     * opened its verification link yet; accounts made by staff, the CLI or the seed are verified
     * when made (the default), since a person chose the address for them.
     */
    emailVerifiedAt: timestamp('email_verified_at', { withTimezone: true }).defaultNow(),
  },
  (t) => [
    tenantKey(t),
    uniqueIndex('users_email_key').on(t.email),
    check('users_privacy_officer_check', sql`not privacy_officer or role = 'admin'`),
    index('users_org_idx').on(t.orgId, t.displayName),
    sameOrganization(t.orgId, t.patientId, patients),
    sameOrganization(t.orgId, t.practitionerId, practitioners),
  ],
);

/** Server-side sessions. The cookie carries a random token; only its SHA-256 is stored. */
export const sessions = pgTable(
  'sessions',
  {
    id: text('id').primaryKey(),
    orgId: orgIdColumn(),
    userId: uuid('user_id').notNull(),
    csrfToken: text('csrf_token').notNull(),
    /** `active`, or a sign-in half done: `mfa-code` (a code is due) or `mfa-enrol` (must enrol). */
    stage: text('stage').notNull().default('active'),
    ip: text('ip'),
    userAgent: text('user_agent'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    lastSeenAt: timestamp('last_seen_at', { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
  },
  (t) => [
    index('sessions_user_idx').on(t.userId).where(sql`revoked_at is null`),
    sameOrganization(t.orgId, t.userId, users),
  ],
);

/**
 * Sign-in and sign-up attempts, counted before any password is checked (docs/adr/0007). Global,
 * not per organization: attempts come before the organization is known. The key is a SHA-256 of
 * what is counted (account and address), so no email or address is stored in clear. The
 * application role has no grant on it: it counts through two SECURITY DEFINER functions.
 */
export const signInAttempts = pgTable(
  'sign_in_attempts',
  {
    key: text('key').primaryKey(),
    windowStart: timestamp('window_start', { withTimezone: true }).notNull(),
    count: integer('count').notNull(),
    /** For an account: the earliest moment its next attempt may be checked. */
    nextAt: timestamp('next_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('sign_in_attempts_window_idx').on(t.windowStart)],
);
