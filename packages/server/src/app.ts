import { fileURLToPath } from 'node:url';
import { ProblemSchema } from '@careloop/core';
import fastifyCookie from '@fastify/cookie';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyServerOptions } from 'fastify';
import { installDenialAudit } from './http/denials.js';
import { installErrorHandling } from './http/errors.js';
import { fastifyTrustProxy } from './http/proxy.js';
import { installSecurity, type RouteRecord } from './http/security.js';
import { installTextGuard } from './http/text-guard.js';
import type { App } from './http/types.js';
import { validatorCompiler } from './http/validation.js';
import { installWebApp } from './http/web-app.js';
import { loggerOptions } from './logger.js';
import auditRoutes from './modules/audit/routes.js';
import passwordResetRoutes from './modules/auth/password-reset-routes.js';
import authRoutes from './modules/auth/routes.js';
import userRoutes from './modules/auth/user-routes.js';
// Issue 13: the capacity dashboard.
import capacityRoutes from './modules/capacity/routes.js';
// Issue 9: questionnaire answers, read on the 360 page.
import questionnaireRoutes from './modules/clinical/routes.js';
import csvImportRoutes from './modules/csv-import/routes.js';
import directoryRoutes from './modules/directory/routes.js';
import fhirRoutes from './modules/fhir/routes.js';
import healthRoutes from './modules/health/routes.js';
import hl7Routes from './modules/hl7/routes.js';
// Issue 11: the shared inbox, portal secure messaging and call tasks.
import inboxRoutes from './modules/inbox/routes.js';
// Issue 11: integrations (API clients).
import apiClientRoutes from './modules/integrations/clients/routes.js';
import tokenRoutes from './modules/integrations/clients/token-routes.js';
import emailEventRoutes from './modules/integrations/email-events/routes.js';
import webhookRoutes from './modules/integrations/webhooks/routes.js';
// Issue 12: the journey map.
import journeyMapRoutes from './modules/journey-map/routes.js';
// Issue 11: journeys.
import journeyRoutes from './modules/journeys/routes.js';
// Issue 12: the KPI dashboard.
import kpiRoutes from './modules/kpis/routes.js';
// Issue 11 (h11l): patient lists.
import listRoutes from './modules/lists/routes.js';
// Issue 11: messaging (the test mailbox).
import messagingRoutes from './modules/messaging/routes.js';
// Issue 11: the SMS channel.
import smsRoutes from './modules/messaging/sms/routes.js';
import mpiRoutes from './modules/mpi/routes.js';
import noteRoutes from './modules/notes/routes.js';
import patientRoutes from './modules/patients/routes.js';
import portalRoutes from './modules/portal/routes.js';
// Issue 13 (h13r): pre-registration before a visit.
import preRegistrationRoutes from './modules/pre-registration/routes.js';
import restrictionRoutes from './modules/restrictions/routes.js';
// Issue 13 (h13a): the portal books.
import portalSchedulingRoutes from './modules/scheduling/portal-routes.js';
// Issue 13: scheduling.
import schedulingRoutes from './modules/scheduling/routes.js';
// Issue 11 (h11v): the post-visit survey.
import surveyRoutes from './modules/surveys/routes.js';
import taskRoutes from './modules/tasks/routes.js';
// Issue 11: templates and suppressed sends.
import templateRoutes from './modules/templates/routes.js';
// Issue 13: the waitlist and slot recovery.
import waitlistRoutes from './modules/waitlist/routes.js';
import type { Services } from './services.js';

const WEB_DIST = fileURLToPath(new URL('../../web/dist', import.meta.url));

export interface BuiltApp {
  app: App;
  /** Every route and its declared policy (filled as routes register). */
  routes: RouteRecord[];
}

export async function buildApp(
  services: Services,
  options: {
    logger?: FastifyServerOptions['logger'];
    serveWeb?: boolean;
    /** The built web app to serve; packages/web/dist by default. */
    webDist?: string;
  } = {},
): Promise<BuiltApp> {
  const app = Fastify({
    logger: options.logger ?? loggerOptions(services.config.logLevel),
    trustProxy: fastifyTrustProxy(services.config.trustProxy),
    bodyLimit: 1_048_576,
  }).withTypeProvider<TypeBoxTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  const routes: RouteRecord[] = [];

  installErrorHandling(app);
  await app.register(fastifyCookie);
  // Headers, the Origin check, the session and the route's policy: one hook (http/security.ts).
  installSecurity(app, services.auth, routes, services.config.allowedOrigins, (token) =>
    services.apiClients.resolveBearer(token),
  );
  installDenialAudit(app, services.audit);
  installTextGuard(app);
  app.addSchema(ProblemSchema);
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Careloop API',
        version: '0.1.0',
        description:
          'Patient relationship management. Sign in with POST /api/auth/login; send the returned csrfToken as x-csrf-token on state-changing requests.',
      },
      components: {
        securitySchemes: {
          session: { type: 'apiKey', in: 'cookie', name: 'careloop_session' },
        },
      },
      security: [{ session: [] }],
    },
  });
  // The docs are public: they describe the API, not any patient.
  await app.register(async (docs) => {
    docs.addHook('onRoute', (route) => {
      route.config = { ...route.config, policy: { public: true } };
    });
    await docs.register(fastifySwaggerUi, { routePrefix: '/api/docs' });
  });

  await app.register(async (api) => {
    await healthRoutes(api, services);
    await authRoutes(api, services);
    await patientRoutes(api, services);
    await noteRoutes(api, services);
    await taskRoutes(api, services);
    await directoryRoutes(api, services);
    await userRoutes(api, services);
    await auditRoutes(api, services);
    await portalRoutes(api, services);
    await fhirRoutes(api, services);
    await hl7Routes(api, services);
    await csvImportRoutes(api, services);
    await mpiRoutes(api, services);
    await restrictionRoutes(api, services);
    // Issue 11: messaging.
    await messagingRoutes(api, services);
    await passwordResetRoutes(api, services);
    // Issue 11: the SMS channel.
    await smsRoutes(api, services);
    // Issue 12: the journey map.
    await journeyMapRoutes(api, services);
    // Issue 13: scheduling.
    await schedulingRoutes(api, services);
    // Issue 11: journeys.
    await journeyRoutes(api, services);
    // Issue 11: templates and suppressed sends.
    await templateRoutes(api, services);
    // Issue 12: the KPI dashboard.
    await kpiRoutes(api, services);
    // Issue 11: the shared inbox, portal secure messaging and call tasks.
    await inboxRoutes(api, services);
    // Issue 11: integrations (API clients and their token endpoint).
    await apiClientRoutes(api, services);
    await tokenRoutes(api, services);
    await webhookRoutes(api, services);
    await emailEventRoutes(api, services);
    // Issue 13: the capacity dashboard.
    await capacityRoutes(api, services);
    // Issue 13 (h13a): the portal books.
    await portalSchedulingRoutes(api, services);
    // Issue 13: the waitlist and slot recovery.
    await waitlistRoutes(api, services);
    // Issue 13 (h13r): pre-registration before a visit.
    await preRegistrationRoutes(api, services);
    // Issue 9: questionnaire answers, read on the 360 page.
    await questionnaireRoutes(api, services);
    // Issue 11 (h11l): patient lists and their members.
    await listRoutes(api, services);
    // Issue 11 (h11v): the post-visit survey.
    await surveyRoutes(api, services);
  });

  await installWebApp(app, options.serveWeb === false ? null : (options.webDist ?? WEB_DIST));
  return { app, routes };
}
