import type { SessionProbe } from '@careloop/core';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestApp, type TestApp, TestTenant } from '../../test/app.js';
import { describeEachDatabase } from '../../test/databases.js';
import { sessions } from './schema.js';

describeEachDatabase('the session probe a page sends as it loads', (kind) => {
  let t: TestApp;
  let tenant: TestTenant;
  beforeAll(async () => {
    t = await createTestApp(kind);
    tenant = await TestTenant.create(t);
  });
  afterAll(() => t.close());

  const probe = (cookie?: string) =>
    t.app.inject({
      method: 'GET',
      url: '/api/auth/session',
      headers: cookie ? { cookie } : {},
    });

  it('answers 200 with no session when nobody is signed in', async () => {
    const res = await probe();
    expect(res.statusCode).toBe(200);
    expect(res.json<SessionProbe>()).toEqual({ session: null, expired: false });
  });

  it('answers with the user and CSRF token of a signed-in session', async () => {
    const session = await tenant.signIn('front-desk');
    const res = await probe(session.cookie);
    expect(res.statusCode).toBe(200);
    const body = res.json<SessionProbe>();
    expect(body.expired).toBe(false);
    expect(body.session).toMatchObject({
      csrfToken: session.csrfToken,
      stage: 'active',
      user: { id: session.userId, role: 'front-desk' },
    });
  });

  it('says a session expired, answers 200 and clears its cookie', async () => {
    const session = await tenant.signIn('front-desk');
    await t.database.system((tx) =>
      tx
        .update(sessions)
        .set({ lastSeenAt: new Date(0) })
        .where(eq(sessions.userId, session.userId)),
    );
    const res = await probe(session.cookie);
    expect(res.statusCode).toBe(200);
    expect(res.json<SessionProbe>()).toEqual({ session: null, expired: true });
    expect(res.cookies.find((c) => c.name === 'careloop_session')?.value).toBe('');
  });

  it('treats an unknown session token as nobody, not as expired', async () => {
    const res = await probe('careloop_session=not-a-session');
    expect(res.statusCode).toBe(200);
    expect(res.json<SessionProbe>()).toEqual({ session: null, expired: false });
  });
});
