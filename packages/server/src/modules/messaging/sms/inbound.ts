import { randomUUID } from 'node:crypto';
import {
  keywordConsentEffect,
  keywordReply,
  keywordReplyKey,
  type MessageStatus,
  nextMessageStatus,
  normalizePhone,
  notFound,
  PURPOSES,
  type Purpose,
  type SmsKeyword,
  smsKeyword,
} from '@careloop/core';
import { and, desc, eq, gt, isNotNull, lte, ne } from 'drizzle-orm';
import { inboundBodyAad } from '../../../crypto/encrypted-fields.js';
import type { FieldCipher } from '../../../crypto/field-cipher.js';
import type { Database, Db } from '../../../db/client.js';
import type { AuditActor, AuditLog } from '../../audit/service.js';
import { organizations } from '../../directory/schema.js';
import type { FiledText } from '../../inbox/service.js';
import type { JobRunner } from '../../jobs/runner.js';
import { patientContactPoints, patients } from '../../patients/schema.js';
import type { PatientService } from '../../patients/service.js';
import { appendTouchpoints } from '../../timeline/service.js';
import type { OutboxService } from '../outbox.js';
import { inboundMessages, outboundMessages } from '../schema.js';
import type { SmsProviderName } from './provider.js';

/** A text a phone sent us, as the provider's webhook or the local gateway hands it over. */
export interface InboundSms {
  orgId: string;
  from: string;
  /** Our number it was sent to, when the provider says. */
  to: string | null;
  body: string;
  provider: SmsProviderName;
  /** The provider's id for the message (Twilio's MessageSid): a retry carries the same. */
  providerMessageId: string;
}

export interface InboundReceipt {
  id: string;
  patientId: string | null;
  keyword: SmsKeyword | null;
  inReplyTo: string | null;
  /** The provider delivered this message before: nothing was done again. */
  duplicate: boolean;
}

/** A message a patient sent, for the job that reacts to it. */
export interface ReceivedMessage {
  id: string;
  orgId: string;
  patientId: string | null;
  channel: 'sms';
  sender: string;
  body: string;
  keyword: SmsKeyword | null;
  inReplyTo: string | null;
  receivedAt: Date;
}

/** A reply answers the last text sent to the number, if it went out within this many days. */
const REPLY_WINDOW_DAYS = 30;

/**
 * START restores what STOP withdrew for care (treatment reminders, care follow-up), not
 * marketing: marketing needs an explicit opt-in to marketing itself, which a START is not.
 */
const RESTORED_BY_START: readonly Purpose[] = ['treatment-reminders', 'care-follow-up'];

/**
 * Messages patients send (issue 11, docs/adr/0023). One transaction per message: the row (body
 * encrypted), the reply status of what it answers, a touchpoint, the keyword's consent change
 * and its one confirmation (through the outbox), the audit event and the `message.received`
 * job. A provider's retry of the same message finds its row and does nothing.
 */
export class SmsInbox {
  constructor(
    private readonly database: Database,
    private readonly cipher: FieldCipher,
    private readonly audit: AuditLog,
    private readonly jobs: JobRunner,
    private readonly outbox: OutboxService,
    private readonly patients: PatientService,
    private readonly clock: () => Date,
    /** Issue 11: files a patient's text into the shared inbox, in the message's transaction. */
    private readonly fileText?: (tx: Db, text: FiledText) => Promise<unknown>,
  ) {}

