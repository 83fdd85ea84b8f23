import { routes } from '@careloop/core';
import { contextOf } from '../../http/actor.js';
import { defineRoute } from '../../http/route.js';
import type { App } from '../../http/types.js';
import type { Services } from '../../services.js';

/** Issue 9: a patient's questionnaire answers, for the 360 page. */
export default async function questionnaireRoutes(
  app: App,
  { questionnaires, restrictions }: Services,
): Promise<void> {
  defineRoute(app, routes.questionnaires.list, async (request) => {
    const ctx = contextOf(request);
    await restrictions.guard(ctx, [request.params.id], 'questionnaire-response');
    return questionnaires.list(ctx, request.params.id);
  });
}
