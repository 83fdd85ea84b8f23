import { randomBytes } from 'node:crypto';
import { CareloopError } from '@careloop/core';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Database } from '../../db/client.js';
import { describeEachDatabase, openTestDatabase } from '../../test/databases.js';
import { organizations } from '../directory/schema.js';
import { type FoundToken, OneTimeTokens } from './one-time-token.js';
import { passwordResetTokens } from './reset-schema.js';
import { users } from './schema.js';
import { emailVerificationTokens } from './verification-schema.js';

const MINUTE = 60_000;
const T0 = new Date('2026-12-06T09:00:00Z');
const at = (minutes: number) => new Date(T0.getTime() + minutes * MINUTE);

const links = new OneTimeTokens(passwordResetTokens, {
  purpose: 'test-links',
  lifetimeMs: 30 * MINUTE,
  malformed: 'This link is not valid',
  unusable: 'This link is not valid, was used or has expired',
});

/** The 400 naming the token field, as every refusal of a token must be. */
const refusal = expect.objectContaining({
  problem: expect.objectContaining({ status: 400, path: '/body/token' }),
});

describeEachDatabase('one-time tokens', (kind) => {
  let database: Database;
  let orgId: string;

  beforeAll(async () => {
    database = await openTestDatabase(kind);
    const [org] = await database.system((tx) =>
      tx
        .insert(organizations)
        .values({ name: `Links ${randomBytes(3).toString('hex')}` })
        .returning(),
    );
    if (!org) throw new Error('organization not created');
    orgId = org.id;
  }, 120_000);

  afterAll(async () => {
    await database.close();
  });

  const newUser = async (): Promise<string> => {
    const [user] = await database.system((tx) =>
      tx
        .insert(users)
        .values({
          orgId,
          email: `u-${randomBytes(5).toString('hex')}@links.test`,
          displayName: 'Link Tester',
          role: 'patient',
          passwordHash: 'not-used',
        })
        .returning({ id: users.id }),
    );
    if (!user) throw new Error('user not created');
    return user.id;
  };
  const issue = (userId: string, now = T0) =>
    database.withTenant(orgId, (tx) => links.issue(tx, { orgId, userId }, now));
  const find = (token: string, now: Date) =>
    database.withTenant(orgId, (tx) => links.find(tx, links.parse(token).token, now));
  const redeem = (found: FoundToken, now: Date) =>
    database.withTenant(orgId, (tx) => links.redeem(tx, found, now));

  it('stores only a hash, and finds the token until its lifetime is over on the injected clock', async () => {
    const userId = await newUser();
    const { id, token } = await issue(userId);
    const [row] = await database.system((tx) =>
      tx.select().from(passwordResetTokens).where(eq(passwordResetTokens.id, id)),
    );
    expect(row?.tokenHash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(row)).not.toContain(token.split('.')[1]);
    expect(row?.expiresAt).toEqual(at(30));

    await expect(find(token, at(29.99))).resolves.toEqual({ id, userId });
    await expect(find(token, at(30))).rejects.toEqual(refusal);
  });

  it('works once: a redeemed token, and every other link of the account, is refused', async () => {
    const userId = await newUser();
    const first = await issue(userId);
    const second = await issue(userId);
    await redeem(await find(first.token, at(1)), at(1));
    await expect(find(first.token, at(2))).rejects.toEqual(refusal);
    await expect(find(second.token, at(2))).rejects.toEqual(refusal);
  });

  it('lets one of many simultaneous redemptions of a token through, and refuses the rest with 400', async () => {
    const userId = await newUser();
    const { token } = await issue(userId);
    const found = await find(token, at(1));
    const outcomes = await Promise.allSettled(
      Array.from({ length: 6 }, () => redeem(found, at(1))),
    );
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    for (const o of outcomes) {
      if (o.status === 'rejected') {
        expect(o.reason).toBeInstanceOf(CareloopError);
        expect(o.reason).toEqual(refusal);
      }
    }
  });

  it('refuses a garbled token, an unknown one and one of another purpose or table with 400', async () => {
    const userId = await newUser();
    const { token } = await issue(userId);
    for (const garbled of ['', 'abc', `${token}.x`, token.replace(/\.[^.]+$/, '.short')]) {
      await expect(find(garbled, at(1))).rejects.toEqual(refusal);
    }
    const unknown = `${orgId}.${randomBytes(32).toString('base64url')}`;
    await expect(find(unknown, at(1))).rejects.toEqual(refusal);
    // The same secret, hashed for another purpose or looked up in another kind's table.
    const otherPurpose = new OneTimeTokens(passwordResetTokens, {
      purpose: 'other-links',
      lifetimeMs: 30 * MINUTE,
      malformed: 'x',
      unusable: 'x',
    });
    const otherTable = new OneTimeTokens(emailVerificationTokens, {
      purpose: 'test-links',
      lifetimeMs: 30 * MINUTE,
      malformed: 'x',
      unusable: 'x',
    });
    for (const other of [otherPurpose, otherTable]) {
      await expect(
        database.withTenant(orgId, (tx) => other.find(tx, token, at(1))),
      ).rejects.toMatchObject({ problem: { status: 400, path: '/body/token' } });
    }
    // The real token still works after all that.
    await expect(find(token, at(1))).resolves.toMatchObject({ userId });
  });
});