  async receive(actor: AuditActor, sms: InboundSms): Promise<InboundReceipt> {
    const { orgId } = sms;
    const receivedAt = this.clock();
    // Short codes and alphanumeric senders stay as given; phone numbers become E.164.
    const sender = normalizePhone(sms.from)?.e164 ?? sms.from.trim();
    const phone = /^\+[1-9]\d{6,14}$/.test(sender) ? sender : null;
    const keyword = smsKeyword(sms.body);
    return this.database.withTenant(orgId, async (tx) => {
      const [organization] = await tx
        .select({ name: organizations.name })
        .from(organizations)
        .where(eq(organizations.id, orgId));
      // A webhook names its organization in its (signed) URL: one that does not exist is a 404.
      if (!organization) throw notFound('Organization');
      const owners = phone ? await this.patientsWithPhone(tx, phone) : [];
      const patientId = owners.length === 1 ? (owners[0] ?? null) : null;
      const answered = phone ? await this.lastTextTo(tx, phone, receivedAt) : null;
      const id = randomUUID();
      const [row] = await tx
        .insert(inboundMessages)
        .values({
          id,
          orgId,
          patientId,
          channel: 'sms',
          sender,
          recipient: sms.to,
          bodyEncrypted: this.cipher.encrypt(sms.body, inboundBodyAad(id, orgId)),
          keyword,
          provider: sms.provider,
          providerMessageId: sms.providerMessageId,
          inReplyTo: answered?.id ?? null,
          receivedAt,
        })
        .onConflictDoNothing({
          target: [
            inboundMessages.orgId,
            inboundMessages.provider,
            inboundMessages.providerMessageId,
          ],
        })
        .returning({ id: inboundMessages.id });
      if (!row) return this.earlier(tx, sms);

      if (answered) {
        const next = nextMessageStatus(answered.status as MessageStatus, 'replied');
        if (next) {
          await tx
            .update(outboundMessages)
            .set({ status: next })
            .where(eq(outboundMessages.id, answered.id));
        }
      }
      if (patientId) {
        await appendTouchpoints(tx, [
          {
            orgId,
            patientId,
            channel: 'sms',
            direction: 'inbound',
            type: 'message.received',
            stage: 'follow-up',
            // Never the body (docs/adr/0015): the patient's words stay encrypted on the message.
            summary: answered ? 'Replied to a text message' : 'Text message received',
            nonClinicalSummary: answered ? 'Replied to a text message' : 'Text message received',
            subjectType: 'inbound-message',
            subjectId: id,
            occurredAt: receivedAt,
          },
        ]);
      }
      if (keyword && phone) {
        await this.honourKeyword(tx, actor, {
          orgId,
          organizationName: organization.name,
          id,
          keyword,
          phone,
          owners,
          patientId,
        });
      }
      // Issue 11: the shared inbox. STOP, START and HELP are answered here and need no one.
      if (!keyword && this.fileText) {
        await this.fileText(tx, {
          orgId,
          inboundMessageId: id,
          patientId,
          sender,
          body: sms.body,
          receivedAt,
        });
      }
      await this.audit.inTransaction(tx, actor, {
        action: 'create',
        recordType: 'inbound-message',
        recordId: id,
        patientId,
      });
      await this.jobs.send(tx, 'message.received', { orgId, inboundId: id });
      return { id, patientId, keyword, inReplyTo: answered?.id ?? null, duplicate: false };
    });
  }

  /**
   * A received message as the `message.received` job's consumer needs it (journeys: a "C" or
   * "R" reply), body decrypted; null when the organization has no such message. The caller
   * audits its own use of the body.
   */
  async message(orgId: string, inboundId: string): Promise<ReceivedMessage | null> {
    const [row] = await this.database.withTenant(orgId, (tx) =>
      tx.select().from(inboundMessages).where(eq(inboundMessages.id, inboundId)),
    );
    if (!row) return null;
    return {
      id: row.id,
      orgId: row.orgId,
      patientId: row.patientId,
      channel: 'sms',
      sender: row.sender,
      body: this.cipher.decrypt(row.bodyEncrypted, inboundBodyAad(row.id, row.orgId)),
      keyword: (row.keyword as SmsKeyword | null) ?? null,
      inReplyTo: row.inReplyTo,
      receivedAt: row.receivedAt,
    };
  }

