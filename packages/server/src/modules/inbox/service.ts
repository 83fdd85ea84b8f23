import {
  badRequest,
  CareloopError,
  type Conversation,
  type ConversationListQuery,
  type ConversationReply,
  type ConversationSummary,
  type ConversationUpdate,
  type InternalNoteCreate,
  isRole,
  isTeam,
  notFound,
  type QuickReply,
  STAFF_ROLES,
  unknownReference,
} from '@careloop/core';
import { and, desc, eq, isNull, type SQL, sql } from 'drizzle-orm';
import type { FieldCipher } from '../../crypto/field-cipher.js';
import type { Database, Db } from '../../db/client.js';
import { rowsOf } from '../../db/rows.js';
import type { RequestContext } from '../../http/actor.js';
import type { AuditLog } from '../audit/service.js';
import { users } from '../auth/schema.js';
import { locations } from '../directory/schema.js';
import type { OutboxService } from '../messaging/outbox.js';
import type { MessagingService } from '../messaging/send-template.js';
import { patients } from '../patients/schema.js';
import type { RestrictionService } from '../restrictions/service.js';
import { raiseMention } from '../tasks/service.js';
import { portalThreadFor, postCareTeamMessage } from './care-team-post.js';
import { renderQuickReply } from './notify.js';
import { conversations } from './schema.js';
import { appendEntry, attachmentFile, entriesOf, markRead, unreadCounts } from './store.js';

/** A text a patient sent, as the messaging module files it (in its transaction). */
export interface FiledText {
  orgId: string;
  inboundMessageId: string;
  patientId: string | null;
  /** The sender's number (E.164 when it reads as one). */
  sender: string;
  body: string;
  receivedAt: Date;
}

type ConversationRow = typeof conversations.$inferSelect;

/**
 * The shared inbox (issue 11, docs/inbox.md): the care team's side of every conversation with a
 * patient, by text or in the portal. The front desk and coordinators work it, clinicians read
 * it; every read of a body is audited, and a restricted patient's conversation opens only for
 * who may open the record (docs/adr/0012).
 */
export class InboxService {
  constructor(
    private readonly database: Database,
    private readonly cipher: FieldCipher,
    private readonly audit: AuditLog,
    private readonly restrictions: RestrictionService,
    private readonly messaging: MessagingService,
    private readonly outbox: OutboxService,
    private readonly clock: () => Date,
    private readonly publicUrl: string,
  ) {}

  /**
   * Files a patient's text into their conversation (one per patient, or per unmatched number),
   * reopening it; in the caller's transaction, so a text is in the inbox exactly when it is
   * stored. A provider's retry is filed once (the inbound message is its key).
   */
  async fileText(tx: Db, text: FiledText): Promise<string> {
    const { orgId } = text;
    const [patient] = text.patientId
      ? await tx
          .select({ locationId: patients.primaryLocationId })
          .from(patients)
          .where(and(eq(patients.orgId, orgId), eq(patients.id, text.patientId)))
      : [];
    const values = {
      orgId,
      patientId: text.patientId,
      channel: 'sms',
      counterpart: text.patientId ? null : text.sender,
      status: 'open',
      team: 'front-desk',
      locationId: patient?.locationId ?? null,
      lastMessageAt: text.receivedAt,
      createdAt: text.receivedAt,
      textKey: text.patientId ? `patient:${text.patientId}` : `number:${text.sender}`,
    };
    const [row] = await tx
      .insert(conversations)
      .values(values)
      .onConflictDoUpdate({
        target: [conversations.orgId, conversations.textKey],
        set: { status: 'open' },
      })
      .returning({ id: conversations.id });
    if (!row) throw new Error('inbox: a conversation was neither inserted nor found');
    return appendEntry(tx, this.cipher, {
      orgId,
      conversationId: row.id,
      kind: 'patient',
      body: text.body,
      inboundMessageId: text.inboundMessageId,
      at: text.receivedAt,
    });
  }

