import { JOURNEY_WEBHOOK_DEFAULT_EVENT, type JourneyStepWebhookPayload } from '@careloop/core';
import { and, eq, inArray } from 'drizzle-orm';
import type { OutboxService } from '../../messaging/outbox.js';
import { webhookEndpoints } from '../schema.js';
import type { JourneyWebhooks } from './events.js';

// Issue 11 (h11w): the journey action "call a signed webhook" (docs/adr/0039).
/** The journeys' side of the webhooks module, over its endpoints and the outbox. */
export function journeyWebhooks(outbox: OutboxService, clock: () => Date): JourneyWebhooks {
  return {
    async unusable(tx, ids) {
      const wanted = [...new Set(ids)];
      if (wanted.length === 0) return new Set();
      const rows = await tx
        .select({ id: webhookEndpoints.id })
        .from(webhookEndpoints)
        .where(and(inArray(webhookEndpoints.id, wanted), eq(webhookEndpoints.enabled, true)));
      const found = new Set(rows.map((r) => r.id));
      return new Set(wanted.filter((id) => !found.has(id)));
    },

    async queue(tx, step) {
      const [endpoint] = await tx
        .select({
          enabled: webhookEndpoints.enabled,
          includesPatientId: webhookEndpoints.includesPatientId,
        })
        .from(webhookEndpoints)
        .where(eq(webhookEndpoints.id, step.endpointId));
      if (!endpoint?.enabled) return { kind: 'unavailable' };
      const { patientId, ...ids } = step.data;
      // Minimum necessary: the step's ids; the patient's only where the endpoint's policy says.
      const payload: JourneyStepWebhookPayload = {
        type: step.event ?? JOURNEY_WEBHOOK_DEFAULT_EVENT,
        timestamp: clock().toISOString(),
        data: endpoint.includesPatientId ? { ...ids, patientId } : ids,
      };
      const messageId = await outbox.queueWebhook(tx, {
        orgId: step.orgId,
        endpointId: step.endpointId,
        body: JSON.stringify(payload),
        idempotencyKey: `webhook:${step.endpointId}:${step.stepKey}`,
      });
      return messageId ? { kind: 'queued', messageId } : { kind: 'duplicate' };
    },
  };
}
