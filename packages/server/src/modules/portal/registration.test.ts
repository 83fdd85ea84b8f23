import type { Patient360, PortalProfile, ReviewPage, SessionInfo, User } from '@careloop/core';
import { and, desc, eq, like, sql } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { outboundSubjectAad, outboundTextAad } from '../../crypto/encrypted-fields.js';
import { rowsOf } from '../../db/rows.js';
import { createTestApp, Session, type TestApp, TestTenant } from '../../test/app.js';
import { describeEachDatabase } from '../../test/databases.js';
import { auditEvents } from '../audit/schema.js';
import { hashPassword } from '../auth/passwords.js';
import { users } from '../auth/schema.js';
import { emailVerificationTokens } from '../auth/verification-schema.js';
import { outboundMessages } from '../messaging/schema.js';
import { SIGN_UP_RECEIVED } from './registration.js';

let ipCounter = 0;
let hashes = 0;

describeEachDatabase('portal sign-up', (kind) => {
  let t: TestApp;
  let tenant: TestTenant;
  let desk: Session;

  beforeAll(async () => {
    t = await createTestApp(
      kind,
      {},
      {
        hash: (password) => {
          hashes += 1;
          return hashPassword(password);
        },
      },
    );
    await t.services.jobs.start();
    tenant = await TestTenant.create(t);
    desk = await tenant.signIn('front-desk');
  }, 120_000);
  afterAll(() => t.close());

  const signUp = (body: Record<string, unknown>, ip = `10.9.0.${++ipCounter}`) =>
    t.app.inject({
      method: 'POST',
      url: '/api/portal/register',
      remoteAddress: ip,
      payload: { organizationId: tenant.orgId, password: 'a long passphrase 42', ...body },
    });
  const signIn = (email: unknown, password = 'a long passphrase 42') =>
    t.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      remoteAddress: `10.8.0.${++ipCounter}`,
      payload: { email, password },
    });
  /** The verification emails sent to `to`, newest first: subject, text and the link's token. */
  const verificationEmails = async (to: string) => {
    const rows = await t.database.system((tx) =>
      tx
        .select()
        .from(outboundMessages)
        .where(
          and(
            eq(outboundMessages.recipient, to),
            like(outboundMessages.idempotencyKey, 'email-verification:%'),
          ),
        )
        .orderBy(desc(outboundMessages.createdAt)),
    );
    return rows.map((m) => {
      const text = t.services.cipher.decrypt(m.textEncrypted, outboundTextAad(m.id, m.orgId));
      const token = /\/portal\/verify-email\?token=([^\s&]+)/.exec(text)?.[1];
      if (!token) throw new Error('no link in the verification email');
      const subject = m.subjectEncrypted
        ? t.services.cipher.decrypt(m.subjectEncrypted, outboundSubjectAad(m.id, m.orgId))
        : null;
      return { subject, text, token: decodeURIComponent(token) };
    });
  };
  const verify = (token: string, ip = `10.7.0.${++ipCounter}`) =>
    t.app.inject({
      method: 'POST',
      url: '/api/portal/verify-email',
      remoteAddress: ip,
      payload: { token },
    });
  /** Signs up, opens the emailed link, then signs in as the portal does; the sign-in's reply. */
  const signUpAndIn = async (body: Record<string, unknown>) => {
    const res = await signUp(body);
    expect(res.statusCode, res.body).toBe(202);
    const [email] = await verificationEmails(String(body.email).toLowerCase());
    if (!email) throw new Error('no verification email');
    const verified = await verify(email.token);
    expect(verified.statusCode, verified.body).toBe(200);
    return signIn(body.email);
  };
  const asSession = (res: Awaited<ReturnType<typeof signUp>>) => {
    const cookie = res.cookies.find((c) => c.name === 'careloop_session');
    if (!cookie) throw new Error('no session cookie');
    const info = res.json<SessionInfo>();
    return new Session(t, `careloop_session=${cookie.value}`, info.csrfToken, info.user.id);
  };

  it('creates an account and a golden record of its own, which the patient signs in to', async () => {
    const res = await signUpAndIn({
      givenName: 'Imani',
      familyName: 'Okonkwo-Reyes',
      birthDate: '1992-11-03',
      email: 'Imani.OR@example.org',
      phone: '(617) 555-0123',
    });
    expect(res.statusCode, res.body).toBe(200);
    const info = res.json<SessionInfo>();
    expect(info.user).toMatchObject({ role: 'patient', email: 'imani.or@example.org' });
    const me = await asSession(res).get('/api/portal/me');
    expect(me.statusCode).toBe(200);
    expect(me.json<PortalProfile>().patient).toMatchObject({
      id: info.user.patientId,
      givenName: 'Imani',
      familyName: 'Okonkwo-Reyes',
    });
    const sources = await desk.get(`/api/patients/${info.user.patientId}/sources`);
    expect(sources.json<{ sources: { kind: string }[] }>().sources).toMatchObject([
      { kind: 'portal' },
    ]);
  });

  it('never links a sign-up to an existing chart by itself; staff review, merge, and the account follows', async () => {
    const chart = await desk.post('/api/patients', {
      givenName: 'Bartholomew',
      familyName: 'Quigley',
      birthDate: '1958-06-30',
      administrativeSex: 'male',
      contactPoints: [{ system: 'phone', value: '(617) 555-0456' }],
    });
    expect(chart.statusCode).toBe(200);
    const chartId = chart.json<Patient360>().patient.id;
    const res = await signUpAndIn({
      givenName: 'Bartholomew',
      familyName: 'Quigley',
      birthDate: '1958-06-30',
      administrativeSex: 'male',
      email: 'bart.q@example.org',
      phone: '617-555-0456',
    });
    expect(res.statusCode, res.body).toBe(200);
    const patient = asSession(res);
    const ownId = res.json<SessionInfo>().user.patientId;
    expect(ownId).not.toBe(chartId);
    expect((await patient.get('/api/portal/me')).json<PortalProfile>().patient.id).toBe(ownId);

    const queue = (await desk.get('/api/mpi/reviews?limit=200')).json<ReviewPage>();
    const item = queue.items.find((i) => i.incoming.patientId === ownId);
    expect(item).toMatchObject({ reason: 'self-registration', candidate: { patientId: chartId } });
    const decided = await desk.post(`/api/mpi/reviews/${item?.id}/decision`, {
      decision: 'merge',
      reason: 'photo ID checked at the desk',
    });
    expect(decided.statusCode, decided.body).toBe(200);
    const after = (await patient.get('/api/portal/me')).json<PortalProfile>();
    expect(after.patient.id).toBe(chartId);
    expect(after.contactPoints.map((c) => c.value)).toContain('bart.q@example.org');
  });

  it('answers a sign-up with an existing email exactly as a new one, creates nothing and tells staff', async () => {
    const body = { givenName: 'Ada', familyName: 'Vance', birthDate: '1990-01-01' };
    hashes = 0;
    const first = await signUp({ ...body, email: 'ada.vance@example.org' });
    // The costly part of both answers is the same: one argon2 hash.
    expect(hashes).toBe(1);
    const again = await signUp({
      ...body,
      email: 'ADA.VANCE@example.org',
      password: 'another long passphrase 7',
    });
    expect(hashes).toBe(2);
    // An account of another organization is no different.
    const elsewhere = await TestTenant.create(t);
    const staffEmail = (await desk.get('/api/auth/me')).json<SessionInfo>().user.email;
    const otherOrg = await t.app.inject({
      method: 'POST',
      url: '/api/portal/register',
      remoteAddress: `10.9.0.${++ipCounter}`,
      payload: {
        ...body,
        organizationId: elsewhere.orgId,
        email: staffEmail,
        password: 'a long passphrase 42',
      },
    });
    for (const res of [first, again, otherOrg]) {
      expect(res.statusCode).toBe(202);
      expect(res.json()).toEqual(SIGN_UP_RECEIVED);
      expect(res.cookies).toEqual([]);
    }
    const accounts = await t.database.system((tx) =>
      tx.select({ id: users.id }).from(users).where(eq(users.email, 'ada.vance@example.org')),
    );
    expect(accounts).toHaveLength(1);
    const patients = rowsOf<{ n: number }>(
      await t.database.system((tx) =>
        tx.execute(
          sql`select count(*)::int as n from patients where family_name = 'Vance' and org_id = ${elsewhere.orgId}`,
        ),
      ),
    );
    expect(patients[0]?.n).toBe(0);
    const told = await t.database.system((tx) =>
      tx
        .select({ orgId: auditEvents.orgId, recordId: auditEvents.recordId })
        .from(auditEvents)
        .where(and(eq(auditEvents.action, 'signup-existing-email'))),
    );
    expect(told).toEqual(
      expect.arrayContaining([
        { orgId: tenant.orgId, recordId: accounts[0]?.id },
        { orgId: tenant.orgId, recordId: desk.userId },
      ]),
    );
    // The owner is told by email, once however many times someone tries within the hour.
    const notices = await t.database.system((tx) =>
      tx
        .select({ to: outboundMessages.recipient, userId: outboundMessages.userId })
        .from(outboundMessages)
        .where(
          and(
            eq(outboundMessages.purpose, 'account'),
            like(outboundMessages.idempotencyKey, 'signup-existing:%'),
          ),
        ),
    );
    // The first sign-up's verification link, and none for the attempts with its email.
    expect(await verificationEmails('ada.vance@example.org')).toHaveLength(1);
    expect(await verificationEmails(staffEmail)).toHaveLength(0);
    expect(notices.filter((n) => n.to === 'ada.vance@example.org')).toEqual([
      { to: 'ada.vance@example.org', userId: accounts[0]?.id },
    ]);
    expect(notices.filter((n) => n.userId === desk.userId)).toHaveLength(1);
    // The second sign-up's password opens nothing.
    const login = await t.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      remoteAddress: '10.8.1.1',
      payload: { email: 'ada.vance@example.org', password: 'another long passphrase 7' },
    });
    expect(login.statusCode).toBe(401);
  });

  it('signs an unverified patient in only to "check your email" until the emailed link is opened, once', async () => {
    const email = 'lucia.verify@example.org';
    const res = await signUp({
      givenName: 'Lucía',
      familyName: 'Verde',
      birthDate: '1985-04-12',
      email,
      language: 'es',
    });
    expect(res.statusCode, res.body).toBe(202);
    const [sent] = await verificationEmails(email);
    // In the language the patient signed up in, with a link to this installation's portal.
    expect(sent?.subject).toBe('Confirme su correo electrónico para el portal del paciente');
    expect(sent?.text).toContain('Hola Lucía Verde:');
    expect(sent?.text).toContain(`${t.services.config.publicUrl}/portal/verify-email?token=`);
    if (!sent) throw new Error('no verification email');
    // Only the token's hash is stored.
    const stored = await t.database.system((tx) =>
      tx
        .select()
        .from(emailVerificationTokens)
        .innerJoin(users, eq(users.id, emailVerificationTokens.userId))
        .where(eq(users.email, email)),
    );
    expect(stored).toHaveLength(1);
    expect(stored[0]?.email_verification_tokens.tokenHash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(stored)).not.toContain(sent.token.split('.')[1]);

    const pending = await signIn(email);
    expect(pending.statusCode, pending.body).toBe(200);
    expect(pending.json<SessionInfo>().stage).toBe('email-verify');
    const waiting = asSession(pending);
    for (const path of ['/api/portal/me', '/api/portal/appointments', '/api/portal/threads']) {
      const refused = await waiting.get(path);
      expect(refused.statusCode, path).toBe(403);
      expect(refused.json<{ message: string }>().message).toMatch(/Confirm your email/);
    }
    expect((await waiting.get('/api/auth/me')).statusCode).toBe(200);
    // Staff see that the account is not verified yet.
    const admin = await tenant.signIn('admin');
    const listed = async () =>
      (await admin.get(`/api/users?role=patient&q=${email}`))
        .json<{ items: User[] }>()
        .items.find((u) => u.email === email);
    expect((await listed())?.emailVerifiedAt).toBeNull();

    // A second link works as well as the first; opening one ends the others.
    const resent = await waiting.post('/api/portal/verify-email/resend');
    expect(resent.statusCode, resent.body).toBe(202);
    const [second, first] = await verificationEmails(email);
    expect(first?.token).toBe(sent.token);
    if (!second) throw new Error('no second email');
    expect(second.subject).toBe(sent.subject);
    const done = await verify(second.token);
    expect(done.statusCode, done.body).toBe(200);
    expect((await verify(second.token)).statusCode).toBe(400);
    const stale = await verify(sent.token);
    expect(stale.statusCode).toBe(400);
    expect(stale.json()).toMatchObject({ path: '/body/token' });
    // The "check your email" session ended; signing in again opens the portal.
    expect((await waiting.get('/api/auth/me')).statusCode).toBe(401);
    const active = await signIn(email);
    expect(active.json<SessionInfo>().stage).toBe('active');
    expect((await asSession(active).get('/api/portal/me')).statusCode).toBe(200);
    expect((await asSession(active).post('/api/portal/verify-email/resend')).statusCode).toBe(409);
    expect((await listed())?.emailVerifiedAt).not.toBeNull();
    const audited = await t.database.system((tx) =>
      tx.select().from(auditEvents).where(eq(auditEvents.action, 'email-verified')),
    );
    expect(audited.map((a) => a.actorEmail)).toContain(email);
  });

  it('refuses an expired, unknown or malformed link by field, and limits resends before any work', async () => {
    const email = 'expiring.verify@example.org';
    expect(
      (await signUp({ givenName: 'Exa', familyName: 'Pire', birthDate: '1979-02-02', email }))
        .statusCode,
    ).toBe(202);
    const [sent] = await verificationEmails(email);
    if (!sent) throw new Error('no verification email');
    expect(sent.subject).toBe('Confirm your email for the patient portal');
    await t.database.system((tx) =>
      tx
        .update(emailVerificationTokens)
        .set({ expiresAt: new Date('2000-01-01T00:00:00Z') })
        .where(eq(emailVerificationTokens.orgId, tenant.orgId)),
    );
    const expired = await verify(sent.token);
    expect(expired.statusCode).toBe(400);
    expect(expired.json()).toMatchObject({ path: '/body/token' });
    const [orgId] = sent.token.split('.');
    const unknown = await verify(`${orgId}.${'B'.repeat(43)}`);
    expect(unknown.statusCode).toBe(400);
    for (const bad of ['nonsense', `${orgId}.short`, `${'x'.repeat(36)}.${'B'.repeat(43)}`]) {
      const res = await verify(bad);
      expect(res.statusCode, bad).toBe(400);
      expect(res.json()).toMatchObject({ path: '/body/token' });
    }
    const waiting = asSession(await signIn(email));
    const codes: number[] = [];
    for (let i = 0; i < 4; i += 1) {
      codes.push((await waiting.post('/api/portal/verify-email/resend')).statusCode);
    }
    expect(codes).toEqual([202, 202, 202, 429]);
    expect(await verificationEmails(email)).toHaveLength(4);
  });

  it('refuses bad sign-ups with clear errors', async () => {
    const body = { givenName: 'Ada', familyName: 'Vance', birthDate: '1990-01-01' };
    expect((await signUp({ ...body, email: 'x@example.org', password: 'short' })).statusCode).toBe(
      400,
    );
    for (const weak of ['            ', 'aaaaaaaaaaaa', 'password1234']) {
      const res = await signUp({ ...body, email: 'weak@example.org', password: weak });
      expect(res.statusCode, weak).toBe(400);
      expect(res.json()).toMatchObject({ path: '/body/password' });
      expect(res.json().message).toMatch(/too easy to guess/);
    }
    const badEmail = await signUp({ ...body, email: 'not-an-email' });
    expect(badEmail.statusCode).toBe(400);
    expect(badEmail.json()).toMatchObject({ path: '/body/email' });
    const badPhone = await signUp({ ...body, email: 'ok@example.org', phone: '123' });
    expect(badPhone.json()).toMatchObject({ path: '/body/phone' });
    expect(badPhone.statusCode).toBe(400);
    expect(
      (await signUp({ ...body, email: 'future@example.org', birthDate: '2999-01-01' })).statusCode,
    ).toBe(400);
    const nowhere = await signUp({
      ...body,
      email: 'nowhere@example.org',
      organizationId: '00000000-0000-4000-8000-000000000000',
    });
    expect(nowhere.statusCode).toBe(404);
  });

  it('limits sign-ups from one address', async () => {
    const ip = '10.99.0.1';
    const codes: number[] = [];
    for (let i = 0; i < 21; i += 1) {
      const res = await signUp(
        {
          givenName: 'Rate',
          familyName: `Limit${'x'.repeat(i + 1)}`,
          birthDate: '1980-05-05',
          email: `rate${i}@example.org`,
        },
        ip,
      );
      codes.push(res.statusCode);
    }
    expect(codes).toEqual([...Array<number>(20).fill(202), 429]);
  });
});

