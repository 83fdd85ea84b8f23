import { CareloopError, notFound, routes } from '@careloop/core';
import type { FastifyRequest } from 'fastify';
import type { SmsConfig } from '../../../config.js';
import { contextOf } from '../../../http/actor.js';
import { defineRoute } from '../../../http/route.js';
import type { App } from '../../../http/types.js';
import type { Services } from '../../../services.js';
import type { AuditActor } from '../../audit/service.js';
import { recordSmsStatus } from './status.js';
import { isTwilioSignatureValid } from './twilio.js';

/** The (empty) TwiML a messaging webhook answers: we reply through the outbox, not here. */
const EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>';

/**
 * The SMS channel's routes (docs/adr/0023): the local gateway's Test phone (admins), and
 * Twilio's two webhooks, which no session calls and which prove themselves by signature.
 */
export default async function smsRoutes(app: App, services: Services): Promise<void> {
  const { smsGateway } = services;
  defineRoute(app, routes.sms.conversation, (request) =>
    smsGateway.conversation(contextOf(request), request.query),
  );

  defineRoute(app, routes.sms.inbound, async (request, reply) => {
    const receipt = await smsGateway.receive(contextOf(request), request.body);
    return reply.code(201).send(receipt);
  });

  // Twilio posts form-encoded bodies; only these routes read them.
  await app.register(async (twilio) => {
    twilio.addContentTypeParser(
      'application/x-www-form-urlencoded',
      { parseAs: 'string', bodyLimit: 65_536 },
      (_request, body, done) => {
        const params: Record<string, string> = {};
        for (const [name, value] of new URLSearchParams(String(body))) params[name] = value;
        done(null, params);
      },
    );
    const signed = {
      preValidation: twilioSignatureCheck(services.config.sms, services.config.publicUrl),
    };

    defineRoute(
      twilio,
      routes.sms.twilioStatus,
      async (request, reply) => {
        await recordSmsStatus(services.database, {
          orgId: request.query.org,
          messageId: request.query.message,
          providerMessageId: request.body.MessageSid,
          status: request.body.MessageStatus,
          errorCode: request.body.ErrorCode ?? null,
        });
        return reply.code(204).send(null);
      },
      signed,
    );

    defineRoute(
      twilio,
      routes.sms.twilioInbound,
      async (request, reply) => {
        const { org } = request.query;
        await services.smsInbox.receive(webhookActor(org, request), {
          orgId: org,
          from: request.body.From,
          to: request.body.To ?? null,
          body: request.body.Body,
          provider: 'twilio',
          providerMessageId: request.body.MessageSid,
        });
        return reply.code(200).type('text/xml').send(EMPTY_TWIML);
      },
      signed,
    );
  });
}

/**
 * Checks X-Twilio-Signature over the URL Twilio called (our public address, never the request's
 * Host, plus the path and query) and the form parameters, before the body is validated or
 * read: 403 on a missing or wrong signature, 404 when no Twilio account is configured.
 */
function twilioSignatureCheck(config: SmsConfig | null, publicUrl: string) {
  return async (request: FastifyRequest): Promise<void> => {
    if (!config) throw notFound('SMS provider');
    const header = request.headers['x-twilio-signature'];
    const params = isParams(request.body) ? request.body : {};
    const url = `${publicUrl}${request.url}`;
    if (
      !isTwilioSignatureValid(
        config.authToken,
        url,
        params,
        typeof header === 'string' ? header : undefined,
      )
    ) {
      throw new CareloopError('forbidden', 'The request is not signed by the SMS provider');
    }
  };
}

function isParams(body: unknown): body is Record<string, string> {
  return (
    typeof body === 'object' &&
    body !== null &&
    Object.values(body).every((value) => typeof value === 'string')
  );
}

/** Who a webhook's changes are audited as: the provider, from where it called. */
function webhookActor(orgId: string, request: FastifyRequest): AuditActor {
  return {
    orgId,
    userId: null,
    email: null,
    role: 'sms-provider',
    ip: request.ip,
    userAgent: 'twilio-webhook',
  };
}
