import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { Bundle, Encounter, Resource } from '@medplum/fhirtypes';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { rowsOf } from '../db/rows.js';
import { openAnswers } from '../modules/clinical/answers.js';
import { createTestApp, type Session, type TestApp, TestTenant } from '../test/app.js';
import { describeEachDatabase } from '../test/databases.js';
import { adt, siu } from '../test/hl7/messages.js';
import { UNREADABLE } from './field-cipher.js';

/** One marker per free-text field a source sends that may carry clinical detail. */
const MARK = {
  fhirEncounterReason: 'MKFHIRENCREASONQ',
  fhirAppointmentReason: 'MKFHIRAPPTREASONQ',
  answer: 'MKANSWERQ',
  siuReason: 'MKSIUREASONQ',
  adtReason: 'MKADTREASONQ',
} as const;

function markedBundle(mrn: string): { bundle: Bundle; encounterSourceId: string } {
  const id = { patient: randomUUID(), encounter: randomUUID() };
  const ref = (uuid: string) => ({ reference: `urn:uuid:${uuid}` });
  const resources: Resource[] = [
    {
      resourceType: 'Patient',
      id: id.patient,
      identifier: [{ system: 'urn:oid:2.16.840.1.113883.19.5', value: mrn }],
      name: [{ family: 'Cleartext', given: ['Cora'] }],
      gender: 'female',
      birthDate: '1970-06-01',
    },
    {
      resourceType: 'Encounter',
      id: id.encounter,
      status: 'finished',
      class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'AMB' },
      reasonCode: [{ text: MARK.fhirEncounterReason }],
      subject: ref(id.patient),
      period: { start: '2024-03-05T14:00:00Z', end: '2024-03-05T14:30:00Z' },
    },
    {
      resourceType: 'Appointment',
      id: randomUUID(),
      status: 'booked',
      reasonCode: [{ text: MARK.fhirAppointmentReason }],
      start: '2024-04-01T14:00:00Z',
      end: '2024-04-01T14:30:00Z',
      participant: [{ actor: ref(id.patient), status: 'accepted' }],
    },
    {
      resourceType: 'QuestionnaireResponse',
      id: randomUUID(),
      status: 'completed',
      subject: ref(id.patient),
      authored: '2024-03-06T10:00:00Z',
      item: [
        { linkId: 'mood', text: 'How have you felt?', answer: [{ valueString: MARK.answer }] },
      ],
    },
  ];
  return {
    encounterSourceId: id.encounter,
    bundle: {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: resources.map((resource) => ({
        fullUrl: `urn:uuid:${resource.id}`,
        resource,
        request: { method: 'POST', url: resource.resourceType },
      })),
    },
  };
}

/**
 * Issue 9, encryption gaps: the free text a FHIR import and an HL7 feed bring (encounter and
 * appointment reasons, questionnaire answers) is stored only as ciphertext, nowhere in clear
 * (not in a touchpoint summary either; docs/adr/0015), and still reads for the care team.
 */
