import {
  CareloopError,
  notFound,
  type PortalMessageCreate,
  type PortalThread,
  type PortalThreadSummary,
} from '@careloop/core';
import { and, desc, eq } from 'drizzle-orm';
import type { FieldCipher } from '../../crypto/field-cipher.js';
import type { Database, Db } from '../../db/client.js';
import type { RequestContext } from '../../http/actor.js';
import type { AuditLog } from '../audit/service.js';
import { markPortalRead } from '../messaging/outbox.js';
import { patients } from '../patients/schema.js';
import { appendTouchpoints } from '../timeline/service.js';
import { conversations } from './schema.js';
import {
  appendEntry,
  attachmentFile,
  checkUploads,
  entriesOf,
  markRead,
  storeAttachments,
  unreadCounts,
} from './store.js';

/**
 * Secure messaging in the portal (issue 11, docs/inbox.md): a patient's threads with the care
 * team. A patient reaches only their own threads: every query is the organization's (row-level
 * security) and the signed-in patient's (`patient_id`), and another's thread answers 404.
 * Internal notes are never read here.
 */
export class PortalMessaging {
  constructor(
    private readonly database: Database,
    private readonly cipher: FieldCipher,
    private readonly audit: AuditLog,
    private readonly clock: () => Date,
  ) {}

  async threads(ctx: RequestContext, patientId: string) {
    const { orgId } = ctx.actor;
    return this.database.withTenant(orgId, async (tx) => {
      const rows = await tx
        .select()
        .from(conversations)
        .where(and(eq(conversations.patientId, patientId), eq(conversations.channel, 'portal')))
        .orderBy(desc(conversations.lastMessageAt), desc(conversations.id));
      const unread = await unreadCounts(
        tx,
        orgId,
        rows.map((r) => r.id),
        'staff',
      );
      const items: PortalThreadSummary[] = rows.map((r) => ({
        id: r.id,
        status: statusOf(r.status),
        lastMessageAt: r.lastMessageAt.toISOString(),
        unread: unread.get(r.id) ?? 0,
      }));
      return { items, unread: items.reduce((n, t) => n + t.unread, 0) };
    });
  }

  /** A new thread with its first message, in the care team's front-desk queue. */
  async start(
    ctx: RequestContext,
    patientId: string,
    input: PortalMessageCreate,
  ): Promise<PortalThread> {
    const files = checkUploads(input.attachments);
    const { orgId } = ctx.actor;
    const at = this.clock();
    return this.database.withTenant(orgId, async (tx) => {
      const [patient] = await tx
        .select({ locationId: patients.primaryLocationId })
        .from(patients)
        .where(eq(patients.id, patientId));
      if (!patient) throw notFound('Patient');
      const [row] = await tx
        .insert(conversations)
        .values({
          orgId,
          patientId,
          channel: 'portal',
          status: 'open',
          team: 'front-desk',
          locationId: patient.locationId,
          lastMessageAt: at,
          createdAt: at,
        })
        .returning({ id: conversations.id });
      if (!row) throw new Error('portal: thread insert returned no row');
      await this.write(tx, ctx, patientId, row.id, input.body, files, at);
      return this.view(tx, orgId, patientId, row.id);
    });
  }

  async send(
    ctx: RequestContext,
    patientId: string,
    threadId: string,
    input: PortalMessageCreate,
  ): Promise<PortalThread> {
    const files = checkUploads(input.attachments);
    const { orgId } = ctx.actor;
    const at = this.clock();
    return this.database.withTenant(orgId, async (tx) => {
      await this.own(tx, patientId, threadId);
      await this.write(tx, ctx, patientId, threadId, input.body, files, at);
      return this.view(tx, orgId, patientId, threadId);
    });
  }

