import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Note, Task } from '@careloop/core';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { rowsOf } from '../db/rows.js';
import { verifyAuditChains } from '../modules/audit/service.js';
import { createTestApp, type Session, type TestApp, TestTenant } from '../test/app.js';
import { describeEachDatabase } from '../test/databases.js';
import { sealV1 } from '../test/legacy-cipher.js';
import {
  appointmentCancelReasonAad,
  appointmentReasonAad,
  encounterReasonAad,
  fhirResourceAad,
  hl7RawAad,
  noteBodyAad,
  questionnaireAnswersAad,
  taskDescriptionAad,
} from './encrypted-fields.js';
import { DecryptionError, FieldCipher } from './field-cipher.js';
import { rotateKeys } from './rotate.js';

const OLD = randomBytes(32);
const NEW = randomBytes(32);

describeEachDatabase('careloop keys rotate', (kind) => {
  let app: TestApp;
  let tenant: TestTenant;
  let clinician: Session;
  let patientId: string;
  const ring = FieldCipher.fromKeys([
    { kid: 'new', key: NEW },
    { kid: 'old', key: OLD },
  ]);

  beforeAll(async () => {
    // The application runs on the old key alone, as before the rotation.
    app = await createTestApp(kind, { CARELOOP_ENCRYPTION_KEYS: `old:${OLD.toString('base64')}` });
    tenant = await TestTenant.create(app);
    clinician = await tenant.signIn('clinician');
    patientId = (await tenant.createPatient()).id;
  });
  afterAll(() => app.close());

  const system = async <T>(statement: ReturnType<typeof sql>) =>
    rowsOf<T>(await app.database.system((tx) => tx.execute(statement)));

  it('re-encrypts older keys and v1 values, encrypts plain leftovers, in batches, and finds nothing left on a second run', async () => {
    const orgId = tenant.orgId;
    const notes: string[] = [];
    for (const body of ['note one', 'note two', 'note three']) {
      const res = await clinician.post(`/api/patients/${patientId}/notes`, { body });
      notes.push(res.json<Note>().id);
    }
    const legacyNote = notes[2] ?? '';
    await system(sql`update notes set body_encrypted = ${sealV1(OLD, 'written by v1')}
      where id = ${legacyNote}`);
    const task = (
      await clinician.post('/api/tasks', { title: 't', patientId, description: 'sealed task' })
    ).json<Task>();
    const plainTask = (await clinician.post('/api/tasks', { title: 'p', patientId })).json<Task>();
    await clinician.post('/api/tasks', { title: 'no description', patientId });
    await system(sql`update tasks set description = 'plain task text' where id = ${plainTask.id}`);
    const resource = {
      resourceType: 'Communication',
      id: 'c1',
      payload: [{ contentString: 'K 7.2' }],
    };
    await system(sql`insert into fhir_source_records
      (org_id, source_system, resource_type, source_id, status, content_hash, resource)
      values (${orgId}, 'ehr', 'Communication', 'c1', 'mapped', 'h', ${JSON.stringify(resource)}::jsonb)`);
    const appointmentId = randomUUID();
    await system(sql`insert into appointments (id, org_id, patient_id, status, start_at, end_at, reason)
      values (${appointmentId}, ${orgId}, ${patientId}, 'booked', '2026-01-05T09:00:00Z',
        '2026-01-05T09:20:00Z', 'Chest pain follow-up')`);
    // A cancellation reason from before migration 0035, in clear.
    const cancelledId = randomUUID();
    await system(sql`insert into appointments
        (id, org_id, patient_id, status, start_at, end_at, cancel_reason)
      values (${cancelledId}, ${orgId}, ${patientId}, 'cancelled', '2026-01-06T09:00:00Z',
        '2026-01-06T09:20:00Z', 'Admitted with chest pain')`);
    // Rows from before migration 0015: an encounter reason and questionnaire answers in clear.
    const encounterId = randomUUID();
    await system(sql`insert into encounters (id, org_id, patient_id, class, type, reason, start_at)
      values (${encounterId}, ${orgId}, ${patientId}, 'emergency', 'Emergency department visit',
        'Syncope', '2026-01-04T09:00:00Z')`);
    const responseId = randomUUID();
    const answers = [{ linkId: 'mood', text: 'How have you felt?', answer: 'Low, not sleeping' }];
    await system(sql`insert into questionnaire_responses (id, org_id, patient_id, status, answers)
      values (${responseId}, ${orgId}, ${patientId}, 'completed', ${JSON.stringify(answers)}::jsonb)`);
    const messageId = randomUUID();
    const hl7Text = 'MSH|^~\\&|A|B|C|D|20240101||ADT^A04|1|P|2.5';
    await system(sql`insert into hl7_messages (id, org_id, channel, raw_encrypted, content_hash,
        size_bytes, status)
      values (${messageId}, ${orgId}, 'file', ${sealV1(OLD, hl7Text)},
        ${createHash('sha256').update(hl7Text).digest('hex')}, ${hl7Text.length}, 'processed')`);

    const reports = await rotateKeys(app.database.ownerDb, ring, { batchSize: 2 });
    const by = (table: string) => reports.find((r) => r.table === table);
    expect(by('notes')).toMatchObject({ resealed: 3, encrypted: 0, unreadable: [] });
    expect(by('tasks')).toMatchObject({ resealed: 1, encrypted: 1, unreadable: [] });
    expect(by('fhir_source_records')).toMatchObject({ resealed: 0, encrypted: 1 });
    expect(by('hl7_messages')).toMatchObject({ resealed: 1, encrypted: 0 });
    expect(by('appointments')).toMatchObject({ resealed: 0, encrypted: 1 });
    const [appointment] = await system<{ reason: string | null; sealed: string }>(
      sql`select reason, reason_encrypted as sealed from appointments where id = ${appointmentId}`,
    );
    expect(appointment?.reason).toBeNull();
    expect(
      ring.decrypt(appointment?.sealed ?? '', appointmentReasonAad(appointmentId, orgId)),
    ).toBe('Chest pain follow-up');
    expect(
      reports.find((r) => r.table === 'appointments' && r.column === 'cancel_reason_encrypted'),
    ).toMatchObject({ resealed: 0, encrypted: 1, unreadable: [] });
    const [cancelled] = await system<{ plain: string | null; sealed: string }>(
      sql`select cancel_reason as plain, cancel_reason_encrypted as sealed from appointments
        where id = ${cancelledId}`,
    );
    expect(cancelled?.plain).toBeNull();
    expect(
      ring.decrypt(cancelled?.sealed ?? '', appointmentCancelReasonAad(cancelledId, orgId)),
    ).toBe('Admitted with chest pain');

    expect(by('encounters')).toMatchObject({ resealed: 0, encrypted: 1 });
    const [encounter] = await system<{ reason: string | null; sealed: string }>(
      sql`select reason, reason_encrypted as sealed from encounters where id = ${encounterId}`,
    );
    expect(encounter?.reason).toBeNull();
    expect(ring.decrypt(encounter?.sealed ?? '', encounterReasonAad(encounterId, orgId))).toBe(
      'Syncope',
    );
    expect(by('questionnaire_responses')).toMatchObject({ resealed: 0, encrypted: 1 });
    const [response] = await system<{ answers: unknown; sealed: string }>(
      sql`select answers, answers_encrypted as sealed from questionnaire_responses
        where id = ${responseId}`,
    );
    expect(response?.answers).toBeNull();
    const opened = ring.decrypt(response?.sealed ?? '', questionnaireAnswersAad(responseId, orgId));
    expect(JSON.parse(opened)).toEqual(answers);

    const noteRows = await system<{ id: string; body_encrypted: string }>(
      sql`select id, body_encrypted from notes`,
    );
    for (const n of noteRows) expect(n.body_encrypted.startsWith('v2.new.')).toBe(true);
    const legacy = noteRows.find((n) => n.id === legacyNote)?.body_encrypted ?? '';
    expect(ring.decrypt(legacy, noteBodyAad(legacyNote, orgId))).toBe('written by v1');
    const tasks = await system<{ id: string; description: string | null; sealed: string }>(
      sql`select id, description, description_encrypted as sealed from tasks`,
    );
    expect(tasks.map((t) => t.description)).toEqual([null, null, null]);
    const sealedOf = (id: string) => tasks.find((t) => t.id === id)?.sealed ?? '';
    expect(ring.decrypt(sealedOf(task.id), taskDescriptionAad(task.id, orgId))).toBe('sealed task');
    expect(ring.decrypt(sealedOf(plainTask.id), taskDescriptionAad(plainTask.id, orgId))).toBe(
      'plain task text',
    );
    const [raw] = await system<{ resource: unknown; sealed: string }>(
      sql`select resource, resource_encrypted as sealed from fhir_source_records`,
    );
    expect(raw?.resource).toBeNull();
    const key = { sourceSystem: 'ehr', resourceType: 'Communication', sourceId: 'c1' };
    expect(JSON.parse(ring.decrypt(raw?.sealed ?? '', fhirResourceAad(key, orgId)))).toEqual(
      resource,
    );
    const [message] = await system<{ raw_encrypted: string }>(
      sql`select raw_encrypted from hl7_messages`,
    );
    expect(ring.decrypt(message?.raw_encrypted ?? '', hl7RawAad(messageId, orgId))).toBe(hl7Text);
    // The old key alone no longer opens anything.
    expect(() =>
      FieldCipher.fromKeys([{ kid: 'old', key: OLD }]).decrypt(
        legacy,
        noteBodyAad(legacyNote, orgId),
      ),
    ).toThrow(DecryptionError);

    const again = await rotateKeys(app.database.ownerDb, ring);
    for (const r of again) expect(r.resealed + r.encrypted + r.skipped).toBe(0);

    const audited = await system<{ reason: string }>(
      sql`select reason from audit_events where record_type = 'encryption-key' order by seq`,
    );
    expect(audited.map((a) => a.reason)).toContain(
      'keys rotate: 2 values of notes.body_encrypted sealed under key new',
    );
    expect((await verifyAuditChains(app.database.ownerDb)).breaks).toEqual([]);
  });

  it('leaves a value that decrypts for no row alone and lists it', async () => {
    const a = (
      await clinician.post(`/api/patients/${patientId}/notes`, { body: 'a' })
    ).json<Note>();
    const b = (
      await clinician.post(`/api/patients/${patientId}/notes`, { body: 'b' })
    ).json<Note>();
    await system(sql`update notes set body_encrypted =
      (select body_encrypted from notes where id = ${a.id}) where id = ${b.id}`);
    const [before] = await system<{ body_encrypted: string }>(
      sql`select body_encrypted from notes where id = ${b.id}`,
    );
    const reports = await rotateKeys(app.database.ownerDb, ring);
    expect(reports.find((r) => r.table === 'notes')).toMatchObject({
      resealed: 1,
      unreadable: [b.id],
    });
    const [after] = await system<{ body_encrypted: string }>(
      sql`select body_encrypted from notes where id = ${b.id}`,
    );
    expect(after?.body_encrypted).toBe(before?.body_encrypted);
  });

  it('tells a key id with an underscore from one that differs there (no LIKE wildcard)', async () => {
    const other = { kid: 'kX1', key: randomBytes(32) };
    const current = { kid: 'k_1', key: randomBytes(32) };
    const id = randomUUID();
    const body = FieldCipher.fromKeys([other]).encrypt('under kX1', noteBodyAad(id, tenant.orgId));
    await system(sql`insert into notes (id, org_id, patient_id, author_name, body_encrypted)
      values (${id}, ${tenant.orgId}, ${patientId}, 'x', ${body})`);
    const underscored = FieldCipher.fromKeys([current, other, { kid: 'new', key: NEW }]);
    await rotateKeys(app.database.ownerDb, underscored);
    const [row] = await system<{ body_encrypted: string }>(
      sql`select body_encrypted from notes where id = ${id}`,
    );
    expect(row?.body_encrypted.startsWith('v2.k_1.')).toBe(true);
  });
});
