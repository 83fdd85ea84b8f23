import { IdParams } from '../common.js';
import { route } from '../contract.js';
import {
  StaffSurveyResponses,
  SurveyAnswerByToken,
  SurveyAnswered,
  SurveyAnswers,
  SurveyInvitation,
  SurveyInvitations,
  SurveyTokenBody,
} from '../surveys.js';

/**
 * Issue 11 (h11v): the post-visit survey. The invitation's link carries a signed token that is
 * the credential (docs/adr/0042-survey-links.md); the token travels in bodies, never in a path.
 */
export const surveyRoutes = {
  open: route({
    method: 'POST',
    path: '/api/surveys/open',
    policy: { public: true },
    tags: ['surveys'],
    summary:
      "What a survey link opens: the organization's name, the visit's day and whether it was answered (no clinical detail)",
    body: SurveyTokenBody,
    reply: SurveyInvitation,
  }),
  answer: route({
    method: 'POST',
    path: '/api/surveys/answer',
    policy: { public: true },
    tags: ['surveys'],
    summary: 'Answers the post-visit survey of a link: once per visit (a second answer is a 409)',
    body: SurveyAnswerByToken,
    reply: SurveyAnswered,
    status: 201,
  }),
  mine: route({
    method: 'GET',
    path: '/api/portal/surveys',
    policy: { permission: 'portal:self' },
    tags: ['portal'],
    summary: "The signed-in patient's visits of the last 30 days with a survey to answer",
    reply: SurveyInvitations,
  }),
  answerMine: route({
    method: 'POST',
    path: '/api/portal/surveys/:id',
    policy: { permission: 'portal:self' },
    tags: ['portal'],
    summary: "Answers the survey of one of the signed-in patient's visits (once per visit)",
    params: IdParams,
    body: SurveyAnswers,
    reply: SurveyAnswered,
    status: 201,
  }),
  ofPatient: route({
    method: 'GET',
    path: '/api/patients/:id/surveys',
    policy: { permission: 'patient:read' },
    tags: ['patients'],
    summary:
      "A patient's survey answers: scores for every reader, the comment for roles the minimum-necessary policy allows",
    params: IdParams,
    reply: StaffSurveyResponses,
  }),
};
