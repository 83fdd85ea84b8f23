import type { PortalOrganizations } from '@careloop/core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestApp, type TestApp, TestTenant } from '../../test/app.js';
import { describeEachDatabase } from '../../test/databases.js';

describeEachDatabase('organizations listed on the portal sign-up page', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(kind);
  });
  afterAll(() => t.close());

  const listed = async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/portal/organizations' });
    expect(res.statusCode).toBe(200);
    return res.json<PortalOrganizations>().items;
  };

  it('lists, to anyone, only the organizations whose admin listed them, by id and name', async () => {
    const open = await TestTenant.create(t, 'Zephyr Family Practice');
    const unlisted = await TestTenant.create(t, 'Quiet Clinic');
    expect(await listed()).toEqual([]);

    const admin = await open.signIn('admin');
    const res = await admin.patch('/api/organization/settings', { portalSignUpListed: true });
    expect(res.statusCode, res.body).toBe(200);
    expect(await listed()).toEqual([{ id: open.orgId, name: 'Zephyr Family Practice' }]);
    expect((await listed()).some((o) => o.id === unlisted.orgId)).toBe(false);

    const desk = await unlisted.signIn('front-desk');
    expect(
      (await desk.patch('/api/organization/settings', { portalSignUpListed: true })).statusCode,
    ).toBe(403);
  });
});
