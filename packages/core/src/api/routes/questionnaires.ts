import { IdParams } from '../common.js';
import { route } from '../contract.js';
import { QuestionnaireResponseList } from '../questionnaires.js';

/** Issue 9: a patient's questionnaire answers, read on the 360 page. */
export const questionnaireRoutes = {
  list: route({
    method: 'GET',
    path: '/api/patients/:id/questionnaire-responses',
    policy: { permission: 'patient:read' },
    tags: ['patients', 'clinical'],
    summary:
      "A patient's questionnaire responses, newest first; the answers only for roles allowed clinical detail",
    params: IdParams,
    reply: QuestionnaireResponseList,
  }),
};
