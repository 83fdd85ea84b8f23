import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../modules/auth/passwords.js';
import { users } from '../modules/auth/schema.js';
import {
  createTestApp,
  type Session,
  samplePatient,
  type TestApp,
  TestTenant,
} from '../test/app.js';
import { describeEachDatabase } from '../test/databases.js';
import { parseAllowedOrigins } from './origin.js';

describe('CARELOOP_ALLOWED_ORIGINS', () => {
  it('reads a list of origins and refuses anything else, naming it', () => {
    expect(parseAllowedOrigins(undefined)).toEqual([]);
    expect(parseAllowedOrigins(' https://crm.example.org, http://127.0.0.1:5173 ')).toEqual([
      'https://crm.example.org',
      'http://127.0.0.1:5173',
    ]);
    expect(parseAllowedOrigins('https://crm.example.org/')).toEqual(['https://crm.example.org']);
    expect(() => parseAllowedOrigins('crm.example.org')).toThrow(/"crm\.example\.org"/);
    expect(() => parseAllowedOrigins('https://crm.example.org/app')).toThrow(/no path/);
    expect(() => parseAllowedOrigins('ftp://crm.example.org')).toThrow(/ALLOWED_ORIGINS/);
  });
});

const PASSWORD = 'a long passphrase for origins';
const EVIL = 'https://evil.example';

describeEachDatabase('the Origin check on sign-in and state-changing requests', (kind) => {
  let t: TestApp;
  let proxied: TestApp;
  let tenant: TestTenant;
  let admin: Session;
  let email: string;

  beforeAll(async () => {
    t = await createTestApp(kind, { CARELOOP_ALLOWED_ORIGINS: 'https://console.example.org' });
    proxied = await createTestApp(kind, { TRUST_PROXY: '1' });
    tenant = await TestTenant.create(t);
    admin = await tenant.signIn('admin');
    email = `origin-${randomBytes(5).toString('hex')}@test.careloop.test`;
    await t.database.system(async (tx) =>
      tx.insert(users).values({
        orgId: tenant.orgId,
        email,
        displayName: 'Origin Tester',
        role: 'front-desk',
        passwordHash: await hashPassword(PASSWORD),
      }),
    );
  });
  afterAll(async () => {
    await t?.close();
    await proxied?.close();
  });

  // `inject` sends Host: localhost:80, so the app's own origin is http://localhost.
  const signIn = (headers: Record<string, string>, app: TestApp = t) =>
    app.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      headers,
      payload: { email, password: PASSWORD },
    });
  const problem = (body: string) => JSON.parse(body) as { code: string; path: string };

  it('refuses a sign-in from another site, by Origin or by Referer', async () => {
    const byOrigin = await signIn({ origin: EVIL });
    expect(byOrigin.statusCode).toBe(403);
    expect(problem(byOrigin.body)).toMatchObject({ code: 'csrf_failed', path: '/headers/origin' });
    expect(byOrigin.cookies.find((c) => c.name === 'careloop_session')).toBeUndefined();

    const byReferer = await signIn({ referer: `${EVIL}/phish?next=/` });
    expect(byReferer.statusCode).toBe(403);
    expect(problem(byReferer.body).path).toBe('/headers/referer');

    // An opaque origin (a sandboxed frame, a data: page) is another site too.
    expect((await signIn({ origin: 'null' })).statusCode).toBe(403);
    // Same host, other scheme or port: another origin.
    expect((await signIn({ origin: 'https://localhost' })).statusCode).toBe(403);
    expect((await signIn({ origin: 'http://localhost:8081' })).statusCode).toBe(403);
  });

  it('lets a sign-in from the app itself, from a listed origin, or from no browser page', async () => {
    expect((await signIn({ origin: 'http://localhost' })).statusCode).toBe(200);
    expect((await signIn({ referer: 'http://localhost/portal' })).statusCode).toBe(200);
    expect((await signIn({ origin: 'https://console.example.org' })).statusCode).toBe(200);
    expect((await signIn({})).statusCode).toBe(200);
  });

  it('refuses a state-changing request from another site even with a valid session and CSRF token', async () => {
    const headers = {
      cookie: admin.cookie,
      'x-csrf-token': admin.csrfToken,
      'content-type': 'application/json',
    };
    const create = (origin: string) =>
      t.app.inject({
        method: 'POST',
        url: '/api/patients',
        headers: { ...headers, origin },
        payload: JSON.stringify(samplePatient()),
      });
    const refused = await create(EVIL);
    expect(refused.statusCode).toBe(403);
    expect(problem(refused.body).path).toBe('/headers/origin');
    expect((await create('http://localhost')).statusCode).toBe(200);

    const logout = await t.app.inject({
      method: 'POST',
      url: '/api/auth/logout',
      headers: { ...headers, origin: EVIL },
      payload: '{}',
    });
    expect(logout.statusCode).toBe(403);
    // Reads are not checked: a link from another site still opens the app.
    const read = await t.app.inject({
      method: 'GET',
      url: '/api/auth/me',
      headers: { cookie: admin.cookie, origin: EVIL },
    });
    expect(read.statusCode).toBe(200);
  });

  it('refuses a portal sign-up and a portal change from another site', async () => {
    const signUp = await t.app.inject({
      method: 'POST',
      url: '/api/portal/register',
      headers: { origin: EVIL },
      payload: {
        organizationId: tenant.orgId,
        password: 'a long passphrase 42',
        givenName: 'Imani',
        familyName: 'Okonkwo',
        birthDate: '1992-11-03',
        email: 'imani.origin@example.org',
      },
    });
    expect(signUp.statusCode).toBe(403);
    const preferences = await t.app.inject({
      method: 'PATCH',
      url: '/api/portal/preferences',
      headers: {
        cookie: admin.cookie,
        'x-csrf-token': admin.csrfToken,
        'content-type': 'application/json',
        origin: EVIL,
      },
      payload: '{}',
    });
    expect(preferences.statusCode).toBe(403);
  });

  it("behind a trusted proxy, takes the app's origin from X-Forwarded-Proto and -Host", async () => {
    const forwarded = { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'crm.example.org' };
    // The user exists in the first app's database only: 401 means the Origin check let it by.
    const viaProxy = await signIn({ ...forwarded, origin: 'https://crm.example.org' }, proxied);
    expect(viaProxy.statusCode).toBe(401);
    const wrongScheme = await signIn({ ...forwarded, origin: 'http://crm.example.org' }, proxied);
    expect(wrongScheme.statusCode).toBe(403);
    // Without TRUST_PROXY the forwarded headers are not believed.
    expect((await signIn({ ...forwarded, origin: 'https://crm.example.org' })).statusCode).toBe(
      403,
    );
  });
});
