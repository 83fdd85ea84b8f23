import { randomUUID } from 'node:crypto';
import {
  type AttachmentType,
  type AttachmentUpload,
  CARD_SIDES,
  type CardSide,
  CareloopError,
  checkAttachment,
  MAX_ATTACHMENT_BYTES,
} from '@careloop/core';
import { and, eq, inArray } from 'drizzle-orm';
import { coverageCardAad } from '../../crypto/encrypted-fields.js';
import type { FieldCipher } from '../../crypto/field-cipher.js';
import type { Db } from '../../db/client.js';
import { coverageCardImages } from './schema.js';

/** A card side checked before any transaction: its sniffed type and bytes. */
export interface CheckedCard {
  side: CardSide;
  contentType: AttachmentType;
  bytes: Buffer;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * Decodes and checks a photographed card side: the size from the base64 length first (a limit
 * counted before the work it limits), then the type sniffed from the bytes, never the name.
 * Refusals name the field (`/body/insurance/cardFront/dataBase64`).
 */
export function checkCard(upload: AttachmentUpload, side: CardSide, path: string): CheckedCard {
  const data = upload.dataBase64.replace(/\s+/g, '');
  const padding = data.match(/=+$/)?.[0].length ?? 0;
  if (Math.floor((data.length * 3) / 4) - padding > MAX_ATTACHMENT_BYTES) {
    throw new CareloopError('payload_too_large', 'A card image may be at most 5 MB', path);
  }
  if (data.length % 4 !== 0 || !BASE64.test(data)) {
    throw new CareloopError('bad_request', 'The card image is not valid base64', path);
  }
  const bytes = Buffer.from(data, 'base64');
  const verdict = checkAttachment(bytes);
  if (!verdict.ok) {
    const message =
      verdict.reason === 'empty'
        ? 'The card image is empty'
        : verdict.reason === 'too-large'
          ? 'A card image may be at most 5 MB'
          : 'Upload a PNG, JPEG or PDF of the card';
    throw new CareloopError(
      verdict.reason === 'too-large' ? 'payload_too_large' : 'bad_request',
      message,
      path,
    );
  }
  return { side, contentType: verdict.contentType, bytes };
}

/** Stores card sides of a coverage, each replacing the side photographed before. */
export async function storeCards(
  tx: Db,
  cipher: FieldCipher,
  orgId: string,
  coverageId: string,
  cards: readonly CheckedCard[],
  at: Date,
): Promise<void> {
  for (const card of cards) {
    const [existing] = await tx
      .select({ id: coverageCardImages.id })
      .from(coverageCardImages)
      .where(
        and(eq(coverageCardImages.coverageId, coverageId), eq(coverageCardImages.side, card.side)),
      );
    // The row's id is in the sealed value's binding, so a replaced side keeps its row's id.
    const id = existing?.id ?? randomUUID();
    const values = {
      contentType: card.contentType,
      sizeBytes: card.bytes.length,
      dataEncrypted: cipher.encrypt(card.bytes.toString('base64'), coverageCardAad(id, orgId)),
      createdAt: at,
    };
    if (existing) {
      await tx.update(coverageCardImages).set(values).where(eq(coverageCardImages.id, id));
    } else {
      await tx
        .insert(coverageCardImages)
        .values({ id, orgId, coverageId, side: card.side, ...values });
    }
  }
}

/** The sides photographed for each coverage, front first. */
export async function cardSidesOf(
  tx: Db,
  coverageIds: readonly string[],
): Promise<Map<string, CardSide[]>> {
  const sides = new Map<string, CardSide[]>();
  if (coverageIds.length === 0) return sides;
  const rows = await tx
    .select({ coverageId: coverageCardImages.coverageId, side: coverageCardImages.side })
    .from(coverageCardImages)
    .where(inArray(coverageCardImages.coverageId, [...coverageIds]));
  for (const row of rows) {
    const side: CardSide = row.side === 'back' ? 'back' : 'front';
    const taken = [...(sides.get(row.coverageId) ?? []), side];
    sides.set(
      row.coverageId,
      CARD_SIDES.filter((s) => taken.includes(s)),
    );
  }
  return sides;
}

/** One side's bytes, decrypted; null when that side was not photographed. */
export async function cardFile(
  tx: Db,
  cipher: FieldCipher,
  orgId: string,
  coverageId: string,
  side: CardSide,
): Promise<{ contentType: string; bytes: Buffer } | null> {
  const [row] = await tx
    .select()
    .from(coverageCardImages)
    .where(and(eq(coverageCardImages.coverageId, coverageId), eq(coverageCardImages.side, side)));
  if (!row) return null;
  const base64 = cipher.decrypt(row.dataEncrypted, coverageCardAad(row.id, orgId));
  return { contentType: row.contentType, bytes: Buffer.from(base64, 'base64') };
}
