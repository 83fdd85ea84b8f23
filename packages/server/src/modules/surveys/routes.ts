import { CareloopError, routes } from '@careloop/core';
import { contextOf, type RequestContext } from '../../http/actor.js';
import { defineRoute } from '../../http/route.js';
import type { App } from '../../http/types.js';
import type { Services } from '../../services.js';

const ownPatientId = (ctx: RequestContext): string => {
  if (!ctx.actor.patientId) {
    throw new CareloopError('forbidden', 'This account is not linked to a patient record');
  }
  return ctx.actor.patientId;
};

/** Issue 11 (h11v): the post-visit survey by link and in the portal, and what staff read of it. */
export default async function surveyRoutes(
  app: App,
  { surveys, restrictions }: Services,
): Promise<void> {
  defineRoute(app, routes.surveys.open, (request) => surveys.open(request.body.token));

  defineRoute(app, routes.surveys.answer, async (request, reply) => {
    const ua = request.headers['user-agent'];
    const answered = await surveys.answerByToken(request.body, {
      ip: request.ip,
      userAgent: typeof ua === 'string' ? ua.slice(0, 500) : null,
    });
    return reply.status(201).send(answered);
  });

  defineRoute(app, routes.surveys.mine, async (request) => {
    const ctx = contextOf(request);
    return { items: await surveys.mine(ctx, ownPatientId(ctx)) };
  });

  defineRoute(app, routes.surveys.answerMine, async (request, reply) => {
    const ctx = contextOf(request);
    const answered = await surveys.answerMine(
      ctx,
      ownPatientId(ctx),
      request.params.id,
      request.body,
    );
    return reply.status(201).send(answered);
  });

  defineRoute(app, routes.surveys.ofPatient, async (request) => {
    const ctx = contextOf(request);
    await restrictions.guard(ctx, [request.params.id], 'patient');
    return { items: await surveys.ofPatient(ctx, request.params.id) };
  });
}
