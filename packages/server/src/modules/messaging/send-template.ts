import {
  CareloopError,
  CHANNELS,
  type ChannelRefusal,
  capBucket,
  chooseChannel,
  type mayContact,
  PURPOSES,
  TEMPLATE_PURPOSES,
  type TemplateChannel,
  type TemplateLanguage,
  type TemplatePurpose,
  templateLanguage,
} from '@careloop/core';
import { and, desc, eq, isNotNull, isNull } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { users } from '../auth/schema.js';
import { patientConsents, patientContactPoints, patients } from '../patients/schema.js';
import { messageTemplates, messageTemplateVersions } from '../templates/schema.js';
import {
  mergeValuesFor,
  messagePolicyOf,
  renderBodies,
  type SurveyLinker,
} from '../templates/service.js';
import type { OutboxService } from './outbox.js';
import { outboundMessages } from './schema.js';

export interface TemplateSend {
  orgId: string;
  patientId: string;
  templateKey: string;
  channel: TemplateChannel | 'preferred';
  context?: { appointmentId?: string | null };
  /** Unique per organization: a second send with the same key queues nothing. */
  idempotencyKey: string;
  /** Not sent before this instant (the send-time checks defer it). */
  notBefore?: Date;
  /** Past this instant the message is suppressed as expired, never sent late. */
  validUntil?: Date;
}

export type TemplateSendResult =
  | { queued: true; messageId: string; channel: TemplateChannel; language: TemplateLanguage }
  | { queued: false; reason: 'duplicate' }
  | {
      queued: false;
      reason: 'unreachable';
      channels: Partial<Record<TemplateChannel, ChannelRefusal>>;
    };

const E164 = /^\+[1-9]\d{6,14}$/;

type ConsentCell = Parameters<typeof mayContact>[0][number];

function isConsentCell(c: { channel: string; purpose: string; status: string }): c is ConsentCell {
  return (
    (CHANNELS as readonly string[]).includes(c.channel) &&
    (PURPOSES as readonly string[]).includes(c.purpose) &&
    (c.status === 'granted' || c.status === 'denied')
  );
}

function isTemplatePurpose(value: string): value is TemplatePurpose {
  return (TEMPLATE_PURPOSES as readonly string[]).includes(value);
}

/**
 * The patient's portal account that can read messages: enabled, its email verified (until then
 * the portal shows only "check your email"). Null when there is none: no portal send.
 */
async function portalAccountOf(tx: Db, orgId: string, patientId: string): Promise<string | null> {
  const [account] = await tx
    .select({ id: users.id })
    .from(users)
    .where(
      and(
        eq(users.orgId, orgId),
        eq(users.patientId, patientId),
        eq(users.role, 'patient'),
        isNull(users.disabledAt),
        isNotNull(users.emailVerifiedAt),
      ),
    )
    .orderBy(users.createdAt, users.id)
    .limit(1);
  return account?.id ?? null;
}

/**
 * The one way a patient-facing message is sent (issue 11): picks the channel (the preferred one,
 * falling back when it has no address or number, no template version, or no consent), renders
 * the template in the patient's language (else the organization's default) and zone, and
 * queues it in the outbox in the caller's transaction. Consent, quiet hours and caps are
 * checked again when it is delivered (send-policy.ts). Issue 11 (docs/adr/0046): on `portal` it
 * is posted into the patient's portal thread, for a patient with a portal account.
 */
export class MessagingService {
  constructor(
    private readonly outbox: OutboxService,
    /** Issue 11 (h11v): signs each visit's survey link; without it the link is the portal's list. */
    private readonly options: { publicUrl: string; surveyLinks?: SurveyLinker },
  ) {}

