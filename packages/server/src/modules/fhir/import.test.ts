import { randomUUID } from 'node:crypto';
import type { Bundle, Extension, Patient, Resource } from '@medplum/fhirtypes';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appointmentCancelReasonAad, fhirResourceAad } from '../../crypto/encrypted-fields.js';
import { DecryptionError } from '../../crypto/field-cipher.js';
import { rowsOf } from '../../db/rows.js';
import { createTestApp, type TestApp, TestTenant } from '../../test/app.js';
import { describeEachDatabase } from '../../test/databases.js';
import { bundle, entry, systemActor, visitBundle } from '../../test/fhir/fixtures.js';
import type { ImportResult } from './import/import-service.js';

describeEachDatabase('FHIR import', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(kind);
  });
  afterAll(() => t.close());

  const importInto = (tenant: TestTenant, body: unknown, sourceSystem = 'ehr') =>
    t.services.fhir.imports.importBundle(tenant.orgId, systemActor(tenant.orgId), body, {
      sourceSystem,
    });

  const query = async <T>(tenant: TestTenant, statement: ReturnType<typeof sql>) =>
    rowsOf<T>(await t.database.withTenant(tenant.orgId, (tx) => tx.execute(statement)));

  const count = async (tenant: TestTenant, table: string) => {
    const [row] = await query<{ n: number | string }>(
      tenant,
      sql.raw(`select count(*) as n from ${table}`),
    );
    return Number(row?.n);
  };

  const outcomeOf = (result: ImportResult, type: string) =>
    result.entries.filter((e) => e.resourceType === type).map((e) => e.outcome);

  describe('a transaction bundle from an EHR', () => {
    let tenant: TestTenant;
    let first: ImportResult;
    let fixture: ReturnType<typeof visitBundle>;
    beforeAll(async () => {
      tenant = await TestTenant.create(t);
      fixture = visitBundle();
      first = await importInto(tenant, fixture.bundle);
    });

    it('maps every modelled resource and keeps the rest as stored, not mapped', () => {
      expect(first.committed).toBe(true);
      expect(first.counts).toMatchObject({
        Patient: { created: 1 },
        Organization: { created: 2 },
        Practitioner: { created: 1 },
        Encounter: { created: 1 },
        Condition: { created: 1 },
        Observation: { created: 1 },
        Claim: { created: 1 },
        ExplanationOfBenefit: { created: 1 },
        Appointment: { created: 1 },
        Communication: { created: 1 },
        Goal: { storedNotMapped: 1 },
      });
    });

    it('draws no "Invalid reference" warning for its urn:uuid references', () => {
      const references = JSON.stringify(fixture.bundle).match(/"reference":"urn:uuid:/g) ?? [];
      expect(references.length).toBeGreaterThan(3);
      const texts = first.entries.flatMap((e) =>
        e.issues.map((i) => `${i.details?.text ?? ''} ${i.diagnostics ?? ''}`),
      );
      expect(texts.filter((text) => text.includes('Invalid reference'))).toEqual([]);
    });

    it('registers the patient through the golden record rules: names, phone, email, language', async () => {
      const [p] = await query<Record<string, string>>(
        tenant,
        sql`select given_name, middle_name, family_name, search_name, birth_date::text as birth_date,
          administrative_sex, preferred_language from patients`,
      );
      expect(p).toMatchObject({
        given_name: 'Rosa',
        middle_name: 'María',
        family_name: 'Quiñones',
        search_name: 'quinones rosa',
        birth_date: '1958-07-03',
        administrative_sex: 'female',
        preferred_language: 'es',
      });
      const contacts = await query<{ system: string; value: string; is_primary: boolean }>(
        tenant,
        sql`select system, value, is_primary from patient_contact_points order by system`,
      );
      expect(contacts).toEqual([
        { system: 'email', value: 'rosa.quinones@example.org', is_primary: true },
        { system: 'phone', value: '+16175550142', is_primary: true },
      ]);
      const patientEntry = first.entries.find((e) => e.resourceType === 'Patient');
      expect(patientEntry?.issues.map((i) => i.diagnostics).join(' ')).toContain('not a number');
    });

    it("takes the claim's payer from its contained coverage and links the payment to the claim", async () => {
      const [claim] = await query<{
        id: string;
        billed_amount: string;
        payer_name: string;
        encounter_id: string | null;
      }>(tenant, sql`select id, billed_amount::text, payer_name, encounter_id from claims`);
      expect(claim).toMatchObject({ billed_amount: '180.50', payer_name: 'Bay State Health Plan' });
      expect(claim?.encounter_id).not.toBeNull();
      const [eob] = await query<{ claim_id: string; paid_amount: string; payer_name: string }>(
        tenant,
        sql`select claim_id, paid_amount::text, payer_name from explanations_of_benefit`,
      );
      expect(eob).toEqual({
        claim_id: claim?.id,
        paid_amount: '144.40',
        payer_name: 'Bay State Health Plan',
      });
    });

    it('appends touchpoints from the source system "fhir" in the same transaction', async () => {
      const rows = await query<{
        type: string;
        channel: string;
        stage: string;
        source_system: string;
      }>(tenant, sql`select type, channel, stage, source_system from touchpoints order by type`);
      expect(rows).toEqual([
        {
          type: 'appointment.booked',
          channel: 'system',
          stage: 'scheduling',
          source_system: 'fhir',
        },
        { type: 'claim.submitted', channel: 'system', stage: 'billing', source_system: 'fhir' },
        { type: 'communication.sent', channel: 'sms', stage: 'follow-up', source_system: 'fhir' },
        {
          type: 'patient.registered',
          channel: 'system',
          stage: 'awareness',
          source_system: 'fhir',
        },
        { type: 'visit.completed', channel: 'in-person', stage: 'visit', source_system: 'fhir' },
      ]);
    });

    it('keeps raw resources encrypted, each bound to its source key', async () => {
      const rows = await query<{
        resource: unknown;
        resource_encrypted: string;
        source_id: string;
      }>(tenant, sql`select resource, resource_encrypted, source_id from fhir_source_records`);
      expect(rows).toHaveLength(12);
      expect(JSON.stringify(rows)).not.toContain('See you tomorrow');
      expect(JSON.stringify(rows)).not.toContain('HbA1c');
      const message = rows.find((r) => r.source_id === fixture.ids.message);
      expect(message?.resource).toBeNull();
      const at = (resourceType: string, sourceId: string) =>
        fhirResourceAad({ sourceSystem: 'ehr', resourceType, sourceId }, tenant.orgId);
      const sealed = message?.resource_encrypted ?? '';
      const opened = JSON.parse(
        t.services.cipher.decrypt(sealed, at('Communication', fixture.ids.message)),
      );
      expect(opened.payload).toEqual([{ contentString: 'See you tomorrow at 9' }]);
      expect(() => t.services.cipher.decrypt(sealed, at('Goal', fixture.ids.goal))).toThrow(
        DecryptionError,
      );
    });

    it('keeps every resource raw with its provenance and links it to its record', async () => {
      const raw = await query<{ resource_type: string; source_system: string; status: string }>(
        tenant,
        sql`select resource_type, source_system, status from fhir_source_records where source_id = ${fixture.ids.goal}`,
      );
      expect(raw).toEqual([
        { resource_type: 'Goal', source_system: 'ehr', status: 'stored-not-mapped' },
      ]);
      expect(await count(tenant, 'fhir_source_records')).toBe(12);
      const [link] = await query<{ record_type: string; patient_id: string }>(
        tenant,
        sql`select record_type, patient_id from source_links where source_type = 'Encounter'`,
      );
      expect(link?.record_type).toBe('encounter');
      expect(link?.patient_id).toBeTruthy();
    });

    it('audits the import: the patient written, and the bundle', async () => {
      const events = await query<{ action: string; record_type: string; actor_role: string }>(
        tenant,
        sql`select action, record_type, actor_role from audit_events order by seq`,
      );
      expect(events).toEqual([
        { action: 'create', record_type: 'patient', actor_role: 'system' },
        { action: 'create', record_type: 'fhir-bundle', actor_role: 'system' },
      ]);
    });

    it('changes nothing when the same bundle comes again', async () => {
      const before = await count(tenant, 'touchpoints');
      const again = await importInto(tenant, fixture.bundle);
      expect(again.entries.every((e) => e.outcome === 'unchanged')).toBe(true);
      expect(await count(tenant, 'touchpoints')).toBe(before);
      expect(await count(tenant, 'patients')).toBe(1);
    });

    it('updates the record in place when the source changes a resource', async () => {
      const changed = structuredClone(fixture.bundle);
      const encounter = changed.entry?.find(
        (e) => e.resource?.resourceType === 'Encounter',
      )?.resource;
      if (encounter?.resourceType !== 'Encounter') throw new Error('fixture has no encounter');
      encounter.period = { start: '2024-03-05T14:00:00Z', end: '2024-03-05T15:10:00Z' };
      const result = await importInto(tenant, changed);
      expect(outcomeOf(result, 'Encounter')).toEqual(['updated']);
      expect(outcomeOf(result, 'Patient')).toEqual(['unchanged']);
      const rows = await query<{ end_at: string | Date }>(
        tenant,
        sql`select end_at from encounters`,
      );
      expect(rows.map((r) => new Date(r.end_at).toISOString())).toEqual([
        '2024-03-05T15:10:00.000Z',
      ]);
    });
  });

  it('refuses a whole transaction when one entry names an unknown record, writing nothing', async () => {
    const tenant = await TestTenant.create(t);
    const { bundle: good } = visitBundle();
    const entries = good.entry ?? [];
    const encounterIndex = entries.findIndex((e) => e.resource?.resourceType === 'Encounter');
    const broken = structuredClone(good);
    const encounter = broken.entry?.[encounterIndex]?.resource;
    if (encounter?.resourceType !== 'Encounter') throw new Error('fixture has no encounter');
    encounter.subject = { reference: 'Patient/nobody-knows' };
    const result = await importInto(tenant, broken);
    expect(result.committed).toBe(false);
    expect(result.failure?.status).toBe(404);
    const issue = result.failure?.outcome.issue?.[0];
    expect(issue?.expression).toEqual([`Bundle.entry[${encounterIndex}].resource.subject`]);
    expect(issue?.diagnostics).toContain('Patient/nobody-knows');
    for (const table of [
      'patients',
      'encounters',
      'fhir_source_records',
      'touchpoints',
      'source_links',
    ]) {
      expect(await count(tenant, table), table).toBe(0);
    }
    expect(result.counts.Patient?.rejected).toBe(1);
  });

  it('refuses a transaction holding an invalid resource, naming the entry and the field', async () => {
    const tenant = await TestTenant.create(t);
    const patient: Resource = {
      resourceType: 'Patient',
      id: 'p1',
      name: [{ family: 'Valid' }],
      birthDate: '1970-01-01',
    };
    const invalid = {
      resourceType: 'Patient',
      id: 'p2',
      name: [{ family: 'Nope' }],
      birthDate: 'last tuesday',
    };
    const result = await importInto(tenant, {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [entry(patient, 'urn:uuid:p1'), { resource: invalid }],
    });
    expect(result.committed).toBe(false);
    expect(result.failure?.outcome.issue?.[0]?.expression?.[0]).toBe(
      'Bundle.entry[1].resource.birthDate',
    );
    expect(await count(tenant, 'patients')).toBe(0);
  });

  it('reports a batch entry by entry: the good ones are kept, the bad one explained', async () => {
    const tenant = await TestTenant.create(t);
    const patientId = randomUUID();
    const result = await importInto(
      tenant,
      bundle('batch', [
        entry({
          resourceType: 'Patient',
          id: patientId,
          name: [{ family: 'Ok', given: ['Batch'] }],
          birthDate: '1990-02-03',
          gender: 'male',
        }),
        entry({
          resourceType: 'Encounter',
          id: randomUUID(),
          status: 'finished',
          class: { code: 'AMB' },
          subject: { reference: 'Patient/unknown' },
          period: { start: '2024-01-01T10:00:00Z' },
        }),
        entry({
          resourceType: 'Encounter',
          id: randomUUID(),
          status: 'finished',
          class: { code: 'EMER' },
          subject: { reference: `urn:uuid:${patientId}` },
          period: { start: '2024-01-02T10:00:00Z' },
        }),
      ]),
    );
    expect(result.committed).toBe(true);
    expect(result.entries.map((e) => [e.outcome, e.status])).toEqual([
      ['created', 201],
      ['rejected', 404],
      ['created', 201],
    ]);
    expect(result.entries[1]?.issues[0]?.expression).toEqual(['Bundle.entry[1].resource.subject']);
    expect(await count(tenant, 'encounters')).toBe(1);
  });

  it('rejects a patient with thousands of phone numbers, naming the list, and keeps one with a few', async () => {
    const tenant = await TestTenant.create(t);
    const person = (telecom: { system: 'phone'; value: string }[]): Resource => ({
      resourceType: 'Patient',
      id: randomUUID(),
      name: [{ family: 'Many', given: ['Phones'] }],
      birthDate: '1975-05-06',
      telecom,
    });
    const phones = (n: number) =>
      Array.from({ length: n }, (_, i) => ({
        system: 'phone' as const,
        value: `617555${String(i % 10_000).padStart(4, '0')}`,
      }));
    const result = await importInto(
      tenant,
      bundle('batch', [entry(person(phones(20_000))), entry(person([...phones(3), ...phones(3)]))]),
    );
    expect(result.entries.map((e) => e.outcome)).toEqual(['rejected', 'created']);
    expect(result.entries[0]?.issues[0]).toMatchObject({
      expression: ['Bundle.entry[0].resource.telecom'],
      diagnostics: expect.stringContaining('at most 50'),
    });
    // The repeated numbers of the second are kept once each.
    expect(await count(tenant, 'patient_contact_points')).toBe(3);
  });

  it('rejects a patient born after the import day, naming birthDate, and keeps one born that day', async () => {
    const tenant = await TestTenant.create(t);
    const person = (birthDate: string): Resource => ({
      resourceType: 'Patient',
      id: randomUUID(),
      name: [{ family: 'Later', given: ['Born'] }],
      birthDate,
    });
    const result = await t.services.fhir.imports.importBundle(
      tenant.orgId,
      systemActor(tenant.orgId),
      bundle('batch', [
        entry(person('2026-03-12')),
        entry(person('2099')),
        entry(person('2026-03-10')),
      ]),
      { sourceSystem: 'ehr', asOf: new Date('2026-03-10T12:00:00Z') },
    );
    expect(result.entries.map((e) => [e.outcome, e.status])).toEqual([
      ['rejected', 422],
      ['rejected', 422],
      ['created', 201],
    ]);
    expect(result.entries[0]?.issues[0]).toMatchObject({
      severity: 'error',
      expression: ['Bundle.entry[0].resource.birthDate'],
      diagnostics: 'The birth date 2026-03-12 is in the future',
    });
    const born = await query<{ birth_date: string }>(
      tenant,
      sql`select birth_date::text as birth_date from patients`,
    );
    expect(born).toEqual([{ birth_date: '2026-03-10' }]);
  });

  it('finds the same person sent by a second system through a shared identifier', async () => {
    const tenant = await TestTenant.create(t);
    const fixture = visitBundle();
    await importInto(tenant, fixture.bundle, 'ehr-a');
    const second = await importInto(
      tenant,
      bundle('batch', [
        entry({
          resourceType: 'Patient',
          id: 'other-system-id',
          identifier: [{ system: 'urn:oid:1.2.840.99999.1', value: fixture.ids.mrn }],
          name: [{ family: 'Quiñones', given: ['Rosa'] }],
          birthDate: '1958-07-03',
          telecom: [{ system: 'phone', value: '617-555-0199' }],
        }),
      ]),
      'ehr-b',
    );
    expect(second.entries[0]?.outcome).toBe('updated');
    expect(await count(tenant, 'patients')).toBe(1);
    const links = await query<{ source_system: string; record_id: string }>(
      tenant,
      sql`select source_system, record_id from source_links where source_type = 'Patient' order by source_system`,
    );
    expect(links.map((l) => l.source_system)).toEqual(['ehr-a', 'ehr-b']);
    expect(new Set(links.map((l) => l.record_id)).size).toBe(1);
    // Contact points are added, never dropped: both phones are kept.
    expect(await count(tenant, 'patient_contact_points')).toBe(3);
  });

  it('keeps a partial birth date and a deceased flag the way the sender gave them', async () => {
    const tenant = await TestTenant.create(t);
    const result = await importInto(
      tenant,
      bundle('batch', [
        {
          resource: {
            resourceType: 'Patient',
            name: [{ family: 'Chalmers', given: ['Peter'] }],
            birthDate: '1974-12',
            deceasedBoolean: true,
          },
        },
      ]),
    );
    expect(result.entries[0]?.outcome).toBe('created');
    const [p] = await query<{ birth_date: string; flags: string[] }>(
      tenant,
      sql`select birth_date::text as birth_date, flags from patients`,
    );
    expect(p?.birth_date).toBe('1974-12-01');
    expect([...(p?.flags ?? [])].sort()).toEqual(['birth-date-partial', 'deceased']);
  });

  it('leaves a shared directory record as it is when a stripped-down copy arrives', async () => {
    const tenant = await TestTenant.create(t);
    const full = {
      resourceType: 'Organization' as const,
      id: 'org-1',
      name: 'Harbor General',
      extension: [{ url: 'http://example.org/utilization', valueInteger: 2910 }],
    };
    const { extension: _dropped, ...copy } = full;
    expect((await importInto(tenant, bundle('batch', [entry(full)]))).entries[0]?.outcome).toBe(
      'created',
    );
    expect((await importInto(tenant, bundle('batch', [entry(copy)]))).entries[0]?.outcome).toBe(
      'unchanged',
    );
    expect((await importInto(tenant, bundle('batch', [entry(full)]))).entries[0]?.outcome).toBe(
      'unchanged',
    );
  });

  it("keeps one organization's imports out of another's sight", async () => {
    const a = await TestTenant.create(t);
    const b = await TestTenant.create(t);
    await importInto(a, visitBundle().bundle);
    for (const table of [
      'fhir_source_records',
      'source_links',
      'claims',
      'observations',
      'communications',
    ]) {
      expect(await count(b, table), table).toBe(0);
      expect(await count(a, table), table).toBeGreaterThan(0);
    }
  });

  it('refuses what is not a transaction or batch Bundle', async () => {
    const tenant = await TestTenant.create(t);
    const attempts: unknown[] = [
      { resourceType: 'Patient' },
      { resourceType: 'Bundle', type: 'collection', entry: [] },
      { resourceType: 'Bundle', type: 'batch', entry: {} },
      'text',
    ];
    for (const body of attempts) {
      await expect(importInto(tenant, body)).rejects.toMatchObject({ status: 400 });
    }
    const tooMany: Bundle = {
      resourceType: 'Bundle',
      type: 'batch',
      entry: Array.from({ length: 5001 }, () => ({})),
    };
    await expect(importInto(tenant, tooMany)).rejects.toMatchObject({ status: 413 });
  });

  it('rejects an entry nested thousands deep, not with a stack overflow, and keeps the rest', async () => {
    const tenant = await TestTenant.create(t);
    let extension: Extension = { url: 'http://example.org/x', valueString: 'v' };
    for (let i = 0; i < 20_000; i += 1) {
      extension = { url: 'http://example.org/x', extension: [extension] };
    }
    const patient = (family: string, more: Partial<Patient> = {}): Patient => ({
      resourceType: 'Patient',
      id: randomUUID(),
      name: [{ family }],
      birthDate: '1980-01-01',
      ...more,
    });
    const result = await importInto(
      tenant,
      bundle('batch', [
        entry(patient('Deep', { extension: [extension] })),
        entry(patient('Shallow')),
      ]),
    );
    expect(result.entries.map((e) => e.outcome)).toEqual(['rejected', 'created']);
    expect(result.entries[0]?.issues[0]?.diagnostics).toContain('more than 100 deep');
    expect(await count(tenant, 'fhir_source_records')).toBe(1);
  });

  it('seals an Appointment.cancelationReason to the appointment, as the scheduling module does', async () => {
    const tenant = await TestTenant.create(t);
    const patient = randomUUID();
    const appointment = randomUUID();
    const marker = 'Admitted with chest pain FHIRCANCEL93';
    const result = await importInto(
      tenant,
      bundle('transaction', [
        entry({
          resourceType: 'Patient',
          id: patient,
          name: [{ family: 'Cancel', given: ['Cora'] }],
          birthDate: '1970-01-02',
        }),
        entry({
          resourceType: 'Appointment',
          id: appointment,
          status: 'cancelled',
          cancelationReason: { text: marker },
          start: '2024-09-10T13:00:00Z',
          end: '2024-09-10T13:30:00Z',
          participant: [{ actor: { reference: `urn:uuid:${patient}` }, status: 'accepted' }],
        }),
      ]),
    );
    expect(result.committed).toBe(true);
    const [row] = await query<{ id: string; plain: string | null; sealed: string | null }>(
      tenant,
      sql`select id, cancel_reason as plain, cancel_reason_encrypted as sealed from appointments`,
    );
    expect(row?.plain).toBeNull();
    expect(row?.sealed ?? '').not.toContain('FHIRCANCEL93');
    expect(
      t.services.cipher.decrypt(
        row?.sealed ?? '',
        appointmentCancelReasonAad(row?.id ?? '', tenant.orgId),
      ),
    ).toBe(marker);
  });
});
