import { type Static, Type } from 'typebox';
import { Instant, Nullable, Uuid } from '../api/common.js';
import { MAX_DSN_CHARS } from '../messaging/dsn.js';
import { WEBHOOK_EVENT_TYPES } from './webhooks.js';

/** The staff roles whose field-level access (FIELD_POLICY) a client's reads follow. */
export const CLIENT_ROLES = [
  'front-desk',
  'care-coordinator',
  'clinician',
  'marketer',
  'analyst',
] as const;
export type ClientRole = (typeof CLIENT_ROLES)[number];

/** A JSON Web Key Set as registered: public keys only (a private member is refused). */
export const Jwks = Type.Object(
  {
    keys: Type.Array(Type.Record(Type.String(), Type.Unknown()), { minItems: 1, maxItems: 20 }),
  },
  { description: "The client's public keys (RFC 7517)" },
);

export const ApiClient = Type.Object({
  id: Uuid,
  /** The `client_id` of the client's assertions. */
  clientId: Type.String(),
  name: Type.String(),
  jwksUrl: Nullable(Type.String()),
  /** Whether the client registered its keys inline rather than by URL. */
  inlineJwks: Type.Boolean(),
  scopes: Type.Array(Type.String()),
  role: Type.Enum(CLIENT_ROLES),
  createdAt: Instant,
  revokedAt: Nullable(Instant),
  lastTokenAt: Nullable(Instant),
});
export type ApiClient = Static<typeof ApiClient>;

export const ApiClientCreate = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 120 }),
  jwksUrl: Type.Optional(Type.String({ minLength: 1, maxLength: 2000 })),
  jwks: Type.Optional(Jwks),
  scopes: Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { minItems: 1, maxItems: 20 }),
  role: Type.Optional(Type.Enum(CLIENT_ROLES)),
});
export type ApiClientCreate = Static<typeof ApiClientCreate>;

export const ApiClientList = Type.Object({ items: Type.Array(ApiClient) });

export const WebhookEndpoint = Type.Object({
  id: Uuid,
  url: Type.String(),
  eventTypes: Type.Array(Type.String()),
  enabled: Type.Boolean(),
  createdAt: Instant,
  /** While a rotation's overlap lasts, the previous secret signs too (until then). */
  previousSecretUntil: Nullable(Instant),
  /** Issue 11 (h11w): whether journey step payloads to it carry the patient's id. */
  includesPatientId: Type.Boolean(),
});
export type WebhookEndpoint = Static<typeof WebhookEndpoint>;

/** A new endpoint or a rotation: the secret is shown this once. */
export const WebhookEndpointWithSecret = Type.Object({
  endpoint: WebhookEndpoint,
  secret: Type.String({ description: 'whsec_…: shown once; Careloop keeps it encrypted' }),
});

export const WebhookEndpointCreate = Type.Object({
  url: Type.String({ minLength: 1, maxLength: 2000 }),
  // None: an endpoint only journeys' webhook actions call (issue 11, h11w).
  eventTypes: Type.Array(Type.Enum(WEBHOOK_EVENT_TYPES), {
    minItems: 0,
    maxItems: WEBHOOK_EVENT_TYPES.length,
  }),
  /** Issue 11 (h11w): journey step payloads carry the patient's id (default: ids of the step only). */
  includesPatientId: Type.Optional(Type.Boolean()),
});
export type WebhookEndpointCreate = Static<typeof WebhookEndpointCreate>;

export const WebhookEndpointList = Type.Object({ items: Type.Array(WebhookEndpoint) });

export const WebhookDelivery = Type.Object({
  id: Uuid,
  endpointId: Uuid,
  /** The event type (from the payload; no other content is shown). */
  eventType: Type.String(),
  /** queued (retrying), delivered, failed. */
  status: Type.String(),
  attempts: Type.Integer(),
  /** The endpoint's last HTTP status, null when it could not be reached or not yet tried. */
  responseCode: Nullable(Type.Integer()),
  lastError: Nullable(Type.String()),
  createdAt: Instant,
  deliveredAt: Nullable(Instant),
  /** Set on a replay: the delivery it repeats. */
  replayOf: Nullable(Uuid),
});
export type WebhookDelivery = Static<typeof WebhookDelivery>;

export const WebhookDeliveryQuery = Type.Object({
  endpointId: Type.Optional(Uuid),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
});
export type WebhookDeliveryQuery = Static<typeof WebhookDeliveryQuery>;

export const WebhookDeliveryList = Type.Object({ items: Type.Array(WebhookDelivery) });

/** A provider's report about an email we sent (provider-neutral, signed as Standard Webhooks). */
export const EmailEventReport = Type.Union([
  Type.Object({
    type: Type.Union([Type.Literal('bounce'), Type.Literal('complaint')]),
    /** The Message-ID Careloop gave the email (`<…@…>`). */
    messageId: Type.String({ minLength: 3, maxLength: 300 }),
    /** A soft bounce (mailbox full, try later) changes nothing; a hard one suppresses. */
    bounceType: Type.Optional(Type.Union([Type.Literal('hard'), Type.Literal('soft')])),
  }),
  Type.Object(
    {
      /** A delivery status notification (RFC 3464) as the bounce mailbox received it. */
      type: Type.Literal('dsn'),
      message: Type.String({ minLength: 1, maxLength: MAX_DSN_CHARS }),
    },
    { additionalProperties: false },
  ),
]);
export type EmailEventReport = Static<typeof EmailEventReport>;

export const EmailEventQuery = Type.Object({ org: Uuid });

export const EmailEventAnswer = Type.Object({
  /** Whether the report changed anything (false: a soft bounce, or no such message). */
  recorded: Type.Boolean(),
});

export const EmailSuppression = Type.Object({
  id: Uuid,
  address: Type.String(),
  reason: Type.Union([Type.Literal('hard-bounce'), Type.Literal('complaint')]),
  createdAt: Instant,
});
export type EmailSuppression = Static<typeof EmailSuppression>;

export const EmailSuppressionList = Type.Object({ items: Type.Array(EmailSuppression) });
