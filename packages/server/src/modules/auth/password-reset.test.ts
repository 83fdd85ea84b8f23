import { PASSWORD_RESET_MINUTES } from '@careloop/core';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestApp, type Session, type TestApp, TestTenant } from '../../test/app.js';
import { TestClock } from '../../test/clock.js';
import { describeEachDatabase } from '../../test/databases.js';
import { SmtpSink } from '../../test/smtp-sink.js';
import { auditEvents } from '../audit/schema.js';
import { outboundMessages } from '../messaging/schema.js';
import { RESET_REQUESTED } from './password-reset.js';
import { passwordResetTokens } from './reset-schema.js';

const NEW_PASSWORD = 'violet lantern across quiet harbors';

describeEachDatabase('password reset by a one-time link', (kind) => {
  let app: TestApp;
  let sink: SmtpSink;
  let tenant: TestTenant;
  let ip = 0;
  const clock = new TestClock();

  beforeAll(async () => {
    sink = await SmtpSink.start();
    app = await createTestApp(
      kind,
      { SMTP_URL: sink.url, CARELOOP_PUBLIC_URL: 'https://crm.clinic.example' },
      { clock },
    );
    await app.services.jobs.start();
    tenant = await TestTenant.create(app);
  }, 120_000);

  afterAll(async () => {
    await app.close();
    await sink.close();
  });

  const post = (url: string, payload: unknown, remoteAddress = `10.7.0.${++ip}`) =>
    app.app.inject({ method: 'POST', url, payload: payload as object, remoteAddress });

  /** Sends what the outbox holds for `to`, as the worker would, and returns the link in it. */
  const linkSentTo = async (to: string): Promise<string> => {
    const rows = await app.database.withTenant(tenant.orgId, (tx) =>
      tx
        .select({ id: outboundMessages.id })
        .from(outboundMessages)
        .where(and(eq(outboundMessages.recipient, to), eq(outboundMessages.status, 'queued'))),
    );
    for (const row of rows) {
      await app.services.outbox.deliver({ orgId: tenant.orgId, messageId: row.id });
    }
    const mail = sink.to(to).at(-1);
    const link = /https:\/\/crm\.clinic\.example\/reset-password\?token=([^\s"<]+)/.exec(
      // The text part, quoted-printable: soft line breaks and `=3D` for `=`.
      mail?.raw.replace(/=\r?\n/g, '').replace(/=3D/g, '=') ?? '',
    );
    if (!link?.[1]) throw new Error(`no link sent to ${to}`);
    return decodeURIComponent(link[1]);
  };

  const staff = async (): Promise<{ session: Session; email: string }> => {
    const session = await tenant.signIn('care-coordinator');
    const me = await session.get('/api/auth/me');
    return { session, email: me.json<{ user: { email: string } }>().user.email };
  };

  it('answers the same whether or not the address has an account, and mails only an account', async () => {
    const { email } = await staff();
    const known = await post('/api/auth/password-reset', { email });
    const unknown = await post('/api/auth/password-reset', { email: 'nobody@example.org' });
    for (const res of [known, unknown]) {
      expect(res.statusCode).toBe(202);
      expect(res.json()).toEqual(RESET_REQUESTED);
    }
    await linkSentTo(email);
    expect(sink.to(email)).toHaveLength(1);
    expect(sink.to('nobody@example.org')).toHaveLength(0);
    // Only a hash of the token is stored.
    const token = await linkSentTo(email);
    const stored = await app.database.system((tx) => tx.select().from(passwordResetTokens));
    expect(stored.some((row) => row.tokenHash.includes(token.split('.')[1] ?? '-'))).toBe(false);
  });

  it('sets a new password once, ends every session and other link, and is audited', async () => {
    const { session, email } = await staff();
    await post('/api/auth/password-reset', { email });
    const older = await linkSentTo(email);
    await post('/api/auth/password-reset', { email });
    const token = await linkSentTo(email);
    expect(token).not.toBe(older);
    const weak = await post('/api/auth/password-reset/confirm', {
      token,
      password: 'password1234',
    });
    expect(weak.statusCode).toBe(400);
    expect(weak.json(), weak.body).toMatchObject({ path: '/body/password' });
    const done = await post('/api/auth/password-reset/confirm', { token, password: NEW_PASSWORD });
    expect(done.statusCode).toBe(200);
    // The session from before the reset has ended.
    expect((await session.get('/api/auth/me')).statusCode).toBe(401);
    const login = await post('/api/auth/login', { email, password: NEW_PASSWORD });
    expect(login.statusCode).toBe(200);
    // Neither this link nor the older one works again.
    for (const used of [token, older]) {
      const again = await post('/api/auth/password-reset/confirm', {
        token: used,
        password: `${NEW_PASSWORD} again`,
      });
      expect(again.statusCode).toBe(400);
      expect(again.json()).toMatchObject({ path: '/body/token' });
    }
    const events = await app.database.withTenant(tenant.orgId, (tx) =>
      tx
        .select({ action: auditEvents.action })
        .from(auditEvents)
        .where(eq(auditEvents.recordId, session.userId)),
    );
    expect(events.map((e) => e.action)).toEqual(
      expect.arrayContaining(['password-reset-requested', 'password-reset']),
    );
  });

  it('refuses a link past its 30 minutes', async () => {
    const { email } = await staff();
    await post('/api/auth/password-reset', { email });
    const token = await linkSentTo(email);
    clock.advance(PASSWORD_RESET_MINUTES * 60_000);
    const late = await post('/api/auth/password-reset/confirm', { token, password: NEW_PASSWORD });
    expect(late.statusCode).toBe(400);
    expect(late.json()).toMatchObject({ path: '/body/token' });
  });

  it('refuses a forged token with a 400 naming it', async () => {
    for (const token of ['nonsense', `${tenant.orgId}.${'A'.repeat(43)}`]) {
      const res = await post('/api/auth/password-reset/confirm', { token, password: NEW_PASSWORD });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ path: '/body/token' });
    }
  });

  it('counts requests per address before any work, and per account whatever the address', async () => {
    const { email } = await staff();
    const codes: number[] = [];
    for (let i = 0; i < 5; i++) {
      codes.push((await post('/api/auth/password-reset', { email })).statusCode);
    }
    expect(codes).toEqual([202, 202, 202, 429, 429]);
    const fromOne: number[] = [];
    for (let i = 0; i < 12; i++) {
      const res = await post(
        '/api/auth/password-reset',
        { email: `x${i}@example.org` },
        '10.6.6.6',
      );
      fromOne.push(res.statusCode);
    }
    expect(fromOne.filter((c) => c === 429)).toHaveLength(2);
  });
});