  /**
   * STOP and its synonyms withdraw SMS consent for every purpose, START restores care messages,
   * both for every patient of the organization with this number (a family's shared phone that
   * says STOP wants no texts at all); HELP changes nothing. One confirmation goes back, and only
   * when something changed: a second STOP gets no answer, and the same message delivered twice
   * is not processed twice (its row exists). HELP is answered each time it is sent.
   */
  private async honourKeyword(
    tx: Db,
    actor: AuditActor,
    message: {
      orgId: string;
      organizationName: string;
      id: string;
      keyword: SmsKeyword;
      phone: string;
      owners: readonly string[];
      patientId: string | null;
    },
  ): Promise<void> {
    const { orgId, keyword, phone } = message;
    const effect = keywordConsentEffect(keyword);
    let changed = false;
    if (effect !== 'none') {
      for (const owner of message.owners) {
        const purposes = await this.patients.recordChannelConsent(tx, {
          orgId,
          patientId: owner,
          channel: 'sms',
          purposes: effect === 'withdraw' ? PURPOSES : RESTORED_BY_START,
          status: effect === 'withdraw' ? 'denied' : 'granted',
          source: 'sms-keyword',
          at: this.clock(),
        });
        if (purposes.length === 0) continue;
        changed = true;
        await this.audit.inTransaction(tx, actor, {
          action: 'update',
          recordType: 'consent',
          recordId: owner,
          patientId: owner,
          reason: `SMS ${keyword.toUpperCase()}: ${purposes.join(', ')}`,
        });
      }
    }
    if (effect !== 'none' && !changed) return;
    await this.outbox.queueSms(tx, {
      orgId,
      patientId: message.patientId,
      // Not marketing and not care: the answer the carriers' rules require (CTIA).
      purpose: 'operations',
      to: phone,
      text: keywordReply(keyword, message.organizationName),
      idempotencyKey: keywordReplyKey(message.id),
    });
  }

  /** The organization's live (not merged) patients with this phone number. */
  private async patientsWithPhone(tx: Db, phone: string): Promise<string[]> {
    const rows = await tx
      .selectDistinct({ id: patientContactPoints.patientId })
      .from(patientContactPoints)
      .innerJoin(patients, eq(patients.id, patientContactPoints.patientId))
      .where(
        and(
          eq(patientContactPoints.system, 'phone'),
          eq(patientContactPoints.value, phone),
          ne(patients.status, 'merged'),
        ),
      );
    return rows.map((r) => r.id);
  }

  /** The last text that went out to the number before `at`, within the reply window. */
  private async lastTextTo(
    tx: Db,
    phone: string,
    at: Date,
  ): Promise<{ id: string; status: string } | null> {
    const since = new Date(at.getTime() - REPLY_WINDOW_DAYS * 86_400_000);
    const [row] = await tx
      .select({ id: outboundMessages.id, status: outboundMessages.status })
      .from(outboundMessages)
      .where(
        and(
          eq(outboundMessages.channel, 'sms'),
          eq(outboundMessages.recipient, phone),
          isNotNull(outboundMessages.sentAt),
          lte(outboundMessages.sentAt, at),
          gt(outboundMessages.createdAt, since),
        ),
      )
      .orderBy(desc(outboundMessages.sentAt), desc(outboundMessages.id))
      .limit(1);
    return row ?? null;
  }

  /** The receipt of a message received before (a provider's retry). */
  private async earlier(tx: Db, sms: InboundSms): Promise<InboundReceipt> {
    const [row] = await tx
      .select()
      .from(inboundMessages)
      .where(
        and(
          eq(inboundMessages.provider, sms.provider),
          eq(inboundMessages.providerMessageId, sms.providerMessageId),
        ),
      );
    if (!row) throw new Error('inbound message: neither inserted nor found');
    return {
      id: row.id,
      patientId: row.patientId,
      keyword: (row.keyword as SmsKeyword | null) ?? null,
      inReplyTo: row.inReplyTo,
      duplicate: true,
    };
  }
}
