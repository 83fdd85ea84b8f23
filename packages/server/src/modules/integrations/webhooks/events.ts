import type { WebhookData, WebhookEventType } from '@careloop/core';
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
