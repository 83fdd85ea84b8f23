import { CareloopError, routes } from '@careloop/core';
import type { FastifyRequest } from 'fastify';
import { contextOf, type RequestContext } from '../../http/actor.js';
import { defineRoute } from '../../http/route.js';
import type { App } from '../../http/types.js';
import type { Services } from '../../services.js';
import type { AuditActor } from '../audit/service.js';

/** The waitlist, offers and follow-ups (issue 13): console, portal and the offers' links. */
export default async function waitlistRoutes(
  app: App,
  { waitlist, restrictions, scheduling }: Services,
): Promise<void> {
  const { recovery } = waitlist;
  const ownPatientId = (ctx: RequestContext): string => {
    if (!ctx.actor.patientId) {
      throw new CareloopError('forbidden', 'This account is not linked to a patient record');
    }
    return ctx.actor.patientId;
  };

  defineRoute(app, routes.waitlist.list, async (request) => {
    const ctx = contextOf(request);
    const items = await waitlist.list(ctx, request.query, (ids, tx) =>
      restrictions.hiddenAmong(ctx.actor, ids, tx),
    );
    return { items };
  });

  defineRoute(app, routes.waitlist.create, async (request, reply) => {
    const ctx = contextOf(request);
    await restrictions.guard(ctx, [request.body.patientId], 'waitlist-entry');
    return reply.status(201).send(await waitlist.create(ctx, request.body));
  });

  // A restricted patient's entries and follow-ups are guarded like every other write
  // (docs/adr/0012); an unknown entry or visit passes, and the service answers its own 404.
  defineRoute(app, routes.waitlist.update, async (request) => {
    const ctx = contextOf(request);
    const patientId = await waitlist.patientOf(ctx, request.params.id);
    if (patientId) await restrictions.guard(ctx, [patientId], 'waitlist-entry');
    return waitlist.update(ctx, request.params.id, request.body);
  });

  defineRoute(app, routes.waitlist.followUp, async (request, reply) => {
    const ctx = contextOf(request);
    const patientId = await scheduling.patientOf(ctx, request.body.appointmentId);
    if (patientId) await restrictions.guard(ctx, [patientId], 'waitlist-entry');
    return reply.status(201).send(await waitlist.followUp(ctx, request.body));
  });

  defineRoute(app, routes.waitlist.settings, (request) => waitlist.settings(contextOf(request)));
  defineRoute(app, routes.waitlist.updateSettings, (request) =>
    waitlist.updateSettings(contextOf(request), request.body),
  );
  defineRoute(app, routes.waitlist.recovery, (request) =>
    waitlist.recoveryReport(contextOf(request), request.query),
  );

  // The accept link: the token is the credential; an unknown one is a 404 like any other.
  const byToken = async (token: string) => {
    const found = await recovery.offerOfToken(token);
    if (!found) throw new CareloopError('not_found', 'Offer not found');
    return found;
  };
  const linkActor = (orgId: string, request: FastifyRequest): AuditActor => ({
    orgId,
    userId: null,
    email: null,
    role: 'patient-link',
    ip: request.ip,
    userAgent: 'offer-link',
  });

  defineRoute(app, routes.waitlist.offerLink, async (request) => {
    const { orgId, offerId } = await byToken(request.params.token);
    return recovery.linkView(orgId, offerId, linkActor(orgId, request));
  });
  defineRoute(app, routes.waitlist.acceptLink, async (request) => {
    const { orgId, offerId } = await byToken(request.params.token);
    return recovery.accept(orgId, offerId, linkActor(orgId, request), null);
  });
  defineRoute(app, routes.waitlist.declineLink, async (request) => {
    const { orgId, offerId } = await byToken(request.params.token);
    const actor = linkActor(orgId, request);
    await recovery.decline(orgId, offerId, actor, null);
    return recovery.linkView(orgId, offerId, actor);
  });

  // The portal.
  defineRoute(app, routes.waitlist.portalList, async (request) => {
    const ctx = contextOf(request);
    const items = await waitlist.listOwn(ctx, ownPatientId(ctx));
    return { items, services: await waitlist.services(ctx) };
  });
  defineRoute(app, routes.waitlist.portalJoin, async (request, reply) => {
    const ctx = contextOf(request);
    return reply.status(201).send(await waitlist.join(ctx, ownPatientId(ctx), request.body));
  });
  defineRoute(app, routes.waitlist.portalAvailability, async (request) => {
    const ctx = contextOf(request);
    return waitlist.setAvailability(
      ctx,
      ownPatientId(ctx),
      request.params.id,
      request.body.availability,
    );
  });
  defineRoute(app, routes.waitlist.portalAccept, async (request) => {
    const ctx = contextOf(request);
    return recovery.accept(ctx.actor.orgId, request.params.id, ctx.audit, ownPatientId(ctx));
  });
  defineRoute(app, routes.waitlist.portalDecline, async (request) => {
    const ctx = contextOf(request);
    const patientId = ownPatientId(ctx);
    await recovery.decline(ctx.actor.orgId, request.params.id, ctx.audit, patientId);
    return waitlist.offerForPatient(ctx, patientId, request.params.id);
  });
}
