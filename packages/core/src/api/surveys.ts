import { type Static, Type } from 'typebox';
import {
  NPS_CATEGORIES,
  type NpsCategory,
  SURVEY_COMMENT_MAX,
  SURVEY_FREQUENCIES,
  type SurveyFrequency,
} from '../surveys/survey.js';
import { Instant, IsoDate, Nullable, Uuid } from './common.js';

const Frequency = Type.Unsafe<SurveyFrequency>({ type: 'string', enum: [...SURVEY_FREQUENCIES] });
const Category = Type.Unsafe<NpsCategory>({ type: 'string', enum: [...NPS_CATEGORIES] });

/** A survey link's token (core's `parseSurveyToken` checks it further). */
export const SurveyTokenField = Type.String({ minLength: 1, maxLength: 200 });

/** A patient's answers to the post-visit survey (issue 11). */
const answerFields = {
  /** "How likely are you to recommend us to a friend or family member?" 0–10. */
  nps: Type.Integer({ minimum: 0, maximum: 10 }),
  /** "How often did the staff explain things in a way you could understand?" */
  communication: Type.Optional(Nullable(Frequency)),
  /** "How often was it easy to get an appointment when you needed one?" */
  scheduling: Type.Optional(Nullable(Frequency)),
  /** "What could we do better?" */
  comment: Type.Optional(Nullable(Type.String({ maxLength: SURVEY_COMMENT_MAX }))),
};
export const SurveyAnswers = Type.Object(answerFields, { additionalProperties: false });
export type SurveyAnswers = Static<typeof SurveyAnswers>;

export const SurveyTokenBody = Type.Object(
  { token: SurveyTokenField },
  { additionalProperties: false },
);

export const SurveyAnswerByToken = Type.Object(
  { token: SurveyTokenField, ...answerFields },
  { additionalProperties: false },
);
export type SurveyAnswerByToken = Static<typeof SurveyAnswerByToken>;

/** What a survey page shows before the answers: the organization and the visit's day, no more. */
export const SurveyInvitation = Type.Object({
  appointmentId: Uuid,
  organization: Type.String(),
  /** The visit's day in the patient's zone. */
  visitDate: IsoDate,
  /** The patient's language, else the organization's. */
  language: Type.Union([Type.Literal('en'), Type.Literal('es')]),
  answered: Type.Boolean(),
});
export type SurveyInvitation = Static<typeof SurveyInvitation>;

export const SurveyInvitations = Type.Object({ items: Type.Array(SurveyInvitation) });
export type SurveyInvitations = Static<typeof SurveyInvitations>;

export const SurveyAnswered = Type.Object({ id: Uuid, category: Category });
export type SurveyAnswered = Static<typeof SurveyAnswered>;

/** A patient's survey answer as staff see it; `comment` only for roles the policy allows. */
export const StaffSurveyResponse = Type.Object({
  id: Uuid,
  appointmentId: Uuid,
  answeredAt: Instant,
  nps: Type.Integer(),
  category: Category,
  communication: Nullable(Frequency),
  scheduling: Nullable(Frequency),
  /** Null when there is none, or the reader's role may not read it (FIELD_POLICY survey.comment). */
  comment: Nullable(Type.String()),
  commentWithheld: Type.Boolean(),
});
export type StaffSurveyResponse = Static<typeof StaffSurveyResponse>;

export const StaffSurveyResponses = Type.Object({ items: Type.Array(StaffSurveyResponse) });
export type StaffSurveyResponses = Static<typeof StaffSurveyResponses>;
