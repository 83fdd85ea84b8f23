import type { Location } from '@careloop/core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestApp, type Session, type TestApp, TestTenant } from '../../test/app.js';
import { describeEachDatabase } from '../../test/databases.js';

describeEachDatabase('a patient’s primary location', (kind) => {
  let t: TestApp;
  let ours: Session;
  let theirs: Session;
  let ourLocation: Location;
  let theirLocation: Location;
  beforeAll(async () => {
    t = await createTestApp(kind);
    const a = await TestTenant.create(t);
    const b = await TestTenant.create(t);
    ours = await a.signIn('admin');
    theirs = await b.signIn('admin');
    ourLocation = (await ours.post('/api/locations', { name: 'Ours' })).json<Location>();
    theirLocation = (await theirs.post('/api/locations', { name: 'Theirs' })).json<Location>();
  });
  afterAll(() => t.close());

  const patient = (extra: Record<string, unknown>) => ({
    givenName: 'Ana',
    familyName: 'Okafor',
    birthDate: '1971-02-03',
    administrativeSex: 'female',
    ...extra,
  });

  it('is refused on create when unknown or another organization’s, the same way (422 naming it)', async () => {
    for (const id of [theirLocation.id, crypto.randomUUID()]) {
      const res = await ours.post('/api/patients', patient({ primaryLocationId: id }));
      expect(res.statusCode).toBe(422);
      expect(res.json()).toMatchObject({
        code: 'unknown_reference',
        path: '/body/primaryLocationId',
      });
    }
    const ok = await ours.post('/api/patients', patient({ primaryLocationId: ourLocation.id }));
    expect(ok.statusCode).toBe(200);
  });

  it('is refused on update, and the other organization’s location filter never lists our patient', async () => {
    const created = await ours.post('/api/patients', patient({}));
    const id = created.json<{ patient: { id: string } }>().patient.id;
    for (const locationId of [theirLocation.id, crypto.randomUUID()]) {
      const res = await ours.patch(`/api/patients/${id}`, { primaryLocationId: locationId });
      expect(res.statusCode).toBe(422);
      expect(res.json()).toMatchObject({ path: '/body/primaryLocationId' });
    }
    const listed = await theirs.get(`/api/patients?locationId=${theirLocation.id}`);
    expect(listed.json<{ items: unknown[] }>().items).toEqual([]);
    const cleared = await ours.patch(`/api/patients/${id}`, { primaryLocationId: null });
    expect(cleared.statusCode).toBe(200);
  });

  it('answers 404 for an unknown patient in the path', async () => {
    const res = await ours.patch(`/api/patients/${crypto.randomUUID()}`, {
      primaryLocationId: ourLocation.id,
    });
    expect(res.statusCode).toBe(404);
  });
});
