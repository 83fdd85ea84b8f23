import { randomUUID } from 'node:crypto';
import type { CsvImportRequest, Patient360 } from '@careloop/core';
import type { Bundle, Patient } from '@medplum/fhirtypes';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type Session, type TestApp, TestTenant } from '../../test/app.js';
import { describeEachDatabase } from '../../test/databases.js';
import { bundle, entry, systemActor } from '../../test/fhir/fixtures.js';
import { adt, merge, type PersonFields, pid } from '../../test/hl7/messages.js';
import { patientIdentifiers, patients } from './schema.js';

/**
 * Every source writes the golden record through one writer (golden-record.ts), and
 * survivorship (core/identity/survivorship.ts) decides each field whichever source wrote last.
 */
describeEachDatabase('the golden record has one writer', (kind) => {
  let t: TestApp;
  let tenant: TestTenant;
  let desk: Session;
  let serial = 0;

  beforeAll(async () => {
    t = await createTestApp(kind);
    tenant = await TestTenant.create(t);
    desk = await tenant.signIn('front-desk');
  });
  afterAll(() => t.close());

  const golden = async (id: string) => {
    const [row] = await t.database.withTenant(tenant.orgId, (tx) =>
      tx.select().from(patients).where(eq(patients.id, id)),
    );
    if (!row) throw new Error('no such patient');
    return row;
  };
  const patientCount = async () => {
    const [row] = await t.database.withTenant(tenant.orgId, (tx) =>
      tx.select({ n: sql<number>`count(*)::int` }).from(patients),
    );
    return Number(row?.n);
  };
  const byIdentifier = async (value: string) => {
    const rows = await t.database.withTenant(tenant.orgId, (tx) =>
      tx
        .select({ id: patientIdentifiers.patientId })
        .from(patientIdentifiers)
        .where(eq(patientIdentifiers.value, value)),
    );
    const owners = [...new Set(rows.map((r) => r.id))];
    const [owner] = owners;
    if (!owner || owners.length > 1) throw new Error(`${owners.length} owners of ${value}`);
    return owner;
  };

  /** An HL7 v2 ADT message, PID-15 (primary language) set when `language` is. */
  const hl7 = async (event: string, person: PersonFields, language?: string) => {
    serial += 1;
    const visit = { visit: `V-${person.mrn}`, patientClass: 'O' };
    const text = adt(event, `GR-${serial}`, person, visit).replace(
      pid(person),
      language ? `${pid(person)}||${language}` : pid(person),
    );
    const receipt = await t.services.hl7.receive(tenant.orgId, text, {
      channel: 'mllp',
      peer: '10.0.0.9:4000',
    });
    const [first] = receipt.messages;
    expect(first?.ackCode, JSON.stringify(first)).toBe('AA');
  };
  const fhirPatient = (id: string, mrn: string, over: Partial<Patient> = {}): Patient => ({
    resourceType: 'Patient',
    id,
    identifier: [{ system: 'urn:oid:2.16.840.1.113883.19.5', value: mrn }],
    name: [{ use: 'official', family: 'Quiñones-Baptiste', given: ['Rosalind'] }],
    gender: 'female',
    birthDate: '1961-04-09',
    communication: [
      { language: { coding: [{ system: 'urn:ietf:bcp:47', code: 'en' }] }, preferred: true },
    ],
    ...over,
  });
  const importFhir = async (patient: Patient, sourceSystem = 'ehr') => {
    const body: Bundle = bundle('transaction', [entry(patient)]);
    const result = await t.services.fhir.imports.importBundle(
      tenant.orgId,
      systemActor(tenant.orgId),
      body,
      { sourceSystem },
    );
    const outcome = result.entries.find((e) => e.resourceType === 'Patient');
    expect(outcome?.outcome, JSON.stringify(result.entries)).not.toBe('rejected');
  };
  /** The portal account of a patient, and the language they choose in it. */
  const chooseInPortal = async (patientId: string, language: string) => {
    const portal = await tenant.signIn('patient', { patientId });
    const res = await portal.patch('/api/portal/preferences', { preferredLanguage: language });
    expect(res.statusCode, res.body).toBe(200);
    return portal;
  };

  const csvRequest = (rows: string[]): CsvImportRequest => ({
    type: 'patients',
    fileName: 'roster.csv',
    text: ['MRN,Last Name,First Name,DOB,Sex,Mobile', ...rows].join('\r\n'),
    mapping: [
      { column: 'MRN', field: 'mrn' },
      { column: 'Last Name', field: 'familyName' },
      { column: 'First Name', field: 'givenName' },
      { column: 'DOB', field: 'birthDate' },
      { column: 'Sex', field: 'sex' },
      { column: 'Mobile', field: 'phone' },
    ],
  });
  const importCsv = async (rows: string[]) => {
    const admin = await tenant.signIn('admin');
    const res = await admin.post('/api/imports/csv/commit', csvRequest(rows));
    expect(res.statusCode, res.body).toBe(200);
  };

  it('keeps the language a patient chose in the portal when an HL7 A08 sends another', async () => {
    const person = {
      mrn: 'GR-H1',
      given: 'Teodora',
      family: 'Vasquez-Lind',
      birthDate: '19770512',
    };
    await hl7('A04', person, 'en');
    const id = await byIdentifier('GR-H1');
    expect((await golden(id)).preferredLanguage).toBe('en');
    await chooseInPortal(id, 'es');
    await hl7('A08', { ...person, phone: '6175550188' }, 'en');
    const after = await golden(id);
    expect(after.preferredLanguage).toBe('es');
    // The rest of the update still applied: the A08's phone was added.
    const view = await desk.get(`/api/patients/${id}`);
    expect(view.json<Patient360>().contactPoints.map((c) => c.value)).toContain('+16175550188');
  });

  it('keeps the language a patient chose in the portal when a FHIR Patient update sends another', async () => {
    const resourceId = randomUUID();
    await importFhir(fhirPatient(resourceId, 'GR-F1'));
    const id = await byIdentifier('GR-F1');
    expect((await golden(id)).preferredLanguage).toBe('en');
    await chooseInPortal(id, 'pt');
    await importFhir(
      fhirPatient(resourceId, 'GR-F1', { telecom: [{ system: 'phone', value: '6175550199' }] }),
    );
    expect((await golden(id)).preferredLanguage).toBe('pt');
  });

  it('lets a clinical feed still correct what it is trusted for (the name) over the portal', async () => {
    const resourceId = randomUUID();
    await importFhir(fhirPatient(resourceId, 'GR-F2'));
    const id = await byIdentifier('GR-F2');
    await importFhir(
      fhirPatient(resourceId, 'GR-F2', {
        name: [{ use: 'official', family: 'Quiñones', given: ['Rosalind'] }],
      }),
    );
    expect(await golden(id)).toMatchObject({ familyName: 'Quiñones', preferredLanguage: 'en' });
  });

  it('keeps a name staff corrected when the same CSV file is imported again, changed or not', async () => {
    const row = 'GR-C1,Abernathy,Jonh,1985-03-02,M,(617) 555-0131';
    await importCsv([row]);
    const id = await byIdentifier('GR-C1');
    expect((await golden(id)).givenName).toBe('Jonh');
    const fixed = await desk.patch(`/api/patients/${id}`, { givenName: 'John' });
    expect(fixed.statusCode, fixed.body).toBe(200);
    await importCsv([row]);
    expect((await golden(id)).givenName).toBe('John');
    await importCsv(['GR-C1,Abernathy,Jonh,1985-03-02,M,(617) 555-0132']);
    expect((await golden(id)).givenName).toBe('John');
  });

  describe('a merged record never comes back', () => {
    it('through HL7, FHIR, CSV or the portal', async () => {
      // One person known to the EHR (FHIR), the HL7 feed, a CSV roster and the portal, twice.
      const resourceId = randomUUID();
      await importFhir(
        fhirPatient(resourceId, 'GR-M1', {
          name: [{ use: 'official', family: 'Ostrowski', given: ['Halina'] }],
          birthDate: '1949-12-30',
        }),
      );
      const merged = await byIdentifier('GR-M1');
      // The roster knew the record before the merge (its MRN column is Careloop's MRN system,
      // in which the survivor, registered in the console, holds another number).
      await importCsv(['GR-M1,Ostrowski,Halina,1949-12-30,F,(617) 555-0110']);
      expect(await byIdentifier('GR-M1')).toBe(merged);
      const survivor = (
        await tenant.createPatient({
          givenName: 'Halina',
          familyName: 'Ostrowska',
          birthDate: '1949-12-30',
          administrativeSex: 'female',
          identifiers: [{ system: 'urn:test:mrn', value: 'GR-M2' }],
        })
      ).id;
      const portal = await tenant.signIn('patient', { patientId: merged });
      const res = await desk.post(`/api/patients/${survivor}/merge`, { mergedId: merged });
      expect(res.statusCode, res.body).toBe(200);
      expect((await golden(merged)).status).toBe('merged');
      const before = await patientCount();

      await importFhir(
        fhirPatient(resourceId, 'GR-M1', {
          name: [{ use: 'official', family: 'Ostrowski', given: ['Halina'] }],
          birthDate: '1949-12-30',
          telecom: [{ system: 'phone', value: '6175550111' }],
        }),
      );
      await hl7('A08', {
        mrn: 'GR-M1',
        given: 'Halina',
        family: 'Ostrowski',
        birthDate: '19491230',
        phone: '6175550112',
      });
      await importCsv(['GR-M1,Ostrowski,Halina,1949-12-30,F,(617) 555-0113']);
      const prefs = await portal.patch('/api/portal/preferences', { preferredLanguage: 'pl' });
      expect(prefs.statusCode, prefs.body).toBe(200);

      const after = await golden(merged);
      expect(after.status).toBe('merged');
      expect(await patientCount()).toBe(before);
      expect(await byIdentifier('GR-M1')).toBe(survivor);
      expect((await golden(survivor)).preferredLanguage).toBe('pl');
    });

    it('through a staff edit of the merged record (refused, 409)', async () => {
      const kept = await tenant.createPatient({ givenName: 'Ines', familyName: 'Barbosa' });
      const gone = await tenant.createPatient({ givenName: 'Inês', familyName: 'Barbosa' });
      const res = await desk.post(`/api/patients/${kept.id}/merge`, { mergedId: gone.id });
      expect(res.statusCode, res.body).toBe(200);
      const edit = await desk.patch(`/api/patients/${gone.id}`, { givenName: 'Inez' });
      expect(edit.statusCode, edit.body).toBe(409);
      expect(await golden(gone.id)).toMatchObject({ status: 'merged', givenName: 'Inês' });
    });

    it('through an HL7 A08 for the merged MRN, after an A40', async () => {
      const a = { mrn: 'GR-A1', given: 'Wojciech', family: 'Brzezinski', birthDate: '19550101' };
      const b = { mrn: 'GR-A2', given: 'Wojciech', family: 'Brzezinsky', birthDate: '19550101' };
      await hl7('A04', a);
      await hl7('A04', b);
      const prior = await byIdentifier('GR-A2');
      serial += 1;
      const receipt = await t.services.hl7.receive(
        tenant.orgId,
        merge(`GR-${serial}`, a, 'GR-A2'),
        {
          channel: 'mllp',
          peer: '10.0.0.9:4000',
        },
      );
      expect(receipt.messages[0]?.ackCode).toBe('AA');
      await hl7('A08', { ...b, phone: '6175550114' });
      expect((await golden(prior)).status).toBe('merged');
      expect(await byIdentifier('GR-A2')).toBe(await byIdentifier('GR-A1'));
    });
  });
});
