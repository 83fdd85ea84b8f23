import { routes } from '@careloop/core';
import { contextOf } from '../../http/actor.js';
import { defineRoute } from '../../http/route.js';
import type { App } from '../../http/types.js';
import type { Services } from '../../services.js';

/** Message templates (issue 11), the suppressed sends view and the send-time policy. */
export default async function templateRoutes(
  app: App,
  { templates, sendPolicy }: Services,
): Promise<void> {
  defineRoute(app, routes.templates.list, async (request) => ({
    items: await templates.list(contextOf(request)),
  }));

  defineRoute(app, routes.templates.create, (request) =>
    templates.create(contextOf(request), request.body),
  );

  defineRoute(app, routes.templates.get, (request) =>
    templates.get(contextOf(request), request.params.id),
  );

  defineRoute(app, routes.templates.saveVersion, (request) => {
    const { id, channel, language } = request.params;
    return templates.saveVersion(contextOf(request), id, channel, language, request.body);
  });

  defineRoute(app, routes.templates.preview, (request) =>
    templates.preview(contextOf(request), request.params.id, request.body),
  );

  defineRoute(app, routes.messaging.suppressed, async (request) => ({
    items: await sendPolicy.listSuppressed(contextOf(request), request.query.limit ?? 50),
  }));

  defineRoute(app, routes.messaging.policy, (request) => templates.getPolicy(contextOf(request)));

  defineRoute(app, routes.messaging.setPolicy, (request) =>
    templates.setPolicy(contextOf(request), request.body),
  );
}