  async list(
    ctx: RequestContext,
    query: ConversationListQuery,
  ): Promise<{ items: ConversationSummary[] }> {
    const { orgId } = ctx.actor;
    if (query.mine && query.assigneeId && query.assigneeId !== ctx.actor.userId)
      throw badRequest(
        'mine=true lists your own conversations: leave assigneeId out',
        '/query/assigneeId',
      );
    const assigneeId = query.mine ? ctx.actor.userId : query.assigneeId;
    const conditions: (SQL | undefined)[] = [
      query.status ? eq(conversations.status, query.status) : undefined,
      query.team ? eq(conversations.team, query.team) : undefined,
      query.locationId ? eq(conversations.locationId, query.locationId) : undefined,
      assigneeId ? eq(conversations.assigneeId, assigneeId) : undefined,
    ];
    return this.database.withTenant(orgId, async (tx) => {
      const rows = await this.summaries(tx, orgId, and(...conditions), query.limit ?? 50);
      const hidden = await this.restrictions.hiddenAmong(
        ctx.actor,
        rows.flatMap((r) => (r.patientId ? [r.patientId] : [])),
        tx,
      );
      // The list names patients (no bodies): audited like the work queue, one event per patient.
      const shown = new Set(rows.flatMap((r) => (r.patientId ? [r.patientId] : [])));
      for (const patientId of shown) {
        await this.audit.inTransaction(tx, ctx.audit, {
          action: 'search',
          recordType: 'conversation',
          patientId,
        });
      }
      return {
        items: rows.map((r) =>
          r.patientId && hidden.has(r.patientId) ? { ...r, patientName: null } : r,
        ),
      };
    });
  }

  /** A conversation, bodies and notes opened: an audited read that marks the patient's as read. */
  async get(ctx: RequestContext, id: string): Promise<Conversation> {
    const row = await this.row(ctx, id);
    await this.guard(ctx, row);
    return this.database.withTenant(ctx.actor.orgId, async (tx) => {
      // Reading is not working it: a clinician's look leaves the patient's messages unread.
      if (ctx.actor.role !== 'clinician')
        await markRead(tx, ctx.actor.orgId, id, 'patient', this.clock());
      await this.audit.inTransaction(tx, ctx.audit, {
        action: 'read',
        recordType: 'conversation',
        recordId: id,
        patientId: row.patientId,
      });
      return this.full(tx, ctx.actor.orgId, id);
    });
  }

  async update(ctx: RequestContext, id: string, input: ConversationUpdate): Promise<Conversation> {
    const row = await this.row(ctx, id);
    await this.guard(ctx, row);
    const { orgId } = ctx.actor;
    return this.database.withTenant(orgId, async (tx) => {
      if (input.assigneeId) await staffMember(tx, input.assigneeId, '/body/assigneeId');
      if (input.locationId) {
        const [found] = await tx
          .select({ id: locations.id })
          .from(locations)
          .where(eq(locations.id, input.locationId));
        if (!found) throw unknownReference('locationId', 'location');
      }
      await tx
        .update(conversations)
        .set({
          status: input.status,
          assigneeId: input.assigneeId,
          team: input.team,
          locationId: input.locationId,
        })
        .where(and(eq(conversations.orgId, orgId), eq(conversations.id, id)));
      await this.audit.inTransaction(tx, ctx.audit, {
        action: 'update',
        recordType: 'conversation',
        recordId: id,
        patientId: row.patientId,
        reason: describeUpdate(input),
      });
      return this.full(tx, ctx.actor.orgId, id);
    });
  }

  /** An internal note; each mentioned colleague gets a task that points at the conversation. */
  async addNote(ctx: RequestContext, id: string, input: InternalNoteCreate): Promise<Conversation> {
    const row = await this.row(ctx, id);
    await this.guard(ctx, row);
    const { orgId } = ctx.actor;
    const at = this.clock();
    return this.database.withTenant(orgId, async (tx) => {
      const mentioned = input.mentions ?? [];
      for (const [i, userId] of mentioned.entries())
        await staffMember(tx, userId, `/body/mentions/${i}`);
      const entryId = await appendEntry(tx, this.cipher, {
        orgId,
        conversationId: id,
        kind: 'note',
        body: input.body,
        authorId: ctx.actor.userId,
        at,
      });
      for (const userId of mentioned) {
        await raiseMention(tx, this.cipher, {
          orgId,
          patientId: row.patientId,
          assigneeId: userId,
          createdBy: ctx.actor.userId,
          conversationId: id,
          createdAt: at,
        });
      }
      await this.audit.inTransaction(tx, ctx.audit, {
        action: 'create',
        recordType: 'conversation-note',
        recordId: entryId,
        patientId: row.patientId,
        reason: mentioned.length > 0 ? `mentions ${mentioned.length}` : null,
      });
      return this.full(tx, ctx.actor.orgId, id);
    });
  }

