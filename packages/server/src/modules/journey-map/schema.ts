import {
  boolean,
  date,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
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

// Issue 12: the stage-entry rollup the journey map reads (docs/adr/0026).

/**
 * Stage segments: each patient's touchpoints cut into maximal runs of one stage (the
 * organization's mapping) that never cross a UTC day, one row per run with its first touchpoint,
 * its size, its channel counts and whether it holds a no-show or a negative rating. A map range
 * begins and ends at UTC midnight, so a range holds whole segments and the map's stage entries,
 * waits and channel mix are the same read from here as from the touchpoints. Derived data, kept
 * by the refresh job (day ranges, and whole when the mapping changes): no foreign keys (a
 * segment must never keep a patient or a merge from happening; it is recomputed).
 */
export const journeyStageSegments = pgTable(
  'journey_stage_segments',
  {
    orgId: orgIdColumn(),
    patientId: uuid('patient_id').notNull(),
    firstAt: timestamp('first_at', { withTimezone: true }).notNull(),
    firstId: uuid('first_id').notNull(),
    stage: text('stage').notNull(),
    touchpoints: integer('touchpoints').notNull(),
    /** Touchpoints per channel: `{"sms": 2, "email": 1}`. */
    channels: jsonb('channels').notNull(),
    noShow: boolean('no_show').notNull(),
    negativeFeedback: boolean('negative_feedback').notNull(),
    /**
     * The patient's primary location and birth date when the segment was cut (docs/adr/0032):
     * the map's location and age-band filters read them here instead of joining every patient.
     */
    locationId: uuid('location_id'),
    birthDate: date('birth_date', { mode: 'string' }),
    /**
     * The segment's place in the patient's whole history, cut with it (docs/adr/0037), so the
     * map finds a range's stage entries, Sankey positions and waits by testing columns instead
     * of two window passes over the range's segments: the previous segment's first instant and
     * stage (null for the patient's first), the first instant of this segment's run of one
     * stage, the previous run's (on the segment that starts a run), and the run's number among
     * the patient's runs (1 for the first).
     */
    prevAt: timestamp('prev_at', { withTimezone: true }),
    prevStage: text('prev_stage'),
    runAt: timestamp('run_at', { withTimezone: true }),
    prevRunAt: timestamp('prev_run_at', { withTimezone: true }),
    entry: integer('entry'),
  },
  (t) => [
    primaryKey({ columns: [t.orgId, t.patientId, t.firstAt, t.firstId] }),
    index('journey_stage_segments_org_time_idx').on(t.orgId, t.firstAt),
  ],
);

/**
 * Repeated contacts: three touchpoints of one type to one patient (not system ones) within seven
 * days, one row per consecutive three (the first's and the third's instants). A range has a
 * patient contacted repeatedly when it holds both instants of one row.
 */
export const journeyRepeatedContacts = pgTable(
  'journey_repeated_contacts',
  {
    orgId: orgIdColumn(),
    patientId: uuid('patient_id').notNull(),
    firstAt: timestamp('first_at', { withTimezone: true }).notNull(),
    thirdAt: timestamp('third_at', { withTimezone: true }).notNull(),
    /** As on the segments: the patient's primary location and birth date when counted. */
    locationId: uuid('location_id'),
    birthDate: date('birth_date', { mode: 'string' }),
    /**
     * The latest first instant among the patient's earlier rows (by third instant; null for the
     * first), kept by the refresh (docs/adr/0041): a range from `F` counts a patient on the one
     * row with `first_at >= F` whose earlier rows all began before `F`, without a distinct.
     */
    prevFirstAt: timestamp('prev_first_at', { withTimezone: true }),
  },
  (t) => [
    index('journey_repeated_contacts_org_time_idx').on(t.orgId, t.thirdAt),
    // The refresh continues each patient's rows from the last one before its days.
    index('journey_repeated_contacts_patient_idx').on(t.orgId, t.patientId, t.thirdAt),
  ],
);

/** What each organization's rollup holds: the UTC days, under which mapping, since when. */
export const journeyStageRefreshes = pgTable('journey_stage_refreshes', {
  orgId: uuid('org_id')
    .primaryKey()
    .references(() => organizations.id),
  /** sha256 of the mapping rules the segments were cut with. */
  mappingHash: text('mapping_hash').notNull(),
  fromDay: date('from_day', { mode: 'string' }).notNull(),
  toDay: date('to_day', { mode: 'string' }).notNull(),
  refreshedAt: timestamp('refreshed_at', { withTimezone: true }).notNull(),
  /** The last whole rebuild (nightly, or after a mapping change). */
  rebuiltAt: timestamp('rebuilt_at', { withTimezone: true }).notNull(),
});

/**
 * Touchpoints per UTC day, stage (the organization's mapping), channel and type: the map's
 * touchpoint count and channel mix for a cohort without patient filters, summed over the
 * range's days instead of expanding every segment's channel counts, and the types a range
 * holds, so the funnel looks up the touchpoints of a definition's first step by type
 * (docs/adr/0032). Kept with the segments by the same refresh, over the same days.
 */
export const journeyDailyChannels = pgTable(
  'journey_daily_channels',
  {
    orgId: orgIdColumn(),
    day: date('day', { mode: 'string' }).notNull(),
    stage: text('stage').notNull(),
    channel: text('channel').notNull(),
    type: text('type').notNull(),
    touchpoints: integer('touchpoints').notNull(),
  },
  (t) => [primaryKey({ columns: [t.orgId, t.day, t.stage, t.channel, t.type] })],
);
