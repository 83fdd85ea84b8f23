import { routes } from '@careloop/core';
import { contextOf } from '../../http/actor.js';
import { defineRoute } from '../../http/route.js';
import type { App } from '../../http/types.js';
import type { Services } from '../../services.js';

export default async function userRoutes(app: App, { users }: Services): Promise<void> {
  defineRoute(app, routes.users.staff, (request) =>
    users.staff(contextOf(request).actor.orgId, request.query),
  );

  defineRoute(app, routes.users.list, (request) =>
    users.list(contextOf(request).actor.orgId, request.query),
  );

  defineRoute(app, routes.users.create, (request) => {
    const ctx = contextOf(request);
    return users.create(ctx.actor.orgId, request.body, ctx.audit);
  });

  defineRoute(app, routes.users.update, (request) =>
    users.update(contextOf(request), request.params.id, request.body),
  );
}
