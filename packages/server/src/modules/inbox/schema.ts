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
import { locations, orgIdColumn, sameOrganization, tenantKey } from '../directory/schema.js';
import { inboundMessages, outboundMessages } from '../messaging/schema.js';
import { patients } from '../patients/schema.js';

/**
 * The shared inbox (issue 11, docs/inbox.md): one conversation per patient and channel (or per
 * unmatched number), in a queue (a team, a location), assigned or not, open, pending or closed.
 * A portal thread is a conversation on the `portal` channel; a patient may have several.
 */
export const conversations = pgTable(
  'conversations',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: orgIdColumn(),
    patientId: uuid('patient_id'),
    channel: text('channel').notNull(),
    /** The number of a sender no patient of the organization has (null when matched). */
    counterpart: text('counterpart'),
    status: text('status').notNull().default('open'),
    team: text('team'),
    locationId: uuid('location_id'),
    assigneeId: uuid('assignee_id'),
    lastMessageAt: timestamp('last_message_at', { withTimezone: true }).notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    /**
     * What makes a text conversation one (`patient:<id>`, `number:<E.164>`); null for portal
     * threads. Not a unique index on patient_id: a merge re-points patient_id and must not find
     * the two records' conversations colliding (they stay two, on the survivor).
     */
    textKey: text('text_key'),
  },
  (t) => [
    tenantKey(t),
    index('conversations_queue_idx').on(t.orgId, t.status, t.lastMessageAt),
    index('conversations_patient_idx').on(t.orgId, t.patientId, t.channel),
    // One text conversation per patient, and per unmatched number: a new text reopens it.
    uniqueIndex('conversations_text_key').on(t.orgId, t.textKey),
    check('conversations_channel_check', sql`channel in ('sms', 'portal')`),
    check('conversations_status_check', sql`status in ('open', 'pending', 'closed')`),
    check('conversations_team_check', sql`team in ('front-desk', 'care-coordination', 'clinical')`),
    check('conversations_party_check', sql`patient_id is not null or counterpart is not null`),
    sameOrganization(t.orgId, t.patientId, patients),
    sameOrganization(t.orgId, t.locationId, locations),
    sameOrganization(t.orgId, t.assigneeId, users),
  ],
);

/**
 * What a conversation is made of: the patient's messages (a text, a portal message), the care
 * team's replies, and internal notes (never sent, never shown to the patient). The body is the
 * patient's or the team's free text: AES-256-GCM bound to the row (docs/encryption.md).
 */
export const conversationEntries = pgTable(
  'conversation_entries',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: orgIdColumn(),
    conversationId: uuid('conversation_id').notNull(),
    kind: text('kind').notNull(),
    bodyEncrypted: text('body_encrypted').notNull(),
    authorId: uuid('author_id'),
    /** The text it is (a patient's SMS), as the messaging module stored it. */
    inboundMessageId: uuid('inbound_message_id'),
    /**
     * The message that carried it to the patient: a quick reply by text, the portal notice of a
     * staff member's portal reply, or the outbox's portal message a template send posted
     * (docs/adr/0046; its status turns `read` when the patient opens the entry).
     */
    outboundMessageId: uuid('outbound_message_id'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    /** When the other side first opened it: the care team for a patient's, the patient for ours. */
    readAt: timestamp('read_at', { withTimezone: true }),
  },
  (t) => [
    tenantKey(t),
    index('conversation_entries_conversation_idx').on(t.orgId, t.conversationId, t.createdAt),
    index('conversation_entries_unread_idx')
      .on(t.orgId, t.conversationId, t.kind)
      .where(sql`read_at is null`),
    uniqueIndex('conversation_entries_inbound_key').on(t.orgId, t.inboundMessageId),
    // One entry per outbound message: a portal message posted twice would break it.
    uniqueIndex('conversation_entries_outbound_key').on(t.orgId, t.outboundMessageId),
    check('conversation_entries_kind_check', sql`kind in ('patient', 'staff', 'note')`),
    sameOrganization(t.orgId, t.conversationId, conversations),
    sameOrganization(t.orgId, t.authorId, users),
    sameOrganization(t.orgId, t.inboundMessageId, inboundMessages),
    sameOrganization(t.orgId, t.outboundMessageId, outboundMessages),
  ],
);

/**
 * Files patients attach to portal messages: PDF, PNG or JPEG (sniffed), at most 5 MB, the bytes
 * and the name encrypted and bound to the row, so a copied value decrypts nowhere else.
 */
export const conversationAttachments = pgTable(
  'conversation_attachments',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: orgIdColumn(),
    entryId: uuid('entry_id').notNull(),
    contentType: text('content_type').notNull(),
    sizeBytes: integer('size_bytes').notNull(),
    nameEncrypted: text('name_encrypted').notNull(),
    dataEncrypted: text('data_encrypted').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    tenantKey(t),
    index('conversation_attachments_entry_idx').on(t.orgId, t.entryId),
    check(
      'conversation_attachments_type_check',
      sql`content_type in ('application/pdf', 'image/png', 'image/jpeg')`,
    ),
    check('conversation_attachments_size_check', sql`size_bytes > 0 and size_bytes <= 5242880`),
    sameOrganization(t.orgId, t.entryId, conversationEntries),
  ],
);
