import {
  CareloopError,
  notFound,
  SmsGatewayInbound,
  SmsGatewayPage,
  SmsGatewayQuery,
  SmsInboundReceipt,
} from '@careloop/core';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { SmsConfig } from '../../../config.js';
import { contextOf } from '../../../http/actor.js';
import type { App } from '../../../http/types.js';
import type { Services } from '../../../services.js';
import type { AuditActor } from '../../audit/service.js';
import { recordSmsStatus } from './status.js';
import { isTwilioSignatureValid } from './twilio.js';

const problem = { $ref: 'Problem#' } as const;
const Uuid = Type.String({ format: 'uuid' });
/** Twilio's ids: two letters and 32 hex digits; compatible providers' may differ a little. */
const Sid = Type.String({ pattern: '^[A-Za-z0-9]{2,64}$' });

/** The (empty) TwiML a messaging webhook answers: we reply through the outbox, not here. */
const EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>';

/**
 * The SMS channel's routes (docs/adr/0023): the local gateway's Test phone (admins), and
 * Twilio's two webhooks, which no session calls and which prove themselves by signature.
 */
export default async function smsRoutes(app: App, services: Services): Promise<void> {
  const { smsGateway } = services;
  app.get(
    '/api/sms-gateway/messages',
    {
      config: { policy: { permission: 'sms-gateway:use' } },
      schema: {
        tags: ['messaging'],
        summary:
          'What a number received from the built-in local SMS gateway and sent to it, newest first; every message is an audited read',
        querystring: SmsGatewayQuery,
        response: { 200: SmsGatewayPage, 400: problem, 401: problem, 403: problem },
      },
    },
    (request) => smsGateway.conversation(contextOf(request), request.query),
  );

  app.post(
    '/api/sms-gateway/inbound',
    {
      config: { policy: { permission: 'sms-gateway:use' } },
      schema: {
        tags: ['messaging'],
        summary:
          "A text as if the patient's phone had sent it to the local SMS gateway (keywords such as STOP are honoured)",
        body: SmsGatewayInbound,
        response: {
          201: SmsInboundReceipt,
          400: problem,
          401: problem,
          403: problem,
          409: problem,
        },
      },
    },
    async (request, reply) => {
      const receipt = await smsGateway.receive(contextOf(request), request.body);
      return reply.code(201).send(receipt);
    },
  );

  // Twilio posts form-encoded bodies; only these routes read them.
  await app.register(async (scope) => {
    const twilio = scope.withTypeProvider<TypeBoxTypeProvider>();
    twilio.addContentTypeParser(
      'application/x-www-form-urlencoded',
      { parseAs: 'string', bodyLimit: 65_536 },
      (_request, body, done) => {
        const params: Record<string, string> = {};
        for (const [name, value] of new URLSearchParams(String(body))) params[name] = value;
        done(null, params);
      },
    );
    const signed = twilioSignatureCheck(services.config.sms, services.config.publicUrl);

    twilio.post(
      '/api/sms/twilio/status',
      {
        config: { policy: { webhook: 'twilio-signature' } },
        preValidation: signed,
        schema: {
          tags: ['messaging'],
          summary:
            "Twilio's delivery report for one of our texts (X-Twilio-Signature checked first: 403 without a valid one)",
          security: [],
          querystring: Type.Object({ org: Uuid, message: Uuid }),
          body: Type.Object({
            MessageSid: Sid,
            MessageStatus: Type.String({ maxLength: 40 }),
            ErrorCode: Type.Optional(Type.String({ maxLength: 20 })),
          }),
          response: { 204: Type.Null(), 400: problem, 403: problem, 404: problem },
        },
      },
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
    );

    twilio.post(
      '/api/sms/twilio/inbound',
      {
        config: { policy: { webhook: 'twilio-signature' } },
        preValidation: signed,
        schema: {
          tags: ['messaging'],
          summary:
            "A text a patient sent to our Twilio number; the number's webhook is {CARELOOP_PUBLIC_URL}/api/sms/twilio/inbound?org=<organization id> (X-Twilio-Signature checked first: 403 without a valid one)",
          security: [],
          querystring: Type.Object({ org: Uuid }),
          body: Type.Object({
            MessageSid: Sid,
            From: Type.String({ minLength: 1, maxLength: 40 }),
            To: Type.Optional(Type.String({ maxLength: 40 })),
            Body: Type.String({ maxLength: 1600 }),
          }),
          response: { 200: Type.String(), 400: problem, 403: problem, 404: problem },
        },
      },
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
