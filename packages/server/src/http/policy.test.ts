import { allRoutes, routes } from '@careloop/core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildApp } from '../app.js';
import { createTestApp, type TestApp } from '../test/app.js';
import { describeEachDatabase } from '../test/databases.js';
import { defineRoute } from './route.js';

describeEachDatabase('route policies', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(kind);
  });
  afterAll(() => t.close());

  it('every route in the route table declares an access policy', () => {
    expect(t.routes.length).toBeGreaterThan(20);
    const missing = t.routes.filter((r) => !r.policy).map((r) => `${r.method} ${r.url}`);
    expect(missing).toEqual([]);
  });

  it('only sign-in, the session probe, password reset, portal sign-up and its clinic list, health, documentation, the FHIR capability statement (issue 11) the OAuth token endpoint with its SMART configuration and survey links are public', () => {
    const publicRoutes = t.routes
      .filter((r) => r.policy && 'public' in r.policy)
      .map((r) => r.url)
      .filter((url) => !url.startsWith('/api/docs'));
    expect([...new Set(publicRoutes)].sort()).toEqual([
      '/api/auth/login',
      '/api/auth/password-reset',
      '/api/auth/password-reset/confirm',
      '/api/auth/session',
      '/api/health',
      '/api/health/ready',
      '/api/portal/organizations',
      '/api/portal/register',
      // Issue 13: a sign-up's email verification link (its token is the credential).
      '/api/portal/verify-email',
      // Issue 11 (h11v): a post-visit survey link (its signed token is the credential).
      '/api/surveys/answer',
      '/api/surveys/open',
      // Issue 13: a waitlist offer's accept link (its token is the credential).
      '/api/waitlist/offer-links/:token',
      '/api/waitlist/offer-links/:token/accept',
      '/api/waitlist/offer-links/:token/decline',
      '/fhir/R4/.well-known/smart-configuration',
      '/fhir/R4/metadata',
      // Issue 11: SMART Backend Services' token endpoint (the client's signed assertion is checked).
      '/oauth2/token',
    ]);
  });

  it('refuses a route registered without a policy (deny by default)', async () => {
    // A bare Fastify route on a built app: the security hook denies it.
    const built = await buildApp(t.services, { logger: false, serveWeb: false });
    built.app.get('/api/unguarded', async () => ({ secret: true }));
    await built.app.ready();
    const res = await built.app.inject({ method: 'GET', url: '/api/unguarded' });
    expect(res.statusCode).toBe(403);
    expect(res.body).not.toContain('secret');
    await built.app.close();
  });

  it('answers unknown API routes with the one error shape', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/nope' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ status: 404, code: 'not_found' });
  });

  it('serves the OpenAPI 3.1 document describing the routes', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/docs/json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json<{ openapi: string; paths: Record<string, unknown> }>();
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toContain('/api/patients/{id}');
  });

  it('registers every route of the table, with the policy the table gives it', () => {
    const registered = new Map(t.routes.map((r) => [`${r.method} ${r.url}`, r.policy]));
    const wrong = allRoutes
      .filter((spec) => {
        const policy = registered.get(`${spec.method} ${spec.path}`);
        return JSON.stringify(policy) !== JSON.stringify(spec.policy);
      })
      .map((spec) => `${spec.method} ${spec.path}`);
    expect(wrong).toEqual([]);
  });

  it('refuses to register a route that is not in the table', async () => {
    const built = await buildApp(t.services, { logger: false, serveWeb: false });
    // The compiler refuses a spec of another type; at run time a copy of an entry is refused
    // too, so a route cannot be declared beside the table and registered from there.
    const stray = { ...routes.tasks.list };
    expect(() => defineRoute(built.app, stray, () => ({ items: [], nextCursor: null }))).toThrow(
      'GET /api/tasks is not in the route table',
    );
    await built.app.close();
  });
});
