import { bigserial, index, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { orgIdColumn } from '../directory/schema.js';

/**
 * Append-only, hash-chained audit log, one chain per organization. The app's database role
 * may only INSERT and SELECT here; `hash` = SHA-256 over the previous hash and this event.
 */
export const auditEvents = pgTable(
  'audit_events',
  {
    seq: bigserial('seq', { mode: 'number' }).primaryKey(),
    orgId: orgIdColumn(),
    occurredAt: timestamp('occurred_at', { withTimezone: true }).notNull(),
    actorId: uuid('actor_id'),
    actorEmail: text('actor_email'),
    actorRole: text('actor_role'),
    action: text('action').notNull(),
    patientId: uuid('patient_id'),
    recordType: text('record_type').notNull(),
    recordId: text('record_id'),
    ip: text('ip'),
    userAgent: text('user_agent'),
    outcome: text('outcome').notNull(),
    reason: text('reason'),
    prevHash: text('prev_hash').notNull(),
    hash: text('hash').notNull(),
  },
  (t) => [
    index('audit_events_org_seq_idx').on(t.orgId, t.seq),
    index('audit_events_patient_idx').on(t.orgId, t.patientId, t.seq),
    index('audit_events_actor_idx').on(t.orgId, t.actorId, t.seq),
  ],
);
