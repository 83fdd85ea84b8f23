import { allRoutes } from '@careloop/core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../test/app.js';
import { describeEachDatabase } from '../test/databases.js';

/**
 * Routes Fastify may hold outside the route table, each for a reason that the table cannot
 * serve. Anything else (an `app.get('/api/…')` beside the table) fails this test.
 */
const OUTSIDE_THE_TABLE: readonly { prefix: string; why: string }[] = [
  {
    prefix: '/api/docs',
    why: "the OpenAPI document and its viewer: @fastify/swagger-ui's own routes, built from the table",
  },
  {
    prefix: '/fhir/R4',
    why: "the FHIR REST API: its shapes, search parameters and errors are FHIR's (OperationOutcome), not this API's",
  },
  {
    prefix: '/oauth2/token',
    why: "OAuth 2.0's token endpoint (SMART Backend Services): RFC 6749 fixes its form body and its error shape ({ error, error_description }), not this API's",
  },
];

describeEachDatabase('the route table', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(kind);
  });
  afterAll(() => t.close());

  it('holds every route the server registers, but for the listed protocol routes', () => {
    const table = new Set(allRoutes.map((spec) => `${spec.method} ${spec.path}`));
    const stray = t.routes
      // Fastify answers HEAD for every GET by itself: the GET is what the table must hold.
      .map((r) => `${r.method === 'HEAD' ? 'GET' : r.method} ${r.url}`)
      .filter((key) => !table.has(key))
      .filter((key) => {
        const url = key.slice(key.indexOf(' ') + 1);
        return !OUTSIDE_THE_TABLE.some(({ prefix }) => url.startsWith(prefix));
      });
    expect([...new Set(stray)].sort()).toEqual([]);
  });

  it('lists no protocol route that is not registered', () => {
    const unused = OUTSIDE_THE_TABLE.filter(
      ({ prefix }) => !t.routes.some((r) => r.url.startsWith(prefix)),
    );
    expect(unused).toEqual([]);
  });
});
