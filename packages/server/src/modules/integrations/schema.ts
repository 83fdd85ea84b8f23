import { sql } from 'drizzle-orm';
import {
  boolean,
  check,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uuid,
} from 'drizzle-orm/pg-core';
import { orgIdColumn, sameOrganization, tenantKey } from '../directory/schema.js';
import { outboundMessages } from '../messaging/schema.js';

/**
 * API clients for systems (SMART Backend Services, docs/adr/0029): a client proves who it is
 * with a JWT signed by a key of its JWKS and gets a short-lived bearer token. Its `id` is its
 * `client_id`.
 */
export const apiClients = pgTable(
  'api_clients',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: orgIdColumn(),
    name: text('name').notNull(),
    /** Public keys registered inline (RFC 7517), or null when they are fetched from `jwksUrl`. */
    jwks: jsonb('jwks'),
    jwksUrl: text('jwks_url'),
    /** SMART v2 system scopes (`system/Patient.rs`). */
    scopes: text('scopes').array().notNull(),
    /** The staff role whose field-level access (FIELD_POLICY) the client's reads follow. */
    role: text('role').notNull(),
    createdBy: uuid('created_by'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
    lastTokenAt: timestamp('last_token_at', { withTimezone: true }),
  },
  (t) => [tenantKey(t), check('api_clients_keys_check', sql`(jwks is null) <> (jwks_url is null)`)],
);

/**
 * Access tokens issued: only the SHA-256 of each (the token itself is shown once, to the
 * client), so a copy of the database holds no usable token.
 */
export const apiClientTokens = pgTable(
  'api_client_tokens',
  {
    tokenHash: text('token_hash').primaryKey(),
    orgId: orgIdColumn(),
    clientId: uuid('client_id').notNull(),
    scopes: text('scopes').array().notNull(),
    issuedAt: timestamp('issued_at', { withTimezone: true }).notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    index('api_client_tokens_expiry_idx').on(t.orgId, t.expiresAt),
    sameOrganization(t.orgId, t.clientId, apiClients),
  ],
);

/** Assertion ids seen, kept until the assertion expires: a replayed assertion is refused. */
export const apiClientAssertions = pgTable(
  'api_client_assertions',
  {
    orgId: orgIdColumn(),
    clientId: uuid('client_id').notNull(),
    jti: text('jti').notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.orgId, t.clientId, t.jti] }),
    sameOrganization(t.orgId, t.clientId, apiClients),
  ],
);

/**
 * Webhook endpoints (Standard Webhooks, docs/adr/0029): where an organization's domain events
 * go, signed with the endpoint's secret. During a rotation the previous secret signs too, until
 * `previous_secret_until`.
 */
export const webhookEndpoints = pgTable(
  'webhook_endpoints',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: orgIdColumn(),
    url: text('url').notNull(),
    eventTypes: text('event_types').array().notNull(),
    /** `whsec_…`, AES-256-GCM under the application's key (docs/encryption.md). */
    secretEncrypted: text('secret_encrypted').notNull(),
    previousSecretEncrypted: text('previous_secret_encrypted'),
    previousSecretUntil: timestamp('previous_secret_until', { withTimezone: true }),
    enabled: boolean('enabled').notNull().default(true),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    /**
     * Issue 11 (h11w): the endpoint's minimum-necessary policy for journey webhook actions:
     * whether their payloads carry the patient's id (docs/adr/0039).
     */
    includesPatientId: boolean('includes_patient_id').notNull().default(false),
  },
  (t) => [tenantKey(t)],
);

/** One attempt at delivering a webhook message: what the endpoint answered. */
export const webhookAttempts = pgTable(
  'webhook_attempts',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: orgIdColumn(),
    messageId: uuid('message_id').notNull(),
    endpointId: uuid('endpoint_id').notNull(),
    attempt: integer('attempt').notNull(),
    /** The HTTP status the endpoint answered, or null when it could not be reached. */
    statusCode: integer('status_code'),
    /** Why it failed (an error code, never the body). */
    error: text('error'),
    at: timestamp('at', { withTimezone: true }).notNull(),
  },
  (t) => [
    tenantKey(t),
    index('webhook_attempts_message_idx').on(t.orgId, t.messageId, t.at),
    sameOrganization(t.orgId, t.messageId, outboundMessages),
    sameOrganization(t.orgId, t.endpointId, webhookEndpoints),
  ],
);

/**
 * Addresses email is not sent to (issue 11, bounces and complaints): a hard bounce stops all
 * email, a complaint stops marketing; until staff clear it.
 */
export const emailSuppressions = pgTable(
  'email_suppressions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: orgIdColumn(),
    /** Lower case. */
    address: text('address').notNull(),
    reason: text('reason').notNull(),
    /** The message that bounced or was complained about, when known. */
    messageId: uuid('message_id'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    clearedAt: timestamp('cleared_at', { withTimezone: true }),
    clearedBy: uuid('cleared_by'),
  },
  (t) => [
    tenantKey(t),
    index('email_suppressions_address_idx').on(t.orgId, t.address).where(sql`cleared_at is null`),
    check('email_suppressions_reason_check', sql`reason in ('hard-bounce', 'complaint')`),
    sameOrganization(t.orgId, t.messageId, outboundMessages),
  ],
);
