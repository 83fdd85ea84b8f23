import { CareloopError, routes } from '@careloop/core';
import { contextOf, type RequestContext } from '../../http/actor.js';
import { defineRoute } from '../../http/route.js';
import type { App } from '../../http/types.js';
import type { Services } from '../../services.js';
import { appointmentIcs } from './ics.js';

/** Issue 13: the portal's booking routes; each acts on the signed-in patient's own record. */
export default async function portalSchedulingRoutes(
  app: App,
  { portalScheduling }: Services,
): Promise<void> {
  const own = (ctx: RequestContext): string => {
    if (!ctx.actor.patientId) {
      throw new CareloopError('forbidden', 'This account is not linked to a patient record');
    }
    return ctx.actor.patientId;
  };
  const r = routes.portalScheduling;

  defineRoute(app, r.options, (request) => {
    const ctx = contextOf(request);
    return portalScheduling.options(ctx, own(ctx));
  });

  defineRoute(app, r.availability, async (request) => {
    const ctx = contextOf(request);
    return { slots: await portalScheduling.availability(ctx, own(ctx), request.query) };
  });

  defineRoute(app, r.book, async (request, reply) => {
    const ctx = contextOf(request);
    const booked = await portalScheduling.book(
      ctx,
      own(ctx),
      request.body,
      request.headers['idempotency-key'],
    );
    if (booked.replayed) void reply.header('idempotent-replayed', 'true');
    return reply.status(201).send(booked.appointment);
  });

  defineRoute(app, r.list, (request) => {
    const ctx = contextOf(request);
    return portalScheduling.list(ctx, own(ctx));
  });

  defineRoute(app, r.change, (request) => {
    const ctx = contextOf(request);
    return portalScheduling.change(ctx, own(ctx), request.params.id, request.body);
  });

  defineRoute(app, r.ics, async (request, reply) => {
    const ctx = contextOf(request);
    const appointment = await portalScheduling.own(ctx, own(ctx), request.params.id);
    return reply
      .type('text/calendar; charset=utf-8')
      .header('content-disposition', 'attachment; filename="appointment.ics"')
      .send(appointmentIcs(appointment, ctx.actor.orgName));
  });
}
