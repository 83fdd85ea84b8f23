import { routes } from '@careloop/core';
import { contextOf } from '../../http/actor.js';
import { defineRoute } from '../../http/route.js';
import type { App } from '../../http/types.js';
import type { Services } from '../../services.js';

export default async function noteRoutes(
  app: App,
  { notes, restrictions }: Services,
): Promise<void> {
  defineRoute(app, routes.notes.create, async (request) => {
    const ctx = contextOf(request);
    await restrictions.guard(ctx, [request.params.id], 'note');
    return notes.create(ctx, request.params.id, request.body);
  });

  defineRoute(app, routes.notes.update, async (request) => {
    const ctx = contextOf(request);
    await restrictions.guardRecord(ctx, 'note', request.params.id);
    return notes.update(ctx, request.params.id, request.body);
  });
}
