import type { JourneyChannel } from '@careloop/core';
import { and, desc, eq } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import type { OutboxService } from '../messaging/outbox.js';
import type { MessagingService } from '../messaging/send-template.js';
import { patientContactPoints, patients } from '../patients/schema.js';
import { messageTemplates } from '../templates/schema.js';

/** What a journey's send step asks for: a template for a patient, on a channel, for a purpose. */
export interface JourneySend {
  orgId: string;
  patientId: string;
  channel: JourneyChannel;
  templateKey: string;
  purpose: 'treatment' | 'operations' | 'marketing';
  /** Merge context: instants and ids, never free text. */
  context: { appointmentStart?: string; appointmentId?: string };
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

/**
 * How a journey sends, in the caller's transaction (the step's). The "policy" work builds
 * `MessagingService.sendTemplate` with this shape (templates, consent, quiet hours, caps,
 * preferred channel with fallback); until it is merged, `OutboxJourneySender` stands in.
 */
export interface JourneySender {
  send(tx: Db, message: JourneySend): Promise<JourneySendOutcome>;
}

/**
 * Journeys send through the one send API for patient messages, `MessagingService.sendTemplate`
 * (the organization's templates per channel and language, the preferred channel with fallback,
 * SMS or email; consent, quiet hours and caps again at delivery). A node naming a template the
 * organization does not have falls back to the built-in text by email (`OutboxJourneySender`),
 * so a ready journey works before its templates are written.
 */
export class TemplateJourneySender implements JourneySender {
  constructor(
    private readonly messaging: MessagingService,
    private readonly fallback: JourneySender,
  ) {}

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
    if (!template) return this.fallback.send(tx, message);
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

/**
 * The built-in texts by email over the outbox: the fallback of `TemplateJourneySender` for a
 * template the organization lacks, and the sender of the engine's own tests, chaos run and bench.
 */
export class OutboxJourneySender implements JourneySender {
  constructor(private readonly outbox: OutboxService) {}

  async send(tx: Db, message: JourneySend): Promise<JourneySendOutcome> {
    const [patient] = await tx
      .select({ timeZone: patients.timeZone, givenName: patients.givenName })
      .from(patients)
      .where(eq(patients.id, message.patientId));
    if (!patient) return { kind: 'suppressed', reason: 'no_patient' };
    const [email] = await tx
      .select({ value: patientContactPoints.value })
      .from(patientContactPoints)
      .where(
        and(
          eq(patientContactPoints.patientId, message.patientId),
          eq(patientContactPoints.system, 'email'),
        ),
      )
      .orderBy(desc(patientContactPoints.isPrimary))
      .limit(1);
    if (!email) return { kind: 'suppressed', reason: 'no_address' };
    const text = builtInText(message.templateKey, {
      givenName: patient.givenName,
      when: message.context.appointmentStart
        ? formatInZone(message.context.appointmentStart, patient.timeZone ?? 'UTC')
        : null,
    });
    const id = await this.outbox.queueEmail(tx, {
      orgId: message.orgId,
      patientId: message.patientId,
      purpose: message.purpose,
      to: email.value,
      subject: text.subject,
      text: text.body,
      idempotencyKey: message.idempotencyKey,
      validUntil: message.validUntil,
    });
    return id ? { kind: 'queued', messageId: id } : { kind: 'duplicate' };
  }
}

/** The stand-in texts: no clinical detail (no reason, no service name), only a time. */
export function builtInText(
  key: string,
  merge: { givenName: string; when: string | null },
): { subject: string; body: string } {
  const when = merge.when ?? 'soon';
  const hello = `Hello ${merge.givenName},`;
  switch (key) {
    case 'appointment-reminder-7d':
      return {
        subject: 'Your appointment next week',
        body: `${hello} this is a reminder of your appointment on ${when}.`,
      };
    case 'appointment-reminder-2d':
      return {
        subject: 'Your appointment in 2 days',
        body: `${hello} your appointment is on ${when}. Reply C to confirm, R to reschedule.`,
      };
    case 'appointment-reminder-2h':
      return {
        subject: 'Your appointment today',
        body: `${hello} see you at ${when}.`,
      };
    case 'no-show-recovery':
      return {
        subject: 'We missed you today',
        body: `${hello} we missed you today. Reply or call us to book a new time.`,
      };
    case 'discharge-check-in':
      return {
        subject: 'How are you doing?',
        body: `${hello} your care team is checking in. Reply or call us if you need anything.`,
      };
    case 'discharge-follow-up-visit':
      return {
        subject: 'Time for your follow-up visit',
        body: `${hello} it is time to book your follow-up visit. Call us to choose a time.`,
      };
    case 'post-visit-survey':
      return {
        subject: 'How was your visit?',
        body: `${hello} tell us about your visit: it takes two minutes.`,
      };
    default:
      return { subject: 'A message from your care team', body: `${hello} please contact us.` };
  }
}

function formatInZone(iso: string, timeZone: string): string {
  return new Intl.DateTimeFormat('en-US', {
    timeZone,
    weekday: 'long',
    month: 'long',
    day: 'numeric',
    hour: 'numeric',
    minute: '2-digit',
  }).format(new Date(iso));
}
