import { routes } from '@careloop/core';
import { contextOf } from '../../http/actor.js';
import { defineRoute } from '../../http/route.js';
import type { App } from '../../http/types.js';
import type { Services } from '../../services.js';

export default async function restrictionRoutes(
  app: App,
  { restrictions }: Services,
): Promise<void> {
  const r = routes.restrictions;
  defineRoute(app, r.access, (request) =>
    restrictions.access(contextOf(request), request.params.id),
  );
  defineRoute(app, r.breakGlass, (request) =>
    restrictions.breakGlass(contextOf(request), request.params.id, request.body.reason),
  );
  defineRoute(app, r.setRestriction, (request) =>
    restrictions.setRestriction(contextOf(request), request.params.id, request.body.kind),
  );
  defineRoute(app, r.careTeam, (request) =>
    restrictions.careTeam(contextOf(request), request.params.id),
  );
  defineRoute(app, r.addToCareTeam, (request) =>
    restrictions.addToCareTeam(contextOf(request), request.params.id, request.body.userId),
  );
  defineRoute(app, r.removeFromCareTeam, (request) =>
    restrictions.removeFromCareTeam(contextOf(request), request.params.id, request.params.userId),
  );
  defineRoute(app, r.report, (request) => restrictions.report(contextOf(request), request.query));
}
