import { encodeCursor } from '@careloop/core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestApp, type Session, type TestApp, TestTenant } from '../test/app.js';
import { describeEachDatabase } from '../test/databases.js';

const ID = '0f8fad5b-d9cb-469f-a165-70867728950e';

/** Cursors a client could forge: each decodes, but to something no sort key holds. */
const FORGED = {
  nul: encodeCursor(['\u0000', ID]),
  'not an id': encodeCursor(['Lopez', 'x\u0000']),
  'wrong arity': encodeCursor([ID]),
  number: encodeCursor([5, ID]),
};
/** Forged for a list sorted by a date or an instant (a name sort takes any text). */
const FORGED_TIME = {
  ...FORGED,
  'bad date': encodeCursor(['2020-13-45', ID]),
  'bad instant': encodeCursor(['2026-12-05T25:61:00Z', ID]),
  'year 0': encodeCursor(['0000-01-01', ID]),
};

describeEachDatabase('forged cursors', (kind) => {
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

  const lists = (): [string, Record<string, string>][] => [
    ['/api/patients?cursor=', FORGED],
    ['/api/patients?sort=birthDate&cursor=', FORGED_TIME],
    ['/api/patients?sort=-createdAt&cursor=', FORGED_TIME],
    [`/api/patients/${patientId}/timeline?cursor=`, FORGED_TIME],
    ['/api/locations?cursor=', FORGED],
    ['/api/practitioners?cursor=', FORGED],
    ['/api/services?cursor=', FORGED],
    ['/api/users?cursor=', FORGED],
    ['/api/mpi/reviews?cursor=', FORGED_TIME],
    ['/api/tasks?cursor=', FORGED_TIME],
    ['/api/audit?cursor=', FORGED_TIME],
  ];

  it('are a 400 naming the cursor on every list, never a 500', async () => {
    for (const [url, forged] of lists()) {
      for (const [what, cursor] of Object.entries(forged)) {
        const res = await admin.get(`${url}${cursor}`);
        expect(res.statusCode, `${url} ${what}`).toBe(400);
        expect(res.json(), `${url} ${what}`).toMatchObject({ path: '/query/cursor' });
      }
    }
  });

  it('are a 400 OperationOutcome on FHIR searches, as are impossible birth dates', async () => {
    const urls = [
      ...Object.values(FORGED).map((c) => `/fhir/R4/Patient?_cursor=${c}`),
      ...Object.values(FORGED_TIME).map(
        (c) => `/fhir/R4/Encounter?patient=${patientId}&_cursor=${c}`,
      ),
      '/fhir/R4/Patient?birthdate=0000',
      '/fhir/R4/Patient?birthdate=2020-13-45',
    ];
    for (const url of urls) {
      const res = await admin.get(url);
      expect(res.statusCode, url).toBe(400);
      expect(res.json(), url).toMatchObject({ resourceType: 'OperationOutcome' });
    }
  });
});
