import { encodeCursor } from '@careloop/core';
import fc from 'fast-check';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestApp, type Session, type TestApp, TestTenant } from '../test/app.js';
import { describeEachDatabase } from '../test/databases.js';

/**
 * Every route Fastify registered, called with generated bad input (wrong types, huge and odd
 * strings, NUL, forged cursors, ids of another tenant, random UUIDs) by an admin and by a
 * portal patient: no answer may be a 5xx. The README promises a 4xx naming the field.
 */

interface Operation {
  parameters?: { in: string; name: string }[];
  requestBody?: { content?: Record<string, { schema?: { properties?: object } }> };
}
type OpenApi = { paths?: Record<string, Record<string, Operation>> };

// A fixed seed keeps the run the same everywhere; FAST_CHECK_SEED explores others.
const SEED = Number(process.env.FAST_CHECK_SEED ?? 20261205);
const RUNS_PER_ROUTE = 10;
// Signing out or in would end the sessions the walk runs on; they are tested on their own.
const SKIPPED = new Set(['POST /api/auth/logout', 'POST /api/auth/login']);

const ID = '0f8fad5b-d9cb-469f-a165-70867728950e';
const CURSORS = [
  encodeCursor(['\u0000', ID]),
  encodeCursor(['2020-13-45', ID]),
  encodeCursor(['0000-01-01', ID]),
  encodeCursor(['2026-12-05T25:00:00Z', ID]),
  encodeCursor([ID]),
  encodeCursor([1, 2, 3]),
  encodeCursor(['x', 'not-a-uuid']),
  Buffer.from(JSON.stringify([{ a: 1 }, ID])).toString('base64url'),
  '!!!',
  'W10',
];

const strings = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.constantFrom(
    '\u0000',
    'a\u0000b',
    '\uD800',
    '😀'.repeat(300),
    'x'.repeat(70_000),
    '',
    ' ',
    '0000',
    '2020-13-45',
    '9999-12-31',
    '1970-01-01T25:00:00Z',
    '-1',
    '1e309',
    'NaN',
    "'; drop table patients; --",
    '%00',
    ...CURSORS,
  ),
);

/**
 * A valid body per route that takes one, so that a single bad field gets past validation of
 * the others and reaches the service and the database (a foreign id, say).
 */
const VALID: Record<string, Record<string, unknown>> = {
  'POST /api/patients': {
    givenName: 'Ana',
    familyName: 'Okafor',
    birthDate: '1971-02-03',
    administrativeSex: 'female',
  },
  'PATCH /api/patients/:id': { givenName: 'Ana' },
  'PATCH /api/patients/:id/preferences': { preferredChannel: 'sms' },
  'POST /api/patients/:id/notes': { body: 'Called back' },
  'POST /api/patients/:id/merge': { mergedId: ID },
  'POST /api/tasks': { title: 'Call back' },
  'PATCH /api/tasks/:id': { title: 'Call back' },
  'POST /api/locations': { name: 'Annex' },
  'PATCH /api/locations/:id': { name: 'Annex' },
  'POST /api/practitioners': { givenName: 'Ana', familyName: 'Ruiz' },
  'PATCH /api/practitioners/:id': { givenName: 'Ana' },
  'POST /api/services': { code: 'visit', name: 'Visit' },
  'PATCH /api/services/:id': { name: 'Visit' },
  'POST /api/users': { email: 'new@example.org', displayName: 'New', role: 'clinician' },
  'PATCH /api/portal/preferences': { preferredChannel: 'sms' },
  'POST /api/mpi/reviews/:id/decision': { decision: 'distinct' },
};

