import { type Static, Type } from 'typebox';
import { Instant, Nullable, Uuid } from './common.js';

/** One answered item of a questionnaire response, flattened (its question and the answer). */
export const QuestionnaireAnswerView = Type.Object({
  linkId: Type.String(),
  text: Nullable(Type.String()),
  answer: Type.String(),
});

/**
 * A patient's questionnaire response as the reader's role may read it: the answers (free text:
 * symptoms, mood, habits) only for roles `FIELD_POLICY.questionnaireResponse.answers` allows,
 * null for the others; `unreadable` when the stored answers do not decrypt for this response.
 */
export const QuestionnaireResponseView = Type.Object({
  id: Uuid,
  questionnaire: Nullable(Type.String()),
  status: Type.String(),
  authoredAt: Nullable(Instant),
  itemCount: Type.Integer(),
  answers: Nullable(Type.Array(QuestionnaireAnswerView)),
  unreadable: Type.Boolean(),
});

/** A patient's responses, newest first; `redacted` names `questionnaireResponse.answers` when withheld. */
export const QuestionnaireResponseList = Type.Object({
  items: Type.Array(QuestionnaireResponseView),
  redacted: Type.Array(Type.String()),
});

export type QuestionnaireAnswerView = Static<typeof QuestionnaireAnswerView>;
export type QuestionnaireResponseView = Static<typeof QuestionnaireResponseView>;
export type QuestionnaireResponseList = Static<typeof QuestionnaireResponseList>;
