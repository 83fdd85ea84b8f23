import type { SessionInfo } from '@careloop/core';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { rowsOf } from '../../db/rows.js';
import { createTestApp, login, type TestApp, TestTenant } from '../../test/app.js';
import { describeEachDatabase } from '../../test/databases.js';
import { sessions } from './schema.js';

describeEachDatabase('sign-in and sessions', (kind) => {
  let t: TestApp;
  let tenant: TestTenant;
  beforeAll(async () => {
    t = await createTestApp(kind);
    tenant = await TestTenant.create(t);
  });
  afterAll(() => t.close());

  const tryLogin = (email: string, password: string, ip = '10.0.0.1') =>
    t.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { email, password },
      remoteAddress: ip,
    });

  it('sets an httpOnly SameSite=Strict session cookie and returns the user and CSRF token', async () => {
    const session = await tenant.signIn('front-desk');
    const me = await session.get('/api/auth/me');
    expect(me.statusCode).toBe(200);
    const info = me.json<SessionInfo>();
    expect(info.user.role).toBe('front-desk');
    expect(info.user.orgName).toBe(tenant.name);
    expect(info.csrfToken).toBe(session.csrfToken);
  });

  it('marks the cookie httpOnly and SameSite=Strict', async () => {
    const session = await tenant.signIn('clinician');
    const email = (await session.get('/api/auth/me')).json<SessionInfo>().user.email;
    const res = await tryLogin(email, 'correct horse battery staple');
    const cookie = res.cookies.find((c) => c.name === 'careloop_session');
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/' });
  });

  it('gives the same answer for an unknown email and a wrong password', async () => {
    const session = await tenant.signIn('analyst');
    const email = (await session.get('/api/auth/me')).json<SessionInfo>().user.email;
    const wrong = await tryLogin(email, 'not the password', '10.0.0.2');
    const unknown = await tryLogin('nobody@nowhere.test', 'whatever', '10.0.0.2');
    expect(wrong.statusCode).toBe(401);
    expect(unknown.statusCode).toBe(401);
    expect(wrong.json().message).toBe(unknown.json().message);
  });

  it('lets the owner in after 10 failures on the account from many addresses (no lockout)', async () => {
    const session = await tenant.signIn('marketer');
    const email = (await session.get('/api/auth/me')).json<SessionInfo>().user.email;
    for (let i = 0; i < 10; i++) {
      expect((await tryLogin(email, `bad-${i}`, `10.1.0.${i}`)).statusCode).toBe(401);
    }
    const owner = await tryLogin(email, 'correct horse battery staple', '10.1.0.99');
    expect(owner.statusCode).toBe(200);
  });

  it('answers 429 with Retry-After after 10 failures of one account from one address', async () => {
    const session = await tenant.signIn('marketer');
    const email = (await session.get('/api/auth/me')).json<SessionInfo>().user.email;
    for (let i = 0; i < 10; i++) {
      expect((await tryLogin(email, `bad-${i}`, '10.2.0.1')).statusCode).toBe(401);
    }
    const blocked = await tryLogin(email, 'correct horse battery staple', '10.2.0.1');
    expect(blocked.statusCode).toBe(429);
    expect(blocked.json()).toMatchObject({ code: 'rate_limited' });
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('refuses requests without a session', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/patients' });
    expect(res.statusCode).toBe(401);
    expect(res.json()).toMatchObject({ status: 401, code: 'unauthenticated' });
  });

  it('refuses a state-changing request without the CSRF token', async () => {
    const session = await tenant.signIn('front-desk');
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/patients',
      headers: { cookie: session.cookie, 'content-type': 'application/json' },
      payload: '{}',
    });
    expect(res.statusCode).toBe(403);
    expect(res.json()).toMatchObject({ code: 'csrf_failed' });
  });

  it('ends the session server-side on logout', async () => {
    const session = await tenant.signIn('front-desk');
    expect((await session.post('/api/auth/logout')).statusCode).toBe(204);
    expect((await session.get('/api/auth/me')).statusCode).toBe(401);
  });

  it('expires a session idle for 15 minutes, and one older than 12 hours', async () => {
    const idle = await tenant.signIn('front-desk');
    await t.database.system((tx) =>
      tx
        .update(sessions)
        .set({ lastSeenAt: new Date(Date.now() - 16 * 60_000) })
        .where(sql`user_id = ${idle.userId}`),
    );
    const res = await idle.get('/api/auth/me');
    expect(res.statusCode).toBe(401);
    expect(res.json()).toMatchObject({ code: 'session_expired' });

    const old = await tenant.signIn('front-desk');
    await t.database.system((tx) =>
      tx
        .update(sessions)
        .set({ expiresAt: new Date(Date.now() - 1000) })
        .where(sql`user_id = ${old.userId}`),
    );
    expect((await old.get('/api/auth/me')).statusCode).toBe(401);
  });

  it('audits sign-ins, failures and sign-outs in the organization chain', async () => {
    const session = await tenant.signIn('care-coordinator');
    const email = (await session.get('/api/auth/me')).json<SessionInfo>().user.email;
    await tryLogin(email, 'wrong', '10.3.0.1');
    await session.post('/api/auth/logout');
    const actions = rowsOf<{ action: string; outcome: string }>(
      await t.database.system((tx) =>
        tx.execute(
          sql`select action, outcome from audit_events where actor_email = ${email} order by seq`,
        ),
      ),
    );
    expect(actions).toEqual([
      { action: 'login', outcome: 'success' },
      { action: 'login-failed', outcome: 'denied' },
      { action: 'logout', outcome: 'success' },
    ]);
  });

  it('stores only a hash of the session token', async () => {
    const session = await tenant.signIn('admin');
    const token = session.cookie.split('=')[1] ?? '';
    const rows = await t.database.system((tx) => tx.select({ id: sessions.id }).from(sessions));
    expect(rows.some((r) => r.id === token)).toBe(false);
    expect(await login(t, 'nobody@x.test', 'y').catch((e: Error) => e.message)).toContain('401');
  });
});