describeEachDatabase('every route under generated bad input', (kind) => {
  let t: TestApp;
  let sessions: [string, Session][];
  let foreignIds: string[];
  let ownIds: string[];
  let openApi: OpenApi;
  beforeAll(async () => {
    t = await createTestApp(kind);
    // As in `careloop start`: routes that queue work (KPI refresh, bookings) meet a started runner.
    await t.services.jobs.start();
    const ours = await TestTenant.create(t);
    const theirs = await TestTenant.create(t);
    const ourPatient = await ours.createPatient();
    const theirPatient = await theirs.createPatient();
    const theirAdmin = await theirs.signIn('admin');
    const theirLocation = await theirAdmin.post('/api/locations', { name: 'Theirs' });
    const theirTask = await theirAdmin.post('/api/tasks', { title: 'Theirs' });
    const ourAdmin = await ours.signIn('admin');
    const ourTask = await ourAdmin.post('/api/tasks', { title: 'Ours', patientId: ourPatient.id });
    const ourLocation = await ourAdmin.post('/api/locations', { name: 'Ours' });
    ownIds = [
      ourPatient.id,
      ourTask.json<{ id: string }>().id,
      ourLocation.json<{ id: string }>().id,
    ];
    foreignIds = [
      theirPatient.id,
      theirAdmin.userId,
      theirLocation.json<{ id: string }>().id,
      theirTask.json<{ id: string }>().id,
    ];
    sessions = [
      ['admin', ourAdmin],
      ['patient', await ours.signIn('patient', { patientId: ourPatient.id })],
    ];
    openApi = t.app.swagger() as OpenApi;
  }, 120_000);
  afterAll(() => t.close());

  /** The body properties and query parameters the API documentation gives a route. */
  function documented(method: string, url: string): { body: string[]; query: string[] } {
    const path = url.replace(/:(\w+)/g, '{$1}');
    const operation = openApi.paths?.[path]?.[method.toLowerCase()];
    const schema = operation?.requestBody?.content?.['application/json']?.schema;
    return {
      body: Object.keys(schema?.properties ?? {}),
      query: (operation?.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name),
    };
  }

  function badValue(): fc.Arbitrary<unknown> {
    const ids = fc.oneof(fc.constantFrom(...foreignIds), fc.uuid());
    return fc.oneof(
      strings,
      ids,
      fc.integer(),
      fc.double(),
      fc.boolean(),
      fc.constant(null),
      fc.array(fc.oneof(strings, ids, fc.integer()), { maxLength: 3 }),
      fc.dictionary(fc.string({ maxLength: 5 }), strings, { maxKeys: 3 }),
    );
  }

  function requestFor(method: string, url: string) {
    const { body, query } = documented(method, url);
    const segment = fc.oneof(
      fc.constantFrom(...ownIds),
      fc.constantFrom(...foreignIds),
      fc.uuid(),
      fc.constantFrom('x', '0', 'ä', 'a'.repeat(2_000), '%00', '%C0%80', '..'),
    );
    const params = (url.match(/:\w+/g) ?? []).map(() => segment);
    const queryKeys = fc.constantFrom(
      ...query,
      'cursor',
      '_cursor',
      'limit',
      '_count',
      'birthdate',
      'patient',
    );
    const queryValues = fc.oneof(strings, fc.constantFrom(...CURSORS), fc.integer().map(String));
    const bodyKeys = fc.oneof(
      body.length > 0 ? fc.constantFrom(...body) : fc.string({ maxLength: 8 }),
      fc.string({ maxLength: 8 }),
    );
    const base = VALID[`${method} ${url}`];
    // One bad field in an otherwise valid body reaches the service; garbage tests validation.
    const oneBadField = base
      ? fc.tuple(bodyKeys, badValue()).map(([key, value]) => ({ ...base, [key]: value }) as unknown)
      : fc.dictionary(bodyKeys, badValue(), { maxKeys: 6 });
    const bodies = fc.oneof(
      { weight: 4, arbitrary: oneBadField },
      { weight: 1, arbitrary: fc.dictionary(bodyKeys, badValue(), { maxKeys: 6 }) },
      { weight: 1, arbitrary: badValue() },
    );
    const queries = fc.oneof(
      { weight: 3, arbitrary: fc.dictionary(queryKeys, queryValues, { maxKeys: 1 }) },
      { weight: 1, arbitrary: fc.dictionary(queryKeys, queryValues, { maxKeys: 4 }) },
    );
    return fc.record({ params: fc.tuple(...params), query: queries, body: bodies });
  }

  type Input = { params: string[]; query: Record<string, string>; body: unknown };

  /**
   * The cases a random walk would rarely hit, run first for every route: each forged cursor in
   * each cursor parameter, and another tenant's ids and random UUIDs in every id field of an
   * otherwise valid body, on records of our own.
   */
  function examplesFor(method: string, url: string): [Input][] {
    const { body, query } = documented(method, url);
    const own = url.includes('/tasks/')
      ? ownIds[1]
      : url.includes('/locations/')
        ? ownIds[2]
        : ownIds[0];
    const params = (url.match(/:\w+/g) ?? []).map(() => own ?? ID);
    const base = VALID[`${method} ${url}`] ?? {};
    const examples: [Input][] = [];
    for (const key of query.filter((q) => q === 'cursor' || q === '_cursor')) {
      for (const cursor of CURSORS)
        examples.push([{ params, query: { [key]: cursor }, body: base }]);
    }
    for (const key of body.filter((b) => /Id$/.test(b))) {
      for (const id of [...foreignIds, ID]) {
        examples.push([{ params, query: {}, body: { ...base, [key]: id } }]);
      }
    }
    for (let i = 0; i < params.length; i += 1) {
      for (const id of [...foreignIds, ID]) {
        const other = params.map((p, j) => (j === i ? id : p));
        examples.push([{ params: other, query: {}, body: base }]);
      }
    }
    return examples;
  }

  function inject(
    session: Session,
    method: string,
    url: string,
    input: Input,
  ): Promise<LightMyRequestResponse> {
    let i = 0;
    const path = url.replace(/:\w+/g, () => encodeURIComponent(input.params[i++] ?? ''));
    const search = new URLSearchParams(input.query).toString();
    const hasBody = method !== 'GET' && method !== 'HEAD' && method !== 'DELETE';
    return t.app.inject({
      method: method as 'GET',
      url: search ? `${path}?${search}` : path,
      headers: {
        cookie: session.cookie,
        'x-csrf-token': session.csrfToken,
        ...(hasBody ? { 'content-type': 'application/json' } : {}),
      },
      ...(hasBody ? { payload: JSON.stringify(input.body) ?? 'null' } : {}),
    });
  }

  it('answers no request with a 5xx', async () => {
    const routes = t.routes.filter(
      (r) =>
        (r.url.startsWith('/api/') || r.url.startsWith('/fhir/')) &&
        !r.url.startsWith('/api/docs') &&
        r.method !== 'HEAD' &&
        r.method !== 'OPTIONS' &&
        !SKIPPED.has(`${r.method} ${r.url}`),
    );
    expect(routes.length).toBeGreaterThan(30);
    const failures: string[] = [];
    for (const { method, url } of routes) {
      for (const [who, session] of sessions) {
        // fc.check, not fc.assert: every route is walked, and all 5xx are listed at once.
        await fc.check(
          fc.asyncProperty(requestFor(method, url), async (input) => {
            const res = await inject(session, method, url, input);
            if (res.statusCode >= 500) {
              failures.push(
                `${who} ${method} ${url} → ${res.statusCode} ${JSON.stringify(input).slice(0, 300)}`,
              );
            }
            return res.statusCode < 500;
          }),
          {
            numRuns: RUNS_PER_ROUTE,
            seed: SEED,
            endOnFailure: true,
            examples: examplesFor(method, url),
          },
        );
      }
    }
    expect(failures).toEqual([]);
  }, 300_000);
});
