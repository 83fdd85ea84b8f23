import {
  asCapBucket,
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
import { and, desc, eq, inArray, isNotNull, sql } from 'drizzle-orm';
import type { Database, Db } from '../../db/client.js';
import type { RequestContext } from '../../http/actor.js';
import type { JobPayload } from '../jobs/names.js';
import type { JobRunner } from '../jobs/runner.js';
import { patientConsents, patients } from '../patients/schema.js';
import { messagePolicyOf, patientZones } from '../templates/service.js';
import { appendTouchpoints } from '../timeline/service.js';
import { outboundMessages } from './schema.js';

/** Why a patient message was not sent; stored, shown to admins and on the timeline. */
export const SUPPRESSION_REASONS = {
  consent: 'the patient opted out of this channel for this purpose',
  'frequency-cap': 'the frequency cap for this purpose (or requested series) was reached',
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
 * (deferred by re-sending the job with `startAfter`, never dropped; not for a portal message,
 * whose notice is checked instead) and the frequency caps,
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
    const admitted = await this.database.withTenant(payload.orgId, (tx) =>
      this.admitMany(tx, payload.orgId, [payload.messageId], now),
    );
    return admitted.get(payload.messageId) ?? null;
  }

  /**
   * The checks of `admit` for many messages of one organization in `tx`, in a few statements
   * whatever their number (docs/adr/0034-batched-outbox-dispatch.md): the patients' locks are
   * taken together, in the order of their keys' hashes (so two batches cannot deadlock), and
   * the caps count the messages admitted earlier in the same batch. Answers per message id;
   * a message not in the answer (or null) goes on to be claimed and sent.
   */
  async admitMany(
    tx: Db,
    orgId: string,
    messageIds: string[],
    now: Date,
  ): Promise<Map<string, Admission | null>> {
    const answers = new Map<string, Admission | null>();
    const checked = (await this.messagesOf(tx, messageIds)).filter(
      (m) =>
        m.patientId !== null &&
        isTemplatePurpose(m.purpose) &&
        // A message to another system (an EHR), not to the patient: none of this applies.
        m.channel !== 'hl7' &&
        // The one reply to a STOP, START or HELP goes at once (core's isKeywordReplyKey).
        !isKeywordReplyKey(m.idempotencyKey),
    );
    const patientIds = [...new Set(checked.flatMap((m) => (m.patientId ? [m.patientId] : [])))];
    if (patientIds.length === 0) return answers;
    // One admission per patient at a time: the cap count below and the mark that counts this
    // message are one step for every worker.
    const keys = patientIds.map((id) => sql`${`careloop-send:${orgId}:${id}`}`);
    await tx.execute(sql`
      select pg_advisory_xact_lock(h) from (
        select distinct hashtextextended(k, 0) as h from unnest(array[${sql.join(keys, sql`, `)}]::text[]) k
        order by h offset 0) ordered`);
    const locked = await this.messagesOf(
      tx,
      checked.map((m) => m.id),
    );
    const [deceased, consents, policy, zones, used] = [
      await this.deceased(tx, orgId, patientIds),
      await this.consentsOf(tx, orgId, patientIds),
      await messagePolicyOf(tx, orgId),
      await patientZones(tx, orgId, patientIds),
      await this.capCounts(tx, orgId, patientIds, now),
    ];
    const admittedIds: string[] = [];
    for (const message of locked) {
      const patientId = message.patientId;
      const purpose = message.purpose;
      if (message.status !== 'queued' || !patientId || !isTemplatePurpose(purpose)) continue;
      // Held by another worker: leave it to the claim, which says so.
      if (message.claimedUntil && message.claimedUntil.getTime() > now.getTime()) continue;
      const suppress = async (reason: SuppressionReason) =>
        answers.set(
          message.id,
          await this.suppress(tx, { ...message, patientId, purpose }, reason, now),
        );
      const defer = async (until: Date) => {
        await this.jobs.send(
          tx,
          'outbox.send',
          { orgId, messageId: message.id },
          { startAfter: until },
        );
        answers.set(message.id, 'deferred');
      };
      if (message.validUntil && message.validUntil.getTime() < now.getTime()) {
        await suppress('expired');
        continue;
      }
      if (message.notBefore && message.notBefore.getTime() > now.getTime()) {
        await defer(message.notBefore);
        continue;
      }
      if (deceased.has(patientId)) {
        await suppress('deceased');
        continue;
      }
      if (!isChannel(message.channel)) continue;
      const channel = message.channel;
      if (!mayContact(consents.get(patientId) ?? [], channel, consentPurposeFor(purpose))) {
        await suppress('consent');
        continue;
      }
      const zone = zones.get(patientId) ?? 'UTC';
      // A portal message waits in the thread until the patient signs in: posting it at night
      // wakes nobody. What reaches the phone is its notice (by text or email), which is checked
      // here as its own message (docs/adr/0046).
      if (channel !== 'portal' && !inSendWindow(now, zone, policy.window)) {
        const next = nextSendTime(now, zone, policy.window);
        if (message.validUntil && next.getTime() > message.validUntil.getTime())
          await suppress('expired');
        else await defer(next);
        continue;
      }
      const { dayStart, weekStart } = capWindows(now, zone);
      // Its template's bucket (docs/adr/0043): a requested series does not use up its purpose's.
      const bucket = asCapBucket(message.capBucket) ?? purpose;
      const key = `${patientId}:${bucket}`;
      // Every admission of the week but this message's own (an earlier attempt's).
      const admittedAt = (used.get(key) ?? [])
        .filter((u) => u.id !== message.id && u.at.getTime() >= weekStart.getTime())
        .map((u) => u.at);
      const count = {
        day: admittedAt.filter((at) => at.getTime() >= dayStart.getTime()).length,
        week: admittedAt.length,
      };
      if (!withinCap(count, policy.caps[bucket])) {
        await suppress('frequency-cap');
        continue;
      }
      used.set(key, [...(used.get(key) ?? []), { id: message.id, at: now }]);
      admittedIds.push(message.id);
    }
    if (admittedIds.length > 0) {
      await tx
        .update(outboundMessages)
        .set({ admittedAt: now })
        .where(inArray(outboundMessages.id, admittedIds));
    }
    return answers;
  }

  /** The patients of `patientIds` recorded as deceased. */
  private async deceased(tx: Db, orgId: string, patientIds: string[]): Promise<Set<string>> {
    const rows = await tx
      .select({ id: patients.id })
      .from(patients)
      .where(
        and(
          eq(patients.orgId, orgId),
          inArray(patients.id, patientIds),
          isNotNull(patients.deceasedAt),
        ),
      );
    return new Set(rows.map((r) => r.id));
  }

  /** Each patient's consent cells. */
  private async consentsOf(
    tx: Db,
    orgId: string,
    patientIds: string[],
  ): Promise<Map<string, ConsentCell[]>> {
    const rows = await tx
      .select({
        patientId: patientConsents.patientId,
        channel: patientConsents.channel,
        purpose: patientConsents.purpose,
        status: patientConsents.status,
      })
      .from(patientConsents)
      .where(and(eq(patientConsents.orgId, orgId), inArray(patientConsents.patientId, patientIds)));
    const cells = new Map<string, ConsentCell[]>();
    for (const row of rows) {
      if (!isConsentCell(row)) continue;
      const { channel, purpose, status } = row;
      cells.set(row.patientId, [...(cells.get(row.patientId) ?? []), { channel, purpose, status }]);
    }
    return cells;
  }

  /**
   * When each patient's messages per cap bucket were admitted in the last 8 days (a week in any
   * zone), for the caps: the messages that count (queued, sent, delivered, read, bounced).
   */
  private async capCounts(
    tx: Db,
    orgId: string,
    patientIds: string[],
    now: Date,
  ): Promise<Map<string, { id: string; at: Date }[]>> {
    const since = new Date(now.getTime() - 8 * 86_400_000);
    const rows = await tx
      .select({
        id: outboundMessages.id,
        patientId: outboundMessages.patientId,
        purpose: outboundMessages.purpose,
        capBucket: outboundMessages.capBucket,
        admittedAt: outboundMessages.admittedAt,
      })
      .from(outboundMessages)
      .where(
        and(
          eq(outboundMessages.orgId, orgId),
          inArray(outboundMessages.patientId, patientIds),
          sql`${outboundMessages.admittedAt} >= ${since.toISOString()}::timestamptz`,
          sql`${outboundMessages.admittedAt} <= ${now.toISOString()}::timestamptz`,
          inArray(outboundMessages.status, ['queued', 'sent', 'delivered', 'read', 'bounced']),
        ),
      );
    const used = new Map<string, { id: string; at: Date }[]>();
    for (const row of rows) {
      if (!row.admittedAt) continue;
      const key = `${row.patientId}:${asCapBucket(row.capBucket) ?? row.purpose}`;
      used.set(key, [...(used.get(key) ?? []), { id: row.id, at: row.admittedAt }]);
    }
    return used;
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

  private async messagesOf(tx: Db, messageIds: string[]) {
    if (messageIds.length === 0) return [];
    return tx
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
        capBucket: outboundMessages.capBucket,
        idempotencyKey: outboundMessages.idempotencyKey,
      })
      .from(outboundMessages)
      .where(inArray(outboundMessages.id, messageIds))
      .orderBy(outboundMessages.createdAt, outboundMessages.id);
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
    const channel =
      message.channel === 'sms' ? 'sms' : message.channel === 'portal' ? 'portal' : 'email';
    const what = message.templateKey ? `“${message.templateKey}”` : 'Message';
    const how = channel === 'portal' ? 'posted to the portal' : `sent by ${channel}`;
    const summary = `${what} not ${how}: ${SUPPRESSION_REASONS[reason]}`;
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
