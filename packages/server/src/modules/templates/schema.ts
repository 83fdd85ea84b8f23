import { sql } from 'drizzle-orm';
import {
  check,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { orgIdColumn, sameOrganization, tenantKey } from '../directory/schema.js';

/**
 * A message template (issue 11): a key the journeys and services name ("appointment-reminder-2d"),
 * a purpose that decides the consent a send needs, and a version per channel and language.
 * Bodies are what staff wrote, not PHI: they are stored plain.
 */
export const messageTemplates = pgTable(
  'message_templates',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: orgIdColumn(),
    key: text('key').notNull(),
    name: text('name').notNull(),
    purpose: text('purpose').notNull(),
    /**
     * The frequency cap its messages count against (docs/adr/0043): `purpose`, or
     * `requested-series`, a scheduled series the patient asked for, with a cap of its own.
     */
    capBucket: text('cap_bucket').notNull().default('purpose'),
    description: text('description'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    tenantKey(t),
    uniqueIndex('message_templates_key').on(t.orgId, t.key),
    check(
      'message_templates_purpose_check',
      sql`purpose in ('treatment', 'operations', 'marketing')`,
    ),
    // Marketing is never a requested series: its cap is what protects patients from campaigns.
    check(
      'message_templates_cap_bucket_check',
      sql`cap_bucket = 'purpose' or (cap_bucket = 'requested-series' and purpose <> 'marketing')`,
    ),
  ],
);

/**
 * One channel and language of a template: email (subject, text, optional HTML), SMS (text) or
 * portal (text: a secure message in the patient's portal thread, docs/adr/0046).
 */
export const messageTemplateVersions = pgTable(
  'message_template_versions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: orgIdColumn(),
    templateId: uuid('template_id').notNull(),
    channel: text('channel').notNull(),
    language: text('language').notNull(),
    subject: text('subject'),
    textBody: text('text_body').notNull(),
    htmlBody: text('html_body'),
    /** Bumped on each save, so a preview or a send can say which wording it used. */
    revision: integer('revision').notNull().default(1),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    updatedBy: uuid('updated_by'),
  },
  (t) => [
    uniqueIndex('message_template_versions_key').on(t.orgId, t.templateId, t.channel, t.language),
    index('message_template_versions_template_idx').on(t.templateId),
    check('message_template_versions_channel_check', sql`channel in ('email', 'sms', 'portal')`),
    sameOrganization(t.orgId, t.templateId, messageTemplates),
  ],
);

/**
 * An organization's send-time policy (docs/adr/0024): the language templates fall back to, the
 * quiet hours, and the frequency caps per purpose. No row: the defaults (en, 08:00–21:00,
 * treatment 1/day 3/week).
 */
export const messagePolicies = pgTable(
  'message_policies',
  {
    orgId: orgIdColumn().primaryKey(),
    defaultLanguage: text('default_language').notNull().default('en'),
    quietStartMinute: integer('quiet_start_minute')
      .notNull()
      .default(8 * 60),
    quietEndMinute: integer('quiet_end_minute')
      .notNull()
      .default(21 * 60),
    /**
     * `{ treatment: { perDay, perWeek }, …, 'requested-series': … }`; a bucket missing here uses
     * the default.
     */
    frequencyCaps: jsonb('frequency_caps').notNull().default(sql`'{}'::jsonb`),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  () => [
    check(
      'message_policies_window_check',
      sql`quiet_start_minute >= 0 and quiet_start_minute < quiet_end_minute and quiet_end_minute <= 1440`,
    ),
  ],
);
