import {
  CHANNELS,
  type Channel,
  capWindows,
  consentPurposeFor,
  inSendWindow,
  isKeywordReplyKey,
  type JourneyStage,
  mayContact,
  nextSendTime,
  PURPOSES,
  TEMPLATE_PURPOSES,
  type TemplatePurpose,
  withinCap,
} from '@careloop/core';
import { and, desc, eq, sql } from 'drizzle-orm';
import type { Database, Db } from '../../db/client.js';
import { rowsOf } from '../../db/rows.js';
import type { RequestContext } from '../../http/actor.js';
import type { JobPayload } from '../jobs/names.js';
import type { JobRunner } from '../jobs/runner.js';
import { patientConsents, patients } from '../patients/schema.js';
import { messagePolicyOf, patientZone } from '../templates/service.js';
import { appendTouchpoints } from '../timeline/service.js';
import { outboundMessages } from './schema.js';

/** Why a patient message was not sent; stored, shown to admins and on the timeline. */
export const SUPPRESSION_REASONS = {
  consent: 'the patient opted out of this channel for this purpose',
  'frequency-cap': 'the frequency cap for this purpose was reached',
  expired: 'its validity window ended before it could be sent',
  deceased: 'the patient is recorded as deceased',
} as const;
export type SuppressionReason = keyof typeof SUPPRESSION_REASONS;

const STAGE: Record<TemplatePurpose, JourneyStage> = {
  treatment: 'pre-visit',
  operations: 'follow-up',
  marketing: 'awareness',
};

function isTemplatePurpose(value: string): value is TemplatePurpose {
  return (TEMPLATE_PURPOSES as readonly string[]).includes(value);
}

type ConsentCell = Parameters<typeof mayContact>[0][number];

function isChannel(value: string): value is Channel {
  return (CHANNELS as readonly string[]).includes(value);
}

function isConsentCell(c: { channel: string; purpose: string; status: string }): c is ConsentCell {
  return (
    isChannel(c.channel) &&
    (PURPOSES as readonly string[]).includes(c.purpose) &&
    (c.status === 'granted' || c.status === 'denied')
  );
}

export type Admission = 'deferred' | 'suppressed' | 'expired';

/**
 * The send-time checks (issue 11, docs/adr/0024), run by the outbox worker before every
 * attempt at a patient message, so a consent withdrawn after the message was queued still
 * stops it. In order: the validity window, consent for the channel and purpose, quiet hours
 * (deferred by re-sending the job with `startAfter`, never dropped) and the frequency caps,
 * counted under a per-patient advisory lock so two workers cannot both take the last place.
 * Account messages (password reset, sign-up notices) carry no patient and are exempt.
 */
export class SendPolicy {
  constructor(
    private readonly database: Database,
    private readonly jobs: JobRunner,
  ) {}

  /** Null: go on and send. Else the message was deferred or suppressed, and the job is done. */
  async admit(payload: JobPayload<'outbox.send'>, now: Date): Promise<Admission | null> {
    const { orgId, messageId } = payload;
    return this.database.withTenant(orgId, async (tx) => {
      const message = await this.messageOf(tx, messageId);
      if (!message?.patientId || !isTemplatePurpose(message.purpose)) return null;
      // A message to another system (an EHR), not to the patient: none of this applies.
      if (message.channel === 'hl7') return null;
      // The one reply to a STOP, START or HELP goes at once (core's isKeywordReplyKey).
      if (isKeywordReplyKey(message.idempotencyKey)) return null;
      const { patientId, purpose } = message;
      // One admission per patient at a time: the cap count below and the mark that counts this
      // message are one step for every worker.
      await tx.execute(
        sql`select pg_advisory_xact_lock(hashtextextended(${`careloop-send:${orgId}:${patientId}`}, 0))`,
      );
      const locked = await this.messageOf(tx, messageId);
      if (locked?.status !== 'queued') return null;
      // Held by another worker: leave it to the claim, which says so.
      if (locked.claimedUntil && locked.claimedUntil.getTime() > now.getTime()) return null;
      const suppress = (reason: SuppressionReason) =>
        this.suppress(tx, { ...locked, patientId, purpose }, reason, now);

      if (locked.validUntil && locked.validUntil.getTime() < now.getTime())
        return suppress('expired');
      if (locked.notBefore && locked.notBefore.getTime() > now.getTime()) {
        await this.jobs.send(tx, 'outbox.send', payload, { startAfter: locked.notBefore });
        return 'deferred';
      }
      const [patient] = await tx
        .select({ deceasedAt: patients.deceasedAt })
        .from(patients)
        .where(and(eq(patients.orgId, orgId), eq(patients.id, patientId)));
      if (patient?.deceasedAt) return suppress('deceased');
      const consents = await tx
        .select({
          channel: patientConsents.channel,
          purpose: patientConsents.purpose,
          status: patientConsents.status,
        })
        .from(patientConsents)
        .where(and(eq(patientConsents.orgId, orgId), eq(patientConsents.patientId, patientId)));
      const typed = consents.filter(isConsentCell);
      if (!isChannel(locked.channel)) return null;
      const channel = locked.channel;
      if (!mayContact(typed, channel, consentPurposeFor(purpose))) return suppress('consent');

      const policy = await messagePolicyOf(tx, orgId);
      const zone = await patientZone(tx, orgId, patientId);
      if (!inSendWindow(now, zone, policy.window)) {
        const next = nextSendTime(now, zone, policy.window);
        if (locked.validUntil && next.getTime() > locked.validUntil.getTime())
          return suppress('expired');
        await this.jobs.send(tx, 'outbox.send', payload, { startAfter: next });
        return 'deferred';
      }

      const { dayStart, weekStart } = capWindows(now, zone);
      const [counts] = rowsOf<{ day: number | string; week: number | string }>(
        await tx.execute(sql`
          select count(*) filter (where admitted_at >= ${dayStart.toISOString()}::timestamptz) as day,
                 count(*) as week
          from ${outboundMessages}
          where org_id = ${orgId} and patient_id = ${patientId} and purpose = ${purpose}
            and admitted_at >= ${weekStart.toISOString()}::timestamptz
            and admitted_at <= ${now.toISOString()}::timestamptz
            and status in ('queued', 'sent', 'delivered', 'bounced')
            and id <> ${messageId}`),
      );
      const used = { day: Number(counts?.day ?? 0), week: Number(counts?.week ?? 0) };
      if (!withinCap(used, policy.caps[purpose])) return suppress('frequency-cap');
      await tx
        .update(outboundMessages)
        .set({ admittedAt: now })
        .where(eq(outboundMessages.id, messageId));
      return null;
    });
  }

