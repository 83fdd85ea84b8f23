import { type Static, Type } from 'typebox';
import { Instant, ListQuery, Nullable, Page, Uuid } from './common.js';

/** One text in a phone's conversation with the organization, on the local SMS gateway. */
export const SmsGatewayMessage = Type.Object({
  id: Uuid,
  /** `outbound`: the organization sent it to the number; `inbound`: the number sent it. */
  direction: Type.Union([Type.Literal('outbound'), Type.Literal('inbound')]),
  number: Type.String(),
  body: Type.String(),
  /** Outbound: the outbox status (queued, delivered, replied, …); inbound: `received`. */
  status: Type.String(),
  patientId: Nullable(Uuid),
  /** Inbound: the keyword the message was (stop, start, help), if any. */
  keyword: Nullable(Type.String()),
  at: Instant,
});
export type SmsGatewayMessage = Static<typeof SmsGatewayMessage>;

export const SmsGatewayQuery = Type.Object({
  ...ListQuery,
  /** The phone number, in any form a person types (read in the clinic's country). */
  number: Type.String({ minLength: 3, maxLength: 40 }),
});
export type SmsGatewayQuery = Static<typeof SmsGatewayQuery>;

export const SmsGatewayPage = Page(SmsGatewayMessage);
export type SmsGatewayPage = Static<typeof SmsGatewayPage>;

/** A text as if the patient's phone had sent it. */
export const SmsGatewayInbound = Type.Object({
  from: Type.String({ minLength: 3, maxLength: 40 }),
  body: Type.String({ minLength: 1, maxLength: 1600 }),
});
export type SmsGatewayInbound = Static<typeof SmsGatewayInbound>;

export const SmsInboundReceipt = Type.Object({
  id: Uuid,
  patientId: Nullable(Uuid),
  keyword: Nullable(Type.String()),
  /** The outbound message this one answers, when it could be tied to one. */
  inReplyTo: Nullable(Uuid),
});
export type SmsInboundReceipt = Static<typeof SmsInboundReceipt>;
