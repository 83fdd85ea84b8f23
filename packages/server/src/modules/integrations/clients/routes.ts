import { routes } from '@careloop/core';
import { contextOf } from '../../../http/actor.js';
import { defineRoute } from '../../../http/route.js';
import type { App } from '../../../http/types.js';
import type { Services } from '../../../services.js';

/** Admins register, list and revoke API clients (docs/adr/0029). */
export default async function apiClientRoutes(app: App, { apiClients }: Services): Promise<void> {
  defineRoute(app, routes.integrations.clients, async (request) => ({
    items: await apiClients.list(contextOf(request)),
  }));
  defineRoute(app, routes.integrations.registerClient, (request) =>
    apiClients.register(contextOf(request), request.body),
  );
  defineRoute(app, routes.integrations.revokeClient, (request) =>
    apiClients.revoke(contextOf(request), request.params.id),
  );
}
