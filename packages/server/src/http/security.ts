import { CareloopError, can, type RoutePolicy, scopeNeeds, scopesCover } from '@careloop/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AuthService, SessionLookup } from '../modules/auth/service.js';
import type { Actor } from './context.js';
import { applySecurityHeaders } from './headers.js';
import { originRefusal } from './origin.js';

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
 *
 * One `onRequest` hook does, in this order, what every request needs before its route: the
 * security headers (headers.ts), the Origin check (origin.ts), the session and the route's
 * policy. Five hooks did it before (helmet's two, no-store, Origin, session), each a promise and
 * a turn of the microtask queue; a request without a session cookie (`/api/health`, the
 * sign-in) now passes without any.
 */
export function installSecurity(
  app: FastifyInstance,
  auth: AuthService,
  routes: RouteRecord[],
  allowedOrigins: readonly string[],
  /** Issue 11: resolves an API client's bearer token (docs/adr/0029); none: bearers refused. */
  bearer?: (token: string) => Promise<Actor | null>,
): void {
  const allowed: ReadonlySet<string> = new Set(allowedOrigins);
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

  app.addHook('onRequest', (request, reply, done) => {
    request.receivedAt = performance.now();
    applySecurityHeaders(request.url, reply);
    const foreign = originRefusal(request, allowed);
    if (foreign) return done(foreign);
    const policy = request.routeOptions.config.policy;
    const token = request.cookies[SESSION_COOKIE];
    // Issue 11: a request without a session cookie may carry an API client's bearer token.
    const authorization = request.headers.authorization;
    if (!token && bearer && authorization?.startsWith('Bearer ')) {
      bearer(authorization.slice(7).trim()).then(
        (actor) => done(bearerRefusal(request, reply, policy, actor) ?? undefined),
        (error: unknown) => done(asError(error)),
      );
      return;
    }
    if (!token) return done(refusal(request, policy) ?? undefined);
    auth.resolve(token, request.receivedAt).then(
      (session) => {
        let refused: Error | null;
        try {
          refused = sessionRefusal(request, reply, policy, session);
        } catch (error) {
          refused = asError(error);
        }
        done(refused ?? undefined);
      },
      (error: unknown) => done(asError(error)),
    );
  });
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

/** Takes the session's actor, or clears a dead session's cookie; then the route's policy. */
function sessionRefusal(
  request: FastifyRequest,
  reply: FastifyReply,
  policy: RoutePolicy | undefined,
  session: SessionLookup,
): CareloopError | null {
  if (session.state === 'valid') {
    request.actor = session.actor;
    return refusal(request, policy);
  }
  void reply.clearCookie(SESSION_COOKIE, { path: '/' });
  request.sessionExpired = session.state === 'expired';
  if (policy && 'permission' in policy) {
    return new CareloopError(
      session.state === 'expired' ? 'session_expired' : 'unauthenticated',
      session.state === 'expired' ? 'Your session expired. Sign in again.' : 'Sign in to continue',
    );
  }
  return refusal(request, policy);
}

/**
 * Issue 11: an API client's request (docs/adr/0029). Its role's permission and its token's
 * scopes must both allow the route; no CSRF token (no cookie is involved). An unknown, expired
 * or revoked token is a 401 with the Bearer challenge.
 */
function bearerRefusal(
  request: FastifyRequest,
  reply: FastifyReply,
  policy: RoutePolicy | undefined,
  actor: Actor | null,
): CareloopError | null {
  if (!actor?.client) {
    void reply.header('www-authenticate', 'Bearer error="invalid_token"');
    return refusal(request, policy);
  }
  request.actor = actor;
  if (!policy || 'public' in policy || 'webhook' in policy) return refusal(request, policy);
  if (!can(actor.role, policy.permission)) {
    return new CareloopError('forbidden', "The client's role does not allow this");
  }
  const needs = scopeNeeds(request.method, request.routeOptions.url ?? '', policy.permission);
  if (!scopesCover(actor.client.scopes, needs)) {
    void reply.header('www-authenticate', 'Bearer error="insufficient_scope"');
    return new CareloopError(
      'forbidden',
      needs
        ? `The token's scopes do not cover this (needs ${needs.map((n) => `system/${n.resource}.${n.interaction}`).join(', ')})`
        : 'API clients cannot use this route',
    );
  }
  return null;
}

/** Why the route's policy refuses the request, or null when it may go on. */
function refusal(request: FastifyRequest, policy: RoutePolicy | undefined): CareloopError | null {
  if (!policy) {
    // Unknown URLs reach the not-found handler, which has no route options of its own.
    if (request.is404) return null;
    return new CareloopError('forbidden', 'This route declares no access policy');
  }
  // A webhook's route checks the provider's signature itself, first thing (RoutePolicy).
  if ('public' in policy || 'webhook' in policy) return null;
  const actor = request.actor;
  if (!actor) return new CareloopError('unauthenticated', 'Sign in to continue');
  if (!can(actor.role, policy.permission)) {
    return new CareloopError('forbidden', 'Your role does not allow this');
  }
  // A half-done sign-in (password right, second factor or email verification due) reaches
  // only its own session's routes: the code, enrolment, resending the link, `me` and sign-out.
  if (actor.stage !== 'active' && policy.permission !== 'session:self') {
    return new CareloopError(
      'forbidden',
      actor.stage === 'mfa-enrol'
        ? 'Set up two-factor sign-in first'
        : actor.stage === 'email-verify'
          ? 'Confirm your email first: open the link we sent you'
          : 'Enter the code from your authenticator app first',
    );
  }
  if (!SAFE_METHODS.has(request.method) && request.headers['x-csrf-token'] !== actor.csrfToken) {
    return new CareloopError('csrf_failed', 'Missing or invalid CSRF token; reload the page');
  }
  return null;
}
