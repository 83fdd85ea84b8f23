import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Database } from '../../db/client.js';
import { sqlState } from '../../db/errors.js';
import { rowsOf } from '../../db/rows.js';
import { createTestApp, type TestApp, TestTenant } from '../../test/app.js';
import { TestClock } from '../../test/clock.js';
import { describeEachDatabase } from '../../test/databases.js';
import { hashPassword, verifyPassword } from './passwords.js';
import { SIGN_IN_LIMITS } from './rate-limit.js';
import { users } from './schema.js';
import { AuthService } from './service.js';

const PASSWORD = 'correct horse battery staple';
const from = (ip: string) => ({ ip, userAgent: 'careloop-tests' });

describeEachDatabase('sign-in limits', (kind) => {
  let t: TestApp;
  let tenant: TestTenant;
  let clock: TestClock;
  let checks = 0;

  beforeAll(async () => {
    clock = new TestClock();
    t = await createTestApp(
      kind,
      {},
      {
        clock,
        verify: (hash, password) => {
          checks += 1;
          return verifyPassword(hash, password);
        },
      },
    );
    tenant = await TestTenant.create(t);
  });
  afterAll(() => t.close());

  async function newAccount(role: 'clinician' | 'admin' = 'clinician'): Promise<string> {
    const email = `${role}-${randomBytes(5).toString('hex')}@limits.test`;
    const passwordHash = await hashPassword(PASSWORD);
    await t.database.system((tx) =>
      tx
        .insert(users)
        .values({ orgId: tenant.orgId, email, displayName: 'Lim', role, passwordHash }),
    );
    return email;
  }

  const tryLogin = (email: string, password: string, ip: string) =>
    t.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { email, password },
      remoteAddress: ip,
    });

  it('checks at most 10 of 100 parallel wrong passwords for one account from one address; the rest get 429 with Retry-After', async () => {
    const email = await newAccount();
    checks = 0;
    const replies = await Promise.all(
      Array.from({ length: 100 }, (_, i) => tryLogin(email, `wrong guess ${i}`, '10.20.0.1')),
    );
    const codes = replies.map((r) => r.statusCode);
    expect(codes.filter((c) => c === 401)).toHaveLength(SIGN_IN_LIMITS.perAccountAddress);
    expect(codes.filter((c) => c === 429)).toHaveLength(90);
    expect(checks).toBe(SIGN_IN_LIMITS.perAccountAddress);
    const limited = replies.find((r) => r.statusCode === 429);
    expect(limited?.json()).toMatchObject({ code: 'rate_limited' });
    expect(Number(limited?.headers['retry-after'])).toBeGreaterThan(0);
    // Even the right password waits out the window from that address …
    expect((await tryLogin(email, PASSWORD, '10.20.0.1')).statusCode).toBe(429);
    // … but the owner, elsewhere, signs in.
    expect((await tryLogin(email, PASSWORD, '10.20.0.2')).statusCode).toBe(200);
    clock.advance(SIGN_IN_LIMITS.windowMs);
    expect((await tryLogin(email, PASSWORD, '10.20.0.1')).statusCode).toBe(200);
  });

  it('slows, not blocks, an account attacked from many addresses: the owner still signs in', async () => {
    const email = await newAccount();
    const sleepsBefore = clock.sleeps.length;
    for (let address = 0; address < 5; address += 1) {
      for (let i = 0; i < SIGN_IN_LIMITS.perAccountAddress; i += 1) {
        expect((await tryLogin(email, `guess ${i}`, `10.21.${address}.1`)).statusCode).toBe(401);
      }
    }
    const waits = clock.sleeps.slice(sleepsBefore);
    // The first attempts of a window go through at once; then each waits its slot, growing.
    expect(waits.length).toBe(5 * SIGN_IN_LIMITS.perAccountAddress - SIGN_IN_LIMITS.accountFree);
    expect(waits[0]).toBe(SIGN_IN_LIMITS.accountStepMs);
    expect(waits.at(-1)).toBe(SIGN_IN_LIMITS.accountMaxStepMs);
    const owner = await tryLogin(email, PASSWORD, '10.21.99.1');
    expect(owner.statusCode).toBe(200);
    expect(clock.sleeps.at(-1)).toBe(SIGN_IN_LIMITS.accountMaxStepMs);
  });

  it('takes parallel attempts on one account one slot at a time, and refuses those more than 30 s away', async () => {
    const email = await newAccount();
    checks = 0;
    // From 40 addresses at once, on a clock that does not move: no address reaches its own limit.
    clock.sleepMoves = false;
    const replies = await Promise.all(
      Array.from({ length: 40 }, (_, i) => tryLogin(email, `parallel ${i}`, `10.22.${i}.1`)),
    );
    clock.sleepMoves = true;
    const codes = replies.map((r) => r.statusCode);
    // 10 at once, then slots 0.5, 1.5, 3.5, 7.5, 15.5 and 23.5 s away; the next would be 31.5 s.
    expect(codes.filter((c) => c === 401)).toHaveLength(SIGN_IN_LIMITS.accountFree + 6);
    expect(codes.filter((c) => c === 429)).toHaveLength(40 - SIGN_IN_LIMITS.accountFree - 6);
    expect(checks).toBe(SIGN_IN_LIMITS.accountFree + 6);
    clock.advance(SIGN_IN_LIMITS.windowMs);
  });

  it('limits failed attempts from one address across accounts, and gives back a successful one', async () => {
    const ip = '10.23.0.1';
    const owner = await newAccount();
    expect((await tryLogin(owner, PASSWORD, ip)).statusCode).toBe(200);
    for (let i = 0; i < SIGN_IN_LIMITS.perAddress; i += 1) {
      expect((await tryLogin(`spray${i}@nowhere.test`, 'Summer2026!', ip)).statusCode).toBe(401);
    }
    expect((await tryLogin('one-more@nowhere.test', 'Summer2026!', ip)).statusCode).toBe(429);
  });

  it('starts the (account, address) count afresh after a successful sign-in', async () => {
    const email = await newAccount();
    const ip = '10.24.0.1';
    for (let i = 0; i < SIGN_IN_LIMITS.perAccountAddress - 1; i += 1) {
      expect((await tryLogin(email, `typo ${i}`, ip)).statusCode).toBe(401);
    }
    expect((await tryLogin(email, PASSWORD, ip)).statusCode).toBe(200);
    for (let i = 0; i < SIGN_IN_LIMITS.perAccountAddress; i += 1) {
      expect((await tryLogin(email, `typo again ${i}`, ip)).statusCode).toBe(401);
    }
    expect((await tryLogin(email, `one too many`, ip)).statusCode).toBe(429);
  });

  it('checks one password for an unknown email as for a known one', async () => {
    const email = await newAccount();
    checks = 0;
    expect((await tryLogin(email, 'not the password', '10.25.0.1')).statusCode).toBe(401);
    expect(checks).toBe(1);
    const unknown = await tryLogin(
      `nobody-${randomBytes(4).toString('hex')}@x.test`,
      'nope',
      '10.25.0.1',
    );
    expect(unknown.statusCode).toBe(401);
    expect(checks).toBe(2);
  });

  it('stores no email or address in clear, and gives the application role no access to the counts', async () => {
    expect((await tryLogin('someone@clear.test', 'a guess', '10.27.0.1')).statusCode).toBe(401);
    const rows = rowsOf<{ key: string }>(
      await t.database.system((tx) => tx.execute(sql`select key from sign_in_attempts`)),
    );
    expect(rows.length).toBeGreaterThan(0);
    for (const { key } of rows) expect(key).toMatch(/^[0-9a-f]{64}$/);
    if (kind === 'postgres') {
      const read = await t.database
        .withTenant(tenant.orgId, (tx) => tx.execute(sql`select count(*) from sign_in_attempts`))
        .then(
          () => 'read',
          (error: unknown) => sqlState(error),
        );
      expect(read).toBe('42501'); // insufficient_privilege
    }
  });

  if (kind === 'postgres') {
    it('shares the count between two API processes on one PostgreSQL', async () => {
      const email = await newAccount();
      const url = t.database.pool?.options.connectionString;
      if (!url) throw new Error('no connection string');
      const second = await Database.open({ databaseUrl: url });
      try {
        let counted = 0;
        const options = {
          clock,
          verify: (hash: string, password: string) => {
            counted += 1;
            return verifyPassword(hash, password);
          },
        };
        const policy = { idleMinutes: 15, absoluteHours: 12 };
        const processes = [
          new AuthService(t.database, policy, options),
          new AuthService(second, policy, options),
        ];
        const outcomes: string[] = [];
        for (let i = 0; i < 20; i += 1) {
          const auth = processes[i % 2];
          if (!auth) throw new Error('no process');
          outcomes.push(
            await auth.login(email, `wrong ${i}`, from('10.26.0.1')).then(
              () => 'signed in',
              (error: { problem?: { code: string } }) => error.problem?.code ?? 'error',
            ),
          );
        }
        expect(outcomes).toEqual([
          ...Array<string>(SIGN_IN_LIMITS.perAccountAddress).fill('unauthenticated'),
          ...Array<string>(20 - SIGN_IN_LIMITS.perAccountAddress).fill('rate_limited'),
        ]);
        expect(counted).toBe(SIGN_IN_LIMITS.perAccountAddress);
      } finally {
        await second.close();
      }
    });
  }
});
