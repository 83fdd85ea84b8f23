import {
  type CareloopError,
  type JourneyDefinition,
  type JourneyWebhookAction,
  journeyStepKey,
  type StepEffect,
  unknownReference,
} from '@careloop/core';
import { eq } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import type { JourneyWebhooks } from '../integrations/webhooks/events.js';
import { type journeyEnrolments, journeyVersions } from './schema.js';

// Issue 11 (h11w): the journey action "call a signed webhook" (docs/adr/0039).

/**
 * A webhook step whose endpoint is gone (deleted or disabled after the journey was published).
 * Retrying cannot help until an admin acts: the enrolment goes to the dead letters at once, with
 * this code as the reason.
 */
export class WebhookEndpointUnavailable extends Error {
  readonly code = 'webhook_endpoint_unavailable';
  constructor() {
    super('the webhook endpoint of the step is deleted or disabled');
    this.name = 'WebhookEndpointUnavailable';
  }
}

/**
 * The step's delivery, queued in the step's transaction with the step's idempotency key as its
 * `webhook-id`: a step run twice (a retry, a worker killed after commit) queues one delivery.
 */
export async function performWebhookAction(
  tx: Db,
  webhooks: JourneyWebhooks,
  row: typeof journeyEnrolments.$inferSelect,
  effect: StepEffect & { action: JourneyWebhookAction },
  journeyKey: string,
): Promise<{ outcome: string; messageId: string | null }> {
  const [version] = await tx
    .select({ version: journeyVersions.version })
    .from(journeyVersions)
    .where(eq(journeyVersions.id, row.versionId));
  if (!version) throw new Error('enrolment version not found');
  const queued = await webhooks.queue(tx, {
    orgId: row.orgId,
    endpointId: effect.action.endpoint,
    event: effect.action.event,
    stepKey: journeyStepKey(row.id, effect.nodeId, effect.occurrence),
    data: {
      journeyKey,
      journeyVersion: version.version,
      nodeId: effect.nodeId,
      enrolmentId: row.id,
      patientId: row.patientId,
    },
  });
  switch (queued.kind) {
    case 'queued':
      return { outcome: 'webhook', messageId: queued.messageId };
    case 'duplicate':
      return { outcome: 'duplicate', messageId: null };
    case 'unavailable':
      throw new WebhookEndpointUnavailable();
  }
}

/**
 * Why `journey` cannot be published in the transaction's organization: the first webhook action
 * naming an endpoint that is not one of its enabled endpoints, as a 4xx naming the field.
 */
export async function unpublishableWebhook(
  tx: Db,
  webhooks: JourneyWebhooks,
  journey: JourneyDefinition,
): Promise<CareloopError | null> {
  const named = journey.nodes.flatMap((node, index) =>
    node.type === 'action' && node.action.kind === 'webhook'
      ? [{ index, endpoint: node.action.endpoint }]
      : [],
  );
  if (named.length === 0) return null;
  const unusable = await webhooks.unusable(
    tx,
    named.map((n) => n.endpoint),
  );
  const first = named.find((n) => unusable.has(n.endpoint));
  return first
    ? unknownReference(
        `definition/nodes/${first.index}/action/endpoint`,
        'webhook endpoint (enabled)',
      )
    : null;
}
