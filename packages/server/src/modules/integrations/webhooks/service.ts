import { randomUUID } from 'node:crypto';
import {
  appointmentWebhookEvent,
  badRequest,
  notFound,
  WEBHOOK_ROTATION_OVERLAP_HOURS,
  type WebhookData,
  type WebhookDelivery,
  type WebhookDeliveryQuery,
  type WebhookEndpoint,
  type WebhookEndpointCreate,
  type WebhookEventType,
  type WebhookPayload,
} from '@careloop/core';
import { and, arrayContains, desc, eq, inArray } from 'drizzle-orm';
import {
  outboundTextAad,
  webhookPreviousSecretAad,
  webhookSecretAad,
} from '../../../crypto/encrypted-fields.js';
import type { FieldCipher } from '../../../crypto/field-cipher.js';
import type { Database, Db } from '../../../db/client.js';
import type { RequestContext } from '../../../http/actor.js';
import type { AuditLog } from '../../audit/service.js';
import type { JobPayload } from '../../jobs/names.js';
import type { OutboxService } from '../../messaging/outbox.js';
import type { outboundMessages } from '../../messaging/schema.js';
import { checkOutboundUrl } from '../outbound-url.js';
import { webhookAttempts, webhookEndpoints } from '../schema.js';
import type { DomainEventSink, JourneyWebhooks } from './events.js';
import { journeyWebhooks } from './journey-steps.js';
import { webhookKeyParts } from './sender.js';
import { newWebhookSecret } from './signature.js';

/**
 * Webhook endpoints and the events that go to them (docs/adr/0029): admins add endpoints and
 * rotate their secrets; a domain event becomes one outbox message per subscribed endpoint,
 * which the outbox delivers with retries; the delivery log and replay read and requeue those.
 */
export class WebhookService {
  constructor(
    private readonly database: Database,
    private readonly cipher: FieldCipher,
    private readonly audit: AuditLog,
    private readonly outbox: OutboxService,
    private readonly options: { clock: () => Date; allowedHosts: readonly string[] },
  ) {}

  async list(ctx: RequestContext): Promise<WebhookEndpoint[]> {
    const rows = await this.database.withTenant(ctx.actor.orgId, (tx) =>
      tx.select().from(webhookEndpoints).orderBy(desc(webhookEndpoints.createdAt)),
    );
    return rows.map(toEndpoint);
  }

  async create(
    ctx: RequestContext,
    input: WebhookEndpointCreate,
  ): Promise<{ endpoint: WebhookEndpoint; secret: string }> {
    const { url } = await checkOutboundUrl(input.url, this.options.allowedHosts, '/body/url');
    const orgId = ctx.actor.orgId;
    const id = randomUUID();
    const secret = newWebhookSecret();
    return this.database.withTenant(orgId, async (tx) => {
      const [row] = await tx
        .insert(webhookEndpoints)
        .values({
          id,
          orgId,
          url: url.toString(),
          eventTypes: [...new Set(input.eventTypes)],
          includesPatientId: input.includesPatientId ?? false,
          secretEncrypted: this.cipher.encrypt(secret, webhookSecretAad(id, orgId)),
          createdAt: this.options.clock(),
        })
        .returning();
      if (!row) throw new Error('webhook endpoint not created');
      await this.audit.inTransaction(tx, ctx.audit, {
        action: 'create',
        recordType: 'webhook-endpoint',
        recordId: id,
        reason: row.eventTypes.join(' '),
      });
      return { endpoint: toEndpoint(row), secret };
    });
  }

