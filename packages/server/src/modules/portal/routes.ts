import {
  CareloopError,
  PortalProfile,
  PortalRegistration,
  PortalRegistrationReceived,
  PreferencesUpdate,
} from '@careloop/core';
import { contextOf, type RequestContext } from '../../http/actor.js';
import type { App } from '../../http/types.js';
import type { Services } from '../../services.js';

const problem = { $ref: 'Problem#' } as const;

/** The patient portal: a patient reaches their own record, and only through these routes. */
export default async function portalRoutes(
  app: App,
  { patients, portalRegistration }: Services,
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

  app.get(
    '/api/portal/me',
    {
      config: { policy: { permission: 'portal:self' } },
      schema: {
        tags: ['portal'],
        summary: "The signed-in patient's own profile",
        response: { 200: PortalProfile, 401: problem, 403: problem },
      },
    },
    (request) => profile(contextOf(request)),
  );

  app.patch(
    '/api/portal/preferences',
    {
      config: { policy: { permission: 'portal:self' } },
      schema: {
        tags: ['portal'],
        summary: 'Change own contact preferences and consents',
        body: PreferencesUpdate,
        response: { 200: PortalProfile, 400: problem, 401: problem, 403: problem },
      },
    },
    async (request) => {
      const ctx = contextOf(request);
      await patients.updatePreferences(ctx, ownPatientId(ctx), request.body, 'portal');
      return profile(ctx);
    },
  );

  app.post(
    '/api/portal/register',
    {
      config: { policy: { public: true } },
      schema: {
        tags: ['portal'],
        summary:
          'Patient sign-up: creates a golden record (possible duplicates go to staff review) and an account; the same 202 whether or not the email already has an account, then sign in',
        security: [],
        body: PortalRegistration,
        response: { 202: PortalRegistrationReceived, 400: problem, 404: problem, 429: problem },
      },
    },
    async (request, reply) => {
      const ua = request.headers['user-agent'];
      const received = await portalRegistration.register(request.body, {
        ip: request.ip,
        userAgent: typeof ua === 'string' ? ua.slice(0, 500) : null,
      });
      return reply.status(202).send(received);
    },
  );
}
