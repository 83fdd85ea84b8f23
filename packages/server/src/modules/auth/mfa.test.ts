import { randomBytes } from 'node:crypto';
import type { MfaEnrolment, MfaRecoveryCodes, MfaStatus, Role, SessionInfo } from '@careloop/core';
import { and, eq } from 'drizzle-orm';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestApp, Session, type TestApp, TestTenant } from '../../test/app.js';
import { TestClock } from '../../test/clock.js';
import { describeEachDatabase } from '../../test/databases.js';
import { auditEvents } from '../audit/schema.js';
import { hashPassword } from './passwords.js';
import { users } from './schema.js';
import { totpCodeAt } from './totp.js';

const PASSWORD = 'correct horse battery staple';
let ip = 0;

describeEachDatabase('two-factor sign-in (TOTP)', (kind) => {
  let t: TestApp;
  let clock: TestClock;
  /** An organization with the default policy: admins need a second factor. */
  let strict: TestTenant;

  beforeAll(async () => {
    clock = new TestClock();
    t = await createTestApp(kind, {}, { clock });
    strict = await TestTenant.create(t, undefined, { mfaAdminsExempt: false });
  });
  afterAll(() => t.close());

  async function account(tenant: TestTenant, role: Role): Promise<string> {
    const email = `${role}-${randomBytes(5).toString('hex')}@mfa.test`;
    const passwordHash = await hashPassword(PASSWORD);
    await t.database.system((tx) =>
      tx
        .insert(users)
        .values({ orgId: tenant.orgId, email, displayName: 'Mfa', role, passwordHash }),
    );
    return email;
  }

  const sessionOf = (res: LightMyRequestResponse): Session => {
    const cookie = res.cookies.find((c) => c.name === 'careloop_session');
    if (!cookie) throw new Error(`no session cookie: ${res.statusCode} ${res.body}`);
    const info = res.json<SessionInfo>();
    return new Session(t, `careloop_session=${cookie.value}`, info.csrfToken, info.user.id);
  };

  const signIn = async (email: string, password = PASSWORD) => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { email, password },
      remoteAddress: `10.40.0.${++ip % 250}`,
    });
    expect(res.statusCode, res.body).toBe(200);
    return { session: sessionOf(res), stage: res.json<SessionInfo>().stage };
  };

  /** The full session a reply's cookie opened, with its CSRF token from `me`. */
  const fullSession = async (res: LightMyRequestResponse): Promise<Session> => {
    const cookie = res.cookies.find((c) => c.name === 'careloop_session');
    if (!cookie) throw new Error(`no session cookie: ${res.statusCode} ${res.body}`);
    const me = await t.app.inject({
      method: 'GET',
      url: '/api/auth/me',
      headers: { cookie: `careloop_session=${cookie.value}` },
    });
    const info = me.json<SessionInfo>();
    expect(info.stage).toBe('active');
    return new Session(t, `careloop_session=${cookie.value}`, info.csrfToken, info.user.id);
  };

  /** Enrols the signed-in account; returns its secret, recovery codes and full session. */
  async function enrol(session: Session) {
    const started = await session.post('/api/auth/mfa/enrol');
    expect(started.statusCode, started.body).toBe(200);
    const { secret, otpauthUri } = started.json<MfaEnrolment>();
    expect(otpauthUri).toMatch(/^otpauth:\/\/totp\/Careloop:.*secret=/);
    const wrong = await session.post('/api/auth/mfa/confirm', { code: '000000' });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json()).toMatchObject({ path: '/body/code' });
    const confirmed = await session.post('/api/auth/mfa/confirm', {
      code: totpCodeAt(secret, clock.now()),
    });
    expect(confirmed.statusCode, confirmed.body).toBe(200);
    const { recoveryCodes } = confirmed.json<MfaRecoveryCodes>();
    const renewed = confirmed.cookies.some((c) => c.name === 'careloop_session');
    return { secret, recoveryCodes, confirmed, renewed };
  }

  it('sends an admin without a second factor to enrolment, and lets them do nothing else until enrolled', async () => {
    const email = await account(strict, 'admin');
    const { session, stage } = await signIn(email);
    expect(stage).toBe('mfa-enrol');
    expect((await session.get('/api/users')).statusCode).toBe(403);
    expect((await session.get('/api/patients')).statusCode).toBe(403);
    expect((await session.get('/api/auth/me')).json<SessionInfo>().stage).toBe('mfa-enrol');

    const { recoveryCodes, confirmed, renewed } = await enrol(session);
    expect(recoveryCodes).toHaveLength(10);
    expect(new Set(recoveryCodes).size).toBe(10);
    expect(renewed).toBe(true);
    const full = await fullSession(confirmed);
    expect((await full.get('/api/users')).statusCode).toBe(200);
    // The half-done session is gone; the new one has its own CSRF token.
    expect((await session.get('/api/auth/me')).statusCode).toBe(401);
  });

  it('asks for a code after the password, refuses a replayed or stale one and accepts one a step away', async () => {
    const email = await account(strict, 'admin');
    const first = await signIn(email);
    const { secret } = await enrol(first.session);

    const { session, stage } = await signIn(email);
    expect(stage).toBe('mfa-code');
    expect((await session.get('/api/patients')).statusCode).toBe(403);
    // The code used to confirm enrolment, in the same 30 s step: a replay.
    const replay = await session.post('/api/auth/mfa/verify', {
      code: totpCodeAt(secret, clock.now()),
    });
    expect(replay.statusCode).toBe(400);
    expect(replay.json()).toMatchObject({ path: '/body/code' });
    clock.advance(90_000);
    const stale = await session.post('/api/auth/mfa/verify', {
      code: totpCodeAt(secret, new Date(clock.now().getTime() - 60_000)),
    });
    expect(stale.statusCode).toBe(400);
    const previousStep = await session.post('/api/auth/mfa/verify', {
      code: totpCodeAt(secret, new Date(clock.now().getTime() - 30_000)),
    });
    expect(previousStep.statusCode, previousStep.body).toBe(200);
    const full = sessionOf(previousStep);
    expect(previousStep.json<SessionInfo>().stage).toBe('active');
    expect((await full.get('/api/users')).statusCode).toBe(200);
  });

  it('takes each recovery code once, and audits its use and every failed code', async () => {
    const email = await account(strict, 'admin');
    const { recoveryCodes } = await enrol((await signIn(email)).session);
    const code = recoveryCodes[3] ?? '';
    const once = await (await signIn(email)).session.post('/api/auth/mfa/verify', {
      code: code.toUpperCase(),
    });
    expect(once.statusCode, once.body).toBe(200);
    const twice = await (await signIn(email)).session.post('/api/auth/mfa/verify', { code });
    expect(twice.statusCode).toBe(400);
    const status = await sessionOf(once).get('/api/auth/mfa');
    expect(status.json<MfaStatus>()).toEqual({
      enabled: true,
      required: true,
      recoveryCodesLeft: 9,
    });

    const userId = once.json<SessionInfo>().user.id;
    const events = await t.database.system((tx) =>
      tx
        .select({ action: auditEvents.action, outcome: auditEvents.outcome })
        .from(auditEvents)
        .where(and(eq(auditEvents.actorId, userId), eq(auditEvents.recordType, 'user')))
        .orderBy(auditEvents.seq),
    );
    expect(events).toEqual([
      { action: 'mfa-code-failed', outcome: 'denied' },
      { action: 'mfa-enrol', outcome: 'success' },
      { action: 'mfa-recovery-code-used', outcome: 'success' },
      { action: 'mfa-code-failed', outcome: 'denied' },
    ]);
  });

  it('stores the secret encrypted and the recovery codes hashed', async () => {
    const email = await account(strict, 'admin');
    const { secret, recoveryCodes } = await enrol((await signIn(email)).session);
    const [row] = await t.database.system((tx) =>
      tx.select().from(users).where(eq(users.email, email)),
    );
    expect(row?.totpSecret).toBeTruthy();
    expect(row?.totpSecret).not.toContain(secret);
    expect(row?.recoveryCodeHashes).toHaveLength(10);
    const stored = JSON.stringify(row);
    for (const code of recoveryCodes) expect(stored).not.toContain(code);
  });

  it('limits codes tried for an account: the eleventh in 15 minutes gets 429', async () => {
    const email = await account(strict, 'admin');
    await enrol((await signIn(email)).session);
    const { session } = await signIn(email);
    for (let i = 0; i < 10; i += 1) {
      expect((await session.post('/api/auth/mfa/verify', { code: '123456' })).statusCode).toBe(400);
    }
    expect((await session.post('/api/auth/mfa/verify', { code: '123456' })).statusCode).toBe(429);
  });

  it('requires a second factor of all staff when the organization says so, and of nobody in an exempt demo organization', async () => {
    const org = await TestTenant.create(t, undefined, { mfaAdminsExempt: false });
    const clinician = await account(org, 'clinician');
    const working = await signIn(clinician);
    expect(working.stage).toBe('active');
    const { confirmed } = await enrol((await signIn(await account(org, 'admin'))).session);
    const admin = await fullSession(confirmed);
    const changed = await admin.patch('/api/organization/mfa', { mfaRequired: true });
    expect(changed.statusCode, changed.body).toBe(200);
    expect(changed.json()).toEqual({ mfaRequired: true, mfaAdminsExempt: false });
    // The clinician's open session ends; the next sign-in goes to enrolment.
    expect((await working.session.get('/api/auth/me')).statusCode).toBe(401);
    expect((await admin.get('/api/auth/me')).statusCode).toBe(200);
    expect((await signIn(clinician)).stage).toBe('mfa-enrol');
    const policyEvents = await t.database.system((tx) =>
      tx
        .select({ reason: auditEvents.reason })
        .from(auditEvents)
        .where(and(eq(auditEvents.orgId, org.orgId), eq(auditEvents.action, 'mfa-policy-change'))),
    );
    expect(policyEvents).toEqual([{ reason: 'required for all staff' }]);

    const demo = await TestTenant.create(t);
    expect((await signIn(await account(demo, 'admin'))).stage).toBe('active');
    expect((await signIn(await account(demo, 'clinician'))).stage).toBe('active');
  });

  it('turns off with the password and a code, but not where the organization requires it', async () => {
    const email = await account(strict, 'clinician');
    const { session } = await signIn(email);
    const { secret } = await enrol(session);
    clock.advance(30_000);
    const wrongPassword = await session.post('/api/auth/mfa/disable', {
      password: 'not the password',
      code: totpCodeAt(secret, clock.now()),
    });
    expect(wrongPassword.statusCode).toBe(400);
    expect(wrongPassword.json()).toMatchObject({ path: '/body/password' });
    const off = await session.post('/api/auth/mfa/disable', {
      password: PASSWORD,
      code: totpCodeAt(secret, clock.now()),
    });
    expect(off.statusCode, off.body).toBe(204);
    expect((await signIn(email)).stage).toBe('active');

    const adminEmail = await account(strict, 'admin');
    const enrolled = await enrol((await signIn(adminEmail)).session);
    clock.advance(30_000);
    const login = await signIn(adminEmail);
    const verified = await login.session.post('/api/auth/mfa/verify', {
      code: totpCodeAt(enrolled.secret, clock.now()),
    });
    clock.advance(30_000);
    const refused = await sessionOf(verified).post('/api/auth/mfa/disable', {
      password: PASSWORD,
      code: totpCodeAt(enrolled.secret, clock.now()),
    });
    expect(refused.statusCode).toBe(403);
  });
});
