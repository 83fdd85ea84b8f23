import fastifyHelmet from '@fastify/helmet';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type Session, type TestApp, TestTenant } from '../test/app.js';
import { describeEachDatabase } from '../test/databases.js';
import { isPhiPath, SECURITY_HEADERS } from './headers.js';

describe('the precomputed security headers', () => {
  it('are byte for byte what @fastify/helmet sent with the options of ADR 0008', async () => {
    const app = Fastify();
    await app.register(fastifyHelmet, {
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          'default-src': ["'self'"],
          'base-uri': ["'self'"],
          'connect-src': ["'self'"],
          'font-src': ["'self'", 'data:'],
          'form-action': ["'self'"],
          'frame-ancestors': ["'none'"],
          'img-src': ["'self'", 'data:'],
          'object-src': ["'none'"],
          'script-src': ["'self'"],
          'script-src-attr': ["'none'"],
          'style-src': ["'self'", "'unsafe-inline'"],
        },
      },
      frameguard: { action: 'deny' },
      referrerPolicy: { policy: 'same-origin' },
    });
    app.get('/', async () => 'ok');
    const res = await app.inject({ method: 'GET', url: '/' });
    await app.close();
    // What Fastify and Node add to any response; the rest is helmet's.
    const {
      'content-type': _t,
      'content-length': _l,
      date: _d,
      connection: _c,
      ...helmet
    } = res.headers;
    expect({ ...SECURITY_HEADERS }).toEqual(helmet);
  });

  it('mark /api and /fhir, with or without a path or query, as PHI, and nothing else', () => {
    for (const url of ['/api', '/api/', '/api/health', '/api?x=1', '/fhir', '/fhir/R4/Patient']) {
      expect(isPhiPath(url), url).toBe(true);
    }
    for (const url of [
      '/',
      '/apiary',
      '/fhirst',
      '/portal',
      '/assets/api.js',
      '/login?next=/api',
    ]) {
      expect(isPhiPath(url), url).toBe(false);
    }
  });
});

describeEachDatabase('security headers', (kind) => {
  let t: TestApp;
  let admin: Session;
  let patientId: string;
  beforeAll(async () => {
    t = await createTestApp(kind);
    const tenant = await TestTenant.create(t);
    admin = await tenant.signIn('admin');
    patientId = (await tenant.createPatient()).id;
  });
  afterAll(() => t.close());

  const get = (url: string, session?: Session) =>
    t.app.inject({ method: 'GET', url, headers: session ? { cookie: session.cookie } : {} });

  it('marks every API and FHIR response no-store, errors included', async () => {
    const responses = [
      await get(`/api/patients/${patientId}`, admin),
      await get(`/api/patients/${patientId}/timeline`, admin),
      await get(`/fhir/R4/Patient/${patientId}`, admin),
      await get(`/fhir/R4/Patient?_count=5`, admin),
      await get(`/api/patients/${patientId}`),
      await get('/api/health'),
      await get('/api/no-such-route'),
    ];
    expect(responses.map((r) => r.statusCode)).toEqual([200, 200, 200, 200, 401, 200, 404]);
    for (const res of responses) expect(res.headers['cache-control']).toBe('no-store');
    const invalid = await admin.post('/api/patients', {});
    expect(invalid.statusCode).toBe(400);
    expect(invalid.headers['cache-control']).toBe('no-store');
    const foreign = await t.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      headers: { origin: 'https://evil.example' },
      payload: { email: 'nobody@example.org', password: 'x' },
    });
    expect(foreign.statusCode).toBe(403);
    expect(foreign.headers['cache-control']).toBe('no-store');
  });

  it('sends every security header on pages, API answers and refusals alike', async () => {
    const responses = [
      await get('/api/health'),
      await get('/portal'),
      await get(`/api/patients/${patientId}`),
      await get('/api/no-such-route'),
    ];
    // No web build in the tests: /portal is the not-found handler's page, outside /api.
    expect(responses.map((r) => r.statusCode)).toEqual([200, 404, 401, 404]);
    for (const res of responses) expect(res.headers).toMatchObject(SECURITY_HEADERS);
    expect((await get('/portal')).headers['cache-control']).not.toBe('no-store');
  });

  it('sends a CSP allowing only its own scripts, no framing, no sniffing, no Referer to other sites', async () => {
    for (const url of ['/api/health', '/api/docs', '/api/docs/static/index.html', '/portal']) {
      const res = await get(url);
      const csp = String(res.headers['content-security-policy']);
      expect(csp, url).toContain("default-src 'self'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).not.toMatch(/script-src[^;]*unsafe/);
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).toContain("object-src 'none'");
      expect(res.headers['x-frame-options']).toBe('DENY');
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['referrer-policy']).toBe('same-origin');
    }
  });
});
