import { Writable } from 'node:stream';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type BuiltApp, buildApp } from '../app.js';
import { loggerOptions } from '../logger.js';
import { createTestApp, type TestApp, TestTenant } from '../test/app.js';
import { describeEachDatabase } from '../test/databases.js';

describeEachDatabase('logs', (kind) => {
  let t: TestApp;
  let logged: App;
  let output = '';

  type App = BuiltApp['app'];
  beforeAll(async () => {
    t = await createTestApp(kind);
    const sink = new Writable({
      write(chunk, _enc, done) {
        output += String(chunk);
        done();
      },
    });
    const built = await buildApp(t.services, {
      logger: loggerOptions('debug', sink),
      serveWeb: false,
    });
    logged = built.app;
    await logged.ready();
  });
  afterAll(async () => {
    await logged.close();
    await t.close();
  });

  it('carry no PHI and no secrets, whatever the request', async () => {
    const tenant = await TestTenant.create(t);
    const session = await tenant.signIn('front-desk');
    const headers = { cookie: session.cookie, 'x-csrf-token': session.csrfToken };
    const created = await logged.inject({
      method: 'POST',
      url: '/api/patients',
      headers,
      payload: {
        givenName: 'Philippa',
        familyName: 'Quarrington',
        birthDate: '1951-09-17',
        administrativeSex: 'female',
        contactPoints: [{ system: 'email', value: 'philippa.q@example.org' }],
      },
    });
    expect(created.statusCode).toBe(200);
    const id = created.json<{ patient: { id: string } }>().patient.id;
    await logged.inject({ method: 'GET', url: '/api/patients?q=Quarrington%20Philippa', headers });
    await logged.inject({ method: 'GET', url: '/api/patients?q=1951-09-17', headers });
    await logged.inject({ method: 'GET', url: `/api/patients/${id}`, headers });
    await logged.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { email: 'philippa.q@example.org', password: 'hunter2-secret' },
    });
    expect(output).toContain('"statusCode":200');
    for (const secret of [
      'Philippa',
      'Quarrington',
      '1951-09-17',
      'philippa.q',
      'hunter2-secret',
      session.csrfToken,
      session.cookie.split('=')[1] ?? 'x',
    ]) {
      expect(output, secret).not.toContain(secret);
    }
  });
});
