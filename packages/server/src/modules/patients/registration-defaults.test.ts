import type { Patient360, PatientCreate } from '@careloop/core';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  createTestApp,
  type Session,
  samplePatient,
  type TestApp,
  TestTenant,
} from '../../test/app.js';
import { describeEachDatabase } from '../../test/databases.js';
import { users } from '../auth/schema.js';

/** A console registration without an MRN of its own. */
const withoutMrn = (input: Partial<PatientCreate> = {}): PatientCreate => ({
  ...samplePatient(),
  identifiers: [],
  ...input,
});

const mrnOf = (view: Patient360) =>
  view.identifiers.filter((i) => i.system === 'urn:careloop:mrn').map((i) => i.value);

describeEachDatabase('registration defaults: MRN and location', (kind) => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp(kind);
  });
  afterAll(() => t.close());

  const register = async (session: Session, input: PatientCreate) => {
    const res = await session.post('/api/patients', input);
    expect(res.statusCode, res.body).toBe(200);
    return res.json<Patient360>();
  };

  it('numbers the patients staff register in the organization’s format, per organization', async () => {
    const tenant = await TestTenant.create(t);
    const desk = await tenant.signIn('front-desk');
    expect(mrnOf(await register(desk, withoutMrn()))).toEqual(['CL-000001']);
    expect(mrnOf(await register(desk, withoutMrn()))).toEqual(['CL-000002']);
    const other = await (await TestTenant.create(t)).signIn('front-desk');
    expect(mrnOf(await register(other, withoutMrn()))).toEqual(['CL-000001']);
  });

  it('gives concurrent registrations different numbers', async () => {
    const tenant = await TestTenant.create(t);
    const desk = await tenant.signIn('front-desk');
    const views = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        register(desk, withoutMrn({ givenName: `Parallel${i}`, familyName: `Case${i}` })),
      ),
    );
    const mrns = views.flatMap(mrnOf).sort();
    expect(mrns).toEqual(Array.from({ length: 8 }, (_, i) => `CL-00000${i + 1}`));
  });

  it('keeps an MRN the registrar entered, and skips a number already taken', async () => {
    const tenant = await TestTenant.create(t);
    const desk = await tenant.signIn('front-desk');
    const entered = await register(
      desk,
      withoutMrn({ identifiers: [{ system: 'urn:careloop:mrn', value: 'CL-000001', type: 'MR' }] }),
    );
    expect(mrnOf(entered)).toEqual(['CL-000001']);
    expect(mrnOf(await register(desk, withoutMrn()))).toEqual(['CL-000002']);
  });

  it('lets an admin change the format; the sequence goes on', async () => {
    const tenant = await TestTenant.create(t);
    const admin = await tenant.signIn('admin');
    expect(mrnOf(await register(admin, withoutMrn()))).toEqual(['CL-000001']);
    const bad = await admin.patch('/api/organization/settings', { mrnFormat: 'MRN {seq}' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ path: '/body/mrnFormat' });
    const res = await admin.patch('/api/organization/settings', { mrnFormat: 'N{seq:4}' });
    expect(res.json()).toEqual({
      mrnFormat: 'N{seq:4}',
      defaultLocationId: null,
      portalSignUpListed: false,
      aggregateSuppressionThreshold: 11,
    });
    expect(mrnOf(await register(admin, withoutMrn()))).toEqual(['N0002']);
    // Who changed the numbering, and to what, is in the audit log.
    const log = await admin.get('/api/audit?recordType=organization-settings');
    expect(log.json<{ items: { action: string; reason: string }[] }>().items).toEqual([
      expect.objectContaining({ action: 'update', reason: 'mrnFormat: N{seq:4}' }),
    ]);
    const desk = await tenant.signIn('front-desk');
    expect(
      (await desk.patch('/api/organization/settings', { mrnFormat: '{seq}' })).statusCode,
    ).toBe(403);
  });

  it('places a patient at the chosen location, else the organization’s default, else the registrar’s', async () => {
    const tenant = await TestTenant.create(t);
    const admin = await tenant.signIn('admin');
    const location = async (name: string) => {
      const res = await admin.post('/api/locations', { name });
      expect(res.statusCode, res.body).toBe(200);
      return res.json<{ id: string; name: string }>();
    };
    const northside = await location('Northside Clinic');
    const harbor = await location('Harbor Clinic');
    const chosen = await location('Chosen Clinic');

    // The registrar works at Harbor (their practitioner record's location).
    const desk = await tenant.signIn('front-desk');
    const practitioner = await admin.post('/api/practitioners', {
      givenName: 'Desk',
      familyName: 'Person',
      locationId: harbor.id,
    });
    expect(practitioner.statusCode, practitioner.body).toBe(200);
    await t.database.system((tx) =>
      tx
        .update(users)
        .set({ practitionerId: practitioner.json<{ id: string }>().id })
        .where(eq(users.id, desk.userId)),
    );
    const where = (view: Patient360) => view.patient.primaryLocation?.name ?? null;
    expect(where(await register(desk, withoutMrn()))).toBe('Harbor Clinic');

    const set = await admin.patch('/api/organization/settings', {
      defaultLocationId: northside.id,
    });
    expect(set.statusCode, set.body).toBe(200);
    expect(where(await register(desk, withoutMrn()))).toBe('Northside Clinic');
    expect(where(await register(desk, withoutMrn({ primaryLocationId: chosen.id })))).toBe(
      'Chosen Clinic',
    );

    const foreign = await (await TestTenant.create(t)).signIn('admin');
    const elsewhere = await foreign.post('/api/locations', { name: 'Elsewhere' });
    const refused = await admin.patch('/api/organization/settings', {
      defaultLocationId: elsewhere.json<{ id: string }>().id,
    });
    expect(refused.statusCode).toBe(422);
    expect(refused.json()).toMatchObject({ path: '/body/defaultLocationId' });
  });
});