  /** Suppressed patient messages, newest first, for the admin view: reasons, never bodies. */
  async listSuppressed(ctx: RequestContext, limit: number) {
    const orgId = ctx.actor.orgId;
    const rows = await this.database.withTenant(orgId, (tx) =>
      tx
        .select({
          id: outboundMessages.id,
          patientId: outboundMessages.patientId,
          channel: outboundMessages.channel,
          purpose: outboundMessages.purpose,
          templateKey: outboundMessages.templateKey,
          reason: outboundMessages.suppressionReason,
          createdAt: outboundMessages.createdAt,
        })
        .from(outboundMessages)
        .where(and(eq(outboundMessages.orgId, orgId), eq(outboundMessages.status, 'suppressed')))
        .orderBy(desc(outboundMessages.createdAt), desc(outboundMessages.id))
        .limit(limit),
    );
    return rows.map((r) => ({ ...r, createdAt: r.createdAt.toISOString() }));
  }

  private async messageOf(tx: Db, messageId: string) {
    const [row] = await tx
      .select({
        id: outboundMessages.id,
        orgId: outboundMessages.orgId,
        patientId: outboundMessages.patientId,
        channel: outboundMessages.channel,
        purpose: outboundMessages.purpose,
        status: outboundMessages.status,
        claimedUntil: outboundMessages.claimedUntil,
        validUntil: outboundMessages.validUntil,
        notBefore: outboundMessages.notBefore,
        templateKey: outboundMessages.templateKey,
        idempotencyKey: outboundMessages.idempotencyKey,
      })
      .from(outboundMessages)
      .where(eq(outboundMessages.id, messageId));
    return row;
  }

  /** Marks the message suppressed with its reason, and tells the timeline (no body: no PHI). */
  private async suppress(
    tx: Db,
    message: {
      id: string;
      orgId: string;
      patientId: string;
      channel: string;
      purpose: TemplatePurpose;
      templateKey: string | null;
    },
    reason: SuppressionReason,
    now: Date,
  ): Promise<'suppressed' | 'expired'> {
    // Past its window a message is `expired` (docs/adr/0025), whichever check sees it first.
    const status = reason === 'expired' ? 'expired' : 'suppressed';
    await tx
      .update(outboundMessages)
      .set({ status, suppressionReason: reason, claimedUntil: null })
      .where(and(eq(outboundMessages.id, message.id), eq(outboundMessages.status, 'queued')));
    const channel = message.channel === 'sms' ? 'sms' : 'email';
    const what = message.templateKey ? `“${message.templateKey}”` : 'Message';
    const summary = `${what} not sent by ${channel}: ${SUPPRESSION_REASONS[reason]}`;
    await appendTouchpoints(tx, [
      {
        orgId: message.orgId,
        patientId: message.patientId,
        channel,
        direction: 'outbound',
        type: 'communication.suppressed',
        stage: STAGE[message.purpose],
        summary,
        nonClinicalSummary: summary,
        outcome: reason,
        subjectType: 'outbound-message',
        subjectId: message.id,
        occurredAt: now,
      },
    ]);
    return status;
  }
}
