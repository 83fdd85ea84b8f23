import {
  CareloopError,
  LoginBody,
  MfaCodeBody,
  MfaDisableBody,
  MfaEnrolment,
  MfaPolicyInfo,
  MfaPolicyUpdate,
  MfaRecoveryCodes,
  MfaStatus,
  SessionInfo,
  SessionProbe,
} from '@careloop/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { Actor } from '../../http/context.js';
import { SESSION_COOKIE } from '../../http/security.js';
import type { App } from '../../http/types.js';
import type { Services } from '../../services.js';

const problem = { $ref: 'Problem#' } as const;
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

  app.post(
    '/api/auth/login',
    {
      config: { policy: { public: true } },
      schema: {
        tags: ['auth'],
        summary: 'Sign in; sets the session cookie and returns the CSRF token',
        security: [],
        body: LoginBody,
        response: { 200: SessionInfo, 401: problem, 429: problem },
      },
    },
    async (request, reply) => {
      const { token, info } = await auth.login(request.body.email, request.body.password, {
        ip: request.ip,
        userAgent: userAgent(request),
      });
      setSessionCookie(reply, token);
      return info;
    },
  );

  app.post(
    '/api/auth/logout',
    {
      config: { policy: { permission: 'session:self' } },
      schema: { tags: ['auth'], summary: 'End this session', response: { 204: Type.Null() } },
    },
    async (request, reply) => {
      const actor = request.actor;
      if (!actor) throw new CareloopError('unauthenticated', 'Sign in to continue');
      await auth.logout(actor, { ip: request.ip, userAgent: userAgent(request) });
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/api/auth/session',
    {
      config: { policy: { public: true } },
      schema: {
        tags: ['auth'],
        summary: 'Who is signed in, if anyone: 200 either way (the sign-in page asks as it loads)',
        security: [],
        response: { 200: SessionProbe },
      },
    },
    (request) => {
      const actor = request.actor;
      return {
        session: actor ? sessionInfoOf(actor) : null,
        expired: !actor && request.sessionExpired,
      };
    },
  );

  app.get(
    '/api/auth/me',
    {
      config: { policy: { permission: 'session:self' } },
      schema: {
        tags: ['auth'],
        summary: 'The signed-in user',
        response: { 200: SessionInfo, 401: problem },
      },
    },
    async (request) => {
      const actor = request.actor;
      if (!actor) throw new CareloopError('unauthenticated', 'Sign in to continue');
      return sessionInfoOf(actor);
    },
  );

  app.get(
    '/api/auth/mfa',
    {
      config: { policy: { permission: 'session:self' } },
      schema: {
        tags: ['auth'],
        summary: "Whether this account's two-factor sign-in is on, and required",
        response: { 200: MfaStatus, 401: problem },
      },
    },
    (request) => mfa.status(signedIn(request)),
  );

  app.post(
    '/api/auth/mfa/verify',
    {
      config: { policy: { permission: 'session:self' } },
      schema: {
        tags: ['auth'],
        summary:
          'Second step of a sign-in: an authenticator code or a recovery code; replaces the session cookie',
        body: MfaCodeBody,
        response: { 200: SessionInfo, 400: problem, 401: problem, 403: problem, 429: problem },
      },
    },
    async (request, reply) => {
      const { token, info } = await mfa.verifySignIn(
        signedIn(request),
        request.body.code,
        fromOf(request),
      );
      setSessionCookie(reply, token);
      return info;
    },
  );

  app.post(
    '/api/auth/mfa/enrol',
    {
      config: { policy: { permission: 'session:self' } },
      schema: {
        tags: ['auth'],
        summary: 'Start two-factor enrolment: a new TOTP secret and its otpauth URI',
        response: { 200: MfaEnrolment, 401: problem, 403: problem, 409: problem },
      },
    },
    (request) => mfa.startEnrolment(signedIn(request)),
  );

  app.post(
    '/api/auth/mfa/confirm',
    {
      config: { policy: { permission: 'session:self' } },
      schema: {
        tags: ['auth'],
        summary:
          'Confirm enrolment with a code; returns ten recovery codes, shown once (a sign-in waiting for enrolment gets a full session)',
        body: MfaCodeBody,
        response: { 200: MfaRecoveryCodes, 400: problem, 401: problem, 403: problem, 409: problem },
      },
    },
    async (request, reply) => {
      const { recoveryCodes, session } = await mfa.confirmEnrolment(
        signedIn(request),
        request.body.code,
        fromOf(request),
      );
      if (session) setSessionCookie(reply, session.token);
      return { recoveryCodes };
    },
  );

  app.post(
    '/api/auth/mfa/disable',
    {
      config: { policy: { permission: 'session:self' } },
      schema: {
        tags: ['auth'],
        summary: 'Turn two-factor sign-in off, with the password and a code',
        body: MfaDisableBody,
        response: { 204: Type.Null(), 400: problem, 401: problem, 403: problem, 409: problem },
      },
    },
    async (request, reply) => {
      await mfa.disable(
        signedIn(request),
        request.body.password,
        request.body.code,
        fromOf(request),
      );
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/api/organization/mfa',
    {
      config: { policy: { permission: 'user:read' } },
      schema: {
        tags: ['auth'],
        summary: "The organization's two-factor policy",
        response: { 200: MfaPolicyInfo, 401: problem, 403: problem },
      },
    },
    (request) => mfa.policy(signedIn(request).orgId),
  );

  app.patch(
    '/api/organization/mfa',
    {
      config: { policy: { permission: 'user:write' } },
      schema: {
        tags: ['auth'],
        summary: 'Require two-factor sign-in of all staff, or of admins only',
        body: MfaPolicyUpdate,
        response: { 200: MfaPolicyInfo, 400: problem, 401: problem, 403: problem },
      },
    },
    (request) => mfa.setPolicy(signedIn(request), request.body.mfaRequired, fromOf(request)),
  );
}
