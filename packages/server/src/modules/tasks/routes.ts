import { routes } from '@careloop/core';
import { contextOf } from '../../http/actor.js';
import { defineRoute } from '../../http/route.js';
import type { App } from '../../http/types.js';
import type { Services } from '../../services.js';

export default async function taskRoutes(
  app: App,
  { tasks, restrictions }: Services,
): Promise<void> {
  defineRoute(app, routes.tasks.list, async (request) => {
    const ctx = contextOf(request);
    if (request.query.patientId) await restrictions.guard(ctx, [request.query.patientId], 'task');
    return restrictions.maskTasks(ctx.actor, await tasks.list(ctx, request.query));
  });

  defineRoute(app, routes.tasks.create, async (request) => {
    const ctx = contextOf(request);
    if (request.body.patientId) await restrictions.guard(ctx, [request.body.patientId], 'task');
    return tasks.create(ctx, request.body);
  });

  defineRoute(app, routes.tasks.update, async (request) => {
    const ctx = contextOf(request);
    await restrictions.guardRecord(ctx, 'task', request.params.id);
    return tasks.update(ctx, request.params.id, request.body);
  });
}
