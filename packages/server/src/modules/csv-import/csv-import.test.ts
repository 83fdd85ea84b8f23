import type { CsvImportEvent, CsvImportRequest, CsvImportResult } from '@careloop/core';
import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type Session, type TestApp, TestTenant } from '../../test/app.js';
import { describeEachDatabase } from '../../test/databases.js';
import { auditEvents } from '../audit/schema.js';
import { mpiReviewItems, patientSourceRecords } from '../mpi/schema.js';
import {
  patientAddresses,
  patientContactPoints,
  patientIdentifiers,
  patients,
} from '../patients/schema.js';
import { appointments } from '../scheduling/schema.js';
import { touchpoints } from '../timeline/schema.js';

/** The NDJSON events of an import response, and its final result. */
export function eventsOf(body: string): { events: CsvImportEvent[]; result: CsvImportResult } {
  const events = body
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as CsvImportEvent);
  const last = events.at(-1);
  if (last?.type !== 'result') throw new Error(`the import did not finish: ${body.slice(-500)}`);
  return { events, result: last.result };
}

const PATIENTS_CSV = [
  'Acme EHR patient export',
  'MRN,Last Name,First Name,DOB,Sex,Mobile,E-mail,Street,City,State,Zip',
  'Q100,Okafor,Chidi,07/14/1979,M,(617) 555-0143,chidi@example.org,"12 Elm St, Apt 2",Boston,MA,02118',
  'Q101,Lindqvist,Astrid,1990-02-01,F,,astrid@example.org,4 Pine Rd,Salem,MA,01970',
  'Q102,,Nobody,13/45/1990,Z,,,,,,',
].join('\r\n');

const PATIENT_MAPPING = [
  { column: 'MRN', field: 'mrn' },
  { column: 'Last Name', field: 'familyName' },
  { column: 'First Name', field: 'givenName' },
  { column: 'DOB', field: 'birthDate' },
  { column: 'Sex', field: 'sex' },
  { column: 'Mobile', field: 'phone' },
  { column: 'E-mail', field: 'email' },
  { column: 'Street', field: 'line1' },
  { column: 'City', field: 'city' },
  { column: 'State', field: 'state' },
  { column: 'Zip', field: 'postalCode' },
];

const patientsRequest = (overrides: Partial<CsvImportRequest> = {}): CsvImportRequest => ({
  type: 'patients',
  fileName: 'acme-patients.csv',
  text: PATIENTS_CSV,
  mapping: PATIENT_MAPPING,
  ...overrides,
});

