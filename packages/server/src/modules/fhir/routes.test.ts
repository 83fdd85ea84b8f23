import type { Patient360 } from '@careloop/core';
import type { Bundle, BundleEntry, OperationOutcome, Patient, Resource } from '@medplum/fhirtypes';
import { sql } from 'drizzle-orm';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rowsOf } from '../../db/rows.js';
import { createTestApp, type Session, type TestApp, TestTenant } from '../../test/app.js';
import { describeEachDatabase } from '../../test/databases.js';
import { bundle, visitBundle } from '../../test/fhir/fixtures.js';
import { MAX_BUNDLE_BYTES } from './routes.js';
import { validateFhir } from './validation/validation.js';

/** Every resource in a response validates against the R4 definitions. */
function expectValid(resource: Resource): void {
  expect(validateFhir(resource).errors, `${resource.resourceType}/${resource.id}`).toEqual([]);
  if (resource.resourceType === 'Bundle') {
    for (const e of resource.entry ?? []) if (e.resource) expectValid(e.resource);
  }
}

function expectOutcome(res: LightMyRequestResponse, status: number): OperationOutcome {
  expect(res.statusCode, res.body).toBe(status);
  expect(res.headers['content-type']).toContain('application/fhir+json');
  const outcome = res.json<OperationOutcome>();
  expect(outcome.resourceType).toBe('OperationOutcome');
  expect(outcome.issue?.[0]?.severity).toBe('error');
  return outcome;
}

