import { CareloopError, LoginBody, SessionInfo } from '@careloop/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { SESSION_COOKIE } from '../../http/security.js';
import type { App } from '../../http/types.js';
import type { Services } from '../../services.js';

const problem = { $ref: 'Problem#' } as const;
const userAgent = (request: FastifyRequest) => {
  const ua = request.headers['user-agent'];
  return typeof ua === 'string' ? ua.slice(0, 500) : null;
};

export default async function authRoutes(app: App, { auth, config }: Services): Promise<void> {
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
      return {
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
      };
    },
  );
}
