import { routes } from '@careloop/core';
import { contextOf } from '../../../http/actor.js';
import { defineRoute } from '../../../http/route.js';
import type { App } from '../../../http/types.js';
import type { Services } from '../../../services.js';

/** Admins configure webhook endpoints, read the delivery log and replay (docs/adr/0029). */
export default async function webhookRoutes(app: App, { webhooks }: Services): Promise<void> {
  defineRoute(app, routes.integrations.webhooks, async (request) => ({
    items: await webhooks.list(contextOf(request)),
  }));
  defineRoute(app, routes.integrations.createWebhook, (request) =>
    webhooks.create(contextOf(request), request.body),
  );
  defineRoute(app, routes.integrations.rotateWebhookSecret, (request) =>
    webhooks.rotateSecret(contextOf(request), request.params.id),
  );
  defineRoute(app, routes.integrations.disableWebhook, (request) =>
    webhooks.disable(contextOf(request), request.params.id),
  );
  defineRoute(app, routes.integrations.deliveries, async (request) => ({
    items: await webhooks.deliveries(contextOf(request), request.query),
  }));
  defineRoute(app, routes.integrations.replayDelivery, (request) =>
    webhooks.replay(contextOf(request), request.params.id),
  );
}
