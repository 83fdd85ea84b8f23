import fastifyHelmet from '@fastify/helmet';
import type { FastifyInstance } from 'fastify';

/** Paths whose responses may carry PHI: never stored by a browser or a shared cache. */
const PHI_PATHS = /^\/(?:api|fhir)(?:[/?]|$)/;

/**
 * The browser-facing headers of every response: a Content-Security-Policy that lets the web app
 * and the API docs load only their own scripts (Mantine and Swagger UI write inline styles, so
 * styles may be inline), no framing by any site, no MIME sniffing, no Referer to other sites
 * (URLs name patients), and `Cache-Control: no-store` on the API and FHIR responses.
 */
export async function installSecurityHeaders(app: FastifyInstance): Promise<void> {
  await app.register(fastifyHelmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        'default-src': ["'self'"],
        'base-uri': ["'self'"],
        'connect-src': ["'self'"],
        'font-src': ["'self'", 'data:'],
        'form-action': ["'self'"],
        'frame-ancestors': ["'none'"],
        'img-src': ["'self'", 'data:'],
        'object-src': ["'none'"],
        'script-src': ["'self'"],
        'script-src-attr': ["'none'"],
        'style-src': ["'self'", "'unsafe-inline'"],
      },
    },
    frameguard: { action: 'deny' },
    // Not `no-referrer`: with it a browser sends `Origin: null` on the app's own POSTs, which
    // the Origin check (origin.ts) would refuse.
    referrerPolicy: { policy: 'same-origin' },
  });
  app.addHook('onRequest', async (request, reply) => {
    if (PHI_PATHS.test(request.url)) void reply.header('cache-control', 'no-store');
  });
}