  /** A new secret; the previous one keeps signing for the overlap, so receivers can switch. */
  async rotateSecret(
    ctx: RequestContext,
    id: string,
  ): Promise<{ endpoint: WebhookEndpoint; secret: string }> {
    const orgId = ctx.actor.orgId;
    const now = this.options.clock();
    const secret = newWebhookSecret();
    return this.database.withTenant(orgId, async (tx) => {
      const [current] = await tx.select().from(webhookEndpoints).where(eq(webhookEndpoints.id, id));
      if (!current) throw notFound('Webhook endpoint');
      const previous = this.cipher.decrypt(current.secretEncrypted, webhookSecretAad(id, orgId));
      const [row] = await tx
        .update(webhookEndpoints)
        .set({
          secretEncrypted: this.cipher.encrypt(secret, webhookSecretAad(id, orgId)),
          previousSecretEncrypted: this.cipher.encrypt(
            previous,
            webhookPreviousSecretAad(id, orgId),
          ),
          previousSecretUntil: new Date(now.getTime() + WEBHOOK_ROTATION_OVERLAP_HOURS * 3_600_000),
        })
        .where(eq(webhookEndpoints.id, id))
        .returning();
      if (!row) throw notFound('Webhook endpoint');
      await this.audit.inTransaction(tx, ctx.audit, {
        action: 'update',
        recordType: 'webhook-endpoint',
        recordId: id,
        reason: 'secret rotated',
      });
      return { endpoint: toEndpoint(row), secret };
    });
  }

  async disable(ctx: RequestContext, id: string): Promise<WebhookEndpoint> {
    return this.database.withTenant(ctx.actor.orgId, async (tx) => {
      const [row] = await tx
        .update(webhookEndpoints)
        .set({ enabled: false })
        .where(eq(webhookEndpoints.id, id))
        .returning();
      if (!row) throw notFound('Webhook endpoint');
      await this.audit.inTransaction(tx, ctx.audit, {
        action: 'update',
        recordType: 'webhook-endpoint',
        recordId: id,
        reason: 'disabled',
      });
      return toEndpoint(row);
    });
  }

  /**
   * Queues one message per enabled endpoint subscribed to `type`. `eventId` names the event
   * (the job's id, the same on its retries), so a retried job queues nothing twice. Ids only in
   * `data` (minimum necessary).
   */
  async emit(
    orgId: string,
    eventId: string,
    type: WebhookEventType,
    data: WebhookData,
  ): Promise<number> {
    return this.database.withTenant(orgId, (tx) => this.emitIn(tx, orgId, eventId, type, data));
  }

  /**
   * `emit` in the caller's transaction `tx`. An event nobody subscribed to queues nothing and
   * sends no job, so owners call it on every change at the cost of one indexed read.
   */
  async emitIn(
    tx: Db,
    orgId: string,
    eventId: string,
    type: WebhookEventType,
    data: WebhookData,
  ): Promise<number> {
    const endpoints = await tx
      .select({ id: webhookEndpoints.id })
      .from(webhookEndpoints)
      .where(
        and(
          eq(webhookEndpoints.orgId, orgId),
          eq(webhookEndpoints.enabled, true),
          arrayContains(webhookEndpoints.eventTypes, [type]),
        ),
      );
    if (endpoints.length === 0) return 0;
    const payload: WebhookPayload = { type, timestamp: this.options.clock().toISOString(), data };
    const body = JSON.stringify(payload);
    let queued = 0;
    for (const endpoint of endpoints) {
      const id = await this.outbox.queueWebhook(tx, {
        orgId,
        endpointId: endpoint.id,
        body,
        idempotencyKey: `webhook:${endpoint.id}:${eventId}`,
      });
      if (id) queued += 1;
    }
    return queued;
  }

  /** The sink owners emit their events to, each event under a new id, in their transaction. */
  get events(): DomainEventSink {
    return {
      emit: async (tx, orgId, events) => {
        let queued = 0;
        for (const event of events) {
          queued += await this.emitIn(tx, orgId, randomUUID(), event.type, event.data);
        }
        return queued;
      },
    };
  }

  // Issue 11 (h11w): journeys' webhook actions (docs/adr/0039).
  /** What the journey runtime and publishing use: endpoint checks and step deliveries. */
  get journeySteps(): JourneyWebhooks {
    return journeyWebhooks(this.outbox, this.options.clock);
  }

  /** The `appointment.changed` job's webhook: the appointment's id and what happened. */
  onAppointmentChanged(job: JobPayload<'appointment.changed'>, eventId: string): Promise<number> {
    return this.emit(job.orgId, eventId, appointmentWebhookEvent(job.event), {
      appointmentId: job.appointmentId,
    });
  }

