import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestApp, type Session, type TestApp, TestTenant } from '../../test/app.js';
import { describeEachDatabase } from '../../test/databases.js';

interface View {
  patient: { id: string; givenName: string; preferredName: string | null; birthDate: string };
}

describeEachDatabase('request bodies, taken as sent', (kind) => {
  let t: TestApp;
  let admin: Session;
  beforeAll(async () => {
    t = await createTestApp(kind);
    admin = await (await TestTenant.create(t)).signIn('admin');
  });
  afterAll(() => t.close());

  const patient = (extra: Record<string, unknown> = {}) => ({
    givenName: 'Rosa',
    familyName: 'Marin',
    birthDate: '1980-06-01',
    administrativeSex: 'female',
    ...extra,
  });

  it('refuses a number where text goes, and text where a boolean goes, naming the field', async () => {
    const number = await admin.post('/api/patients', patient({ givenName: 5 }));
    expect(number.statusCode).toBe(400);
    expect(number.json()).toMatchObject({ path: '/body/givenName' });
    const flag = await admin.post('/api/locations', { name: 'Annex', active: 'true' });
    expect(flag.statusCode).toBe(400);
    expect(flag.json()).toMatchObject({ path: '/body/active' });
  });

  it('clears a nullable field with null instead of storing ""', async () => {
    const created = await admin.post('/api/patients', patient({ preferredName: 'Ro' }));
    const { id } = created.json<View>().patient;
    const cleared = await admin.patch(`/api/patients/${id}`, { preferredName: null });
    expect(cleared.statusCode).toBe(200);
    expect(cleared.json<View>().patient.preferredName).toBeNull();
  });

  it('refuses a birth date in the future, on create and on update', async () => {
    const future = await admin.post('/api/patients', patient({ birthDate: '9999-12-31' }));
    expect(future.statusCode).toBe(400);
    expect(future.json()).toMatchObject({ path: '/body/birthDate' });
    const { id } = (await admin.post('/api/patients', patient())).json<View>().patient;
    const moved = await admin.patch(`/api/patients/${id}`, { birthDate: '2999-01-01' });
    expect(moved.statusCode).toBe(400);
    expect(moved.json()).toMatchObject({ path: '/body/birthDate' });
  });

  it('still reads numbers and booleans from the query string', async () => {
    const res = await admin.get('/api/locations?limit=1&active=true');
    expect(res.statusCode).toBe(200);
    const bad = await admin.get('/api/locations?limit=ten');
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ path: '/query/limit' });
  });
});