describeEachDatabase('CSV import', (kind) => {
  let app: TestApp;
  let tenant: TestTenant;
  let admin: Session;

  const count = async (table: typeof patients | typeof appointments) =>
    app.database.withTenant(tenant.orgId, async (tx) => {
      const [row] = await tx.select({ n: sql<number>`count(*)::int` }).from(table);
      return Number(row?.n ?? 0);
    });

  beforeAll(async () => {
    app = await createTestApp(kind);
    tenant = await TestTenant.create(app);
    admin = await tenant.signIn('admin');
  });
  afterAll(() => app?.close());

  it('validates a large file a slice at a time, letting other work run in between', async () => {
    const rows = Array.from(
      { length: 5000 },
      (_, i) => `Z${i},Family${i},Given,1980-01-02,F,(617) 555-0143,,,,,`,
    );
    const text = [
      'MRN,Last Name,First Name,DOB,Sex,Mobile,E-mail,Street,City,State,Zip',
      ...rows,
    ].join('\n');
    const order: string[] = [];
    const prepared = app.services.csvImport.prepare(patientsRequest({ text })).then((p) => {
      order.push('prepared');
      return p;
    });
    setImmediate(() => order.push('other work'));
    expect((await prepared).results).toHaveLength(5000);
    expect(order).toEqual(['other work', 'prepared']);
  });

  it('previews a file without writing anything: outcomes and row errors per row', async () => {
    const res = await admin.post('/api/imports/csv/preview', patientsRequest());
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toContain('application/x-ndjson');
    const { events, result } = eventsOf(res.body);
    expect(events[0]).toEqual({ type: 'progress', done: 0, total: 3 });
    expect(result).toMatchObject({
      dryRun: true,
      headerLine: 2,
      delimiter: ',',
      rows: 3,
      counts: { created: 2, updated: 0, unchanged: 0, review: 0, rejected: 1 },
    });
    const rejected = result.outcomes.find((o) => o.outcome === 'rejected');
    expect(rejected?.row).toBe(5);
    expect(rejected?.errors.map((e) => e.column)).toEqual(['Last Name', 'DOB', 'Sex']);
    expect(await count(patients)).toBe(0);
  });

  it('imports patients through the master patient index, with contacts, identifiers and address', async () => {
    const res = await admin.post('/api/imports/csv/commit', patientsRequest());
    const { result } = eventsOf(res.body);
    expect(result.counts).toEqual({ created: 2, updated: 0, unchanged: 0, review: 0, rejected: 1 });
    const chidiId = result.outcomes.find((o) => o.row === 3)?.recordId ?? '';
    await app.database.withTenant(tenant.orgId, async (tx) => {
      const [chidi] = await tx.select().from(patients).where(eq(patients.id, chidiId));
      expect(chidi).toMatchObject({
        givenName: 'Chidi',
        familyName: 'Okafor',
        birthDate: '1979-07-14',
        administrativeSex: 'male',
      });
      const contacts = await tx
        .select({ value: patientContactPoints.value, isPrimary: patientContactPoints.isPrimary })
        .from(patientContactPoints)
        .where(eq(patientContactPoints.patientId, chidiId));
      expect(contacts).toEqual(
        expect.arrayContaining([
          { value: '+16175550143', isPrimary: true },
          { value: 'chidi@example.org', isPrimary: true },
        ]),
      );
      const [address] = await tx
        .select()
        .from(patientAddresses)
        .where(eq(patientAddresses.patientId, chidiId));
      expect(address).toMatchObject({ line1: '12 Elm St, Apt 2', postalCode: '02118' });
      const [mrn] = await tx
        .select()
        .from(patientIdentifiers)
        .where(eq(patientIdentifiers.patientId, chidiId));
      expect(mrn).toMatchObject({ system: 'urn:careloop:mrn', value: 'Q100', type: 'MR' });
      const [source] = await tx
        .select()
        .from(patientSourceRecords)
        .where(eq(patientSourceRecords.patientId, chidiId));
      expect(source).toMatchObject({
        kind: 'csv',
        sourceSystem: 'csv:acme-patients.csv',
        sourceId: 'mrn:Q100',
        linkMethod: 'new',
      });
      const events = await tx
        .select({ type: touchpoints.type })
        .from(touchpoints)
        .where(eq(touchpoints.patientId, chidiId));
      expect(events.map((e) => e.type)).toEqual(['patient.registered']);
      const audit = await tx
        .select({ action: auditEvents.action, reason: auditEvents.reason })
        .from(auditEvents)
        .where(eq(auditEvents.recordType, 'csv-import'));
      expect(audit.map((a) => a.action)).toEqual(['read', 'create']);
      expect(audit[1]?.reason).toContain('2 created');
    });
  });

  it('changes nothing when the same file is imported again, nor brings back what staff removed', async () => {
    const before = await count(patients);
    const first = eventsOf((await admin.post('/api/imports/csv/preview', patientsRequest())).body);
    const chidiId = first.result.outcomes.find((o) => o.row === 3)?.recordId ?? '';
    const cleared = await admin.patch(`/api/patients/${chidiId}`, { contactPoints: [] });
    expect(cleared.statusCode, cleared.body).toBe(200);
    const { result } = eventsOf(
      (await admin.post('/api/imports/csv/commit', patientsRequest())).body,
    );
    expect(result.counts).toEqual({ created: 0, updated: 0, unchanged: 2, review: 0, rejected: 1 });
    expect(await count(patients)).toBe(before);
    const contacts = await app.database.withTenant(tenant.orgId, (tx) =>
      tx.select().from(patientContactPoints).where(eq(patientContactPoints.patientId, chidiId)),
    );
    expect(contacts).toEqual([]);
  });

  it('updates the patient a row names by MRN and adds only what the record lacks', async () => {
    const text =
      'MRN,Last Name,First Name,DOB,Mobile\nQ101,Lindqvist,Astrid,1990-02-01,617-555-0199\n';
    const { result } = eventsOf(
      (
        await admin.post('/api/imports/csv/commit', {
          type: 'patients',
          fileName: 'phones.csv',
          text,
          mapping: PATIENT_MAPPING.slice(0, 4).concat({ column: 'Mobile', field: 'phone' }),
        })
      ).body,
    );
    expect(result.counts.updated).toBe(1);
    const patientId = result.outcomes[0]?.recordId ?? '';
    const contacts = await app.database.withTenant(tenant.orgId, (tx) =>
      tx
        .select({ value: patientContactPoints.value })
        .from(patientContactPoints)
        .where(eq(patientContactPoints.patientId, patientId)),
    );
    expect(contacts.map((c) => c.value).sort()).toEqual(['+16175550199', 'astrid@example.org']);
  });

  it('sends a likely duplicate to the review queue, and says so in the dry run first', async () => {
    const text = 'First,Last,DOB,Phone,Street,Zip\nChidi,Okafor,1979-07-14,,99 Other Ave,02118\n';
    const request = {
      type: 'patients' as const,
      fileName: 'clinic-b.csv',
      text,
      mapping: [
        { column: 'First', field: 'givenName' },
        { column: 'Last', field: 'familyName' },
        { column: 'DOB', field: 'birthDate' },
        { column: 'Street', field: 'line1' },
        { column: 'Zip', field: 'postalCode' },
      ],
    };
    const preview = eventsOf((await admin.post('/api/imports/csv/preview', request)).body).result;
    const committed = eventsOf((await admin.post('/api/imports/csv/commit', request)).body).result;
    const [row] = committed.outcomes;
    // Name and birth date agree, the address does not: more than chance, not enough to link.
    expect(['review', 'update']).toContain(row?.outcome);
    expect(preview.outcomes[0]?.outcome).toBe(row?.outcome);
    if (row?.outcome === 'review') {
      const items = await app.database.withTenant(tenant.orgId, (tx) =>
        tx
          .select()
          .from(mpiReviewItems)
          .where(eq(mpiReviewItems.incomingId, row.recordId ?? '')),
      );
      expect(items.map((i) => i.candidateId)).toEqual(row.candidates);
    }
  });

  it('rejects a row whose MRN belongs to another patient, keeping the rest of the chunk', async () => {
    const text =
      'MRN,Last Name,First Name,DOB\nQ100,Lindqvist,Astrid,1990-02-01\nQ200,Haddad,Rami,1985-05-05\n';
    const { result } = eventsOf(
      (
        await admin.post('/api/imports/csv/commit', {
          type: 'patients',
          fileName: 'conflict.csv',
          text,
          mapping: PATIENT_MAPPING.slice(0, 4),
        })
      ).body,
    );
    expect(result.outcomes.map((o) => o.outcome)).toEqual(['rejected', 'create']);
    expect(result.outcomes[0]?.errors[0]?.message).toMatch(/different name|another patient/);
  });

  it('rejects a row born after the import day, naming the birth date column, and keeps the rest', async () => {
    const text =
      'MRN,Last Name,First Name,DOB\nF100,Later,Born,03/12/2026\nF101,Today,Born,2026-03-10\n';
    const request = patientsRequest({
      fileName: 'future.csv',
      text,
      mapping: PATIENT_MAPPING.slice(0, 4),
    });
    const prepared = await app.services.csvImport.prepare(
      request,
      new Date('2026-03-10T12:00:00Z'),
    );
    const actor = {
      orgId: tenant.orgId,
      userId: null,
      email: 'tests',
      role: 'system',
      ip: null,
      userAgent: null,
    };
    const result = await app.services.csvImport.run(actor, prepared, { dryRun: false });
    expect(result.outcomes.map((o) => o.outcome)).toEqual(['rejected', 'create']);
    expect(result.outcomes[0]?.errors).toEqual([
      expect.objectContaining({ column: 'DOB', message: expect.stringContaining('in the future') }),
    ]);
  });

  describe('appointments', () => {
    let practitionerId: string;

    beforeAll(async () => {
      const location = await admin.post('/api/locations', {
        name: 'Harbor Clinic',
        timeZone: 'America/Chicago',
      });
      const locationId = location.json<{ id: string }>().id;
      const person = await admin.post('/api/practitioners', {
        givenName: 'Jane',
        familyName: 'Smith',
        npi: '1234567893',
        locationId,
      });
      practitionerId = person.json<{ id: string }>().id;
      await admin.post('/api/services', {
        code: 'well-visit',
        name: 'Wellness visit',
        defaultDurationMinutes: 40,
      });
    });

    const text = [
      'Appt ID,MRN,Patient,Date,Time,Status,Provider,Service,Virtual',
      'A-1,Q100,,03/02/2026,9:30 AM,booked,"Smith, Jane MD",Wellness visit,no',
      'A-2,,mrn:Q101,2026-03-03,14:00,completed,Dr. Jane Smith,well-visit,yes',
      'A-3,Q100,,2026-03-04,10:00,booked,Dr. Who,Wellness visit,no',
      'A-4,NOPE,,2026-03-04,10:00,booked,,Wellness visit,no',
    ].join('\n');
    const request = {
      type: 'appointments' as const,
      fileName: 'schedule.csv',
      text,
      mapping: [
        { column: 'Appt ID', field: 'sourceId' },
        { column: 'MRN', field: 'patientMrn' },
        { column: 'Patient', field: 'patientSourceId' },
        { column: 'Date', field: 'date' },
        { column: 'Time', field: 'time' },
        { column: 'Status', field: 'status' },
        { column: 'Provider', field: 'practitioner' },
        { column: 'Service', field: 'service' },
        { column: 'Virtual', field: 'telehealth' },
      ],
    };

    it('links appointments to patients by MRN or source id and to the directory by name', async () => {
      const { result } = eventsOf((await admin.post('/api/imports/csv/commit', request)).body);
      expect(result.outcomes.map((o) => o.outcome)).toEqual([
        'create',
        'create',
        'rejected',
        'rejected',
      ]);
      expect(result.outcomes[2]?.errors[0]).toMatchObject({
        field: 'practitioner',
        message: 'No practitioner named "Dr. Who" in the directory',
      });
      expect(result.outcomes[3]?.errors[0]?.message).toBe('No patient has MRN NOPE');
      const [first] = await app.database.withTenant(tenant.orgId, (tx) =>
        tx
          .select()
          .from(appointments)
          .where(eq(appointments.id, result.outcomes[0]?.recordId ?? '')),
      );
      // 9:30 in Chicago (the practitioner's location), 40 minutes from the service.
      expect(first?.startAt.toISOString()).toBe('2026-03-02T15:30:00.000Z');
      expect(first?.endAt.toISOString()).toBe('2026-03-02T16:10:00.000Z');
      expect(first?.practitionerId).toBe(practitionerId);
    });

    it('changes nothing on a re-import and updates a row whose status changed', async () => {
      const again = eventsOf((await admin.post('/api/imports/csv/commit', request)).body).result;
      expect(again.counts).toMatchObject({ created: 0, unchanged: 2, rejected: 2 });
      const changed = {
        ...request,
        text: request.text.replace(
          'A-1,Q100,,03/02/2026,9:30 AM,booked',
          'A-1,Q100,,03/02/2026,9:30 AM,cancelled',
        ),
      };
      const third = eventsOf((await admin.post('/api/imports/csv/commit', changed)).body).result;
      expect(third.counts).toMatchObject({ created: 0, updated: 1, unchanged: 1 });
      const cancelled = await app.database.withTenant(tenant.orgId, (tx) =>
        tx
          .select()
          .from(appointments)
          .where(and(eq(appointments.status, 'cancelled'))),
      );
      expect(cancelled).toHaveLength(1);
    });
  });

  describe('bad input', () => {
    it('answers 400 naming the mapping entry for an unknown field', async () => {
      const res = await admin.post(
        '/api/imports/csv/preview',
        patientsRequest({ mapping: [...PATIENT_MAPPING, { column: 'Sex', field: 'shoeSize' }] }),
      );
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ code: 'bad_request', path: '/body/mapping/4' });
    });

    it('answers 400 for a file with a quote that never closes', async () => {
      const res = await admin.post(
        '/api/imports/csv/preview',
        patientsRequest({ text: 'First,Last,DOB\n"Jane,Doe,2000-01-01\n' }),
      );
      expect(res.statusCode).toBe(400);
      expect(res.json<{ message: string }>().message).toMatch(/never closed/);
    });

    it('answers 413 with a clear message for a file over 20 MB', async () => {
      const text = `First,Last,DOB\n${'Jane,Doe,2000-01-01\n'.repeat(1_300_000)}`;
      const res = await admin.post('/api/imports/csv/preview', patientsRequest({ text }));
      expect(res.statusCode).toBe(413);
      expect(res.json()).toMatchObject({ code: 'payload_too_large' });
      expect(res.json<{ message: string }>().message).toMatch(/20 MB/);
    });

    it('refuses staff without interop:write', async () => {
      const frontDesk = await tenant.signIn('front-desk');
      const res = await frontDesk.post('/api/imports/csv/preview', patientsRequest());
      expect(res.statusCode).toBe(403);
    });
  });
});

describe('eventsOf', () => {
  it('fails when the stream ends without a result', () => {
    expect(() => eventsOf('{"type":"progress","done":0,"total":1}\n')).toThrow(/did not finish/);
  });
});
