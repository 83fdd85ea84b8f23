import {
  mayRead,
  notFound,
  type QuestionnaireAnswerView,
  type QuestionnaireResponseList,
} from '@careloop/core';
import { desc, eq } from 'drizzle-orm';
import type { FieldCipher } from '../../crypto/field-cipher.js';
import type { Database } from '../../db/client.js';
import type { RequestContext } from '../../http/actor.js';
import type { AuditLog } from '../audit/service.js';
import { patients } from '../patients/schema.js';
import { openAnswers } from './answers.js';
import { questionnaireResponses } from './schema.js';

/** At most this many responses per read: a patient answers a handful a year. */
const MAX_RESPONSES = 200;

/**
 * The reader of a patient's questionnaire responses (issue 9): the answers are opened only for
 * roles `FIELD_POLICY.questionnaireResponse.answers` allows, and every read is audited in the
 * patient's history, whether or not the answers were shown.
 */
export class QuestionnaireReader {
  constructor(
    private readonly database: Database,
    private readonly audit: AuditLog,
    private readonly cipher: FieldCipher,
  ) {}

  async list(ctx: RequestContext, patientId: string): Promise<QuestionnaireResponseList> {
    const orgId = ctx.actor.orgId;
    const answers = mayRead(ctx.actor.role, 'questionnaireResponse', 'answers');
    const rows = await this.database.withTenant(orgId, async (tx) => {
      const [patient] = await tx
        .select({ id: patients.id })
        .from(patients)
        .where(eq(patients.id, patientId));
      if (!patient) return null;
      return tx
        .select()
        .from(questionnaireResponses)
        .where(eq(questionnaireResponses.patientId, patientId))
        .orderBy(desc(questionnaireResponses.authoredAt), desc(questionnaireResponses.id))
        .limit(MAX_RESPONSES);
    });
    await this.audit.read(ctx.audit, {
      action: 'read',
      recordType: 'questionnaire-response',
      recordId: patientId,
      patientId: rows ? patientId : null,
      outcome: rows ? 'success' : 'failed',
      reason: rows
        ? `${rows.length} questionnaire responses${answers ? ' with answers' : ', answers withheld'}`
        : 'not found',
    });
    if (!rows) throw notFound('Patient');
    return {
      items: rows.map((row) => {
        const opened = answers ? answerList(openAnswers(row, this.cipher, orgId)) : null;
        return {
          id: row.id,
          questionnaire: row.questionnaire,
          status: row.status,
          authoredAt: row.authoredAt ? row.authoredAt.toISOString() : null,
          itemCount: row.itemCount,
          answers: answers ? (opened ?? []) : null,
          unreadable: answers && opened === null,
        };
      }),
      redacted: answers ? [] : ['questionnaireResponse.answers'],
    };
  }
}

/**
 * The decrypted answers, checked like input: a list of `{ linkId, text, answer }`; null when
 * they did not decrypt or are not that shape.
 */
function answerList(value: unknown): QuestionnaireAnswerView[] | null {
  if (!Array.isArray(value)) return null;
  const out: QuestionnaireAnswerView[] = [];
  for (const item of value) {
    if (typeof item !== 'object' || item === null) return null;
    const { linkId, text, answer } = item as Record<string, unknown>;
    if (typeof linkId !== 'string' || typeof answer !== 'string') return null;
    out.push({ linkId, text: typeof text === 'string' ? text : null, answer });
  }
  return out;
}
