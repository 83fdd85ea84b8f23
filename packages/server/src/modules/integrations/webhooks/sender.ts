import { CareloopError } from '@careloop/core';
import { eq } from 'drizzle-orm';
import { webhookPreviousSecretAad, webhookSecretAad } from '../../../crypto/encrypted-fields.js';
import type { FieldCipher } from '../../../crypto/field-cipher.js';
import type { Database } from '../../../db/client.js';
import type { ChannelSend } from '../../messaging/outbox.js';
import { type WebhookChannel, WebhookSendError } from '../../messaging/outbox.js';
import type { outboundMessages } from '../../messaging/schema.js';
import { requestResolved } from '../http-request.js';
import { checkOutboundUrl } from '../outbound-url.js';
import { webhookAttempts, webhookEndpoints } from '../schema.js';
import { webhookHeaders } from './signature.js';

/**
 * The event a webhook message carries, from its outbox key: `webhook:<endpoint>:<event>`, with
 * `:replay:<message>:<n>` after it on a replay. The event names the `webhook-id`, the same on
 * every retry and replay, so a receiver can drop what it has already processed.
 */
export function webhookKeyParts(
  key: string,
): { endpointId: string; eventId: string; replayOf: string | null } | null {
  // Issue 11 (h11w): a journey step's event is its step key, `journey:<enrolment>:<node>:<n>`.
  const m =
    /^webhook:([0-9a-f-]{36}):([0-9a-f-]{36}|journey:[0-9a-f-]{36}:[a-z][a-z0-9_-]{0,63}:\d{1,9})(?::replay:([0-9a-f-]{36}):[0-9a-f-]{36})?$/.exec(
      key,
    );
  if (!m?.[1] || !m[2]) return null;
  return { endpointId: m[1], eventId: m[2], replayOf: m[3] ?? null };
}

/**
 * The `webhook-id` of an event: `msg_<event id>` for a domain event, and for a journey step its
 * idempotency key itself (enrolment, node, occurrence), which receivers dedupe on.
 */
export function webhookIdOf(eventId: string): string {
  return eventId.startsWith('journey:') ? eventId : `msg_${eventId}`;
}

/**
 * The outbox's webhook channel (docs/adr/0029): signs a claimed message with the endpoint's
 * secret (and the previous one during a rotation), posts it to the checked address, and records
 * the attempt with the endpoint's status code. Anything but a 2xx is retried with the outbox's
 * backoff; a disabled or deleted endpoint ends the message.
 */
export class WebhookSender implements WebhookChannel {
  constructor(
    private readonly database: Database,
    private readonly cipher: FieldCipher,
    private readonly options: { clock: () => Date; allowedHosts: readonly string[] },
  ) {}

  async send(row: typeof outboundMessages.$inferSelect, body: string): Promise<ChannelSend> {
    const { orgId } = row;
    const parts = webhookKeyParts(row.idempotencyKey);
    if (!parts) throw new WebhookSendError('not a webhook key', true);
    const [endpoint] = await this.database.withTenant(orgId, (tx) =>
      tx.select().from(webhookEndpoints).where(eq(webhookEndpoints.id, parts.endpointId)),
    );
    if (!endpoint?.enabled) throw new WebhookSendError('the endpoint is disabled', true);
    const now = this.options.clock();
    const secrets = [
      this.cipher.decrypt(endpoint.secretEncrypted, webhookSecretAad(endpoint.id, orgId)),
    ];
    if (
      endpoint.previousSecretEncrypted &&
      endpoint.previousSecretUntil &&
      endpoint.previousSecretUntil.getTime() > now.getTime()
    ) {
      secrets.push(
        this.cipher.decrypt(
          endpoint.previousSecretEncrypted,
          webhookPreviousSecretAad(endpoint.id, orgId),
        ),
      );
    }
    const webhookId = webhookIdOf(parts.eventId);
    const headers = {
      'content-type': 'application/json',
      'user-agent': 'Careloop-Webhooks/1',
      ...webhookHeaders(secrets, webhookId, Math.floor(now.getTime() / 1000), body),
    };
    let statusCode: number | null = null;
    let error: string | null = null;
    try {
      const target = await checkOutboundUrl(endpoint.url, this.options.allowedHosts, 'url');
      const answer = await requestResolved(target, {
        method: 'POST',
        headers,
        body,
        maxBytes: 16_384,
      });
      statusCode = answer.status;
      if (statusCode < 200 || statusCode > 299) error = `http ${statusCode}`;
    } catch (cause) {
      error =
        cause instanceof CareloopError
          ? 'address refused'
          : `unreachable: ${(cause as { code?: string }).code ?? 'error'}`;
    }
    await this.database.withTenant(orgId, (tx) =>
      tx.insert(webhookAttempts).values({
        orgId,
        messageId: row.id,
        endpointId: endpoint.id,
        attempt: row.attempts,
        statusCode,
        error,
        at: now,
      }),
    );
    if (error) throw new WebhookSendError(error, false);
    return { status: 'delivered', provider: 'webhook', providerMessageId: webhookId };
  }
}
