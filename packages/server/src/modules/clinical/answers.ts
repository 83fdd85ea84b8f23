import { questionnaireAnswersAad } from '../../crypto/encrypted-fields.js';
import { DecryptionError, type FieldCipher } from '../../crypto/field-cipher.js';

/** One answered item of a questionnaire response, flattened. */
export interface QuestionnaireAnswer {
  linkId: string;
  text: string | null;
  answer: string;
}

/**
 * A response's answers as stored: the list as JSON text sealed to the response (a patient's
 * answers are free text: symptoms, moods, habits), the plain JSONB column emptied.
 */
export function sealedAnswers(
  cipher: FieldCipher,
  answers: QuestionnaireAnswer[],
  id: string,
  orgId: string,
): { answers: null; answersEncrypted: string } {
  return {
    answers: null,
    answersEncrypted: cipher.encrypt(JSON.stringify(answers), questionnaireAnswersAad(id, orgId)),
  };
}

/**
 * A response's answers: decrypted, or the plain JSONB of a response from before migration
 * 0015; null when they do not decrypt for this response (the caller shows it as unreadable).
 */
export function openAnswers(
  row: { id: string; answers: unknown; answersEncrypted: string | null },
  cipher: FieldCipher,
  orgId: string,
): unknown {
  if (row.answersEncrypted === null) return row.answers;
  try {
    return JSON.parse(cipher.decrypt(row.answersEncrypted, questionnaireAnswersAad(row.id, orgId)));
  } catch (error) {
    if (!(error instanceof DecryptionError)) throw error;
    return null;
  }
}
