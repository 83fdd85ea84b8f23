import { routes } from '@careloop/core';
import { contextOf } from '../../http/actor.js';
import { defineRoute } from '../../http/route.js';
import type { App } from '../../http/types.js';
import type { Services } from '../../services.js';

/** Issue 11 (h11l): patient lists and their members (docs/adr/0040). */
export default async function listRoutes(
  app: App,
  { lists, restrictions }: Services,
): Promise<void> {
  defineRoute(app, routes.lists.list, async (request) => lists.all(contextOf(request).actor.orgId));

  defineRoute(app, routes.lists.create, async (request, reply) =>
    reply.status(201).send(await lists.createByHand(contextOf(request), request.body)),
  );

  defineRoute(app, routes.lists.members, async (request) => {
    const ctx = contextOf(request);
    return lists.members(ctx, request.params.id, request.query, (ids) =>
      restrictions.hiddenAmong(ctx.actor, ids),
    );
  });

  defineRoute(app, routes.lists.addMember, async (request) => {
    const ctx = contextOf(request);
    await restrictions.guard(ctx, [request.body.patientId], 'patient-list-member');
    return { changed: await lists.addMember(ctx, request.params.id, request.body.patientId) };
  });

  defineRoute(app, routes.lists.removeMember, async (request) => {
    const ctx = contextOf(request);
    await restrictions.guard(ctx, [request.params.patientId], 'patient-list-member');
    return { changed: await lists.removeMember(ctx, request.params.id, request.params.patientId) };
  });
}
