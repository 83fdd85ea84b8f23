import { CareloopError, routes } from '@careloop/core';
import { contextOf, type RequestContext } from '../../http/actor.js';
import { defineRoute } from '../../http/route.js';
import type { App } from '../../http/types.js';
import type { Services } from '../../services.js';

/** Two card images of 5 MB in base64 (about 6.7 MB each) and the form: under 15 MB. */
const PRE_REGISTRATION_BODY_LIMIT = 15 * 1024 * 1024;

const ownPatientId = (ctx: RequestContext): string => {
  if (!ctx.actor.patientId) {
    throw new CareloopError('forbidden', 'This account is not linked to a patient record');
  }
  return ctx.actor.patientId;
};

/** Issue 13: pre-registration in the portal, and what staff see of it. */
export default async function preRegistrationRoutes(
  app: App,
  { preRegistration, restrictions }: Services,
): Promise<void> {
  defineRoute(app, routes.preRegistration.mine, (request) => {
    const ctx = contextOf(request);
    return preRegistration.mine(ctx, ownPatientId(ctx));
  });

  defineRoute(
    app,
    routes.preRegistration.submit,
    async (request, reply) => {
      const ctx = contextOf(request);
      const submitted = await preRegistration.submit(ctx, ownPatientId(ctx), request.body);
      return reply.status(201).send(submitted);
    },
    { bodyLimit: PRE_REGISTRATION_BODY_LIMIT },
  );

  defineRoute(app, routes.preRegistration.states, async (request) => {
    const ctx = contextOf(request);
    const items = await preRegistration.states(ctx, request.query.appointmentIds, (ids, tx) =>
      restrictions.hiddenAmong(ctx.actor, ids, tx),
    );
    return { items };
  });

  defineRoute(app, routes.preRegistration.ofPatient, async (request) => {
    const ctx = contextOf(request);
    await restrictions.guard(ctx, [request.params.id], 'patient');
    return preRegistration.ofPatient(ctx, request.params.id);
  });
}