describeEachDatabase('FHIR R4 interface', (kind) => {
  let t: TestApp;
  let tenant: TestTenant;
  let admin: Session;
  let patientId: string;
  let fixture: ReturnType<typeof visitBundle>;

  const post = (
    session: Session | null,
    payload: string | Buffer,
    contentType = 'application/fhir+json',
    url = '/fhir/R4',
  ) =>
    t.app.inject({
      method: 'POST',
      url,
      headers: {
        'content-type': contentType,
        ...(session ? { cookie: session.cookie, 'x-csrf-token': session.csrfToken } : {}),
      },
      payload,
    });

  beforeAll(async () => {
    t = await createTestApp(kind);
    tenant = await TestTenant.create(t);
    admin = await tenant.signIn('admin');
    fixture = visitBundle();
    const res = await post(admin, JSON.stringify(fixture.bundle));
    expect(res.statusCode, res.body).toBe(200);
    const location = res
      .json<Bundle>()
      .entry?.find((e) => e.response?.location?.startsWith('Patient/'))?.response?.location;
    patientId = location?.split('/')[1] ?? '';
  });
  afterAll(() => t.close());

  describe('POST /fhir/R4', () => {
    it('answers a transaction with a valid transaction-response, one entry per request entry', async () => {
      const { bundle: body } = visitBundle();
      const res = await post(admin, JSON.stringify(body), 'application/json');
      expect(res.statusCode).toBe(200);
      const reply = res.json<Bundle>();
      expect(reply.type).toBe('transaction-response');
      expect(reply.entry).toHaveLength(body.entry?.length ?? 0);
      expect(reply.entry?.map((e) => e.response?.status)).toContain('201 Created');
      expect(reply.entry?.map((e) => e.response?.status)).toContain('202 Accepted');
      expectValid(reply);
    });

    it('is for admins only, with the CSRF token', async () => {
      const desk = await tenant.signIn('front-desk');
      expectOutcome(await post(desk, JSON.stringify(visitBundle().bundle)), 403);
      expectOutcome(await post(null, JSON.stringify(visitBundle().bundle)), 401);
      const noCsrf = await t.app.inject({
        method: 'POST',
        url: '/fhir/R4',
        headers: { 'content-type': 'application/fhir+json', cookie: admin.cookie },
        payload: JSON.stringify(visitBundle().bundle),
      });
      expectOutcome(noCsrf, 403);
    });

    it('answers bad input with an OperationOutcome, never a 500', async () => {
      expectOutcome(await post(admin, '{"resourceType": "Bundle", '), 400);
      expectOutcome(await post(admin, ''), 400);
      expectOutcome(await post(admin, JSON.stringify({ resourceType: 'Patient' })), 400);
      expectOutcome(
        await post(admin, JSON.stringify({ resourceType: 'Bundle', type: 'searchset' })),
        400,
      );
      expectOutcome(await post(admin, '<Bundle/>', 'application/xml'), 415);
      const tooMany = bundle(
        'batch',
        Array.from({ length: 5001 }, () => ({
          resource: { resourceType: 'Basic', code: { text: 'x' } },
        })),
      );
      expectOutcome(await post(admin, JSON.stringify(tooMany)), 413);
      const huge = Buffer.alloc(MAX_BUNDLE_BYTES + 1024, ' ');
      expectOutcome(await post(admin, huge), 413);
    });

    it('refuses a patient born after the day of the request, naming Patient.birthDate', async () => {
      const entry: BundleEntry = {
        resource: { resourceType: 'Patient', name: [{ family: 'Unborn' }], birthDate: '2999' },
        request: { method: 'POST', url: 'Patient' },
      };
      const transaction = await post(admin, JSON.stringify(bundle('transaction', [entry])));
      const outcome = expectOutcome(transaction, 422);
      expect(outcome.issue?.[0]?.expression).toEqual(['Bundle.entry[0].resource.birthDate']);
      const batch = (await post(admin, JSON.stringify(bundle('batch', [entry])))).json<Bundle>();
      const answer = batch.entry?.[0]?.response;
      expect(answer?.status).toMatch(/^422/);
      expect(JSON.stringify(answer?.outcome)).toContain('Bundle.entry[0].resource.birthDate');
      expect((await admin.get('/fhir/R4/Patient?name=Unborn')).json<Bundle>().entry ?? []).toEqual(
        [],
      );
    });

    it('accepts bundles well above the 1 MB limit of the rest of the API', async () => {
      const notes = Array.from({ length: 400 }, (_, i) => ({
        resource: {
          resourceType: 'Basic' as const,
          id: `big-${i}`,
          code: { text: 'x'.repeat(6000) },
        },
        request: { method: 'POST' as const, url: 'Basic' },
      }));
      const body = JSON.stringify(bundle('batch', notes));
      expect(body.length).toBeGreaterThan(2 * 1024 * 1024);
      const res = await post(admin, body);
      expect(res.statusCode, res.body.slice(0, 300)).toBe(200);
      expect(res.json<Bundle>().entry?.every((e) => e.response?.status === '202 Accepted')).toBe(
        true,
      );
    });

    it('names the entry and the path when a transaction is refused', async () => {
      const { bundle: body } = visitBundle();
      const index = body.entry?.findIndex((e) => e.resource?.resourceType === 'Condition') ?? -1;
      const condition = body.entry?.[index]?.resource;
      if (condition?.resourceType !== 'Condition') throw new Error('fixture has no condition');
      condition.subject = { reference: 'Patient/unknown-here' };
      const outcome = expectOutcome(await post(admin, JSON.stringify(body)), 404);
      expect(outcome.issue?.[0]?.expression).toEqual([`Bundle.entry[${index}].resource.subject`]);
      expectValid(outcome);
    });
  });

  describe('reading', () => {
    it('serves a public CapabilityStatement', async () => {
      const res = await t.app.inject({ method: 'GET', url: '/fhir/R4/metadata' });
      expect(res.statusCode).toBe(200);
      expectValid(res.json());
    });

    it('reads a patient as a valid R4 Patient, and audits the read', async () => {
      const auditsBefore = await auditCount();
      const res = await admin.get(`/fhir/R4/Patient/${patientId}`);
      expect(res.statusCode).toBe(200);
      const patient = res.json<Patient>();
      expect(patient.name?.[0]).toMatchObject({ family: 'Quiñones', given: ['Rosa', 'María'] });
      expect(patient.telecom).toContainEqual(
        expect.objectContaining({ system: 'phone', value: '+16175550142' }),
      );
      expectValid(patient);
      expect(await auditCount()).toBe(auditsBefore + 1);
    });

    it('answers an unknown or malformed id with 404', async () => {
      expectOutcome(await admin.get('/fhir/R4/Patient/00000000-0000-4000-8000-000000000000'), 404);
      expectOutcome(await admin.get('/fhir/R4/Patient/not-a-careloop-id'), 404);
      expectOutcome(await admin.get('/fhir/R4/Questionnaire/1'), 404);
    });

    it('searches patients by name, birth date, identifier and telecom', async () => {
      const found = async (query: string) => {
        const res = await admin.get(`/fhir/R4/Patient?${query}`);
        expect(res.statusCode, res.body).toBe(200);
        const b = res.json<Bundle>();
        expectValid(b);
        return (b.entry ?? []).map((e) => e.resource?.id);
      };
      expect(await found('name=quinon')).toContain(patientId);
      expect(await found('name=ROSA%20qui')).toContain(patientId);
      expect(await found('birthdate=1958-07')).toContain(patientId);
      expect(await found('birthdate=lt1950-01-01')).not.toContain(patientId);
      expect(await found(`identifier=urn:oid:1.2.840.99999.1|${fixture.ids.mrn}`)).toEqual([
        patientId,
      ]);
      expect(await found('telecom=(617)%20555-0142')).toContain(patientId);
      expect(await found('telecom=email|rosa.quinones@example.org')).toContain(patientId);
      expect(await found('name=zzzz')).toEqual([]);
      expectOutcome(await admin.get('/fhir/R4/Patient?birthdate=yesterday'), 400);
    });

    it('refuses an unsupported search parameter unless the client asks for lenient handling', async () => {
      const refused = expectOutcome(await admin.get('/fhir/R4/Patient?family=quinones'), 400);
      expect(refused.issue?.[0]?.code).toBe('not-supported');
      expect(refused.issue?.[0]?.expression).toEqual(['family']);
      expect(refused.issue?.[0]?.diagnostics).toContain('family');
      const withPrefer = (url: string, prefer: string) =>
        t.app.inject({ method: 'GET', url, headers: { cookie: admin.cookie, prefer } });
      const strict = await withPrefer('/fhir/R4/Encounter?patient=x&_sort=date', 'handling=strict');
      expect(expectOutcome(strict, 400).issue?.[0]?.expression).toEqual(['_sort']);

      const lenient = await withPrefer(
        '/fhir/R4/Patient?name=quinon&family=nobody&_count=5',
        'return=minimal, handling=lenient',
      );
      expect(lenient.statusCode, lenient.body).toBe(200);
      const b = lenient.json<Bundle>();
      expectValid(b);
      const self = new URL(b.link?.find((l) => l.relation === 'self')?.url ?? '');
      expect([...self.searchParams.keys()].sort()).toEqual(['_count', 'name']);
      const outcome = b.entry?.find((e) => e.search?.mode === 'outcome')?.resource;
      expect(outcome?.resourceType).toBe('OperationOutcome');
      expect(outcome?.resourceType === 'OperationOutcome' && outcome.issue[0]).toMatchObject({
        severity: 'warning',
        code: 'not-supported',
        expression: ['family'],
      });
      const patients = (b.entry ?? []).filter((e) => e.resource?.resourceType === 'Patient');
      expect(patients.map((e) => e.resource?.id)).toContain(patientId);
    });

    it('honours the general parameters _format (asking for JSON) and _pretty, and refuses _format=xml', async () => {
      for (const query of ['_format=json', '_format=application/fhir%2Bjson', '_pretty=true']) {
        const res = await admin.get(`/fhir/R4/Patient?name=quinon&${query}`);
        expect(res.statusCode, `${query}: ${res.body}`).toBe(200);
      }
      const xml = expectOutcome(await admin.get('/fhir/R4/Patient?name=quinon&_format=xml'), 400);
      expect(xml.issue?.[0]?.expression).toEqual(['_format']);
    });

    it('lists the import history for the Interfaces page, newest first, filtered by outcome', async () => {
      const t2 = await TestTenant.create(t);
      const officer = await t2.signIn('admin');
      expect((await post(officer, JSON.stringify(visitBundle().bundle))).statusCode).toBe(200);
      const refused = await post(
        officer,
        JSON.stringify({
          resourceType: 'Bundle',
          type: 'transaction',
          entry: [{ resource: { resourceType: 'Patient', birthDate: 'last tuesday' } }],
        }),
      );
      expect(refused.statusCode).toBeGreaterThanOrEqual(400);
      const all = await officer.get('/api/fhir/imports');
      expect(all.statusCode, all.body).toBe(200);
      const items = all.json<{ items: { outcome: string; summary: string | null }[] }>().items;
      expect(items.map((i) => i.outcome)).toEqual(['failed', 'success']);
      expect(items[1]?.summary).toMatch(/^FHIR transaction from /);
      const failed = (await officer.get('/api/fhir/imports?outcome=failed')).json<{
        items: unknown[];
      }>();
      expect(failed.items.length).toBe(1);
      expect((await officer.get('/api/fhir/imports?outcome=nope')).statusCode).toBe(400);
      expect((await (await t2.signIn('clinician')).get('/api/fhir/imports')).statusCode).toBe(403);
    });

    it('pages a search with a next link that carries the cursor', async () => {
      for (let i = 0; i < 2; i++) await post(admin, JSON.stringify(visitBundle().bundle));
      const seen: string[] = [];
      let url: string | undefined = '/fhir/R4/Patient?name=quinones&_count=1';
      while (url) {
        const res = await admin.get(url);
        const page: Bundle = res.json<Bundle>();
        seen.push(...(page.entry ?? []).map((e) => e.resource?.id ?? ''));
        const next = page.link?.find((l) => l.relation === 'next')?.url;
        url = next ? new URL(next).pathname + new URL(next).search : undefined;
        expect(seen.length).toBeLessThan(10);
      }
      expect(new Set(seen).size).toBe(seen.length);
      expect(seen.length).toBeGreaterThanOrEqual(3);
    });

    it('searches encounters and conditions by patient for clinical roles only', async () => {
      const clinician = await tenant.signIn('clinician');
      const res = await clinician.get(`/fhir/R4/Encounter?patient=Patient/${patientId}`);
      expect(res.statusCode).toBe(200);
      const encounters = res.json<Bundle>();
      expect(encounters.entry).toHaveLength(1);
      expectValid(encounters);
      const id = encounters.entry?.[0]?.resource?.id;
      expectValid((await clinician.get(`/fhir/R4/Encounter/${id}`)).json());
      expectValid((await clinician.get(`/fhir/R4/Condition?patient=${patientId}`)).json());
      const marketer = await tenant.signIn('marketer');
      expectOutcome(await marketer.get(`/fhir/R4/Encounter?patient=${patientId}`), 403);
      expectOutcome(await clinician.get('/fhir/R4/Encounter'), 400);
    });

    it('searches appointments and messages by patient', async () => {
      const desk = await tenant.signIn('front-desk');
      for (const type of ['Appointment', 'Communication']) {
        const res = await desk.get(`/fhir/R4/${type}?patient=${patientId}`);
        expect(res.statusCode).toBe(200);
        const b = res.json<Bundle>();
        expect(b.entry, type).toHaveLength(1);
        expectValid(b);
      }
    });

    it('stores the appointment reason encrypted and serves it decrypted in FHIR and the 360 view', async () => {
      const [row] = rowsOf<{ reason: string | null; reason_encrypted: string }>(
        await t.database.withTenant(tenant.orgId, (tx) =>
          tx.execute(sql`select reason, reason_encrypted from appointments
            where patient_id = ${patientId}`),
        ),
      );
      expect(row?.reason).toBeNull();
      expect(row?.reason_encrypted).toMatch(/^v2\./);
      expect(row?.reason_encrypted).not.toContain('diabetes');
      // A clinician reads the reason (the front desk may not: minimum necessary).
      const clinician = await tenant.signIn('clinician');
      const found = (
        await clinician.get(`/fhir/R4/Appointment?patient=${patientId}`)
      ).json<Bundle>();
      const appointment = found.entry?.[0]?.resource;
      expect(appointment?.resourceType === 'Appointment' && appointment.reasonCode).toEqual([
        { text: 'Follow-up: type 2 diabetes' },
      ]);
      const view = (await clinician.get(`/api/patients/${patientId}`)).json<Patient360>();
      const shown = [...view.appointments.upcoming, ...view.appointments.past];
      expect(shown.map((a) => a.reason)).toEqual(['Follow-up: type 2 diabetes']);
    });

    it('returns $everything, leaving clinical records out for non-clinical roles', async () => {
      const types = async (session: Session) => {
        const res = await session.get(`/fhir/R4/Patient/${patientId}/$everything`);
        expect(res.statusCode).toBe(200);
        const b = res.json<Bundle>();
        expectValid(b);
        return new Set((b.entry ?? []).map((e) => e.resource?.resourceType));
      };
      const all = await types(admin);
      for (const type of [
        'Patient',
        'Encounter',
        'Condition',
        'Observation',
        'Appointment',
        'Communication',
      ]) {
        expect(all.has(type as Resource['resourceType']), type).toBe(true);
      }
      const marketing = await types(await tenant.signIn('marketer'));
      expect(marketing.has('Encounter')).toBe(false);
      expect(marketing.has('Observation')).toBe(false);
      expect(marketing.has('Appointment')).toBe(true);
    });

    it("never shows another organization's patients", async () => {
      const other = await TestTenant.create(t);
      const stranger = await other.signIn('admin');
      expectOutcome(await stranger.get(`/fhir/R4/Patient/${patientId}`), 404);
      const search = (await stranger.get('/fhir/R4/Patient?name=quinones')).json<Bundle>();
      expect(search.entry ?? []).toEqual([]);
    });
  });

  async function auditCount(): Promise<number> {
    const [row] = rowsOf<{ n: number | string }>(
      await t.database.withTenant(tenant.orgId, (tx) =>
        tx.execute(sql`select count(*) as n from audit_events where record_type like 'fhir:%'`),
      ),
    );
    return Number(row?.n);
  }
});
