import { randomUUID } from 'node:crypto';
import {
  badRequest,
  conflict,
  decodeKeysetCursor,
  encodeCursor,
  normalizePhone,
  type SmsGatewayInbound,
  type SmsGatewayMessage,
  type SmsGatewayPage,
  type SmsGatewayQuery,
  type SmsInboundReceipt,
} from '@careloop/core';
import { and, desc, eq, lt, or, type SQL, sql } from 'drizzle-orm';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';
import { inboundBodyAad, outboundTextAad } from '../../../crypto/encrypted-fields.js';
import { type FieldCipher, openForView } from '../../../crypto/field-cipher.js';
import type { Database } from '../../../db/client.js';
import type { RequestContext } from '../../../http/actor.js';
import type { AuditLog } from '../../audit/service.js';
import { inboundMessages, outboundMessages } from '../schema.js';
import type { SmsInbox } from './inbound.js';
import type { SmsProvider } from './provider.js';

/**
 * The built-in local SMS gateway's phone side (docs/adr/0023): what a number received from the
 * organization and sent to it, and a reply typed as if the patient's phone sent it. For the
 * console's Test phone page; admins only (the routes' policy), every message an audited read.
 */
export class SmsGateway {
  constructor(
    private readonly database: Database,
    private readonly cipher: FieldCipher,
    private readonly audit: AuditLog,
    private readonly inbox: SmsInbox,
    private readonly provider: SmsProvider,
  ) {}

  /** A number's conversation, newest first, page by page. */
  async conversation(ctx: RequestContext, query: SmsGatewayQuery): Promise<SmsGatewayPage> {
    const orgId = ctx.actor.orgId;
    const number = phoneOf(query.number, '/query/number');
    const limit = query.limit ?? 25;
    const cursor = query.cursor ? gatewayCursor(query.cursor) : null;
    const before = (at: AnyPgColumn, id: AnyPgColumn): SQL | undefined =>
      cursor
        ? or(lt(at, new Date(cursor.at)), and(eq(at, new Date(cursor.at)), lt(id, cursor.id)))
        : undefined;
    const { sent, received } = await this.database.withTenant(orgId, async (tx) => ({
      // What the gateway delivered to the phone: a text still queued has not reached it yet.
      sent: await tx
        .select()
        .from(outboundMessages)
        .where(
          and(
            eq(outboundMessages.channel, 'sms'),
            eq(outboundMessages.provider, 'local-sms'),
            eq(outboundMessages.recipient, number),
            sql`${outboundMessages.sentAt} is not null`,
            before(outboundMessages.sentAt, outboundMessages.id),
          ),
        )
        .orderBy(desc(outboundMessages.sentAt), desc(outboundMessages.id))
        .limit(limit + 1),
      received: await tx
        .select()
        .from(inboundMessages)
        .where(
          and(
            eq(inboundMessages.provider, 'local-sms'),
            eq(inboundMessages.sender, number),
            before(inboundMessages.receivedAt, inboundMessages.id),
          ),
        )
        .orderBy(desc(inboundMessages.receivedAt), desc(inboundMessages.id))
        .limit(limit + 1),
    }));
    const merged = [
      ...sent.map((row) => ({ kind: 'outbound' as const, row, at: row.sentAt ?? row.createdAt })),
      ...received.map((row) => ({ kind: 'inbound' as const, row, at: row.receivedAt })),
    ].sort((a, b) => b.at.getTime() - a.at.getTime() || (a.row.id < b.row.id ? 1 : -1));
    const page = merged.slice(0, limit);
    await Promise.all(
      page.map((m) =>
        this.audit.read(ctx.audit, {
          action: 'read',
          recordType: m.kind === 'outbound' ? 'outbound-message' : 'inbound-message',
          recordId: m.row.id,
          patientId: m.row.patientId,
        }),
      ),
    );
    const items: SmsGatewayMessage[] = page.map((m) =>
      m.kind === 'outbound'
        ? {
            id: m.row.id,
            direction: 'outbound',
            number,
            body: openForView(this.cipher, m.row.textEncrypted, outboundTextAad(m.row.id, orgId)),
            status: m.row.status,
            patientId: m.row.patientId,
            keyword: null,
            at: m.at.toISOString(),
          }
        : {
            id: m.row.id,
            direction: 'inbound',
            number,
            body: openForView(this.cipher, m.row.bodyEncrypted, inboundBodyAad(m.row.id, orgId)),
            status: 'received',
            patientId: m.row.patientId,
            keyword: m.row.keyword,
            at: m.at.toISOString(),
          },
    );
    const last = page.at(-1);
    return {
      items,
      nextCursor:
        merged.length > limit && last ? encodeCursor([last.at.toISOString(), last.row.id]) : null,
    };
  }

  /** A text as if the patient's phone sent it: handled exactly as a provider's inbound one. */
  async receive(ctx: RequestContext, input: SmsGatewayInbound): Promise<SmsInboundReceipt> {
    if (this.provider.name !== 'local-sms') {
      throw conflict('The local SMS gateway is off: texts go through the configured SMS provider');
    }
    const from = phoneOf(input.from, '/body/from');
    const receipt = await this.inbox.receive(ctx.audit, {
      orgId: ctx.actor.orgId,
      from,
      to: null,
      body: input.body,
      provider: 'local-sms',
      providerMessageId: `LI${randomUUID().replace(/-/g, '')}`,
    });
    return {
      id: receipt.id,
      patientId: receipt.patientId,
      keyword: receipt.keyword,
      inReplyTo: receipt.inReplyTo,
    };
  }
}

/** A typed phone number as E.164, else a 400 naming the field. */
function phoneOf(input: string, path: string): string {
  const phone = normalizePhone(input);
  if (!phone) throw badRequest(`"${input}" is not a phone number`, path);
  return phone.e164;
}

/** A conversation cursor, validated like any input: an instant and a uuid, else 400. */
function gatewayCursor(cursor: string): { at: string; id: string } {
  const [at = '', id = ''] = decodeKeysetCursor(cursor, ['instant', 'uuid']);
  return { at, id };
}
