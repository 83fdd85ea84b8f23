import {
  customType,
  date,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { users } from '../auth/schema.js';
import { organizations, orgIdColumn, sameOrganization } from '../directory/schema.js';

/**
 * An organization's journey-map settings: its stage taxonomy, the rules that place touchpoints
 * in stages and its journey definitions (the small-cell threshold is the organization's own,
 * `organizations.aggregate_suppression_threshold`, shared with the KPIs). One row per organization;
 * none means the defaults of core's journey-map rules. Validated by core before it is written.
 */
export const journeyMapSettings = pgTable(
  'journey_map_settings',
  {
    orgId: uuid('org_id')
      .primaryKey()
      .references(() => organizations.id),
    stages: jsonb('stages').notNull(),
    mapping: jsonb('mapping').notNull(),
    definitions: jsonb('definitions').notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    updatedBy: uuid('updated_by'),
  },
  (t) => [sameOrganization(t.orgId, t.updatedBy, users)],
);

// Issue 11 (h11l): patient lists moved to their own module, modules/lists (docs/adr/0040).

// Issue 12: the columns the journey map reads (docs/adr/0048; before, stage segments: 0026-0041).

/** `bytea`: the columns' records, as PostgreSQL's `*send` functions write them (big-endian). */
const bytea = customType<{ data: Uint8Array; driverData: Uint8Array }>({
  dataType: () => 'bytea',
});

/**
 * Each patient's number in the journey map's columns (dense from 0, never reused): records
 * carry 4 bytes instead of a 16-byte id, and a filter answered by the database (a practitioner,
 * a payer) becomes a set of numbers. Derived data: no foreign keys (a number must never keep a
 * patient from being merged or removed).
 */
export const journeyPatientNumbers = pgTable(
  'journey_patient_numbers',
  {
    orgId: orgIdColumn(),
    patientId: uuid('patient_id').notNull(),
    number: integer('number').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.orgId, t.patientId] }),
    uniqueIndex('journey_patient_numbers_number_idx').on(t.orgId, t.number),
  ],
);

/**
 * One UTC month of an organization's touchpoints, as the journey map reads them: 18-byte
 * records (patient number, instant in µs, type, channel, stage, flags) sorted by patient,
 * instant and id, with the month's dictionaries of types, channels and stages (core's
 * `decodeTouchpointColumns`). Written whole by the refresh job; `version` changes with every
 * write, so a process's cache of decoded months knows when one is stale.
 */
export const journeyMapMonths = pgTable(
  'journey_map_months',
  {
    orgId: orgIdColumn(),
    month: date('month', { mode: 'string' }).notNull(),
    version: uuid('version').notNull(),
    rows: integer('rows').notNull(),
    types: text('types').array().notNull(),
    channels: text('channels').array().notNull(),
    stages: text('stages').array().notNull(),
    data: bytea('data').notNull(),
  },
  (t) => [primaryKey({ columns: [t.orgId, t.month] })],
);

/**
 * Every numbered patient's location and birth date (6-byte records by number; core's
 * `decodePatientColumns`): the map's location and age-band filters, as of the last refresh.
 */
export const journeyMapPatients = pgTable('journey_map_patients', {
  orgId: orgIdColumn().primaryKey(),
  version: uuid('version').notNull(),
  count: integer('count').notNull(),
  locations: text('locations').array().notNull(),
  data: bytea('data').notNull(),
});

/** What each organization's rollup holds: the UTC days, under which mapping, since when. */
export const journeyStageRefreshes = pgTable('journey_stage_refreshes', {
  orgId: uuid('org_id')
    .primaryKey()
    .references(() => organizations.id),
  /** sha256 of the mapping rules the columns were written with. */
  mappingHash: text('mapping_hash').notNull(),
  fromDay: date('from_day', { mode: 'string' }).notNull(),
  toDay: date('to_day', { mode: 'string' }).notNull(),
  refreshedAt: timestamp('refreshed_at', { withTimezone: true }).notNull(),
  /** The last whole rebuild (nightly, or after a mapping change). */
  rebuiltAt: timestamp('rebuilt_at', { withTimezone: true }).notNull(),
});
