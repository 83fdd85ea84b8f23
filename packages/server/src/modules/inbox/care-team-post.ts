import { and, desc, eq, ne, sql } from 'drizzle-orm';
import type { FieldCipher } from '../../crypto/field-cipher.js';
import type { Db } from '../../db/client.js';
import type { AuditActor, AuditLog } from '../audit/service.js';
import type { OutboxService } from '../messaging/outbox.js';
import { patients } from '../patients/schema.js';
import { appendTouchpoints } from '../timeline/service.js';
import { notifyPatient } from './notify.js';
import { conversationEntries, conversations } from './schema.js';
import { appendEntry } from './store.js';

/** Who a care-team message in the portal comes from. */
export type CareTeamAuthor =
  /** A staff member's reply in the inbox. */
  | { kind: 'staff'; userId: string; audit: AuditActor }
  /**
   * A templated send on the portal channel (a journey's step, any `sendTemplate`), posted by the
   * outbox worker: the outbox row is the message that carried it (docs/adr/0046).
   */
  | { kind: 'template'; outboundMessageId: string; templateKey: string | null; audit: AuditActor };

export interface CareTeamPost {
  orgId: string;
  patientId: string;
  conversationId: string;
  body: string;
  author: CareTeamAuthor;
  at: Date;
}

/**
 * A message from the care team into a patient's portal thread: the entry (its body sealed),
 * unread in the portal until the patient opens it; the notice by the patient's preferred channel
 * that a message waits, without a word of it (docs/inbox.md); the timeline; the audit. The one
 * path of a staff member's portal reply and of a templated portal send. In the caller's
 * transaction; returns the entry's id.
 */
export async function postCareTeamMessage(
  tx: Db,
  deps: { cipher: FieldCipher; outbox: OutboxService; audit: AuditLog },
  post: CareTeamPost,
): Promise<string> {
  const { orgId, patientId, author, at } = post;
  const entryId = await appendEntry(tx, deps.cipher, {
    orgId,
    conversationId: post.conversationId,
    kind: 'staff',
    body: post.body,
    authorId: author.kind === 'staff' ? author.userId : null,
    outboundMessageId: author.kind === 'template' ? author.outboundMessageId : null,
    at,
  });
  const notice = await notifyPatient(tx, deps.outbox, {
    orgId,
    patientId,
    idempotencyKey: `portal-notice:${entryId}`,
  });
  // A staff reply is carried by its notice; a templated one by its own portal message.
  if (notice && author.kind === 'staff') {
    await tx
      .update(conversationEntries)
      .set({ outboundMessageId: notice })
      .where(and(eq(conversationEntries.orgId, orgId), eq(conversationEntries.id, entryId)));
  }
  const summary =
    author.kind === 'template' && author.templateKey
      ? `Secure message from the care team (“${author.templateKey}”)`
      : 'Secure message from the care team';
  await appendTouchpoints(tx, [
    {
      orgId,
      patientId,
      channel: 'portal',
      direction: 'outbound',
      // A templated message is sent without a person acting (the KPIs' automated share).
      type: author.kind === 'staff' ? 'inbox.reply' : 'message.sent',
      stage: 'follow-up',
      summary,
      nonClinicalSummary: summary,
      outcome: author.kind === 'staff' ? null : 'delivered',
      subjectType: 'conversation',
      subjectId: post.conversationId,
      occurredAt: at,
    },
  ]);
  await deps.audit.inTransaction(tx, author.audit, {
    action: 'create',
    recordType: 'conversation-message',
    recordId: entryId,
    patientId,
  });
  return entryId;
}

/**
 * The portal thread a templated message goes into: the patient's latest one that is not closed,
 * else a new one in the front desk's queue, pending (it waits on the patient). Under a
 * per-patient lock, so two messages at once open one thread, not two. An automated message never
 * changes a thread's status: an open one keeps the patient's question in the queue.
 */
export async function portalThreadFor(
  tx: Db,
  orgId: string,
  patientId: string,
  at: Date,
): Promise<string> {
  await tx.execute(
    sql`select pg_advisory_xact_lock(hashtextextended(${`careloop-portal-thread:${orgId}:${patientId}`}, 0))`,
  );
  const [current] = await tx
    .select({ id: conversations.id })
    .from(conversations)
    .where(
      and(
        eq(conversations.orgId, orgId),
        eq(conversations.patientId, patientId),
        eq(conversations.channel, 'portal'),
        ne(conversations.status, 'closed'),
      ),
    )
    .orderBy(desc(conversations.lastMessageAt), desc(conversations.id))
    .limit(1);
  if (current) return current.id;
  const [patient] = await tx
    .select({ locationId: patients.primaryLocationId })
    .from(patients)
    .where(and(eq(patients.orgId, orgId), eq(patients.id, patientId)));
  const [row] = await tx
    .insert(conversations)
    .values({
      orgId,
      patientId,
      channel: 'portal',
      status: 'pending',
      team: 'front-desk',
      locationId: patient?.locationId ?? null,
      lastMessageAt: at,
      createdAt: at,
    })
    .returning({ id: conversations.id });
  if (!row) throw new Error('inbox: a portal thread insert returned no row');
  return row.id;
}