describeEachDatabase('free text at rest', (kind) => {
  let t: TestApp;
  let tenant: TestTenant;
  let clinician: Session;
  let patientId: string;

  beforeAll(async () => {
    t = await createTestApp(kind);
    tenant = await TestTenant.create(t);
    clinician = await tenant.signIn('clinician');
    const admin = await tenant.signIn('admin');
    const mrn = `MRN-${randomUUID().slice(0, 8)}`;
    const imported = await admin.post('/fhir/R4', markedBundle(mrn).bundle);
    expect(imported.statusCode, imported.body).toBe(200);
    const found = await admin.get(`/api/patients?q=${mrn}`);
    const [patient] = found.json<{ items: { id: string }[] }>().items;
    if (!patient) throw new Error('imported patient not found');
    patientId = patient.id;

    const person = { mrn, family: 'Cleartext', given: 'Cora', birthDate: '19700601' };
    const booking = siu('S12', `CT-S-${mrn}`, person, {
      filler: `F-${mrn}`,
      start: '202404021000-0500',
      minutes: 30,
      service: `RSN^${MARK.siuReason}^L`,
    });
    const admission = `${adt('A01', `CT-A-${mrn}`, person, {
      visit: `V-${mrn}`,
      admitAt: '202403091000-0500',
    })}\rPV2|||^${MARK.adtReason}`;
    for (const message of [booking, admission]) {
      const receipt = await t.services.hl7.receive(tenant.orgId, message, { channel: 'mllp' });
      expect(receipt.messages[0], message).toMatchObject({ ackCode: 'AA', patientId });
    }
  });
  afterAll(() => t.close());

  const system = async <T>(statement: ReturnType<typeof sql>) =>
    rowsOf<T>(await t.database.system((tx) => tx.execute(statement)));

  it('leaves no marker in clear in any text or JSON column of any table', async () => {
    const columns = await system<{ table_name: string; column_name: string }>(
      sql`select c.table_name, c.column_name from information_schema.columns c
        join information_schema.tables t
          on t.table_schema = c.table_schema and t.table_name = c.table_name
        where c.table_schema = 'public' and t.table_type = 'BASE TABLE'
          and c.data_type in ('text', 'character varying', 'json', 'jsonb')`,
    );
    expect(columns.length).toBeGreaterThan(50);
    const found: string[] = [];
    for (const { table_name: table, column_name: column } of columns) {
      for (const marker of Object.values(MARK)) {
        const hits = await system<{ n: number | string }>(
          sql`select count(*) as n from ${sql.raw(`"${table}"`)}
            where ${sql.raw(`"${column}"`)}::text like ${`%${marker}%`}`,
        );
        if (Number(hits[0]?.n ?? 0) > 0) found.push(`${table}.${column}: ${marker}`);
      }
    }
    expect(found).toEqual([]);
  });

  it('serves encounter reasons decrypted to the care team in FHIR', async () => {
    const res = await clinician.get(`/fhir/R4/Encounter?patient=${patientId}`);
    expect(res.statusCode, res.body).toBe(200);
    const reasons = (res.json<Bundle>().entry ?? [])
      .map((e) => e.resource as Encounter)
      .flatMap((e) => e.reasonCode?.map((r) => r.text) ?? []);
    expect(reasons.sort()).toEqual([MARK.adtReason, MARK.fhirEncounterReason]);
  });

  it('keeps questionnaire answers sealed to their response', async () => {
    const [row] = await system<{ id: string; answers: unknown; sealed: string | null }>(
      sql`select id, answers, answers_encrypted as sealed from questionnaire_responses
        where patient_id = ${patientId}`,
    );
    expect(row?.answers).toBeNull();
    expect(row?.sealed).toMatch(/^v2\./);
    const open = (id: string) =>
      openAnswers(
        { id, answers: null, answersEncrypted: row?.sealed ?? null },
        t.services.cipher,
        tenant.orgId,
      );
    expect(open(row?.id ?? '')).toEqual([
      { linkId: 'mood', text: 'How have you felt?', answer: MARK.answer },
    ]);
    expect(open(randomUUID())).toBeNull();
  });

  it('reads an encounter reason moved to another encounter as unreadable, and the rest still', async () => {
    const rows = await system<{ id: string; sealed: string }>(
      sql`select id, reason_encrypted as sealed from encounters
        where patient_id = ${patientId} order by start_at`,
    );
    const [fhirEncounter, adtEncounter] = rows;
    if (!fhirEncounter || !adtEncounter) throw new Error('two encounters expected');
    await system(sql`update encounters set reason_encrypted = ${fhirEncounter.sealed}
      where id = ${adtEncounter.id}`);
    const res = await clinician.get(`/fhir/R4/Encounter/${adtEncounter.id}`);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json<Encounter>().reasonCode).toEqual([{ text: UNREADABLE }]);
    const all = await clinician.get(`/fhir/R4/Encounter?patient=${patientId}`);
    expect(all.body).toContain(MARK.fhirEncounterReason);
  });

  it("clears the reason from touchpoints written before migration 0015, and nothing else's", async () => {
    const orgId = tenant.orgId;
    const rows = [
      [
        'hl7',
        'appointment.booked',
        'appointment',
        'Booked: MKOLDSIUQ, Mar 1',
        'Booked: appointment, Mar 1',
      ],
      [
        'ehr',
        'encounter.discharged',
        'encounter',
        'Discharged after hospital stay: MKOLDSEEDQ',
        'Discharged after hospital stay',
      ],
      [
        'hl7',
        'referral.received',
        'service-request',
        'Referral received: Cardiology',
        'Referral received',
      ],
    ];
    const ids: string[] = [];
    for (const [source, type, subject, summary, nonClinical] of rows) {
      const id = randomUUID();
      ids.push(id);
      await system(sql`insert into touchpoints (id, org_id, patient_id, occurred_at, channel,
          direction, type, stage, source_system, summary, non_clinical_summary, subject_type)
        values (${id}, ${orgId}, ${patientId}, '2024-03-01T10:00:00Z', 'system', 'inbound',
          ${type}, 'visit', ${source}, ${summary}, ${nonClinical}, ${subject})`);
    }
    const migration = await readFile(
      new URL('../../drizzle/0015_encrypted_reasons_answers.sql', import.meta.url),
      'utf8',
    );
    const backfill = migration
      .split('--> statement-breakpoint')
      .find((statement) => statement.includes('UPDATE "touchpoints"'));
    if (!backfill) throw new Error('0015 has no touchpoint backfill');
    await system(sql.raw(backfill));
    const after = await system<{ id: string; summary: string }>(
      sql`select id, summary from touchpoints where id in ${ids}`,
    );
    const summaryOf = (id: string | undefined) => after.find((r) => r.id === id)?.summary;
    expect(ids.map(summaryOf)).toEqual([
      'Booked: appointment, Mar 1',
      'Discharged after hospital stay',
      'Referral received: Cardiology',
    ]);
  });
});