  /**
   * A reply to the patient. By text: a quick reply only (a template, linted free of clinical
   * detail), queued through `sendTemplate`, so consent, quiet hours and caps are checked when it
   * is delivered (docs/inbox.md). In a portal thread: a quick reply rendered for the patient, or
   * free text; the patient is told by their preferred channel, without a word of it.
   */
  async reply(ctx: RequestContext, id: string, input: ConversationReply): Promise<Conversation> {
    if ((input.templateKey === undefined) === (input.body === undefined))
      throw badRequest(
        'Give either a quick reply (templateKey) or a message (body)',
        '/body/templateKey',
      );
    const row = await this.row(ctx, id);
    await this.guard(ctx, row);
    const { orgId } = ctx.actor;
    const patientId = row.patientId;
    if (!patientId)
      throw badRequest(
        'This number belongs to no patient: link it to a patient to reply',
        '/params/id',
      );
    const at = this.clock();
    return this.database.withTenant(orgId, async (tx) => {
      if (row.channel === 'sms') {
        if (!input.templateKey)
          throw badRequest('A text reply is a quick reply: choose a template', '/body/templateKey');
        await this.replyByText(tx, ctx, row, patientId, input.templateKey, at);
      } else {
        const body = input.templateKey
          ? await renderQuickReply(tx, orgId, patientId, input.templateKey, this.publicUrl)
          : (input.body ?? '');
        await postCareTeamMessage(tx, this.postDeps(), {
          orgId,
          patientId,
          conversationId: id,
          body,
          author: { kind: 'staff', userId: ctx.actor.userId, audit: ctx.audit },
          at,
        });
      }
      // Answered: it waits on the patient now.
      await tx
        .update(conversations)
        .set({ status: 'pending' })
        .where(
          and(
            eq(conversations.orgId, orgId),
            eq(conversations.id, id),
            eq(conversations.status, 'open'),
          ),
        );
      return this.full(tx, ctx.actor.orgId, id);
    });
  }

  /**
   * Issue 11 (docs/adr/0046): the outbox's portal channel. Posts a templated message (a journey's
   * portal send) into the patient's portal thread, opening one if none is open, by the path of a
   * staff reply: the patient is told by text or email that a message waits. In `tx`, the
   * worker's transaction that marks the message delivered.
   */
  async post(
    tx: Db,
    message: {
      orgId: string;
      patientId: string;
      messageId: string;
      templateKey: string | null;
      text: string;
      at: Date;
    },
  ): Promise<{ entryId: string }> {
    const { orgId, patientId, at } = message;
    const conversationId = await portalThreadFor(tx, orgId, patientId, at);
    const entryId = await postCareTeamMessage(tx, this.postDeps(), {
      orgId,
      patientId,
      conversationId,
      body: message.text,
      author: {
        kind: 'template',
        outboundMessageId: message.messageId,
        templateKey: message.templateKey,
        audit: { orgId, userId: null, email: null, role: 'system', ip: null, userAgent: null },
      },
      at,
    });
    return { entryId };
  }

  private postDeps() {
    return { cipher: this.cipher, outbox: this.outbox, audit: this.audit };
  }

  private async replyByText(
    tx: Db,
    ctx: RequestContext,
    row: ConversationRow,
    patientId: string,
    templateKey: string,
    at: Date,
  ): Promise<void> {
    const { orgId } = ctx.actor;
    const key = `inbox-reply:${row.id}:${at.getTime()}`;
    const sent = await this.messaging.sendTemplate(tx, {
      orgId,
      patientId,
      templateKey,
      channel: 'sms',
      idempotencyKey: key,
    });
    if (!sent.queued) {
      throw new CareloopError(
        'bad_request',
        sent.reason === 'unreachable'
          ? `The patient cannot be texted (${Object.values(sent.channels).join(', ') || 'no SMS version'})`
          : 'This reply was already sent',
        '/body/templateKey',
      );
    }
    const text = (await this.outbox.textOf(tx, orgId, sent.messageId)) ?? '';
    const entryId = await appendEntry(tx, this.cipher, {
      orgId,
      conversationId: row.id,
      kind: 'staff',
      body: text,
      authorId: ctx.actor.userId,
      outboundMessageId: sent.messageId,
      at,
    });
    await this.audit.inTransaction(tx, ctx.audit, {
      action: 'create',
      recordType: 'conversation-message',
      recordId: entryId,
      patientId,
    });
  }

  /** A portal attachment as its file: an audited read under the conversation's guard. */
  async attachment(ctx: RequestContext, attachmentId: string) {
    const { orgId } = ctx.actor;
    const file = await this.database.withTenant(orgId, (tx) =>
      attachmentFile(tx, this.cipher, orgId, attachmentId),
    );
    if (!file) throw notFound('Attachment');
    const row = await this.row(ctx, file.conversationId);
    await this.guard(ctx, row);
    await this.audit.read(ctx.audit, {
      action: 'read',
      recordType: 'conversation-attachment',
      recordId: attachmentId,
      patientId: row.patientId,
    });
    return file;
  }

