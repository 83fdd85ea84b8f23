import { routes } from '@careloop/core';
import { defineRoute } from '../../http/route.js';
import type { App } from '../../http/types.js';
import type { Services } from '../../services.js';

/** "Forgot password?" for staff and patients: a one-time link by email. */
export default async function passwordResetRoutes(
  app: App,
  { passwordReset }: Services,
): Promise<void> {
  const from = (request: { ip: string; headers: Record<string, unknown> }) => {
    const ua = request.headers['user-agent'];
    return { ip: request.ip, userAgent: typeof ua === 'string' ? ua.slice(0, 500) : null };
  };

  defineRoute(app, routes.auth.passwordReset, async (request, reply) => {
    const answer = await passwordReset.request(request.body, from(request));
    return reply.status(202).send(answer);
  });

  defineRoute(app, routes.auth.passwordResetConfirm, (request) =>
    passwordReset.confirm(request.body, from(request)),
  );
}
