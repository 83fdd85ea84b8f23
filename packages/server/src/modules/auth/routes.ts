import { CareloopError, routes, type SessionInfo } from '@careloop/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Actor } from '../../http/context.js';
import { defineRoute } from '../../http/route.js';
import { SESSION_COOKIE } from '../../http/security.js';
import type { App } from '../../http/types.js';
import type { Services } from '../../services.js';

const userAgent = (request: FastifyRequest) => {
  const ua = request.headers['user-agent'];
  return typeof ua === 'string' ? ua.slice(0, 500) : null;
};

const signedIn = (request: FastifyRequest) => {
  const actor = request.actor;
  if (!actor) throw new CareloopError('unauthenticated', 'Sign in to continue');
  return actor;
};
const sessionInfoOf = (actor: Actor): SessionInfo => ({
  user: {
    id: actor.userId,
    email: actor.email,
    displayName: actor.displayName,
    role: actor.role,
    orgId: actor.orgId,
    orgName: actor.orgName,
    patientId: actor.patientId,
  },
  csrfToken: actor.csrfToken,
  stage: actor.stage,
});
const fromOf = (request: FastifyRequest) => ({ ip: request.ip, userAgent: userAgent(request) });

export default async function authRoutes(app: App, { auth, mfa, config }: Services): Promise<void> {
  const setSessionCookie = (reply: FastifyReply, token: string) =>
    reply.setCookie(SESSION_COOKIE, token, {
      path: '/',
      httpOnly: true,
      sameSite: 'strict',
      secure: config.secureCookies,
      maxAge: config.sessionAbsoluteHours * 3600,
    });

  defineRoute(app, routes.auth.login, async (request, reply) => {
    const { token, info } = await auth.login(request.body.email, request.body.password, {
      ip: request.ip,
      userAgent: userAgent(request),
    });
    setSessionCookie(reply, token);
    return info;
  });

  defineRoute(app, routes.auth.logout, async (request, reply) => {
    const actor = request.actor;
    if (!actor) throw new CareloopError('unauthenticated', 'Sign in to continue');
    await auth.logout(actor, { ip: request.ip, userAgent: userAgent(request) });
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return reply.status(204).send(null);
  });

  defineRoute(app, routes.auth.session, (request) => {
    const actor = request.actor;
    return {
      session: actor ? sessionInfoOf(actor) : null,
      expired: !actor && request.sessionExpired,
    };
  });

  defineRoute(app, routes.auth.me, async (request) => {
    const actor = request.actor;
    if (!actor) throw new CareloopError('unauthenticated', 'Sign in to continue');
    return sessionInfoOf(actor);
  });

  defineRoute(app, routes.auth.mfa, (request) => mfa.status(signedIn(request)));

  defineRoute(app, routes.auth.mfaVerify, async (request, reply) => {
    const { token, info } = await mfa.verifySignIn(
      signedIn(request),
      request.body.code,
      fromOf(request),
    );
    setSessionCookie(reply, token);
    return info;
  });

  defineRoute(app, routes.auth.mfaEnrol, (request) => mfa.startEnrolment(signedIn(request)));

  defineRoute(app, routes.auth.mfaConfirm, async (request, reply) => {
    const { recoveryCodes, session } = await mfa.confirmEnrolment(
      signedIn(request),
      request.body.code,
      fromOf(request),
    );
    if (session) setSessionCookie(reply, session.token);
    return { recoveryCodes };
  });

  defineRoute(app, routes.auth.mfaDisable, async (request, reply) => {
    await mfa.disable(signedIn(request), request.body.password, request.body.code, fromOf(request));
    return reply.status(204).send(null);
  });

  defineRoute(app, routes.auth.organizationMfa, (request) => mfa.policy(signedIn(request).orgId));

  defineRoute(app, routes.auth.setOrganizationMfa, (request) =>
    mfa.setPolicy(signedIn(request), request.body.mfaRequired, fromOf(request)),
  );
}
