import { routes } from '@careloop/core';
import { contextOf } from '../../http/actor.js';
import { defineRoute } from '../../http/route.js';
import type { App } from '../../http/types.js';
import type { Services } from '../../services.js';

/** The console's Journeys pages: list, builder, publish, pause/resume, ready journeys, dead letters. */
export default async function journeyRoutes(
  app: App,
  { journeys, restrictions }: Services,
): Promise<void> {
  const editor = (request: Parameters<typeof contextOf>[0]) => {
    const { actor } = contextOf(request);
    return { orgId: actor.orgId, userId: actor.userId };
  };

  defineRoute(app, routes.journeys.list, (request) =>
    journeys.list(contextOf(request).actor.orgId),
  );

  defineRoute(app, routes.journeys.ready, (request) =>
    journeys.listReady(contextOf(request).actor.orgId),
  );

  defineRoute(app, routes.journeys.enableReady, async (request) => ({
    id: await journeys.enableReady(editor(request), request.params.key),
  }));

  defineRoute(app, routes.journeys.create, async (request) => ({
    id: await journeys.saveDraft(editor(request), request.body.definition),
  }));

  defineRoute(app, routes.journeys.deadLetters, (request) =>
    journeys.deadLetters(contextOf(request)),
  );

  defineRoute(app, routes.journeys.retry, async (request, reply) => {
    await journeys.retry(contextOf(request), request.params.id);
    return reply.status(204).send(null);
  });

  defineRoute(app, routes.journeys.get, (request) =>
    journeys.detail(contextOf(request).actor.orgId, request.params.id),
  );

  defineRoute(app, routes.journeys.saveDraft, async (request, reply) => {
    await journeys.updateDraft(editor(request), request.params.id, request.body.definition);
    return reply.status(204).send(null);
  });

  defineRoute(app, routes.journeys.publish, async (request) => ({
    id: request.params.id,
    version: await journeys.publish(editor(request), request.params.id),
  }));

  defineRoute(app, routes.journeys.enrol, async (request) => {
    const ctx = contextOf(request);
    await restrictions.guard(ctx, [request.body.patientId], 'journey-enrolment');
    return { id: await journeys.enrolManually(ctx, request.params.id, request.body.patientId) };
  });

  defineRoute(app, routes.journeys.pause, async (request, reply) => {
    await journeys.pause(editor(request), request.params.id);
    return reply.status(204).send(null);
  });

  defineRoute(app, routes.journeys.resume, async (request, reply) => {
    await journeys.resume(editor(request), request.params.id);
    return reply.status(204).send(null);
  });
}
