import { randomUUID } from 'node:crypto';
import {
  type AttachmentInfo,
  type AttachmentType,
  type AttachmentUpload,
  CareloopError,
  type ConversationEntryKind,
  checkAttachment,
  MAX_ATTACHMENT_BYTES,
  safeAttachmentName,
} from '@careloop/core';
import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import {
  attachmentDataAad,
  attachmentNameAad,
  conversationBodyAad,
} from '../../crypto/encrypted-fields.js';
import type { FieldCipher } from '../../crypto/field-cipher.js';
import type { Db } from '../../db/client.js';
import { users } from '../auth/schema.js';
import { conversationAttachments, conversationEntries, conversations } from './schema.js';

/** An attachment checked before any transaction: its bytes, sniffed type and safe name. */
export interface CheckedAttachment {
  fileName: string;
  contentType: AttachmentType;
  bytes: Buffer;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * Decodes and checks uploads, each before the next: the size from the base64 length first (a
 * limit counted before the work it limits), then the bytes' real type. Refusals name the field.
 */
export function checkUploads(
  uploads: readonly AttachmentUpload[] | undefined,
): CheckedAttachment[] {
  return (uploads ?? []).map((upload, i) => {
    const path = `/body/attachments/${i}/dataBase64`;
    const data = upload.dataBase64.replace(/\s+/g, '');
    if (
      Math.floor((data.length * 3) / 4) - (data.match(/=+$/)?.[0].length ?? 0) >
      MAX_ATTACHMENT_BYTES
    )
      throw new CareloopError('payload_too_large', 'An attachment may be at most 5 MB', path);
    if (data.length % 4 !== 0 || !BASE64.test(data))
      throw new CareloopError('bad_request', 'The attachment is not valid base64', path);
    const bytes = Buffer.from(data, 'base64');
    const verdict = checkAttachment(bytes);
    if (!verdict.ok) {
      const message =
        verdict.reason === 'empty'
          ? 'The attachment is empty'
          : verdict.reason === 'too-large'
            ? 'An attachment may be at most 5 MB'
            : 'Attach a PDF, PNG or JPEG file';
      throw new CareloopError(
        verdict.reason === 'too-large' ? 'payload_too_large' : 'bad_request',
        message,
        path,
      );
    }
    return {
      fileName: safeAttachmentName(upload.fileName, verdict.contentType),
      contentType: verdict.contentType,
      bytes,
    };
  });
}

export interface NewEntry {
  orgId: string;
  conversationId: string;
  kind: ConversationEntryKind;
  body: string;
  authorId?: string | null;
  inboundMessageId?: string | null;
  outboundMessageId?: string | null;
  at: Date;
}

/**
 * Appends an entry (body sealed to its row) and moves the conversation's last-message time; a
 * patient's message reopens a pending or closed conversation.
 */
export async function appendEntry(tx: Db, cipher: FieldCipher, entry: NewEntry): Promise<string> {
  const id = randomUUID();
  await tx.insert(conversationEntries).values({
    id,
    orgId: entry.orgId,
    conversationId: entry.conversationId,
    kind: entry.kind,
    bodyEncrypted: cipher.encrypt(entry.body, conversationBodyAad(id, entry.orgId)),
    authorId: entry.authorId ?? null,
    inboundMessageId: entry.inboundMessageId ?? null,
    outboundMessageId: entry.outboundMessageId ?? null,
    createdAt: entry.at,
  });
  if (entry.kind !== 'note') {
    await tx
      .update(conversations)
      .set({
        lastMessageAt: sql`greatest(${conversations.lastMessageAt}, ${entry.at.toISOString()}::timestamptz)`,
        ...(entry.kind === 'patient' ? { status: 'open' } : {}),
      })
      .where(and(eq(conversations.orgId, entry.orgId), eq(conversations.id, entry.conversationId)));
  }
  return id;
}

export async function storeAttachments(
  tx: Db,
  cipher: FieldCipher,
  orgId: string,
  entryId: string,
  files: readonly CheckedAttachment[],
  at: Date,
): Promise<void> {
  if (files.length === 0) return;
  await tx.insert(conversationAttachments).values(
    files.map((file) => {
      const id = randomUUID();
      return {
        id,
        orgId,
        entryId,
        contentType: file.contentType,
        sizeBytes: file.bytes.length,
        nameEncrypted: cipher.encrypt(file.fileName, attachmentNameAad(id, orgId)),
        dataEncrypted: cipher.encrypt(file.bytes.toString('base64'), attachmentDataAad(id, orgId)),
        createdAt: at,
      };
    }),
  );
}

export interface StoredEntry {
  id: string;
  kind: ConversationEntryKind;
  body: string;
  authorName: string | null;
  createdAt: Date;
  readAt: Date | null;
  attachments: AttachmentInfo[];
}

/** A conversation's entries in order, bodies and attachment names opened; notes only if asked. */
export async function entriesOf(
  tx: Db,
  cipher: FieldCipher,
  orgId: string,
  conversationId: string,
  withNotes: boolean,
): Promise<StoredEntry[]> {
  const rows = await tx
    .select({
      id: conversationEntries.id,
      kind: conversationEntries.kind,
      bodyEncrypted: conversationEntries.bodyEncrypted,
      authorName: users.displayName,
      createdAt: conversationEntries.createdAt,
      readAt: conversationEntries.readAt,
    })
    .from(conversationEntries)
    .leftJoin(users, eq(users.id, conversationEntries.authorId))
    .where(
      and(
        eq(conversationEntries.orgId, orgId),
        eq(conversationEntries.conversationId, conversationId),
        withNotes ? undefined : inArray(conversationEntries.kind, ['patient', 'staff']),
      ),
    )
    .orderBy(asc(conversationEntries.createdAt), asc(conversationEntries.id));
  const files =
    rows.length === 0
      ? []
      : await tx
          .select({
            id: conversationAttachments.id,
            entryId: conversationAttachments.entryId,
            contentType: conversationAttachments.contentType,
            sizeBytes: conversationAttachments.sizeBytes,
            nameEncrypted: conversationAttachments.nameEncrypted,
          })
          .from(conversationAttachments)
          .where(
            and(
              eq(conversationAttachments.orgId, orgId),
              inArray(
                conversationAttachments.entryId,
                rows.map((r) => r.id),
              ),
            ),
          )
          .orderBy(asc(conversationAttachments.createdAt), asc(conversationAttachments.id));
  return rows.map((row) => ({
    id: row.id,
    kind: row.kind as ConversationEntryKind,
    body: cipher.decrypt(row.bodyEncrypted, conversationBodyAad(row.id, orgId)),
    authorName: row.authorName,
    createdAt: row.createdAt,
    readAt: row.readAt,
    attachments: files
      .filter((f) => f.entryId === row.id)
      .map((f) => ({
        id: f.id,
        fileName: cipher.decrypt(f.nameEncrypted, attachmentNameAad(f.id, orgId)),
        contentType: f.contentType,
        sizeBytes: f.sizeBytes,
      })),
  }));
}

/**
 * Marks the other side's entries read by this side (`patient` read by staff, or the reverse).
 * Answers the outbound messages that carried the entries now read (a templated portal message
 * turns `read` from them: docs/adr/0046).
 */
export async function markRead(
  tx: Db,
  orgId: string,
  conversationId: string,
  kind: 'patient' | 'staff',
  at: Date,
): Promise<string[]> {
  const read = await tx
    .update(conversationEntries)
    .set({ readAt: at })
    .where(
      and(
        eq(conversationEntries.orgId, orgId),
        eq(conversationEntries.conversationId, conversationId),
        eq(conversationEntries.kind, kind),
        sql`${conversationEntries.readAt} is null`,
      ),
    )
    .returning({ outboundMessageId: conversationEntries.outboundMessageId });
  return read.flatMap((r) => (r.outboundMessageId ? [r.outboundMessageId] : []));
}

/** Unread entries of one kind per conversation. */
export async function unreadCounts(
  tx: Db,
  orgId: string,
  conversationIds: readonly string[],
  kind: 'patient' | 'staff',
): Promise<Map<string, number>> {
  if (conversationIds.length === 0) return new Map();
  const rows = await tx
    .select({
      conversationId: conversationEntries.conversationId,
      n: sql<number>`count(*)::int`,
    })
    .from(conversationEntries)
    .where(
      and(
        eq(conversationEntries.orgId, orgId),
        inArray(conversationEntries.conversationId, [...conversationIds]),
        eq(conversationEntries.kind, kind),
        sql`${conversationEntries.readAt} is null`,
      ),
    )
    .groupBy(conversationEntries.conversationId);
  return new Map(rows.map((r) => [r.conversationId, Number(r.n)]));
}

/** One attachment's file, if it belongs to the conversation (and the organization). */
export async function attachmentFile(
  tx: Db,
  cipher: FieldCipher,
  orgId: string,
  attachmentId: string,
): Promise<{
  conversationId: string;
  kind: string;
  fileName: string;
  contentType: string;
  bytes: Buffer;
} | null> {
  const [row] = await tx
    .select({
      id: conversationAttachments.id,
      contentType: conversationAttachments.contentType,
      nameEncrypted: conversationAttachments.nameEncrypted,
      dataEncrypted: conversationAttachments.dataEncrypted,
      conversationId: conversationEntries.conversationId,
      kind: conversationEntries.kind,
    })
    .from(conversationAttachments)
    .innerJoin(
      conversationEntries,
      and(
        eq(conversationEntries.orgId, conversationAttachments.orgId),
        eq(conversationEntries.id, conversationAttachments.entryId),
      ),
    )
    .where(
      and(eq(conversationAttachments.orgId, orgId), eq(conversationAttachments.id, attachmentId)),
    );
  if (!row) return null;
  return {
    conversationId: row.conversationId,
    kind: row.kind,
    contentType: row.contentType,
    fileName: cipher.decrypt(row.nameEncrypted, attachmentNameAad(row.id, orgId)),
    bytes: Buffer.from(
      cipher.decrypt(row.dataEncrypted, attachmentDataAad(row.id, orgId)),
      'base64',
    ),
  };
}
