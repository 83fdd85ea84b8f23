import { routes } from '@careloop/core';
import { contextOf } from '../../http/actor.js';
import { defineRoute } from '../../http/route.js';
import type { App } from '../../http/types.js';
import type { Services } from '../../services.js';

/** The capacity and utilization dashboard (issue 13): one read, exports made in the browser. */
export default async function capacityRoutes(app: App, { capacity }: Services): Promise<void> {
  defineRoute(app, routes.capacity.report, async (request) =>
    capacity.report(contextOf(request), request.query),
  );
}
