import { sql } from 'drizzle-orm';
import {
  check,
  index,
  integer,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { users } from '../auth/schema.js';
import { orgIdColumn, sameOrganization, tenantKey } from '../directory/schema.js';
import { patients } from '../patients/schema.js';

/**
 * The outbox (docs/adr/0020): every outbound message, written in the same transaction as the
 * change that causes it, with the job that sends it. A worker claims a queued row, sends it
 * with its idempotency key, and marks it; a row marked sent is never sent again.
 */
export const outboundMessages = pgTable(
  'outbound_messages',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: orgIdColumn(),
    /** Whom it concerns: a patient, or an account (password reset, sign-up notice). */
    patientId: uuid('patient_id'),
    userId: uuid('user_id'),
    channel: text('channel').notNull(),
    purpose: text('purpose').notNull(),
    recipient: text('recipient').notNull(),
    /**
     * Subject and bodies may carry PHI: AES-256-GCM bound to the row (docs/encryption.md). An
     * SMS has no subject and no HTML: its text is the body.
     */
    subjectEncrypted: text('subject_encrypted'),
    textEncrypted: text('text_encrypted').notNull(),
    htmlEncrypted: text('html_encrypted'),
    /** Issue 13: one attachment (a confirmation's .ics) as JSON, AES-256-GCM bound to the row. */
    attachmentEncrypted: text('attachment_encrypted'),
    status: text('status').notNull().default('queued'),
    attempts: integer('attempts').notNull().default(0),
    /** A worker holds the row until then; a crashed worker's hold lapses and another takes it. */
    claimedUntil: timestamp('claimed_until', { withTimezone: true }),
    /** The last failure, as an error code and the server's reply code: never PHI. */
    lastError: text('last_error'),
    /**
     * `smtp`, or `local-mailbox` when no SMTP server is configured; for SMS `twilio`, or
     * `local-sms` (the built-in gateway) when no SMS provider is configured; `portal` for a
     * message posted into the patient's portal thread (its provider message id: the entry's).
     */
    provider: text('provider'),
    providerMessageId: text('provider_message_id'),
    /** What makes a send unique; passed to the provider (SMTP: the Message-ID). */
    idempotencyKey: text('idempotency_key').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    sentAt: timestamp('sent_at', { withTimezone: true }),
    // Issue 11, send-time policy (docs/adr/0024).
    /** Why a patient message was not sent (`consent`, `frequency-cap`, `expired`, …); no PHI. */
    suppressionReason: text('suppression_reason'),
    /** When the send-time checks last let it through: what frequency caps count. */
    admittedAt: timestamp('admitted_at', { withTimezone: true }),
    /** Past this instant the message is void: marked `expired`, never sent (docs/adr/0025). */
    validUntil: timestamp('valid_until', { withTimezone: true }),
    /** Not sent before this instant: the first attempt defers it (docs/adr/0024). */
    notBefore: timestamp('not_before', { withTimezone: true }),
    /** The template it was rendered from, for the timeline and the suppressions view. */
    templateKey: text('template_key'),
    /**
     * The frequency-cap bucket it counts in, from its template when queued (docs/adr/0043);
     * null (account messages, rows from before): its purpose's.
     */
    capBucket: text('cap_bucket'),
  },
  (t) => [
    tenantKey(t),
    uniqueIndex('outbound_messages_idempotency_key').on(t.orgId, t.idempotencyKey),
    index('outbound_messages_provider_idx').on(t.orgId, t.provider, t.createdAt, t.id),
    index('outbound_messages_status_idx')
      .on(t.orgId, t.status, t.createdAt)
      .where(sql`status in ('queued', 'failed')`),
    // Issue 11: signed webhooks go through the outbox too (docs/adr/0029).
    // Issue 13 (h13f): booking requests to an EHR's FHIR server.
    // Issue 11: secure messages posted into the patient's portal thread (docs/adr/0046).
    check(
      'outbound_messages_channel_check',
      sql`channel in ('email', 'sms', 'hl7', 'webhook', 'fhir', 'portal')`,
    ),
    check(
      'outbound_messages_email_subject_check',
      sql`channel <> 'email' or subject_encrypted is not null`,
    ),
    check(
      'outbound_messages_purpose_check',
      sql`purpose in ('treatment', 'operations', 'marketing', 'account')`,
    ),
    check(
      'outbound_messages_cap_bucket_check',
      sql`cap_bucket in ('treatment', 'operations', 'marketing', 'requested-series')`,
    ),
    check(
      'outbound_messages_status_check',
      sql`status in ('queued', 'sent', 'delivered', 'failed', 'bounced', 'replied', 'read', 'expired', 'withdrawn', 'suppressed', 'complained')`,
    ),
    // Issue 11: a phone's conversation (the Test phone, tying a reply to what it answers).
    index('outbound_messages_recipient_idx').on(t.orgId, t.channel, t.recipient, t.createdAt),
    index('outbound_messages_patient_admitted_idx')
      .on(t.orgId, t.patientId, t.purpose, t.admittedAt)
      .where(sql`admitted_at is not null`),
    sameOrganization(t.orgId, t.patientId, patients),
    sameOrganization(t.orgId, t.userId, users),
  ],
);

/**
 * Messages patients sent (issue 11): SMS replies through the provider's webhook or the local
 * gateway. The body is free text a patient wrote: encrypted like notes (docs/adr/0010) and
 * never copied into a touchpoint (docs/adr/0015). One row per provider message: a provider's
 * retry of the same message finds its row and changes nothing.
 */
export const inboundMessages = pgTable(
  'inbound_messages',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: orgIdColumn(),
    /** The patient whose phone it is, when exactly one patient of the organization has it. */
    patientId: uuid('patient_id'),
    channel: text('channel').notNull(),
    /** The sender, E.164 when it reads as a phone number. */
    sender: text('sender').notNull(),
    /** The number it was sent to (ours), as the provider gave it. */
    recipient: text('recipient'),
    bodyEncrypted: text('body_encrypted').notNull(),
    /** The keyword the whole message was (stop, start, help), if any. */
    keyword: text('keyword'),
    /** `twilio` or `local-sms`. */
    provider: text('provider').notNull(),
    /** The provider's id (Twilio's MessageSid): what makes a retry the same message. */
    providerMessageId: text('provider_message_id').notNull(),
    /** The outbound message it answers: the last text sent to this number before it. */
    inReplyTo: uuid('in_reply_to'),
    receivedAt: timestamp('received_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    tenantKey(t),
    uniqueIndex('inbound_messages_provider_message_key').on(
      t.orgId,
      t.provider,
      t.providerMessageId,
    ),
    index('inbound_messages_sender_idx').on(t.orgId, t.channel, t.sender, t.receivedAt),
    index('inbound_messages_patient_idx').on(t.orgId, t.patientId),
    check('inbound_messages_channel_check', sql`channel in ('sms')`),
    check('inbound_messages_keyword_check', sql`keyword in ('stop', 'start', 'help')`),
    sameOrganization(t.orgId, t.patientId, patients),
    sameOrganization(t.orgId, t.inReplyTo, outboundMessages),
  ],
);
