import {
  bigserial,
  boolean,
  index,
  integer,
  pgTable,
  text,
  timestamp,
  uuid,
} from 'drizzle-orm/pg-core';
import { orgIdColumn, sameOrganization } from '../directory/schema.js';
import { patients } from '../patients/schema.js';

/**
 * Every HL7 v2 message received, over MLLP or from a file, kept as received (encrypted: a raw
 * message carries the whole of a patient's demographics) with what became of it, so the console
 * can show why one failed and replay it. `seq` orders the log for paging.
 */
export const hl7Messages = pgTable(
  'hl7_messages',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    seq: bigserial('seq', { mode: 'number' }).notNull().unique(),
    orgId: orgIdColumn(),
    /** MSH-10; empty when the message had none or could not be read. */
    controlId: text('control_id').notNull().default(''),
    /** MSH-9.1 and MSH-9.2: ADT and A01. Empty when unreadable. */
    messageType: text('message_type').notNull().default(''),
    triggerEvent: text('trigger_event').notNull().default(''),
    /** MSH-12 */
    version: text('version'),
    /** MSH-3 and MSH-4 (their first component). */
    sendingApplication: text('sending_application'),
    sendingFacility: text('sending_facility'),
    /** MSH-7, when readable. */
    messageAt: timestamp('message_at', { withTimezone: true }),
    /** mllp | file */
    channel: text('channel').notNull(),
    /** The message text, AES-256-GCM under the field key. */
    rawEncrypted: text('raw_encrypted').notNull(),
    /** SHA-256 of the message text: a resend with the same control id and hash is a duplicate. */
    contentHash: text('content_hash').notNull(),
    sizeBytes: integer('size_bytes').notNull(),
    /** received | processed | error | rejected */
    status: text('status').notNull(),
    /** AA | AE | AR: what the sender was told. */
    ackCode: text('ack_code'),
    /** Why it failed, naming the field (never a value from the message). */
    error: text('error'),
    /** Where the error is, as HL7 names it: `PID-7`. */
    errorLocation: text('error_location'),
    processingMs: integer('processing_ms'),
    /** Whether replaying could change the outcome: readable, and not already processed. */
    replayable: boolean('replayable').notNull().default(false),
    attempts: integer('attempts').notNull().default(1),
    /** The golden record the message was about, once known. */
    patientId: uuid('patient_id'),
    receivedAt: timestamp('received_at', { withTimezone: true }).notNull().defaultNow(),
    processedAt: timestamp('processed_at', { withTimezone: true }),
  },
  (t) => [
    index('hl7_messages_org_seq_idx').on(t.orgId, t.seq),
    index('hl7_messages_org_status_seq_idx').on(t.orgId, t.status, t.seq),
    index('hl7_messages_org_type_seq_idx').on(t.orgId, t.messageType, t.seq),
    index('hl7_messages_control_idx').on(t.orgId, t.controlId),
    index('hl7_messages_patient_idx').on(t.patientId),
    sameOrganization(t.orgId, t.patientId, patients),
  ],
);
