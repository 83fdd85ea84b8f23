import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { ProblemSchema } from '@careloop/core';
import fastifyCookie from '@fastify/cookie';
import fastifyStatic from '@fastify/static';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyServerOptions } from 'fastify';
import { installDenialAudit } from './http/denials.js';
import { installErrorHandling } from './http/errors.js';
import { installSecurityHeaders } from './http/headers.js';
import { installOriginCheck } from './http/origin.js';
import { fastifyTrustProxy } from './http/proxy.js';
import { installSecurity, type RouteRecord } from './http/security.js';
import { installTextGuard } from './http/text-guard.js';
import type { App } from './http/types.js';
import { validatorCompiler } from './http/validation.js';
import { loggerOptions } from './logger.js';
import auditRoutes from './modules/audit/routes.js';
import passwordResetRoutes from './modules/auth/password-reset-routes.js';
import authRoutes from './modules/auth/routes.js';
import userRoutes from './modules/auth/user-routes.js';
import csvImportRoutes from './modules/csv-import/routes.js';
import directoryRoutes from './modules/directory/routes.js';
import fhirRoutes from './modules/fhir/routes.js';
import healthRoutes from './modules/health/routes.js';
import hl7Routes from './modules/hl7/routes.js';
// Issue 11: messaging (the test mailbox).
import messagingRoutes from './modules/messaging/routes.js';
import mpiRoutes from './modules/mpi/routes.js';
import noteRoutes from './modules/notes/routes.js';
import patientRoutes from './modules/patients/routes.js';
import portalRoutes from './modules/portal/routes.js';
import restrictionRoutes from './modules/restrictions/routes.js';
import taskRoutes from './modules/tasks/routes.js';
import type { Services } from './services.js';

const WEB_DIST = fileURLToPath(new URL('../../web/dist', import.meta.url));
const WEB_INDEX = `${WEB_DIST}/index.html`;

export interface BuiltApp {
  app: App;
  /** Every route and its declared policy (filled as routes register). */
  routes: RouteRecord[];
}

export async function buildApp(
  services: Services,
  options: { logger?: FastifyServerOptions['logger']; serveWeb?: boolean } = {},
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
  await installSecurityHeaders(app);
  installOriginCheck(app, services.config.allowedOrigins);
  installSecurity(app, services.auth, routes);
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
  });

  if (options.serveWeb !== false && existsSync(WEB_DIST)) {
    await app.register(async (web) => {
      web.addHook('onRoute', (route) => {
        route.config = { ...route.config, policy: { public: true } };
      });
      await web.register(fastifyStatic, { root: WEB_DIST, wildcard: false, index: 'index.html' });
    });
  }
  const indexHtml =
    options.serveWeb !== false && existsSync(WEB_INDEX) ? await readFile(WEB_INDEX, 'utf8') : null;
  app.setNotFoundHandler(async (request, reply) => {
    // The web app routes on the client: unknown non-API GETs get its index page.
    // A missing file (an old asset after a rebuild) is a 404, not the index page.
    const path = request.url.split('?')[0] ?? '';
    const isFile = /\.[a-z0-9]+$/i.test(path);
    if (request.method === 'GET' && indexHtml && !path.startsWith('/api') && !isFile) {
      return reply
        .type('text/html; charset=utf-8')
        .header('cache-control', 'no-cache')
        .send(indexHtml);
    }
    return reply.status(404).send({
      status: 404,
      code: 'not_found',
      message: `No route ${request.method} ${request.url.split('?')[0]}`,
    });
  });
  return { app, routes };
}
