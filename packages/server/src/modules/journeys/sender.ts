import type { JourneyChannel } from '@careloop/core';
import { and, eq } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import type { MessagingService } from '../messaging/send-template.js';
import { messageTemplates } from '../templates/schema.js';

/**
 * What a journey's send step asks for: a template for a patient, on a channel. The template's
 * purpose decides the consent and the cap (sendTemplate), as for every patient message.
 */
export interface JourneySend {
  orgId: string;
  patientId: string;
  channel: JourneyChannel;
  templateKey: string;
  /** Merge context: ids, never free text (the template's fields are read from the records). */
  context: { appointmentId?: string };
  /** Enrolment, node and occurrence (core's `journeyStepKey`): unique in the outbox. */
  idempotencyKey: string;
  /** Past it the message is void (the outbox marks it expired). */
  validUntil: Date;
}

export type JourneySendOutcome =
  | { kind: 'queued'; messageId: string }
  /** The key was queued before (the step ran twice): nothing more. */
  | { kind: 'duplicate' }
  /** Not sent, and why (no address, no consent, …): recorded on the step. */
  | { kind: 'suppressed'; reason: string };

/** How a journey sends, in the caller's transaction (the step's). */
export interface JourneySender {
  send(tx: Db, message: JourneySend): Promise<JourneySendOutcome>;
}

/**
 * A send step naming a template the organization does not have (deleted after the journey was
 * published, or a journey published before publishing checked it). Retrying cannot help until
 * an admin writes the template: the step fails at once, nothing is sent (no generic text in
 * its place), and the enrolment goes to the dead letters with this code as the reason.
 */
export class JourneyTemplateMissing extends Error {
  readonly code = 'template_missing';
  constructor(readonly templateKey: string) {
    super('the template the step sends is not one of the organization');
    this.name = 'JourneyTemplateMissing';
  }
}

/**
 * Journeys send through the one send API for patient messages, `MessagingService.sendTemplate`
 * (the organization's templates per channel and language, the preferred channel with fallback,
 * SMS or email; consent, quiet hours and caps again at delivery). Publishing refuses a journey
 * whose templates the organization lacks (service.ts); one missing at send time fails the step
 * (`JourneyTemplateMissing`).
 */
export class TemplateJourneySender implements JourneySender {
  constructor(private readonly messaging: MessagingService) {}

  async send(tx: Db, message: JourneySend): Promise<JourneySendOutcome> {
    const [template] = await tx
      .select({ id: messageTemplates.id })
      .from(messageTemplates)
      .where(
        and(
          eq(messageTemplates.orgId, message.orgId),
          eq(messageTemplates.key, message.templateKey),
        ),
      );
    if (!template) throw new JourneyTemplateMissing(message.templateKey);
    const result = await this.messaging.sendTemplate(tx, {
      orgId: message.orgId,
      patientId: message.patientId,
      templateKey: message.templateKey,
      channel: message.channel,
      context: { appointmentId: message.context.appointmentId ?? null },
      idempotencyKey: message.idempotencyKey,
      validUntil: message.validUntil,
    });
    if (result.queued) return { kind: 'queued', messageId: result.messageId };
    if (result.reason === 'duplicate') return { kind: 'duplicate' };
    const why = Object.entries(result.channels)
      .map(([channel, refusal]) => `${channel}: ${refusal}`)
      .join(', ');
    return { kind: 'suppressed', reason: `unreachable (${why})` };
  }
}