describeEachDatabase('portal sign-up on a fixed day', (kind) => {
  let t: TestApp;
  let tenant: TestTenant;
  const today = new Date('2026-03-10T12:00:00Z');
  beforeAll(async () => {
    const clock = { now: () => today, sleep: async () => {} };
    t = await createTestApp(kind, {}, { clock });
    // A sign-up queues its verification email, which sends a job.
    await t.services.jobs.start();
    tenant = await TestTenant.create(t);
  });
  afterAll(() => t.close());

  const signUp = (email: string, birthDate: string) =>
    t.app.inject({
      method: 'POST',
      url: '/api/portal/register',
      remoteAddress: '10.9.1.1',
      payload: {
        organizationId: tenant.orgId,
        password: 'a long passphrase 42',
        givenName: 'Ada',
        familyName: 'Vance',
        email,
        birthDate,
      },
    });

  it('refuses a birth date after today anywhere on Earth, naming the field, by the same rule as every source', async () => {
    const later = await signUp('later@example.org', '2026-03-12');
    expect(later.statusCode).toBe(400);
    expect(later.json()).toMatchObject({ path: '/body/birthDate' });
    // Already March 11 in Kiritimati (UTC+14) at 12:00 UTC on March 10.
    expect((await signUp('kiritimati@example.org', '2026-03-11')).statusCode).toBe(202);
  });
});
