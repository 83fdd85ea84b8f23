import { CareloopError, can, type RoutePolicy } from '@careloop/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AuthService } from '../modules/auth/service.js';

export const SESSION_COOKIE = 'careloop_session';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Every registered route with its declared policy, for the policy test and the docs. */
export interface RouteRecord {
  method: string;
  url: string;
  policy: RoutePolicy | undefined;
}

/**
 * Deny by default: a route without a declared policy answers 403 to everyone. Session cookies
 * are resolved here; state-changing requests also need the session's CSRF token in
 * `x-csrf-token` (double submit, on top of SameSite=Strict cookies).
 */
export function installSecurity(
  app: FastifyInstance,
  auth: AuthService,
  routes: RouteRecord[],
): void {
  app.decorateRequest('actor', null);
  app.decorateRequest('receivedAt', 0);
  app.decorateRequest('sessionExpired', false);
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) {
      // Read lazily: a plugin's own onRoute hook (docs, static files) may set it after ours.
      routes.push({
        method,
        url: route.url,
        get policy() {
          return route.config?.policy;
        },
      });
    }
  });

  app.addHook('onRequest', async (request, reply) => {
    request.receivedAt = performance.now();
    const policy = request.routeOptions.config.policy;
    const token = request.cookies[SESSION_COOKIE];
    if (token) {
      const session = await auth.resolve(token, request.receivedAt);
      if (session.state === 'valid') {
        request.actor = session.actor;
      } else {
        reply.clearCookie(SESSION_COOKIE, { path: '/' });
        request.sessionExpired = session.state === 'expired';
        if (policy && !('public' in policy)) {
          throw new CareloopError(
            session.state === 'expired' ? 'session_expired' : 'unauthenticated',
            session.state === 'expired'
              ? 'Your session expired. Sign in again.'
              : 'Sign in to continue',
          );
        }
      }
    }
    enforce(request, policy);
  });
}

function enforce(request: FastifyRequest, policy: RoutePolicy | undefined): void {
  if (!policy) {
    // Unknown URLs reach the not-found handler, which has no route options of its own.
    if (request.is404) return;
    throw new CareloopError('forbidden', 'This route declares no access policy');
  }
  if ('public' in policy) return;
  const actor = request.actor;
  if (!actor) throw new CareloopError('unauthenticated', 'Sign in to continue');
  if (!can(actor.role, policy.permission)) {
    throw new CareloopError('forbidden', 'Your role does not allow this');
  }
  // A half-done sign-in (password right, second factor due) reaches only its own session's
  // routes: the code, enrolment, `me` and sign-out.
  if (actor.stage !== 'active' && policy.permission !== 'session:self') {
    throw new CareloopError(
      'forbidden',
      actor.stage === 'mfa-enrol'
        ? 'Set up two-factor sign-in first'
        : 'Enter the code from your authenticator app first',
    );
  }
  if (!SAFE_METHODS.has(request.method) && request.headers['x-csrf-token'] !== actor.csrfToken) {
    throw new CareloopError('csrf_failed', 'Missing or invalid CSRF token; reload the page');
  }
}
