import { getTableName } from 'drizzle-orm';
import {
  type AnyPgColumn,
  boolean,
  foreignKey,
  index,
  integer,
  type PgTableExtraConfigValue,
  pgTable,
  text,
  timestamp,
  unique,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';

/** A tenant: one health system or practice. Row-level security keys on its id. */
export const organizations = pgTable(
  'organizations',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    name: text('name').notNull(),
    timeZone: text('time_zone').notNull().default('America/New_York'),
    /** Every staff account must sign in with a second factor (TOTP). */
    mfaRequired: boolean('mfa_required').notNull().default(false),
    /** Admins need no second factor (off by default; seeded demo organizations turn it on). */
    mfaAdminsExempt: boolean('mfa_admins_exempt').notNull().default(false),
    /** How the MRNs of patients registered in the console read (core's `parseMrnFormat`). */
    mrnFormat: text('mrn_format').notNull().default('CL-{seq:6}'),
    /**
     * Listed by name on the portal's public sign-up page (`GET /api/portal/organizations`), so a
     * patient without the clinic's sign-up link can choose it. Off unless an admin turns it on.
     */
    portalSignUpListed: boolean('portal_sign_up_listed').notNull().default(false),
    /** Where a patient registered without a location is seen, before the registrar's own. */
    defaultLocationId: uuid('default_location_id'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    // Issue 12 (KPIs): small-cell suppression of aggregates.
    /**
     * Aggregate counts from 1 to this − 1 are withheld from roles without clinical access
     * (dashboards and their exports; core's `suppressCell`). 11 follows CMS's cell-size policy.
     */
    aggregateSuppressionThreshold: integer('aggregate_suppression_threshold').notNull().default(11),
  },
  // Typed by hand: the reference to locations, which reference organizations, is a cycle.
  (t): PgTableExtraConfigValue[] => [
    uniqueIndex('organizations_name_key').on(t.name),
    // One of the organization's own locations (the `sameOrganization` shape, keyed by `id`).
    foreignKey({
      name: 'organizations_default_location_id_fk',
      columns: [t.id, t.defaultLocationId],
      foreignColumns: [locations.orgId, locations.id],
    }),
  ],
);

/** The tenant key every table carries; row-level security filters on it. */
export const orgIdColumn = () =>
  uuid('org_id')
    .notNull()
    .references(() => organizations.id);

/** What a tenant table that others reference offers: its tenant key and its id. */
export interface TenantTable {
  orgId: AnyPgColumn;
  id: AnyPgColumn;
}

/**
 * A reference to a row of the same organization: `(org_id, column) → (org_id, id)`, so the
 * database itself refuses a row of another tenant (a foreign-key check bypasses row-level
 * security). A null column skips the check (MATCH SIMPLE). The referenced table declares
 * `tenantKey`. Named `<table>_<column>_fk`, which db/errors.ts maps back to the field.
 */
export function sameOrganization(orgId: AnyPgColumn, column: AnyPgColumn, target: TenantTable) {
  return foreignKey({
    name: `${getTableName(column.table)}_${column.name}_fk`,
    columns: [orgId, column],
    foreignColumns: [target.orgId, target.id],
  });
}

/** The unique `(org_id, id)` that `sameOrganization` references point at. */
export function tenantKey(t: TenantTable) {
  return unique(`${getTableName(t.id.table)}_org_id_id_key`).on(t.orgId, t.id);
}

export const locations = pgTable(
  'locations',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: orgIdColumn(),
    name: text('name').notNull(),
    line1: text('line1'),
    city: text('city'),
    state: text('state'),
    postalCode: text('postal_code'),
    phone: text('phone'),
    timeZone: text('time_zone').notNull().default('America/New_York'),
    active: boolean('active').notNull().default(true),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [tenantKey(t), index('locations_org_name_idx').on(t.orgId, t.name)],
);

export const practitioners = pgTable(
  'practitioners',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: orgIdColumn(),
    givenName: text('given_name').notNull(),
    familyName: text('family_name').notNull(),
    prefix: text('prefix'),
    npi: text('npi'),
    specialty: text('specialty'),
    email: text('email'),
    phone: text('phone'),
    locationId: uuid('location_id'),
    active: boolean('active').notNull().default(true),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    tenantKey(t),
    index('practitioners_org_name_idx').on(t.orgId, t.familyName, t.givenName),
    sameOrganization(t.orgId, t.locationId, locations),
  ],
);

/** A service line: what a patient can be booked for (primary care visit, mammography…). */
export const serviceLines = pgTable(
  'service_lines',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: orgIdColumn(),
    code: text('code').notNull(),
    name: text('name').notNull(),
    description: text('description'),
    defaultDurationMinutes: integer('default_duration_minutes').notNull().default(30),
    active: boolean('active').notNull().default(true),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [tenantKey(t), uniqueIndex('service_lines_org_code_key').on(t.orgId, t.code)],
);
