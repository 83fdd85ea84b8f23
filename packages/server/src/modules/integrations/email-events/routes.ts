import { CareloopError, routes } from '@careloop/core';
import type { FastifyRequest } from 'fastify';
import { contextOf } from '../../../http/actor.js';
import { defineRoute } from '../../../http/route.js';
import type { App } from '../../../http/types.js';
import type { Services } from '../../../services.js';
import { verifyWebhook } from '../webhooks/signature.js';

/**
 * Bounces and complaints: a provider's signed report (provider-neutral JSON, Standard Webhooks
 * signature with EMAIL_EVENTS_SECRET), and the suppressions staff can clear.
 */
export default async function emailEventRoutes(
  app: App,
  { emailEvents, config, auth }: Services,
): Promise<void> {
  defineRoute(app, routes.integrations.emailSuppressions, async (request) => ({
    items: await emailEvents.list(contextOf(request)),
  }));
  defineRoute(app, routes.integrations.clearEmailSuppression, (request) =>
    emailEvents.clear(contextOf(request), request.params.id, auth.now()),
  );

  // The signature covers the bytes sent: this scope keeps them beside the parsed body.
  await app.register(async (scope) => {
    const raw = new WeakMap<FastifyRequest, string>();
    scope.addContentTypeParser(
      'application/json',
      // A DSN carries the returned message's headers, or the message: room for MAX_DSN_CHARS.
      { parseAs: 'string', bodyLimit: 300_000 },
      (request, body, done) => {
        raw.set(request, String(body));
        try {
          done(null, JSON.parse(String(body)));
        } catch {
          done(new CareloopError('bad_request', 'The body is not JSON'), undefined);
        }
      },
    );
    // Before validation and before anything is read: an unsigned request learns nothing.
    scope.addHook('preValidation', async (request) => {
      const secret = config.emailEventsSecret;
      const body = raw.get(request);
      if (
        !secret ||
        body === undefined ||
        !verifyWebhook(secret, request.headers, body, auth.now())
      ) {
        throw new CareloopError('forbidden', 'The signature is missing or not valid');
      }
    });
    defineRoute(scope, routes.integrations.emailEvents, async (request) => {
      const body = request.body;
      if (body.type === 'dsn') {
        const recipients = await emailEvents.reportDsn(request.query.org, body.message, auth.now());
        return { recorded: recipients > 0 };
      }
      const { type, messageId, bounceType } = body;
      if (type === 'bounce' && bounceType === 'soft') return { recorded: false };
      const recorded = await emailEvents.report(
        request.query.org,
        { messageId, kind: type === 'bounce' ? 'bounced' : 'complained' },
        auth.now(),
      );
      return { recorded };
    });
  });
}
