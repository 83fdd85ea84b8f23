import { randomBytes, randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { FieldCipher } from '../../crypto/field-cipher.js';
import { runAll } from '../../db/bulk-sql.js';
import { rowsOf } from '../../db/rows.js';
import { createTestApp, type TestApp, TestTenant } from '../../test/app.js';
import { describeEachDatabase } from '../../test/databases.js';
import { ClinicalService, encounterReason, openAnswers } from './service.js';

describeEachDatabase('the clinical service', (kind) => {
  let app: TestApp;
  let tenant: TestTenant;
  let patientId: string;
  const cipher = FieldCipher.fromKeys([{ kid: 'k1', key: randomBytes(32) }]);
  const clinical = new ClinicalService(cipher);
  const startAt = new Date('2026-03-02T09:30:00Z');

  beforeAll(async () => {
    app = await createTestApp(kind);
    tenant = await TestTenant.create(app);
    patientId = (await tenant.createPatient()).id;
  });
  afterAll(() => app.close());

  const encounter = async (id: string) => {
    const [row] = await app.database.withTenant(tenant.orgId, async (tx) =>
      rowsOf<{
        id: string;
        reason: string | null;
        reasonEncrypted: string | null;
        status: string;
        endAt: unknown;
      }>(
        await tx.execute(sql`select id, reason, reason_encrypted as "reasonEncrypted", status,
          end_at as "endAt" from encounters where id = ${id}`),
      ),
    );
    if (!row) throw new Error(`no encounter ${id}`);
    return row;
  };

  it('seals an encounter’s reason and a response’s answers, at once and in a batch, and opens them again', async () => {
    const orgId = tenant.orgId;
    const atOnce = randomUUID();
    const batched = randomUUID();
    const response = randomUUID();
    const answers = [{ linkId: 'mood', text: 'How is your mood?', answer: 'Low since March' }];
    await app.database.withTenant(orgId, async (tx) => {
      await clinical.insert(tx, 'encounters', [
        {
          id: atOnce,
          orgId,
          patientId,
          class: 'ambulatory',
          type: 'Visit',
          reason: 'Syncope',
          startAt,
        },
      ]);
      await runAll(tx, [
        ...clinical.insertStatements('encounters', [
          {
            id: batched,
            orgId,
            patientId,
            class: 'emergency',
            type: 'ED',
            reason: 'Chest pain',
            startAt,
          },
        ]),
        ...clinical.insertStatements('questionnaireResponses', [
          { id: response, orgId, patientId, status: 'completed', answers, itemCount: 1 },
        ]),
      ]);
    });
    for (const [id, reason] of [
      [atOnce, 'Syncope'],
      [batched, 'Chest pain'],
    ] as const) {
      const row = await encounter(id);
      expect(row.reason).toBeNull();
      expect(row.reasonEncrypted).toMatch(/^v2\.k1\./);
      expect(row.reasonEncrypted).not.toContain(reason);
      expect(encounterReason(row, cipher, orgId)).toBe(reason);
    }
    const [stored] = await app.database.withTenant(orgId, async (tx) =>
      rowsOf<{ id: string; answers: unknown; answersEncrypted: string | null }>(
        await tx.execute(sql`select id, answers, answers_encrypted as "answersEncrypted"
          from questionnaire_responses where id = ${response}`),
      ),
    );
    expect(stored?.answers).toBeNull();
    expect(stored?.answersEncrypted).not.toContain('March');
    expect(stored && openAnswers(stored, cipher, orgId)).toEqual(answers);
  });

  it('merges a batch’s changes to one record into one statement, sealing a new reason', async () => {
    const orgId = tenant.orgId;
    const id = randomUUID();
    const endAt = new Date('2026-03-02T11:00:00Z');
    await app.database.withTenant(orgId, async (tx) => {
      await clinical.insert(tx, 'encounters', [
        { id, orgId, patientId, class: 'inpatient', type: 'Stay', reason: 'Fall', startAt },
      ]);
      const statements = clinical.updateStatements('encounters', orgId, [
        { id, status: 'finished' },
        { id, reason: 'Hip fracture', endAt },
      ]);
      // Two clauses of one `runAll` may not change one row: the changes travel as one.
      expect(statements).toHaveLength(1);
      await runAll(tx, statements);
    });
    const row = await encounter(id);
    expect(row.status).toBe('finished');
    expect(new Date(row.endAt as string).toISOString()).toBe(endAt.toISOString());
    expect(row.reason).toBeNull();
    expect(encounterReason(row, cipher, orgId)).toBe('Hip fracture');
  });
});
