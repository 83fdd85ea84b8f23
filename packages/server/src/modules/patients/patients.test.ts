import type { Patient360, PatientSummary, Touchpoint } from '@careloop/core';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { rowsOf } from '../../db/rows.js';
import {
  createTestApp,
  type Session,
  samplePatient,
  type TestApp,
  TestTenant,
} from '../../test/app.js';
import { describeEachDatabase } from '../../test/databases.js';

describeEachDatabase('patients', (kind) => {
  let t: TestApp;
  let tenant: TestTenant;
  let frontDesk: Session;

  beforeAll(async () => {
    t = await createTestApp(kind);
    tenant = await TestTenant.create(t);
    frontDesk = await tenant.signIn('front-desk');
  });
  afterAll(() => t.close());

  it('registers a patient with normalized phone and email and shows the 360 view', async () => {
    const res = await frontDesk.post('/api/patients', {
      ...samplePatient(),
      givenName: 'Ana',
      familyName: 'Quintero',
      contactPoints: [
        { system: 'phone', value: '(617) 555-0142' },
        { system: 'email', value: ' Ana.Q@Example.ORG ' },
      ],
      identifiers: [{ system: 'urn:careloop:mrn', value: 'MRN-QA-1', type: 'MR' }],
    });
    expect(res.statusCode).toBe(200);
    const view = res.json<Patient360>();
    expect(view.patient).toMatchObject({ givenName: 'Ana', familyName: 'Quintero' });
    expect(view.contactPoints.map((c) => c.value).sort()).toEqual([
      '+16175550142',
      'ana.q@example.org',
    ]);
    expect(view.recentTouchpoints[0]?.type).toBe('patient.registered');
    expect(view.consents).toHaveLength(15);
    expect(view.conditions).toBeNull();
    expect(view.redacted).toContain('conditions');

    const again = await frontDesk.get(`/api/patients/${view.patient.id}`);
    expect(again.statusCode).toBe(200);
    expect(again.json<Patient360>().identifiers[0]?.value).toBe('MRN-QA-1');
  });

  it('rejects a phone number that is not one, naming the field', async () => {
    const res = await frontDesk.post('/api/patients', {
      ...samplePatient(),
      contactPoints: [{ system: 'phone', value: '1234' }],
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'bad_request', path: '/body/contactPoints/0/value' });
  });

  it('answers 400 with the field path when a required field is missing', async () => {
    const { birthDate: _omit, ...rest } = samplePatient();
    const res = await frontDesk.post('/api/patients', rest);
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'validation_failed', path: '/body/birthDate' });
  });

  it('answers every invalid field of a request, each with its path, not only the first', async () => {
    const { familyName: _omit, ...rest } = samplePatient();
    const res = await frontDesk.post('/api/patients', {
      ...rest,
      birthDate: '12/31/1980',
      administrativeSex: 'robot',
    });
    expect(res.statusCode).toBe(400);
    const body = res.json<{ path: string; errors: { path: string; message: string }[] }>();
    expect(body.errors.map((e) => e.path).sort()).toEqual([
      '/body/administrativeSex',
      '/body/birthDate',
      '/body/familyName',
    ]);
    expect(body.errors.find((e) => e.path === '/body/familyName')?.message).toBe('is required');
    expect(body.path).toBe(body.errors[0]?.path);
  });

  it('refuses a second patient with the same identifier', async () => {
    const identifiers = [{ system: 'urn:careloop:mrn', value: 'MRN-DUP', type: 'MR' }];
    expect(
      (await frontDesk.post('/api/patients', { ...samplePatient(), identifiers })).statusCode,
    ).toBe(200);
    const res = await frontDesk.post('/api/patients', { ...samplePatient(), identifiers });
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ path: '/body/identifiers/0/value' });
  });

  it('finds patients by name in either order, birth date, phone, email and MRN', async () => {
    const created = await frontDesk.post('/api/patients', {
      ...samplePatient(),
      givenName: 'Zoë',
      familyName: 'Achterberg',
      birthDate: '1990-07-04',
      contactPoints: [
        { system: 'phone', value: '617-555-0199' },
        { system: 'email', value: 'zoe.a@example.net' },
      ],
      identifiers: [{ system: 'urn:careloop:mrn', value: 'MRN777001', type: 'MR' }],
    });
    const id = created.json<Patient360>().patient.id;
    for (const q of [
      'achter',
      'zoe achterberg',
      'zoe achter',
      'achterberg zo',
      '1990-07-04',
      '07/04/1990',
      '(617) 555-0199',
      'ZOE.A@example.net',
      'mrn777001',
    ]) {
      const res = await frontDesk.get(`/api/patients?q=${encodeURIComponent(q)}`);
      expect(res.statusCode, q).toBe(200);
      expect(
        res.json<{ items: PatientSummary[] }>().items.map((p) => p.id),
        q,
      ).toContain(id);
    }
    const wrong = await frontDesk.get(`/api/patients?q=${encodeURIComponent('zoe achtx')}`);
    expect(wrong.json<{ items: PatientSummary[] }>().items.map((p) => p.id)).not.toContain(id);
    const none = await frontDesk.get('/api/patients?q=nobodyhasthisname');
    expect(none.json<{ items: PatientSummary[] }>().items).toEqual([]);
  });

  it('pages through the list with cursors in every sort order, without gaps or repeats', async () => {
    for (let i = 0; i < 7; i++) await tenant.createPatient({ familyName: `Pager${i}` });
    for (const sort of ['name', '-name', 'birthDate', '-createdAt']) {
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const url: string = `/api/patients?q=pager&limit=3&sort=${sort}${cursor ? `&cursor=${cursor}` : ''}`;
        const page = (await frontDesk.get(url)).json<{
          items: PatientSummary[];
          nextCursor: string | null;
        }>();
        seen.push(...page.items.map((p) => p.id));
        cursor = page.nextCursor;
      } while (cursor);
      expect(new Set(seen).size, sort).toBe(7);
      expect(seen, sort).toHaveLength(7);
    }
  });

  it('answers 400, not 500, to a forged cursor', async () => {
    const forged = Buffer.from(JSON.stringify(['x', 'not-a-uuid'])).toString('base64url');
    expect((await frontDesk.get(`/api/patients?cursor=${forged}`)).statusCode).toBe(400);
    expect((await frontDesk.get('/api/patients?cursor=%%%')).statusCode).toBe(400);
    const badDate = Buffer.from(
      JSON.stringify(['not-a-date', '00000000-0000-4000-8000-000000000000']),
    ).toString('base64url');
    expect((await frontDesk.get(`/api/patients?sort=birthDate&cursor=${badDate}`)).statusCode).toBe(
      400,
    );
  });

  it('updates a patient and logs the change on the timeline without PHI', async () => {
    const { id } = await tenant.createPatient();
    const res = await frontDesk.patch(`/api/patients/${id}`, {
      familyName: 'Renamed',
      preferredChannel: 'email',
    });
    expect(res.statusCode).toBe(200);
    expect(res.json<Patient360>().patient.familyName).toBe('Renamed');
    const timeline = (await frontDesk.get(`/api/patients/${id}/timeline`)).json<{
      items: Touchpoint[];
    }>();
    expect(timeline.items[0]).toMatchObject({ type: 'patient.updated' });
    expect(timeline.items[0]?.summary).not.toContain('Renamed');
  });

  it('leaves fields out of a partial update untouched, defaults included', async () => {
    const { id } = await tenant.createPatient({ preferredLanguage: 'es' });
    const res = await frontDesk.patch(`/api/patients/${id}`, { preferredName: 'Mari' });
    expect(res.json<Patient360>().patient).toMatchObject({
      preferredName: 'Mari',
      preferredLanguage: 'es',
    });
  });

  it('filters the timeline by channel and stage', async () => {
    const { id } = await tenant.createPatient();
    await frontDesk.patch(`/api/patients/${id}/preferences`, {
      consents: [{ channel: 'sms', purpose: 'marketing', status: 'granted' }],
    });
    const all = (await frontDesk.get(`/api/patients/${id}/timeline`)).json<{
      items: Touchpoint[];
    }>();
    expect(all.items.length).toBe(2);
    const followUp = (await frontDesk.get(`/api/patients/${id}/timeline?stage=follow-up`)).json<{
      items: Touchpoint[];
    }>();
    expect(followUp.items.map((i) => i.type)).toEqual(['consent.granted']);
    const email = (await frontDesk.get(`/api/patients/${id}/timeline?channel=email`)).json<{
      items: Touchpoint[];
    }>();
    expect(email.items).toEqual([]);
  });

  it('records consent given to staff and shows it in the grid', async () => {
    const { id } = await tenant.createPatient();
    const res = await frontDesk.patch(`/api/patients/${id}/preferences`, {
      consents: [{ channel: 'email', purpose: 'marketing', status: 'granted' }],
    });
    const cell = res
      .json<Patient360>()
      .consents.find((c) => c.channel === 'email' && c.purpose === 'marketing');
    expect(cell).toMatchObject({ allowed: true, explicit: true, source: 'staff' });
  });

  it('shows clinical sections to a clinician and hides them from a marketer', async () => {
    const { id } = await tenant.createPatient();
    await t.database.system((tx) =>
      tx.execute(sql`insert into conditions (org_id, patient_id, code_system, code, display)
        values (${tenant.orgId}, ${id}, 'http://snomed.info/sct', '38341003', 'Hypertension')`),
    );
    const clinician = await tenant.signIn('clinician');
    const seen = (await clinician.get(`/api/patients/${id}`)).json<Patient360>();
    expect(seen.conditions?.map((c) => c.display)).toEqual(['Hypertension']);
    const marketer = await tenant.signIn('marketer');
    const hidden = await marketer.get(`/api/patients/${id}`);
    expect(hidden.statusCode).toBe(200);
    expect(hidden.json<Patient360>().conditions).toBeNull();
    expect(hidden.json<Patient360>()).toMatchObject({ notes: null, openTasks: null });
    expect(hidden.json<Patient360>().redacted.sort()).toEqual([
      'appointments.reason',
      'conditions',
      'coverage.groupNumber',
      'coverage.memberId',
      'encounters',
      'notes',
      'openTasks',
      'recentTouchpoints.summary',
    ]);
    expect(hidden.body).not.toContain('Hypertension');
    expect((await marketer.post('/api/patients', samplePatient())).statusCode).toBe(403);
  });

  it("answers 404 for another organization's patient, and audits the attempt", async () => {
    const other = await TestTenant.create(t);
    const { id } = await other.createPatient();
    const res = await frontDesk.get(`/api/patients/${id}`);
    expect(res.statusCode).toBe(404);
    expect((await frontDesk.get(`/api/patients/${id}/timeline`)).statusCode).toBe(404);
    expect((await frontDesk.patch(`/api/patients/${id}`, { familyName: 'X' })).statusCode).toBe(
      404,
    );
    const events = rowsOf<{ outcome: string }>(
      await t.database.system((tx) =>
        tx.execute(sql`select outcome from audit_events where org_id = ${tenant.orgId}
          and record_id = ${id} and action = 'read'`),
      ),
    );
    expect(events.map((e) => e.outcome)).toEqual(['failed']);
  });

  it('appends one audit event for each read and write of a patient', async () => {
    const { id } = await tenant.createPatient();
    const count = async () =>
      rowsOf<{ n: number | string }>(
        await t.database.system((tx) =>
          tx.execute(sql`select count(*) as n from audit_events where patient_id = ${id}`),
        ),
      )[0]?.n;
    const before = Number(await count());
    await frontDesk.get(`/api/patients/${id}`);
    await frontDesk.get(`/api/patients/${id}/timeline`);
    await frontDesk.patch(`/api/patients/${id}`, { preferredLanguage: 'fr' });
    expect(Number(await count())).toBe(before + 3);
  });
});
