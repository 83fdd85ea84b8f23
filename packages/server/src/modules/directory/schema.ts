import {
  boolean,
  index,
  integer,
  pgTable,
  text,
  timestamp,
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
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('organizations_name_key').on(t.name)],
);

/** The tenant key every table carries; row-level security filters on it. */
export const orgIdColumn = () =>
  uuid('org_id')
    .notNull()
    .references(() => organizations.id);

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
  (t) => [index('locations_org_name_idx').on(t.orgId, t.name)],
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
    locationId: uuid('location_id').references(() => locations.id),
    active: boolean('active').notNull().default(true),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('practitioners_org_name_idx').on(t.orgId, t.familyName, t.givenName)],
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
  (t) => [uniqueIndex('service_lines_org_code_key').on(t.orgId, t.code)],
);
