import { routes } from '@careloop/core';
import { contextOf, type RequestContext } from '../../http/actor.js';
import { defineRoute } from '../../http/route.js';
import type { App } from '../../http/types.js';
import type { Services } from '../../services.js';
import { appointmentIcs } from './ics.js';

/** Issue 13's staff scheduling, registered from the route table (issue 10.3). */
export default async function schedulingRoutes(
  app: App,
  { scheduling, restrictions }: Services,
): Promise<void> {
  const r = routes.scheduling;

  defineRoute(app, r.services, (request) => scheduling.setup.listServices(contextOf(request)));

  defineRoute(app, r.createService, async (request, reply) => {
    const created = await scheduling.setup.createService(contextOf(request), request.body);
    return reply.status(201).send(created);
  });

  defineRoute(app, r.rules, (request) =>
    scheduling.setup.listRules(contextOf(request), {
      practitionerId: request.query.practitioner,
      locationId: request.query.location,
    }),
  );

  defineRoute(app, r.addRule, async (request, reply) =>
    reply.status(201).send(await scheduling.setup.addRule(contextOf(request), request.body)),
  );

  defineRoute(app, r.deleteRule, async (request, reply) => {
    await scheduling.setup.deleteRule(contextOf(request), request.params.id);
    return reply.status(204).send(null);
  });

  defineRoute(app, r.addException, async (request, reply) =>
    reply.status(201).send(await scheduling.setup.addException(contextOf(request), request.body)),
  );

  defineRoute(app, r.settings, (request) => scheduling.setup.settings(contextOf(request)));

  defineRoute(app, r.updateSettings, (request) =>
    scheduling.setup.updateSettings(contextOf(request), request.body),
  );

  defineRoute(app, r.availability, async (request) => ({
    slots: await scheduling.availability(contextOf(request), request.query),
  }));

  defineRoute(app, r.book, async (request, reply) => {
    const ctx = contextOf(request);
    await restrictions.guard(ctx, [request.body.patientId], 'appointment');
    const booked = await scheduling.book(ctx, request.body, request.headers['idempotency-key']);
    if (booked.replayed) void reply.header('idempotent-replayed', 'true');
    return reply.status(201).send(booked.appointment);
  });

  defineRoute(app, r.get, async (request) => {
    const ctx = contextOf(request);
    await guardAppointment(ctx, request.params.id);
    return scheduling.get(ctx, request.params.id);
  });

  defineRoute(app, r.change, async (request) => {
    const ctx = contextOf(request);
    await guardAppointment(ctx, request.params.id);
    return scheduling.change(ctx, request.params.id, request.body);
  });

  defineRoute(app, r.ics, async (request, reply) => {
    const ctx = contextOf(request);
    await guardAppointment(ctx, request.params.id);
    const appointment = await scheduling.get(ctx, request.params.id);
    return reply
      .type('text/calendar; charset=utf-8')
      .header('content-disposition', 'attachment; filename="appointment.ics"')
      .send(appointmentIcs(appointment, ctx.actor.orgName));
  });

  defineRoute(app, r.calendar, async (request) => {
    const ctx = contextOf(request);
    const appointments = await scheduling.calendar(ctx, request.query, (ids, tx) =>
      restrictions.hiddenAmong(ctx.actor, ids, tx),
    );
    return { appointments };
  });

  /** A restricted patient's appointment needs the same clearance as the patient. */
  async function guardAppointment(ctx: RequestContext, id: string): Promise<void> {
    const patientId = await scheduling.patientOf(ctx, id);
    if (patientId) await restrictions.guard(ctx, [patientId], 'appointment');
  }
}
