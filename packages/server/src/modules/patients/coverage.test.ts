import type { CoverageList, CoverageRecord, Patient360 } from '@careloop/core';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rowsOf } from '../../db/rows.js';
import { createTestApp, type Session, type TestApp, TestTenant } from '../../test/app.js';
import { describeEachDatabase } from '../../test/databases.js';

const blueCross = {
  payer: 'Blue Cross',
  plan: 'PPO Gold',
  memberId: 'XJH-4471-02',
  groupNumber: 'GRP-88',
  subscriberName: 'Dana Lopez',
  subscriberRelationship: 'child',
  priority: 1,
  startDate: '2026-01-01',
};

describeEachDatabase('coverage and care team from the 360 page', (kind) => {
  let t: TestApp;
  let tenant: TestTenant;
  let desk: Session;
  let patientId: string;

  beforeAll(async () => {
    t = await createTestApp(kind);
    tenant = await TestTenant.create(t);
    desk = await tenant.signIn('front-desk');
    patientId = (await tenant.createPatient()).id;
  });
  afterAll(() => t.close());

  const audited = async (recordType: string) =>
    rowsOf<{ action: string }>(
      await t.database.system((tx) =>
        tx.execute(sql`select action from audit_events
          where org_id = ${tenant.orgId} and patient_id = ${patientId} and record_type = ${recordType}
          order by seq`),
      ),
    ).map((r) => r.action);

  describe('coverage', () => {
    it('front desk adds a coverage with its subscriber, reads it back, and changes it', async () => {
      const added = await desk.post(`/api/patients/${patientId}/coverages`, blueCross);
      expect(added.statusCode, added.body).toBe(200);
      const coverage = added.json<CoverageRecord>();
      expect(coverage).toMatchObject({ ...blueCross, status: 'active', endDate: null });

      const changed = await desk.patch(`/api/patients/${patientId}/coverages/${coverage.id}`, {
        plan: 'PPO Silver',
        groupNumber: '',
      });
      expect(changed.statusCode, changed.body).toBe(200);
      expect(changed.json()).toMatchObject({ plan: 'PPO Silver', groupNumber: null });

      const list = (await desk.get(`/api/patients/${patientId}/coverages`)).json<CoverageList>();
      expect(list.items).toEqual([changed.json()]);
      const view = (await desk.get(`/api/patients/${patientId}`)).json<Patient360>();
      expect(view.coverage[0]).toMatchObject({ payer: 'Blue Cross', plan: 'PPO Silver' });
      expect(await audited('coverage')).toEqual(['create', 'update', 'read']);
    });

    it('hides member and group ids and the subscriber from marketing', async () => {
      const marketer = await tenant.signIn('marketer');
      const list = await marketer.get(`/api/patients/${patientId}/coverages`);
      expect(list.statusCode).toBe(200);
      const [first] = list.json<CoverageList>().items;
      expect(first).toMatchObject({
        payer: 'Blue Cross',
        memberId: null,
        groupNumber: null,
        subscriberName: null,
        subscriberRelationship: null,
      });
      expect(list.body).not.toContain('XJH-4471-02');
      expect(
        (await marketer.post(`/api/patients/${patientId}/coverages`, blueCross)).statusCode,
      ).toBe(403);
    });

    it('names the field of a bad coverage', async () => {
      const url = `/api/patients/${patientId}/coverages`;
      const { payer: _payer, ...noPayer } = blueCross;
      expect((await desk.post(url, noPayer)).json()).toMatchObject({ path: '/body/payer' });
      const blank = await desk.post(url, { ...blueCross, memberId: '   ' });
      expect(blank.statusCode).toBe(400);
      expect(blank.json()).toMatchObject({ path: '/body/memberId' });
      const backwards = await desk.post(url, { ...blueCross, endDate: '2025-12-31' });
      expect(backwards.statusCode).toBe(400);
      expect(backwards.json()).toMatchObject({ path: '/body/endDate' });
      const relation = await desk.post(url, { ...blueCross, subscriberRelationship: 'boss' });
      expect(relation.statusCode).toBe(400);
      expect(relation.json()).toMatchObject({ path: '/body/subscriberRelationship' });
    });

    it('finds no coverage of another patient under this one', async () => {
      const other = (await tenant.createPatient()).id;
      const theirs = (
        await desk.post(`/api/patients/${other}/coverages`, blueCross)
      ).json<CoverageRecord>();
      const res = await desk.patch(`/api/patients/${patientId}/coverages/${theirs.id}`, {
        plan: 'Hijacked',
      });
      expect(res.statusCode).toBe(404);
    });
  });

  describe('care team', () => {
    it('front desk adds a practitioner and a named carer, and removes one', async () => {
      const admin = await tenant.signIn('admin');
      const practitioner = await admin.post('/api/practitioners', {
        prefix: 'Dr.',
        givenName: 'Ines',
        familyName: 'Okafor',
      });
      const practitionerId = practitioner.json<{ id: string }>().id;
      const url = `/api/patients/${patientId}/care-team-members`;
      expect(
        (await desk.post(url, { practitionerId, role: 'Primary care physician' })).statusCode,
      ).toBe(204);
      expect((await desk.post(url, { name: 'Tom Lopez', role: 'Family carer' })).statusCode).toBe(
        204,
      );

      let view = (await desk.get(`/api/patients/${patientId}`)).json<Patient360>();
      expect(view.careTeam.map((m) => `${m.name} (${m.role})`).sort()).toEqual([
        'Dr. Ines Okafor (Primary care physician)',
        'Tom Lopez (Family carer)',
      ]);
      const tom = view.careTeam.find((m) => m.name === 'Tom Lopez');
      expect((await desk.request('DELETE', `${url}/${tom?.id}`)).statusCode).toBe(204);
      view = (await desk.get(`/api/patients/${patientId}`)).json<Patient360>();
      expect(view.careTeam.map((m) => m.name)).toEqual(['Dr. Ines Okafor']);
      expect(await audited('care-team-member')).toEqual(['create', 'create', 'delete']);
    });

    it('names the field when the member is missing or another organization’s', async () => {
      const url = `/api/patients/${patientId}/care-team-members`;
      const nobody = await desk.post(url, { role: 'Nurse' });
      expect(nobody.statusCode).toBe(400);
      expect(nobody.json()).toMatchObject({ path: '/body/name' });
      const foreignAdmin = await (await TestTenant.create(t)).signIn('admin');
      const foreign = await foreignAdmin.post('/api/practitioners', {
        givenName: 'Far',
        familyName: 'Away',
      });
      const res = await desk.post(url, {
        practitionerId: foreign.json<{ id: string }>().id,
        role: 'Nurse',
      });
      expect(res.statusCode).toBe(422);
      expect(res.json()).toMatchObject({ path: '/body/practitionerId' });
    });
  });
});