  async sendTemplate(tx: Db, send: TemplateSend): Promise<TemplateSendResult> {
    const { orgId, patientId } = send;
    const [template] = await tx
      .select()
      .from(messageTemplates)
      .where(and(eq(messageTemplates.orgId, orgId), eq(messageTemplates.key, send.templateKey)));
    if (!template || !isTemplatePurpose(template.purpose))
      throw new CareloopError('unknown_reference', 'No such template', '/templateKey');
    const purpose = template.purpose;
    const merge = await mergeValuesFor(
      tx,
      { orgId, patientId, appointmentId: send.context?.appointmentId },
      this.options.publicUrl,
      this.options.surveyLinks,
    );
    if (!merge) throw new CareloopError('unknown_reference', 'No such patient', '/patientId');
    const policy = await messagePolicyOf(tx, orgId);
    const fallback = templateLanguage(policy.defaultLanguage) ?? 'en';
    const versions = await tx
      .select()
      .from(messageTemplateVersions)
      .where(
        and(
          eq(messageTemplateVersions.orgId, orgId),
          eq(messageTemplateVersions.templateId, template.id),
        ),
      );
    const inLanguage = (channel: TemplateChannel, language: string) =>
      versions.find((v) => v.channel === channel && v.language === language);
    // A portal message without a portal version posts the email version's text (docs/adr/0046),
    // the patient's language before the channel's own wording.
    const versionFor = (channel: TemplateChannel) =>
      channel === 'portal'
        ? (inLanguage('portal', merge.language) ??
          inLanguage('email', merge.language) ??
          inLanguage('portal', fallback) ??
          inLanguage('email', fallback))
        : (inLanguage(channel, merge.language) ?? inLanguage(channel, fallback));

    const [patient] = await tx
      .select({ preferredChannel: patients.preferredChannel })
      .from(patients)
      .where(and(eq(patients.orgId, orgId), eq(patients.id, patientId)));
    const contacts = await tx
      .select({ system: patientContactPoints.system, value: patientContactPoints.value })
      .from(patientContactPoints)
      .where(
        and(eq(patientContactPoints.orgId, orgId), eq(patientContactPoints.patientId, patientId)),
      )
      .orderBy(desc(patientContactPoints.isPrimary), patientContactPoints.id);
    const consents = (
      await tx
        .select({
          channel: patientConsents.channel,
          purpose: patientConsents.purpose,
          status: patientConsents.status,
        })
        .from(patientConsents)
        .where(and(eq(patientConsents.orgId, orgId), eq(patientConsents.patientId, patientId)))
    ).filter(isConsentCell);
    const addressOf = (system: 'email' | 'phone') =>
      contacts.find((c) => c.system === system)?.value ?? null;
    const account = await portalAccountOf(tx, orgId, patientId);
    const choice = chooseChannel(
      send.channel,
      patient?.preferredChannel ?? null,
      [
        { channel: 'email', address: addressOf('email'), hasTemplate: !!versionFor('email') },
        { channel: 'sms', address: addressOf('phone'), hasTemplate: !!versionFor('sms') },
        { channel: 'portal', address: account, hasTemplate: !!versionFor('portal') },
      ],
      consents,
      purpose,
    );
    if (!choice.ok) return { queued: false, reason: 'unreachable', channels: choice.reasons };
    const version = versionFor(choice.channel);
    if (!version) throw new Error('a chosen channel has a template version');
    const rendered = renderBodies(
      { subject: version.subject, text: version.textBody, html: version.htmlBody },
      merge.values,
    );
    let messageId: string | null;
    if (choice.channel === 'email') {
      messageId = await this.outbox.queueEmail(tx, {
        orgId,
        patientId,
        purpose,
        to: choice.address,
        subject: rendered.subject ?? template.name,
        text: rendered.text,
        html: rendered.html,
        idempotencyKey: send.idempotencyKey,
      });
    } else if (choice.channel === 'portal') {
      // Posted into the patient's portal thread by the worker, after the send-time checks.
      messageId = await this.outbox.queuePortal(tx, {
        orgId,
        patientId,
        purpose,
        accountId: choice.address,
        text: rendered.text,
        idempotencyKey: send.idempotencyKey,
      });
    } else {
      // A number that is not E.164 cannot be texted: unreachable, as with no number at all.
      if (!E164.test(choice.address))
        return { queued: false, reason: 'unreachable', channels: { sms: 'no-address' } };
      messageId = await this.outbox.queueSms(tx, {
        orgId,
        patientId,
        purpose,
        to: choice.address,
        text: rendered.text,
        idempotencyKey: send.idempotencyKey,
      });
    }
    if (!messageId) return { queued: false, reason: 'duplicate' };
    // The outbox wrote the row; what the send-time checks need of it is ours to add.
    await tx
      .update(outboundMessages)
      .set({
        templateKey: template.key,
        // Counted in its template's bucket from now on (docs/adr/0043), whatever edits follow.
        capBucket: capBucket(
          purpose,
          template.capBucket === 'requested-series' ? 'requested-series' : 'purpose',
        ),
        validUntil: send.validUntil ?? null,
        notBefore: send.notBefore ?? null,
      })
      .where(and(eq(outboundMessages.orgId, orgId), eq(outboundMessages.id, messageId)));
    return {
      queued: true,
      messageId,
      channel: choice.channel,
      language: version.language as TemplateLanguage,
    };
  }
}