  /** The organization's templates, as quick replies. */
  async quickReplies(ctx: RequestContext): Promise<{ items: QuickReply[] }> {
    const rows = await this.database.withTenant(ctx.actor.orgId, (tx) =>
      tx.execute(sql`
        select t.key, t.name, coalesce(array_agg(distinct v.channel) filter (where v.channel is not null), '{}') as channels
        from message_templates t left join message_template_versions v
          on v.org_id = t.org_id and v.template_id = t.id
        where t.purpose <> 'marketing'
        group by t.key, t.name order by t.name`),
    );
    return {
      items: rowsOf<{ key: string; name: string; channels: string[] | string }>(rows).map((r) => ({
        key: r.key,
        name: r.name,
        channels: channelsOf(r.channels),
      })),
    };
  }

  private async row(ctx: RequestContext, id: string): Promise<ConversationRow> {
    const [row] = await this.database.withTenant(ctx.actor.orgId, (tx) =>
      tx.select().from(conversations).where(eq(conversations.id, id)),
    );
    if (!row) throw notFound('Conversation');
    return row;
  }

  private async guard(ctx: RequestContext, row: ConversationRow): Promise<void> {
    if (row.patientId) await this.restrictions.guard(ctx, [row.patientId], 'conversation');
  }

  private async summaries(
    tx: Db,
    orgId: string,
    where: SQL | undefined,
    limit: number,
  ): Promise<ConversationSummary[]> {
    const rows = await tx
      .select({
        id: conversations.id,
        patientId: conversations.patientId,
        patientName: sql<string | null>`case when ${patients.id} is null then null
          else concat_ws(' ', ${patients.givenName}, ${patients.familyName}) end`,
        counterpart: conversations.counterpart,
        channel: conversations.channel,
        status: conversations.status,
        team: conversations.team,
        locationId: conversations.locationId,
        assigneeId: conversations.assigneeId,
        assigneeName: users.displayName,
        lastMessageAt: conversations.lastMessageAt,
      })
      .from(conversations)
      .leftJoin(patients, eq(patients.id, conversations.patientId))
      .leftJoin(users, eq(users.id, conversations.assigneeId))
      .where(where)
      .orderBy(desc(conversations.lastMessageAt), desc(conversations.id))
      .limit(limit);
    const unread = await unreadCounts(
      tx,
      orgId,
      rows.map((r) => r.id),
      'patient',
    );
    return rows.map((r) => ({
      ...r,
      channel: r.channel === 'portal' ? 'portal' : 'sms',
      status: r.status === 'pending' ? 'pending' : r.status === 'closed' ? 'closed' : 'open',
      team: r.team && isTeam(r.team) ? r.team : null,
      lastMessageAt: r.lastMessageAt.toISOString(),
      unread: unread.get(r.id) ?? 0,
    }));
  }

  private async full(tx: Db, orgId: string, id: string): Promise<Conversation> {
    const [summary] = await this.summaries(tx, orgId, eq(conversations.id, id), 1);
    if (!summary) throw notFound('Conversation');
    const entries = await entriesOf(tx, this.cipher, orgId, id, true);
    return {
      ...summary,
      entries: entries.map((e) => ({
        ...e,
        createdAt: e.createdAt.toISOString(),
        readAt: e.readAt?.toISOString() ?? null,
      })),
    };
  }
}

function channelsOf(value: string[] | string): string[] {
  // node-postgres gives a text[] as an array; PGlite may give its literal.
  return Array.isArray(value) ? value : value.replace(/[{}]/g, '').split(',').filter(Boolean);
}

/** An active staff member of the organization (row-level security hides others: a 422). */
async function staffMember(tx: Db, userId: string, path: string): Promise<void> {
  const [found] = await tx
    .select({ role: users.role, disabledAt: users.disabledAt })
    .from(users)
    .where(and(eq(users.id, userId), isNull(users.disabledAt)));
  if (!found || !isRole(found.role) || !STAFF_ROLES.includes(found.role))
    throw new CareloopError('unknown_reference', 'No such active staff member', path);
}

function describeUpdate(input: ConversationUpdate): string {
  return Object.entries(input)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => (k === 'assigneeId' ? `assignee ${v === null ? 'none' : 'set'}` : `${k} ${v}`))
    .join(', ');
}