  /**
   * A thread, read: the care team's messages are marked read (a templated portal message's
   * delivery status with them); audited as the patient's read.
   */
  async thread(ctx: RequestContext, patientId: string, threadId: string): Promise<PortalThread> {
    const { orgId } = ctx.actor;
    return this.database.withTenant(orgId, async (tx) => {
      await this.own(tx, patientId, threadId);
      // What it was before this read: the patient sees which messages are new to them.
      const thread = await this.view(tx, orgId, patientId, threadId);
      const carriers = await markRead(tx, orgId, threadId, 'staff', this.clock());
      // A templated portal message is `read` now (a staff reply's notice is not the message).
      await markPortalRead(tx, carriers);
      await this.audit.inTransaction(tx, ctx.audit, {
        action: 'read',
        recordType: 'conversation',
        recordId: threadId,
        patientId,
      });
      return thread;
    });
  }

  async attachment(ctx: RequestContext, patientId: string, threadId: string, attachmentId: string) {
    const { orgId } = ctx.actor;
    return this.database.withTenant(orgId, async (tx) => {
      await this.own(tx, patientId, threadId);
      const file = await attachmentFile(tx, this.cipher, orgId, attachmentId);
      if (!file || file.conversationId !== threadId || file.kind === 'note')
        throw notFound('Attachment');
      await this.audit.inTransaction(tx, ctx.audit, {
        action: 'read',
        recordType: 'conversation-attachment',
        recordId: attachmentId,
        patientId,
      });
      return file;
    });
  }

  private async write(
    tx: Db,
    ctx: RequestContext,
    patientId: string,
    threadId: string,
    body: string,
    files: Parameters<typeof storeAttachments>[4],
    at: Date,
  ): Promise<void> {
    const { orgId } = ctx.actor;
    const entryId = await appendEntry(tx, this.cipher, {
      orgId,
      conversationId: threadId,
      kind: 'patient',
      body,
      at,
    });
    await storeAttachments(tx, this.cipher, orgId, entryId, files, at);
    await appendTouchpoints(tx, [
      {
        orgId,
        patientId,
        channel: 'portal',
        direction: 'inbound',
        type: 'message.received',
        stage: 'follow-up',
        // Never the body (docs/adr/0015).
        summary: 'Secure message from the patient',
        nonClinicalSummary: 'Secure message from the patient',
        subjectType: 'conversation',
        subjectId: threadId,
        occurredAt: at,
      },
    ]);
    await this.audit.inTransaction(tx, ctx.audit, {
      action: 'create',
      recordType: 'conversation-message',
      recordId: entryId,
      patientId,
    });
  }

  /** The thread, if it is this patient's portal thread; anyone else's is a 404. */
  private async own(tx: Db, patientId: string, threadId: string): Promise<void> {
    const [row] = await tx
      .select({ id: conversations.id })
      .from(conversations)
      .where(
        and(
          eq(conversations.id, threadId),
          eq(conversations.patientId, patientId),
          eq(conversations.channel, 'portal'),
        ),
      );
    if (!row) throw notFound('Thread');
  }

  private async view(
    tx: Db,
    orgId: string,
    patientId: string,
    threadId: string,
  ): Promise<PortalThread> {
    const [row] = await tx
      .select()
      .from(conversations)
      .where(and(eq(conversations.id, threadId), eq(conversations.patientId, patientId)));
    if (!row) throw new CareloopError('not_found', 'Thread not found');
    const entries = await entriesOf(tx, this.cipher, orgId, threadId, false);
    const unread = entries.filter((e) => e.kind === 'staff' && e.readAt === null).length;
    return {
      id: row.id,
      status: statusOf(row.status),
      lastMessageAt: row.lastMessageAt.toISOString(),
      unread,
      messages: entries.map((e) => ({
        id: e.id,
        from: e.kind === 'patient' ? 'patient' : 'care-team',
        body: e.body,
        createdAt: e.createdAt.toISOString(),
        readAt: e.readAt?.toISOString() ?? null,
        attachments: e.attachments,
      })),
    };
  }
}

export function statusOf(value: string): 'open' | 'pending' | 'closed' {
  return value === 'pending' ? 'pending' : value === 'closed' ? 'closed' : 'open';
}
