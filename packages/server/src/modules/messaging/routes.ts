import { routes } from '@careloop/core';
import { contextOf } from '../../http/actor.js';
import { defineRoute } from '../../http/route.js';
import type { App } from '../../http/types.js';
import type { Services } from '../../services.js';

/** The console's Test mailbox: what the built-in local mailbox received (no SMTP configured). */
export default async function messagingRoutes(app: App, { outbox }: Services): Promise<void> {
  defineRoute(app, routes.mailbox.messages, (request) =>
    outbox.listMailbox(contextOf(request), request.query),
  );
}