  /** The `message.received` job's webhook: the message's and the patient's ids, no words. */
  onMessageReceived(
    job: JobPayload<'message.received'>,
    eventId: string,
    patientId: string | null,
  ): Promise<number> {
    return this.emit(job.orgId, eventId, 'message.received', {
      messageId: job.inboundId,
      patientId,
    });
  }

  /** The delivery log, newest first, with each message's last response code. */
  async deliveries(ctx: RequestContext, query: WebhookDeliveryQuery): Promise<WebhookDelivery[]> {
    return this.database.withTenant(ctx.actor.orgId, async (tx) => {
      const rows = await this.outbox.webhookMessages(tx, {
        endpointId: query.endpointId,
        limit: query.limit ?? 50,
      });
      const attempts =
        rows.length === 0
          ? []
          : await tx
              .select()
              .from(webhookAttempts)
              .where(
                inArray(
                  webhookAttempts.messageId,
                  rows.map((r) => r.id),
                ),
              )
              .orderBy(desc(webhookAttempts.at), desc(webhookAttempts.attempt));
      const last = new Map<string, (typeof attempts)[number]>();
      for (const a of attempts) if (!last.has(a.messageId)) last.set(a.messageId, a);
      return rows.map((row) => {
        const body = this.cipher.decrypt(row.textEncrypted, outboundTextAad(row.id, row.orgId));
        return toDelivery(row, body, last.get(row.id)?.statusCode ?? null);
      });
    });
  }

  /** Sends a delivery again: a new outbox message with the same event (webhook-id) and body. */
  async replay(ctx: RequestContext, messageId: string): Promise<WebhookDelivery> {
    const orgId = ctx.actor.orgId;
    return this.database.withTenant(orgId, async (tx) => {
      const found = await this.outbox.webhookMessage(tx, messageId);
      const parts = found ? webhookKeyParts(found.row.idempotencyKey) : null;
      if (!found || !parts) throw notFound('Webhook delivery');
      const [endpoint] = await tx
        .select({ enabled: webhookEndpoints.enabled })
        .from(webhookEndpoints)
        .where(eq(webhookEndpoints.id, parts.endpointId));
      if (!endpoint?.enabled) throw badRequest('The endpoint is disabled', '/params/id');
      const original = parts.replayOf ?? messageId;
      const id = await this.outbox.queueWebhook(tx, {
        orgId,
        endpointId: parts.endpointId,
        body: found.body,
        idempotencyKey: `webhook:${parts.endpointId}:${parts.eventId}:replay:${original}:${randomUUID()}`,
      });
      if (!id) throw new Error('replay not queued');
      await this.audit.inTransaction(tx, ctx.audit, {
        action: 'update',
        recordType: 'webhook-delivery',
        recordId: messageId,
        reason: 'replayed',
      });
      const again = await this.outbox.webhookMessage(tx, id);
      if (!again) throw new Error('replay not found');
      return toDelivery(again.row, again.body, null);
    });
  }
}

function toEndpoint(row: typeof webhookEndpoints.$inferSelect): WebhookEndpoint {
  return {
    id: row.id,
    url: row.url,
    eventTypes: row.eventTypes,
    enabled: row.enabled,
    createdAt: row.createdAt.toISOString(),
    previousSecretUntil: row.previousSecretUntil ? row.previousSecretUntil.toISOString() : null,
    includesPatientId: row.includesPatientId,
  };
}

function eventTypeOf(body: string): string {
  try {
    const parsed: unknown = JSON.parse(body);
    return typeof parsed === 'object' &&
      parsed !== null &&
      'type' in parsed &&
      typeof parsed.type === 'string'
      ? parsed.type
      : 'unknown';
  } catch {
    return 'unknown';
  }
}

function toDelivery(
  row: typeof outboundMessages.$inferSelect,
  body: string,
  responseCode: number | null,
): WebhookDelivery {
  const parts = webhookKeyParts(row.idempotencyKey);
  return {
    id: row.id,
    endpointId: row.recipient,
    eventType: eventTypeOf(body),
    status: row.status,
    attempts: row.attempts,
    responseCode,
    lastError: row.lastError,
    createdAt: row.createdAt.toISOString(),
    deliveredAt: row.sentAt ? row.sentAt.toISOString() : null,
    replayOf: parts?.replayOf ?? null,
  };
}
