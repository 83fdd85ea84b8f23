import { randomUUID } from 'node:crypto';
import type { QuestionnaireResponseList } from '@careloop/core';
import type { Bundle } from '@medplum/fhirtypes';
import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestApp, type Session, type TestApp, TestTenant } from '../../test/app.js';
import { describeEachDatabase } from '../../test/databases.js';
import { auditEvents } from '../audit/schema.js';

const ANSWER = 'Low, not sleeping MKQRANSWER41';

/** A patient and two questionnaire responses, as an EHR sends them. */
function bundleOf(mrn: string): Bundle {
  const patient = randomUUID();
  const response = (authored: string, answer: string, id = randomUUID()) => ({
    fullUrl: `urn:uuid:${id}`,
    resource: {
      resourceType: 'QuestionnaireResponse' as const,
      id,
      status: 'completed' as const,
      questionnaire: 'http://example.org/Questionnaire/phq-2',
      subject: { reference: `urn:uuid:${patient}` },
      authored,
      item: [{ linkId: 'mood', text: 'How have you felt?', answer: [{ valueString: answer }] }],
    },
  });
  return {
    resourceType: 'Bundle',
    type: 'transaction',
    entry: [
      {
        fullUrl: `urn:uuid:${patient}`,
        resource: {
          resourceType: 'Patient',
          id: patient,
          identifier: [{ system: 'urn:oid:2.16.840.1.113883.19.5', value: mrn }],
          name: [{ family: 'Asker', given: ['Quinn'] }],
          gender: 'female',
          birthDate: '1970-01-02',
        },
        request: { method: 'POST', url: 'Patient' },
      },
      {
        ...response('2024-03-06T10:00:00Z', ANSWER),
        request: { method: 'POST', url: 'QuestionnaireResponse' },
      },
      {
        ...response('2024-05-01T10:00:00Z', 'Better'),
        request: { method: 'POST', url: 'QuestionnaireResponse' },
      },
    ],
  };
}

describeEachDatabase('questionnaire answers', (kind) => {
  let t: TestApp;
  let tenant: TestTenant;
  let admin: Session;
  let patientId: string;

  beforeAll(async () => {
    t = await createTestApp(kind);
    tenant = await TestTenant.create(t);
    admin = await tenant.signIn('admin');
    const mrn = `Q-${randomUUID().slice(0, 8)}`;
    const imported = await admin.post('/fhir/R4', bundleOf(mrn));
    expect(imported.statusCode, imported.body).toBe(200);
    const found = await admin.get(`/api/patients?q=${mrn}`);
    const [patient] = found.json<{ items: { id: string }[] }>().items;
    if (!patient) throw new Error('imported patient not found');
    patientId = patient.id;
  });
  afterAll(() => t.close());

  const url = () => `/api/patients/${patientId}/questionnaire-responses`;

  it('reads the answers, decrypted and newest first, to the care team', async () => {
    for (const role of ['admin', 'clinician', 'care-coordinator'] as const) {
      const res = await (await tenant.signIn(role)).get(url());
      expect(res.statusCode, res.body).toBe(200);
      const list = res.json<QuestionnaireResponseList>();
      expect(list.redacted).toEqual([]);
      expect(list.items.map((i) => i.authoredAt)).toEqual([
        '2024-05-01T10:00:00.000Z',
        '2024-03-06T10:00:00.000Z',
      ]);
      expect(list.items[1]).toMatchObject({
        questionnaire: 'http://example.org/Questionnaire/phq-2',
        unreadable: false,
        answers: [{ linkId: 'mood', text: 'How have you felt?', answer: ANSWER }],
      });
    }
  });

  it('shows the front desk, marketing and analytics that responses exist, not what they say', async () => {
    for (const role of ['front-desk', 'marketer', 'analyst'] as const) {
      const res = await (await tenant.signIn(role)).get(url());
      expect(res.statusCode, res.body).toBe(200);
      expect(res.body).not.toContain('MKQRANSWER41');
      const list = res.json<QuestionnaireResponseList>();
      expect(list.redacted).toEqual(['questionnaireResponse.answers']);
      expect(list.items.map((i) => i.answers)).toEqual([null, null]);
    }
  });

  it('audits every read in the patient’s history, and answers 404 for an unknown patient', async () => {
    const clinician = await tenant.signIn('clinician');
    expect((await clinician.get(url())).statusCode).toBe(200);
    const events = await t.database.system((tx) =>
      tx
        .select()
        .from(auditEvents)
        .where(
          and(
            eq(auditEvents.orgId, tenant.orgId),
            eq(auditEvents.recordType, 'questionnaire-response'),
            eq(auditEvents.patientId, patientId),
          ),
        ),
    );
    expect(events.length).toBeGreaterThanOrEqual(7);
    expect(events.every((e) => e.action === 'read' && e.outcome === 'success')).toBe(true);
    expect(events.some((e) => (e.reason ?? '').includes('MKQRANSWER41'))).toBe(false);
    const unknown = await clinician.get(`/api/patients/${randomUUID()}/questionnaire-responses`);
    expect(unknown.statusCode).toBe(404);
  });

  it('shows answers copied from another response as unreadable, not as that response’s', async () => {
    await t.database.system((tx) =>
      tx.execute(sql`update questionnaire_responses r set answers_encrypted = o.answers_encrypted
        from questionnaire_responses o
        where r.patient_id = ${patientId} and o.patient_id = ${patientId}
          and r.authored_at > o.authored_at`),
    );
    const res = await admin.get(url());
    const [newest] = res.json<QuestionnaireResponseList>().items;
    expect(newest).toMatchObject({ unreadable: true, answers: [] });
  });
});
