import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import {
  badRequest,
  oneTimeTokenExpiry,
  oneTimeTokenState,
  parseOneTimeToken,
} from '@careloop/core';
import { and, eq, isNull } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import type { OneTimeTokenTable } from './one-time-token-schema.js';

/** What sets one kind of one-time link apart from another. */
export interface OneTimeTokenKind {
  /** Mixed into the hash, so a token of one kind never matches a row of another. */
  purpose: string;
  lifetimeMs: number;
  /** The 400 for a token that is not of the right shape. */
  malformed: string;
  /** The 400 for a token that is unknown, used or expired (one answer: it tells nothing). */
  unusable: string;
}

/** A stored token that still worked when it was found. */
export interface FoundToken {
  id: string;
  userId: string;
}

const FIELD = '/body/token';

/**
 * One-time links, as password reset and email verification use them: a random token
 * `<orgId>.<secret>` goes into the link and only its hash into the table; a token works once,
 * until it expires, and using it ends the account's other unused links. Rate limits stay with
 * the flows (each counts its own callers, before calling here).
 */
export class OneTimeTokens {
  constructor(
    private readonly table: OneTimeTokenTable,
    private readonly kind: OneTimeTokenKind,
  ) {}

  private hash(token: string): string {
    return createHash('sha256').update(`${this.kind.purpose}\0${token}`).digest('hex');
  }

  /** A new token for the account, stored (as a hash) in the caller's transaction. */
  async issue(
    tx: Db,
    to: { orgId: string; userId: string },
    now: Date,
  ): Promise<{ id: string; token: string }> {
    const token = `${to.orgId}.${randomBytes(32).toString('base64url')}`;
    const [row] = await tx
      .insert(this.table)
      .values({
        orgId: to.orgId,
        userId: to.userId,
        tokenHash: this.hash(token),
        createdAt: now,
        expiresAt: oneTimeTokenExpiry(now, this.kind.lifetimeMs),
      })
      .returning({ id: this.table.id });
    if (!row) throw new Error(`${this.kind.purpose} token not stored`);
    return { id: row.id, token };
  }

  /** The organization of a token as a link brings it back; a 400 naming the field if garbled. */
  parse(token: string): { orgId: string; token: string } {
    return parseOneTimeToken(token, this.kind.malformed, FIELD);
  }

  /** The 400 for a token that cannot be used (unknown, used, expired, or just used by another). */
  unusable(): Error {
    return badRequest(this.kind.unusable, FIELD);
  }

  /** The stored token that `token` is, if it still works at `now`; else the 400. */
  async find(tx: Db, token: string, now: Date): Promise<FoundToken> {
    const hash = this.hash(token);
    const [found] = await tx
      .select({
        id: this.table.id,
        userId: this.table.userId,
        tokenHash: this.table.tokenHash,
        expiresAt: this.table.expiresAt,
        usedAt: this.table.usedAt,
      })
      .from(this.table)
      .where(eq(this.table.tokenHash, hash));
    // The index compares hashes, which tell a guesser nothing; the row is compared again in
    // constant time so that no code path compares a secret byte by byte.
    if (
      !found ||
      !timingSafeEqual(Buffer.from(found.tokenHash, 'hex'), Buffer.from(hash, 'hex')) ||
      oneTimeTokenState(found, now) !== 'valid'
    ) {
      throw this.unusable();
    }
    return { id: found.id, userId: found.userId };
  }

  /**
   * Uses a found token: it and every other unused link of the account stop working. A second
   * request with the same token at the same moment waits on the row and then finds it used: 400.
   */
  async redeem(tx: Db, found: FoundToken, now: Date): Promise<void> {
    const used = await tx
      .update(this.table)
      .set({ usedAt: now })
      .where(and(eq(this.table.userId, found.userId), isNull(this.table.usedAt)))
      .returning({ id: this.table.id });
    if (!used.some((u) => u.id === found.id)) throw this.unusable();
  }
}
