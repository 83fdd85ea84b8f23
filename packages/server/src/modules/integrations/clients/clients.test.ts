import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MedplumClient } from '@medplum/core';
import type { Patient } from '@medplum/fhirtypes';
import { and, eq } from 'drizzle-orm';
import { exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestApp, type Session, type TestApp, TestTenant } from '../../../test/app.js';
import { TestClock } from '../../../test/clock.js';
import { describeEachDatabase } from '../../../test/databases.js';
import { auditEvents } from '../../audit/schema.js';

type KeyPair = Awaited<ReturnType<typeof generateKeyPair>>;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function publicJwk(pair: KeyPair, kid: string, alg: string): Promise<JWK> {
  return { ...(await exportJWK(pair.publicKey)), kid, alg, use: 'sig' };
}

describeEachDatabase('SMART Backend Services clients', (kind) => {
  let app: TestApp;
  let base: string;
  let tokenUrl: string;
  const clock = new TestClock('2026-12-06T09:00:00Z');
  let tenant: TestTenant;
  let admin: Session;
  let patientId: string;
  let otherPatientId: string;
  let key: KeyPair;
  let jwk: JWK;

  beforeAll(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    tokenUrl = `${base}/oauth2/token`;
    app = await createTestApp(
      kind,
      { CARELOOP_PUBLIC_URL: base, INTEGRATION_ALLOWED_HOSTS: '127.0.0.1' },
      { clock },
    );
    await app.app.listen({ port, host: '127.0.0.1' });
    tenant = await TestTenant.create(app);
    admin = await tenant.signIn('admin');
    patientId = (await tenant.createPatient({ givenName: 'Maria', familyName: 'Lopez' })).id;
    const other = await TestTenant.create(app);
    otherPatientId = (await other.createPatient({ givenName: 'Ana', familyName: 'Other' })).id;
    key = await generateKeyPair('ES384', { extractable: true });
    jwk = await publicJwk(key, 'k1', 'ES384');
  });
  afterAll(() => app.close());

  async function register(body: Record<string, unknown>): Promise<string> {
    const res = await admin.post('/api/integrations/clients', body);
    expect(res.statusCode, res.body).toBe(200);
    return res.json<{ clientId: string }>().clientId;
  }

  function assertion(
    clientId: string,
    options: { pair?: KeyPair; alg?: string; aud?: string; expIn?: number; jti?: string } = {},
  ): Promise<string> {
    const now = Math.floor(clock.now().getTime() / 1000);
    return new SignJWT({})
      .setProtectedHeader({ alg: options.alg ?? 'ES384', kid: 'k1', typ: 'JWT' })
      .setIssuer(clientId)
      .setSubject(clientId)
      .setAudience(options.aud ?? tokenUrl)
      .setIssuedAt(now)
      .setExpirationTime(now + (options.expIn ?? 240))
      .setJti(options.jti ?? randomUUID())
      .sign((options.pair ?? key).privateKey);
  }

  async function token(
    jwt: string,
    scope?: string,
  ): Promise<{ status: number; body: Record<string, string> }> {
    const form = new URLSearchParams({
      grant_type: 'client_credentials',
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: jwt,
      ...(scope ? { scope } : {}),
    });
    const res = await fetch(tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form.toString(),
    });
    return { status: res.status, body: (await res.json()) as Record<string, string> };
  }

  const asClient = (accessToken: string, url: string, method: 'GET' | 'POST' = 'GET') =>
    app.app.inject({
      method,
      url,
      headers: {
        authorization: `Bearer ${accessToken}`,
        ...(method === 'POST' ? { 'content-type': 'application/json' } : {}),
      },
      ...(method === 'POST'
        ? { payload: JSON.stringify({ givenName: 'X', familyName: 'Y' }) }
        : {}),
    });

  it('a real FHIR client (MedplumClient) signs in with a private_key_jwt and reads patients', async () => {
    const clientId = await register({
      name: 'Population health',
      jwks: { keys: [jwk] },
      scopes: ['system/Patient.rs'],
    });
    const config = await (await fetch(`${base}/fhir/R4/.well-known/smart-configuration`)).json();
    expect(config).toMatchObject({
      token_endpoint: tokenUrl,
      token_endpoint_auth_methods_supported: ['private_key_jwt'],
    });
    const medplum = new MedplumClient({
      baseUrl: `${base}/`,
      fhirUrlPath: 'fhir/R4',
      tokenUrl,
      fetch: (url: string | URL | Request, init?: RequestInit) => fetch(url, init),
    });
    await medplum.startJwtAssertionLogin(await assertion(clientId));
    const patient = await medplum.readResource('Patient', patientId);
    expect(patient.name?.[0]?.family).toBe('Lopez');
    const found = await medplum.searchResources('Patient', { name: 'Lopez' });
    expect(found.map((p: Patient) => p.id)).toContain(patientId);

    // Audited as the client: its id, its name, the actor type `client`.
    const events = await app.database.system((tx) =>
      tx
        .select()
        .from(auditEvents)
        .where(and(eq(auditEvents.orgId, tenant.orgId), eq(auditEvents.actorId, clientId))),
    );
    expect(events.map((e) => e.action)).toEqual(expect.arrayContaining(['login', 'read']));
    expect(events.every((e) => e.actorRole === 'client')).toBe(true);
    expect(events.find((e) => e.action === 'read')?.patientId).toBe(patientId);
  });

  it('holds the token to its scopes: no Appointment read, no write, no console route', async () => {
    const clientId = await register({
      name: 'Reader',
      jwks: { keys: [jwk] },
      scopes: ['system/Patient.rs'],
    });
    const { status, body } = await token(await assertion(clientId));
    expect(status).toBe(200);
    expect(body.expires_in).toBe(300);
    const bearer = body.access_token ?? '';
    expect((await asClient(bearer, `/fhir/R4/Patient/${patientId}`)).statusCode).toBe(200);
    expect((await asClient(bearer, `/api/patients/${patientId}`)).statusCode).toBe(200);
    const appointment = await asClient(bearer, `/fhir/R4/Appointment?patient=${patientId}`);
    expect(appointment.statusCode).toBe(403);
    expect(appointment.headers['www-authenticate']).toContain('insufficient_scope');
    expect((await asClient(bearer, '/api/patients', 'POST')).statusCode).toBe(403);
    expect((await asClient(bearer, '/api/users')).statusCode).toBe(403);
    expect((await asClient(bearer, '/api/integrations/clients')).statusCode).toBe(403);
    // Bound to its organization: another tenant's patient does not exist for it.
    expect((await asClient(bearer, `/fhir/R4/Patient/${otherPatientId}`)).statusCode).toBe(404);
  });

  it('refuses a scope the client does not hold', async () => {
    const clientId = await register({
      name: 'Narrow',
      jwks: { keys: [jwk] },
      scopes: ['system/Patient.rs'],
    });
    const res = await token(await assertion(clientId), 'system/Appointment.rs');
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('invalid_scope');
  });

  it('refuses a wrong key, a wrong audience, an expired or too long assertion, a replay', async () => {
    const clientId = await register({
      name: 'Strict',
      jwks: { keys: [jwk] },
      scopes: ['system/Patient.rs'],
    });
    const stranger = await generateKeyPair('ES384');
    const wrongKey = await token(await assertion(clientId, { pair: stranger }));
    expect([wrongKey.status, wrongKey.body.error]).toEqual([401, 'invalid_client']);
    const wrongAud = await token(await assertion(clientId, { aud: `${base}/other` }));
    expect([wrongAud.status, wrongAud.body.error_description]).toEqual([
      401,
      `aud must be ${tokenUrl}`,
    ]);
    const expired = await token(await assertion(clientId, { expIn: -10 }));
    expect(expired.status).toBe(401);
    const tooLong = await token(await assertion(clientId, { expIn: 3600 }));
    expect(tooLong.body.error_description).toMatch(/at most 300 seconds/);
    const jwt = await assertion(clientId);
    expect((await token(jwt)).status).toBe(200);
    const replay = await token(jwt);
    expect([replay.status, replay.body.error_description]).toEqual([
      401,
      'The assertion was used before (jti)',
    ]);
    const unknown = await token(await assertion(randomUUID()));
    expect(unknown.status).toBe(401);
    const failed = await app.database.system((tx) =>
      tx
        .select()
        .from(auditEvents)
        .where(and(eq(auditEvents.actorId, clientId), eq(auditEvents.action, 'login-failed'))),
    );
    expect(failed.length).toBe(5);
  });

  it('a token lives five minutes; revoking the client ends its live tokens at once', async () => {
    const clientId = await register({
      name: 'Short',
      jwks: { keys: [jwk] },
      scopes: ['system/*.rs'],
    });
    const first = (await token(await assertion(clientId))).body.access_token ?? '';
    clock.advance(301_000);
    const late = await asClient(first, `/fhir/R4/Patient/${patientId}`);
    expect(late.statusCode).toBe(401);
    expect(late.headers['www-authenticate']).toContain('invalid_token');
    const second = (await token(await assertion(clientId))).body.access_token ?? '';
    expect((await asClient(second, `/fhir/R4/Appointment?patient=${patientId}`)).statusCode).toBe(
      200,
    );
    const revoked = await admin.post(`/api/integrations/clients/${clientId}/revoke`);
    expect(revoked.json<{ revokedAt: string | null }>().revokedAt).not.toBeNull();
    expect((await asClient(second, `/fhir/R4/Patient/${patientId}`)).statusCode).toBe(401);
    expect((await token(await assertion(clientId))).status).toBe(401);
  });

  it('fetches keys from a JWKS URL only on an allowed host', async () => {
    const rsa = await generateKeyPair('RS384', { extractable: true });
    const keys = { keys: [await publicJwk(rsa, 'k1', 'RS384')] };
    const jwksServer: Server = createServer((_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(keys));
    });
    await new Promise<void>((resolve) => jwksServer.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = jwksServer.address() as AddressInfo;
      const clientId = await register({
        name: 'By URL',
        jwksUrl: `http://127.0.0.1:${port}/jwks.json`,
        scopes: ['system/Patient.rs'],
      });
      const res = await token(await assertion(clientId, { pair: rsa, alg: 'RS384' }));
      expect(res.status).toBe(200);
      const refused = await admin.post('/api/integrations/clients', {
        name: 'Elsewhere',
        jwksUrl: `http://localhost:${port}/jwks.json`,
        scopes: ['system/Patient.rs'],
      });
      expect(refused.statusCode).toBe(400);
      expect(refused.json<{ path: string }>().path).toBe('/body/jwksUrl');
    } finally {
      await new Promise<void>((resolve) => jwksServer.close(() => resolve()));
    }
  });

  it('registers read scopes and public keys only', async () => {
    const write = await admin.post('/api/integrations/clients', {
      name: 'Writer',
      jwks: { keys: [jwk] },
      scopes: ['system/Patient.rs', 'system/Patient.cruds'],
    });
    expect(write.statusCode).toBe(400);
    expect(write.json<{ path: string }>().path).toBe('/body/scopes/1');
    const privateJwk = { ...(await exportJWK(key.privateKey)), kid: 'k1' };
    const leaked = await admin.post('/api/integrations/clients', {
      name: 'Leaked',
      jwks: { keys: [privateJwk] },
      scopes: ['system/Patient.rs'],
    });
    expect(leaked.statusCode).toBe(400);
    expect(leaked.json<{ path: string }>().path).toBe('/body/jwks/keys/0');
    const clinician = await tenant.signIn('clinician');
    expect((await clinician.get('/api/integrations/clients')).statusCode).toBe(403);
  });

  it('a session works exactly as before, whatever Authorization header comes with it', async () => {
    const res = await app.app.inject({
      method: 'GET',
      url: `/api/patients/${patientId}`,
      headers: { cookie: admin.cookie, authorization: 'Bearer not-a-token-at-all-xxxxxxxx' },
    });
    expect(res.statusCode).toBe(200);
    const without = await app.app.inject({
      method: 'GET',
      url: `/api/patients/${patientId}`,
      headers: { authorization: 'Bearer not-a-token-at-all-xxxxxxxx' },
    });
    expect(without.statusCode).toBe(401);
  });
});
