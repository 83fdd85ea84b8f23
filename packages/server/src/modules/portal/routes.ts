import { CareloopError, type PortalProfile, routes } from '@careloop/core';
import { contextOf, type RequestContext } from '../../http/actor.js';
import { defineRoute } from '../../http/route.js';
import type { App } from '../../http/types.js';
import type { Services } from '../../services.js';

/** The patient portal: a patient reaches their own record, and only through these routes. */
export default async function portalRoutes(
  app: App,
  { patients, portalRegistration, emailVerification }: Services,
): Promise<void> {
  const ownPatientId = (ctx: RequestContext): string => {
    if (!ctx.actor.patientId) {
      throw new CareloopError('forbidden', 'This account is not linked to a patient record');
    }
    return ctx.actor.patientId;
  };

  const profile = async (ctx: RequestContext): Promise<PortalProfile> => {
    const view = await patients.get360(ctx, ownPatientId(ctx));
    return {
      patient: view.patient,
      addresses: view.addresses,
      contactPoints: view.contactPoints,
      consents: view.consents,
      upcomingAppointments: view.appointments.upcoming,
    };
  };

  defineRoute(app, routes.portal.me, (request) => profile(contextOf(request)));

  defineRoute(app, routes.portal.updatePreferences, async (request) => {
    const ctx = contextOf(request);
    await patients.updatePreferences(ctx, ownPatientId(ctx), request.body, 'portal');
    return profile(ctx);
  });

  defineRoute(app, routes.portal.register, async (request, reply) => {
    const ua = request.headers['user-agent'];
    const received = await portalRegistration.register(request.body, {
      ip: request.ip,
      userAgent: typeof ua === 'string' ? ua.slice(0, 500) : null,
    });
    return reply.status(202).send(received);
  });

  // Issue 13: the sign-up's email, verified by a one-time link (public: the token is the
  // credential) and sent again on request from the "check your email" step.
  defineRoute(app, routes.portal.verifyEmail, (request) => {
    const ua = request.headers['user-agent'];
    return emailVerification.confirm(request.body, {
      ip: request.ip,
      userAgent: typeof ua === 'string' ? ua.slice(0, 500) : null,
    });
  });

  defineRoute(app, routes.portal.resendVerification, async (request, reply) => {
    const answer = await emailVerification.resend(contextOf(request).actor);
    return reply.status(202).send(answer);
  });
}
