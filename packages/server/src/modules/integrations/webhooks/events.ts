import type { JourneyStepWebhookData, WebhookData, WebhookEventType } from '@careloop/core';
import type { Db } from '../../../db/client.js';

/** A domain event as a webhook tells it: its type and ids (minimum necessary). */
export interface DomainEvent {
  type: WebhookEventType;
  data: WebhookData;
}

/**
 * Where a module that owns a change tells subscribed webhooks about it, in its own
 * transaction: the deliveries exist only if the change commits (docs/adr/0029). The owner
 * (scheduling's confirmation, the patients module's consents, the MPI's merge, an HL7
 * discharge) calls it; none of them imports the integrations module.
 */
export interface DomainEventSink {
  emit(tx: Db, orgId: string, events: readonly DomainEvent[]): Promise<number>;
}

// Issue 11 (h11w): the journey action "call a signed webhook" (docs/adr/0039).
/** One step of an enrolment to announce: its ids, and the idempotency key of the step. */
export interface JourneyWebhookStep {
  orgId: string;
  endpointId: string;
  /** The payload's `type`; `journey.step` when the action names none. */
  event: string | undefined;
  /** `journey:<enrolment>:<node>:<occurrence>`: the `webhook-id` of every attempt and replay. */
  stepKey: string;
  data: Required<JourneyStepWebhookData>;
}

export type JourneyWebhookQueued =
  | { kind: 'queued'; messageId: string }
  | { kind: 'duplicate' }
  | { kind: 'unavailable' };

/** What journeys need of webhooks: whether endpoints may be named, and a step queued. */
export interface JourneyWebhooks {
  /** Those of `ids` that are not an enabled endpoint of the transaction's organization. */
  unusable(tx: Db, ids: readonly string[]): Promise<Set<string>>;
  /** Queues the step's delivery in `tx`, keyed by endpoint and step: a step run twice queues once. */
  queue(tx: Db, step: JourneyWebhookStep): Promise<JourneyWebhookQueued>;
}
