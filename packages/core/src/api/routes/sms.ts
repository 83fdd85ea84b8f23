import { Type } from 'typebox';
import { route } from '../contract.js';
import { SmsGatewayInbound, SmsGatewayPage, SmsGatewayQuery, SmsInboundReceipt } from '../sms.js';

const Uuid = Type.String({ format: 'uuid' });
/** Twilio's ids: two letters and 32 hex digits; compatible providers' may differ a little. */
const Sid = Type.String({ pattern: '^[A-Za-z0-9]{2,64}$' });
const gateway = { permission: 'sms-gateway:use' } as const;
/** Twilio's webhooks carry no session: X-Twilio-Signature proves them (checked before the body). */
const twilio = { webhook: 'twilio-signature' } as const;
const tags = ['messaging'] as const;

/**
 * The SMS channel (docs/adr/0023): the local gateway's Test phone (admins), and Twilio's two
 * webhooks, which post form-encoded bodies and which no browser calls.
 */
export const smsRoutes = {
  conversation: route({
    method: 'GET',
    path: '/api/sms-gateway/messages',
    policy: gateway,
    tags,
    summary:
      'What a number received from the built-in local SMS gateway and sent to it, newest first; every message is an audited read',
    query: SmsGatewayQuery,
    reply: SmsGatewayPage,
  }),
  inbound: route({
    method: 'POST',
    path: '/api/sms-gateway/inbound',
    policy: gateway,
    tags,
    summary:
      "A text as if the patient's phone had sent it to the local SMS gateway (keywords such as STOP are honoured)",
    body: SmsGatewayInbound,
    reply: SmsInboundReceipt,
    status: 201,
  }),
  twilioStatus: route({
    method: 'POST',
    path: '/api/sms/twilio/status',
    policy: twilio,
    tags,
    summary:
      "Twilio's delivery report for one of our texts (X-Twilio-Signature checked first: 403 without a valid one)",
    query: Type.Object({ org: Uuid, message: Uuid }),
    body: Type.Object({
      MessageSid: Sid,
      MessageStatus: Type.String({ maxLength: 40 }),
      ErrorCode: Type.Optional(Type.String({ maxLength: 20 })),
    }),
    reply: Type.Null(),
    status: 204,
  }),
  /** Answers TwiML (text/xml), not JSON: no reply schema. */
  twilioInbound: route({
    method: 'POST',
    path: '/api/sms/twilio/inbound',
    policy: twilio,
    tags,
    summary:
      "A text a patient sent to our Twilio number; the number's webhook is {CARELOOP_PUBLIC_URL}/api/sms/twilio/inbound?org=<organization id> (X-Twilio-Signature checked first: 403 without a valid one)",
    query: Type.Object({ org: Uuid }),
    body: Type.Object({
      MessageSid: Sid,
      From: Type.String({ minLength: 1, maxLength: 40 }),
      To: Type.Optional(Type.String({ maxLength: 40 })),
      Body: Type.String({ maxLength: 1600 }),
    }),
  }),
};
