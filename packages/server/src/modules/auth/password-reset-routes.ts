import {
  PasswordResetConfirm,
  PasswordResetDone,
  PasswordResetRequest,
  PasswordResetRequested,
} from '@careloop/core';
import type { App } from '../../http/types.js';
import type { Services } from '../../services.js';

const problem = { $ref: 'Problem#' } as const;

/** "Forgot password?" for staff and patients: a one-time link by email. */
export default async function passwordResetRoutes(
  app: App,
  { passwordReset }: Services,
): Promise<void> {
  const from = (request: { ip: string; headers: Record<string, unknown> }) => {
    const ua = request.headers['user-agent'];
    return { ip: request.ip, userAgent: typeof ua === 'string' ? ua.slice(0, 500) : null };
  };

  app.post(
    '/api/auth/password-reset',
    {
      config: { policy: { public: true } },
      schema: {
        tags: ['auth'],
        summary:
          'Ask for a password reset link by email; the same 202 whether or not the address has an account',
        security: [],
        body: PasswordResetRequest,
        response: { 202: PasswordResetRequested, 400: problem, 429: problem },
      },
    },
    async (request, reply) => {
      const answer = await passwordReset.request(request.body, from(request));
      return reply.status(202).send(answer);
    },
  );

  app.post(
    '/api/auth/password-reset/confirm',
    {
      config: { policy: { public: true } },
      schema: {
        tags: ['auth'],
        summary:
          "Set a new password with a reset link's token (once, within 30 minutes); ends the account's sessions",
        security: [],
        body: PasswordResetConfirm,
        response: { 200: PasswordResetDone, 400: problem, 429: problem },
      },
    },
    (request) => passwordReset.confirm(request.body, from(request)),
  );
}
