import type { Bundle } from '@medplum/fhirtypes';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  createTestApp,
  type Session,
  samplePatient,
  type TestApp,
  TestTenant,
} from '../test/app.js';
import { describeEachDatabase } from '../test/databases.js';

// PostgreSQL cannot store a NUL character in text: every one of these was a 500.
describeEachDatabase('NUL characters in requests', (kind) => {
  let t: TestApp;
  let admin: Session;
  beforeAll(async () => {
    t = await createTestApp(kind);
    admin = await (await TestTenant.create(t)).signIn('admin');
  });
  afterAll(() => t.close());

  const problemOf = (body: string) => JSON.parse(body) as { message: string; path: string };

  it('answers 400 naming the field, in a query, a body and a sign-in', async () => {
    const search = await admin.get('/api/patients?q=a%00b');
    expect(search.statusCode).toBe(400);
    expect(problemOf(search.body).path).toBe('/query/q');

    const created = await admin.post('/api/patients', {
      ...samplePatient(),
      familyName: 'Nu\u0000ll',
    });
    expect(created.statusCode).toBe(400);
    expect(problemOf(created.body)).toMatchObject({
      path: '/body/familyName',
      message: expect.stringContaining('NUL character'),
    });

    const login = await t.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { email: 'a\u0000@example.org', password: 'x' },
    });
    expect(login.statusCode).toBe(400);
  });

  it('answers a FHIR search with a 400 OperationOutcome', async () => {
    const res = await admin.get('/fhir/R4/Patient?telecom=%00');
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ resourceType: 'OperationOutcome' });
  });

  it('rejects only the FHIR batch entry that holds one, naming where', async () => {
    const bundle: Bundle = {
      resourceType: 'Bundle',
      type: 'batch',
      entry: [
        {
          resource: {
            resourceType: 'Patient',
            name: [{ family: 'Nu\u0000ll' }],
            birthDate: '1990-01-01',
          },
        },
        {
          resource: {
            resourceType: 'Patient',
            name: [{ family: 'Clean' }],
            birthDate: '1990-01-01',
          },
        },
      ],
    };
    const res = await admin.post('/fhir/R4', bundle);
    expect(res.statusCode, res.body).toBe(200);
    const [bad, good] = res.json<Bundle>().entry ?? [];
    expect(bad?.response?.status).toMatch(/^422/);
    expect(bad?.response?.outcome).toMatchObject({
      issue: [{ expression: ['Bundle.entry[0].resource.name[0].family'] }],
    });
    expect(good?.response?.status).toMatch(/^201/);
  });

  it('tells a CSV upload with NUL characters to save it as UTF-8', async () => {
    const res = await admin.post('/api/imports/csv/preview', {
      type: 'patients',
      fileName: 'utf16.csv',
      text: 'M\u0000R\u0000N\u0000\n\u00001\u0000',
      mapping: [{ column: 'MRN', field: 'mrn' }],
    });
    expect(res.statusCode).toBe(400);
    expect(problemOf(res.body)).toMatchObject({
      path: '/body/text',
      message: expect.stringContaining('UTF-8'),
    });
  });
});
