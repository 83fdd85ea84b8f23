import { randomUUID } from 'node:crypto';
import {
  afterFailedAttempt,
  decodeKeysetCursor,
  encodeCursor,
  type FhirHttpRequest,
  fhirRequestOf,
  type MailboxMessage,
  type MailboxPage,
  type MailboxQuery,
  MESSAGE_MAX_ATTEMPTS,
  MESSAGE_RETRY_DELAY_SECONDS,
  type MessagePurpose,
  returnPathFor,
} from '@careloop/core';
import { and, desc, eq, inArray, lt, or, sql } from 'drizzle-orm';
import {
  outboundAttachmentAad,
  outboundHtmlAad,
  outboundSubjectAad,
  outboundTextAad,
} from '../../crypto/encrypted-fields.js';
import { type FieldCipher, openForView } from '../../crypto/field-cipher.js';
import type { Database, Db } from '../../db/client.js';
import type { RequestContext } from '../../http/actor.js';
import type { AuditLog } from '../audit/service.js';
import type { JobPayload } from '../jobs/names.js';
import type { BatchJob, JobRunner, QueuePolicy } from '../jobs/runner.js';
import { type EmailAttachment, type EmailChannel, EmailSendError, messageIdFor } from './email.js';
import { type FhirEndpoint, FhirSendError, sendFhir } from './fhir/fhir-sender.js';
import { Hl7SendError, parseEndpoint, sendOverMllp } from './hl7/mllp-sender.js';
import { outboundMessages } from './schema.js';
import type { SendPolicy } from './send-policy.js';
import { type ChannelSend, sendSms } from './sms/dispatch.js';
import { LocalSmsGateway, type SmsProvider, SmsSendError } from './sms/provider.js';

// Issue 11: signed webhooks through the outbox (docs/adr/0029).
/** Sends a claimed webhook row; the integrations module signs and posts it. */
export interface WebhookChannel {
  send(row: typeof outboundMessages.$inferSelect, body: string): Promise<ChannelSend>;
}

/** A webhook attempt failed; `permanent` stops the retries (a disabled endpoint). */
export class WebhookSendError extends Error {
  constructor(
    message: string,
    readonly permanent: boolean,
  ) {
    super(message);
    this.name = 'WebhookSendError';
  }
}

/**
 * Issue 11: bounces and complaints. Which addresses email may not go to, and what a bounce
 * records (the integrations module's email events).
 */
export interface EmailEventsHook {
  suppression(tx: Db, address: string, purpose: string): Promise<string | null>;
  record(
    tx: Db,
    message: typeof outboundMessages.$inferSelect,
    kind: 'bounced' | 'complained',
    at: Date,
  ): Promise<void>;
}

/**
 * Issue 11: the portal channel (docs/adr/0046). Posts a claimed portal message into the
 * patient's portal thread, in `tx`, the transaction that marks the row delivered: a message is
 * posted exactly when it is marked, so a retry or a worker's SIGKILL never posts it twice. The
 * inbox module implements it (the care team's portal reply path, with its notice).
 */
export interface PortalChannel {
  post(
    tx: Db,
    message: {
      orgId: string;
      patientId: string;
      /** The outbox row: what the entry is linked to, and what turns `read`. */
      messageId: string;
      templateKey: string | null;
      text: string;
      at: Date;
    },
  ): Promise<{ entryId: string }>;
}

/** A portal message to write into the outbox: posted into the thread by the worker. */
export interface QueuedPortalMessage {
  orgId: string;
  patientId: string;
  purpose: MessagePurpose;
  /** The patient's portal account (users.id): the row's recipient. */
  accountId: string;
  text: string;
  /** Unique per organization: a second message with the same key is not queued. */
  idempotencyKey: string;
}

/** A webhook message to write into the outbox: the signed JSON body for one endpoint. */
export interface QueuedWebhook {
  orgId: string;
  /** The endpoint's id (the row's recipient). */
  endpointId: string;
  body: string;
  idempotencyKey: string;
}

/**
 * How long a worker holds a message it took. Longer than a send may take (SMTP timeouts total
 * 40 s), shorter than the job's expiry, so pg-boss's retry of a job whose worker died finds the
 * hold lapsed and takes the message.
 */
export const CLAIM_SECONDS = 45;

/**
 * How many claimed messages one batch sends at once (SMTP over a pool of connections, Twilio's
 * REST API): enough to hide each send's latency, few enough for a provider's rate limits.
 */
const DISPATCH_CONCURRENCY = 16;

/**
 * How many `outbox.send` jobs a worker takes at once (docs/adr/0034-batched-outbox-dispatch.md):
 * one fetch, one transaction of checks and claims, one mark. A SIGKILL mid-batch may send again
 * (same Message-ID, same idempotency key) what the batch had sent and not yet marked.
 */
export const OUTBOX_BATCH_SIZE = 50;

/** Runs `work` on every item, at most `limit` at a time. */
async function eachLimited<T>(
  items: T[],
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const item = items[next++];
      if (item !== undefined) await work(item);
    }
  });
  await Promise.all(lanes);
}

/** The outbox queue: the first attempt and four retries, 5 s, 10 s, 20 s, 40 s apart (about). */
export const OUTBOX_QUEUE_POLICY: QueuePolicy = {
  retryLimit: MESSAGE_MAX_ATTEMPTS - 1,
  retryDelay: MESSAGE_RETRY_DELAY_SECONDS,
  retryBackoff: true,
  retryDelayMax: 600,
  expireInSeconds: 60,
};

/** An email to write into the outbox, with what caused it. */
export interface QueuedEmail {
  orgId: string;
  patientId?: string | null;
  userId?: string | null;
  purpose: MessagePurpose;
  to: string;
  subject: string;
  text: string;
  html?: string | null;
  /** Unique per organization: a second message with the same key is not queued. */
  idempotencyKey: string;
  /** Past this instant the message is void: `expired`, never sent (docs/adr/0025). */
  validUntil?: Date | null;
  /** Issue 13: one file sent with it (a confirmation's .ics), stored encrypted with the row. */
  attachment?: EmailAttachment | null;
}

/**
 * Issue 13: an EHR's final answer to a message sent to it: accepted (HL7 AA; FHIR 200/201 with
 * the Appointment) or refused (HL7 AE; FHIR 4xx, or an Appointment answered cancelled).
 */
export interface EhrAnswer {
  orgId: string;
  messageId: string;
  idempotencyKey: string;
  /** The outbox channel it went on. */
  channel: 'hl7' | 'fhir';
  answer: /** `fillerId`: the EHR's id for the appointment (SCH-2 in the ACK; the FHIR resource id). */
    | { kind: 'accepted'; fillerId: string | null }
    /** `reason`: the EHR's MSA-3 or OperationOutcome text, which could name the patient: never logged. */
    | { kind: 'refused'; reason: string };
}
export type EhrAnswerListener = (tx: Db, answer: EhrAnswer) => Promise<void>;

/** A send as its channel reported it; an EHR's acceptance carries its filler id. */
type DispatchedSend = ChannelSend & { ehrFillerId?: string | null };

/** A sent message waiting to be marked, with what the mark needs of its row. */
interface SentMessage {
  row: typeof outboundMessages.$inferSelect;
  send: DispatchedSend;
}

/**
 * An HL7 v2 message to an EHR over MLLP (issues 11 and 13): system to system, so no consent,
 * quiet hours or caps; retried with backoff until the EHR acknowledges it (an AE ends it).
 */
export interface QueuedHl7 {
  orgId: string;
  /** The patient it is about, for the audit trail; nothing is sent to them. */
  patientId: string | null;
  /** `host:port` of the EHR's MLLP listener. */
  endpoint: string;
  text: string;
  idempotencyKey: string;
}

/**
 * Issue 13 (h13f): a request to an EHR's FHIR server (a booking request's Appointment): system
 * to system like HL7, retried with backoff until the EHR answers; a refusal ends it.
 */
export interface QueuedFhir {
  orgId: string;
  /** The patient it is about, for the audit trail; nothing is sent to them. */
  patientId: string | null;
  /** The EHR's FHIR base (EHR_FHIR_BASE). */
  base: string;
  request: FhirHttpRequest;
  idempotencyKey: string;
}

/** A text to write into the outbox (issue 11): like an email, without subject or HTML. */
export interface QueuedSms {
  orgId: string;
  patientId?: string | null;
  purpose: MessagePurpose;
  /** E.164 (core's `normalizePhone`); anything else is refused before it is queued. */
  to: string;
  text: string;
  /** Unique per organization: a second message with the same key is not queued. */
  idempotencyKey: string;
}

export type DeliveryOutcome =
  | 'sent'
  | 'delivered'
  | 'failed'
  | 'skipped'
  | 'expired'
  | 'deferred'
  | 'suppressed'
  // Issue 11: the SMTP server refused the recipient for good (5xx).
  | 'bounced';

/**
 * The outbox (docs/adr/0020). `queueEmail` writes a message and its job in the caller's
 * transaction; `deliver` (the worker) takes a queued message, sends it with its idempotency key,
 * and marks it. A message marked sent is never taken again, and a message held by a live worker
 * is left to it: a retry after a crash sends nothing twice that was marked.
 */
export class OutboxService {
  constructor(
    private readonly database: Database,
    private readonly cipher: FieldCipher,
    private readonly audit: AuditLog,
    private readonly jobs: JobRunner,
    readonly channel: EmailChannel,
    private readonly options: {
      from: string;
      /** Issue 11 (h11d): BOUNCE_ADDRESS; each email's return path names it (VERP). */
      bounceAddress?: string | null;
      clock: () => Date;
      /** Issue 11: the SMS provider; the built-in local gateway when none is given. */
      sms?: SmsProvider;
      /** Where providers report delivery (CARELOOP_PUBLIC_URL); none reported without it. */
      publicUrl?: string;
      /** Issue 11: the send-time checks (docs/adr/0024), for patient messages. */
      sendPolicy?: SendPolicy;
      /** How long an EHR has to acknowledge an HL7 message or answer a FHIR request (30 s). */
      hl7TimeoutMs?: number;
      /** Issue 11: signed webhooks (docs/adr/0029); set once the integrations module exists. */
      webhooks?: WebhookChannel;
      /** Issue 11: suppressed addresses and bounces (an SMTP 5xx is a hard bounce). */
      emailEvents?: EmailEventsHook;
      /** Issue 13 (h13f): the EHR's FHIR server; its token goes to that base only. */
      fhir?: FhirEndpoint | null;
      /** The first wait before an EHR gets a message it did not take again (EHR_RETRY_SECONDS, 60). */
      ehrRetrySeconds?: number;
    },
  ) {
    this.sms = options.sms ?? new LocalSmsGateway();
  }

  /** Issue 11: the SMS channel (docs/adr/0023). */
  readonly sms: SmsProvider;

  // Issue 13: the EHR's answers to booking requests (scheduling/ehr-mode.ts).
  private ehrAnswers: EhrAnswerListener | null = null;

  /**
   * Issue 13: told of an EHR's final answer to a message (HL7 or FHIR), in the transaction that
   * marks the row delivered or failed, so a booking request and its message agree.
   */
  onEhrAnswer(listener: EhrAnswerListener): void {
    this.ehrAnswers = listener;
  }

  // Issue 11: portal messages (docs/adr/0046); the inbox module, built after the outbox, posts them.
  private portal: PortalChannel | null = null;

  /** Sets who posts portal messages into the patient's thread (the inbox module). */
  usePortal(channel: PortalChannel): void {
    this.portal = channel;
  }

  /** Writes the email and its job in `tx`; returns its id, or null if its key was queued before. */
  async queueEmail(tx: Db, email: QueuedEmail): Promise<string | null> {
    const { orgId } = email;
    return this.enqueue(tx, orgId, (id) => ({
      patientId: email.patientId ?? null,
      userId: email.userId ?? null,
      channel: 'email',
      purpose: email.purpose,
      recipient: email.to,
      subjectEncrypted: this.cipher.encrypt(email.subject, outboundSubjectAad(id, orgId)),
      textEncrypted: this.cipher.encrypt(email.text, outboundTextAad(id, orgId)),
      htmlEncrypted: email.html
        ? this.cipher.encrypt(email.html, outboundHtmlAad(id, orgId))
        : null,
      attachmentEncrypted: email.attachment
        ? this.cipher.encrypt(JSON.stringify(email.attachment), outboundAttachmentAad(id, orgId))
        : null,
      idempotencyKey: email.idempotencyKey,
      validUntil: email.validUntil ?? null,
    }));
  }

  /**
   * Writes the text and its job in `tx`, under the same rules as `queueEmail`; returns its id,
   * or null if its key was queued before.
   */
  async queueSms(tx: Db, sms: QueuedSms): Promise<string | null> {
    if (!/^\+[1-9]\d{6,14}$/.test(sms.to)) throw new Error('queueSms: the number is not E.164');
    const { orgId } = sms;
    return this.enqueue(tx, orgId, (id) => ({
      patientId: sms.patientId ?? null,
      channel: 'sms',
      purpose: sms.purpose,
      recipient: sms.to,
      textEncrypted: this.cipher.encrypt(sms.text, outboundTextAad(id, orgId)),
      idempotencyKey: sms.idempotencyKey,
    }));
  }

  /**
   * Issue 11 (docs/adr/0046): writes a portal message and its job in `tx`, under the same rules
   * as `queueEmail`; the worker posts it into the patient's portal thread after the send-time
   * checks. Returns its id, or null if its key was queued before.
   */
  async queuePortal(tx: Db, message: QueuedPortalMessage): Promise<string | null> {
    const { orgId } = message;
    return this.enqueue(tx, orgId, (id) => ({
      patientId: message.patientId,
      channel: 'portal',
      purpose: message.purpose,
      recipient: message.accountId,
      textEncrypted: this.cipher.encrypt(message.text, outboundTextAad(id, orgId)),
      idempotencyKey: message.idempotencyKey,
    }));
  }

  // Issue 11 at scale: a send to many recipients (docs/adr/0034-batched-outbox-dispatch.md).
  /**
   * `queueSms` for many texts in `tx`: one INSERT for the rows and one for their jobs. Answers
   * per text, in order, its id or null when its key was queued before.
   */
  async queueSmsMany(tx: Db, texts: QueuedSms[]): Promise<(string | null)[]> {
    if (texts.length === 0) return [];
    const now = this.options.clock();
    const rows = texts.map((sms) => {
      if (!/^\+[1-9]\d{6,14}$/.test(sms.to)) throw new Error('queueSms: the number is not E.164');
      const id = randomUUID();
      return {
        id,
        orgId: sms.orgId,
        patientId: sms.patientId ?? null,
        channel: 'sms',
        purpose: sms.purpose,
        recipient: sms.to,
        textEncrypted: this.cipher.encrypt(sms.text, outboundTextAad(id, sms.orgId)),
        idempotencyKey: sms.idempotencyKey,
        createdAt: now,
      };
    });
    const inserted = await tx
      .insert(outboundMessages)
      .values(rows)
      .onConflictDoNothing({ target: [outboundMessages.orgId, outboundMessages.idempotencyKey] })
      .returning({ id: outboundMessages.id });
    const queued = new Set(inserted.map((r) => r.id));
    await this.jobs.sendMany(
      tx,
      'outbox.send',
      rows.filter((r) => queued.has(r.id)).map((r) => ({ orgId: r.orgId, messageId: r.id })),
    );
    return rows.map((r) => (queued.has(r.id) ? r.id : null));
  }

  /** Writes the HL7 message and its job in `tx`; null if its key was queued before. */
  async queueHl7(tx: Db, message: QueuedHl7): Promise<string | null> {
    if (!parseEndpoint(message.endpoint))
      throw new Error('queueHl7: the endpoint is not host:port');
    const { orgId } = message;
    return this.enqueue(tx, orgId, (id) => ({
      patientId: message.patientId,
      channel: 'hl7',
      purpose: 'operations',
      recipient: message.endpoint,
      textEncrypted: this.cipher.encrypt(message.text, outboundTextAad(id, orgId)),
      idempotencyKey: message.idempotencyKey,
    }));
  }

  /** Issue 13 (h13f): writes the FHIR request and its job in `tx`; null if its key was queued before. */
  async queueFhir(tx: Db, message: QueuedFhir): Promise<string | null> {
    const { orgId } = message;
    return this.enqueue(tx, orgId, (id) => ({
      patientId: message.patientId,
      channel: 'fhir',
      purpose: 'operations',
      recipient: message.base,
      // The Appointment names the patient: sealed to the row like every message's text.
      textEncrypted: this.cipher.encrypt(
        JSON.stringify(message.request),
        outboundTextAad(id, orgId),
      ),
      idempotencyKey: message.idempotencyKey,
    }));
  }

  // Issue 11: signed webhooks (docs/adr/0029).
  /**
   * Writes a webhook message and its job in `tx` (purpose `operations`, no patient: the send-time
   * checks are for messages to patients); returns its id, or null if its key was queued before.
   */
  async queueWebhook(tx: Db, webhook: QueuedWebhook): Promise<string | null> {
    const { orgId } = webhook;
    return this.enqueue(tx, orgId, (id) => ({
      channel: 'webhook',
      purpose: 'operations',
      recipient: webhook.endpointId,
      textEncrypted: this.cipher.encrypt(webhook.body, outboundTextAad(id, orgId)),
      idempotencyKey: webhook.idempotencyKey,
    }));
  }

  /**
   * Writes one message row and its send job in `tx`. `fields` builds the row for its new id (the
   * sealed text is bound to it); the answer is that id, or null when the organization queued the
   * same idempotency key before, and then nothing is written.
   */
  private async enqueue(
    tx: Db,
    orgId: string,
    fields: (
      id: string,
    ) => Omit<typeof outboundMessages.$inferInsert, 'id' | 'orgId' | 'createdAt'>,
  ): Promise<string | null> {
    const id = randomUUID();
    const [row] = await tx
      .insert(outboundMessages)
      .values({ ...fields(id), id, orgId, createdAt: this.options.clock() })
      .onConflictDoNothing({ target: [outboundMessages.orgId, outboundMessages.idempotencyKey] })
      .returning({ id: outboundMessages.id });
    if (!row) return null;
    await this.jobs.send(tx, 'outbox.send', { orgId, messageId: id });
    return id;
  }

  /** The webhook messages of an organization, newest first (the delivery log). */
  webhookMessages(
    tx: Db,
    options: { endpointId?: string; limit: number },
  ): Promise<(typeof outboundMessages.$inferSelect)[]> {
    return tx
      .select()
      .from(outboundMessages)
      .where(
        and(
          eq(outboundMessages.channel, 'webhook'),
          options.endpointId ? eq(outboundMessages.recipient, options.endpointId) : undefined,
        ),
      )
      .orderBy(desc(outboundMessages.createdAt), desc(outboundMessages.id))
      .limit(options.limit);
  }

  /** One webhook message with its body (to replay it). */
  async webhookMessage(
    tx: Db,
    id: string,
  ): Promise<{ row: typeof outboundMessages.$inferSelect; body: string } | null> {
    const [row] = await tx
      .select()
      .from(outboundMessages)
      .where(and(eq(outboundMessages.id, id), eq(outboundMessages.channel, 'webhook')));
    if (!row) return null;
    return {
      row,
      body: this.cipher.decrypt(row.textEncrypted, outboundTextAad(row.id, row.orgId)),
    };
  }

  /**
   * Withdraws the still-queued messages whose idempotency key starts with `keyPrefix` (a
   * journey enrolment's, when its appointment is cancelled or moved): they are never sent.
   * Returns how many were withdrawn.
   */
  async withdraw(tx: Db, keyPrefix: string): Promise<number> {
    const escaped = keyPrefix.replace(/[\\%_]/g, (c) => `\\${c}`);
    const rows = await tx
      .update(outboundMessages)
      .set({ status: 'withdrawn', claimedUntil: null })
      .where(
        and(
          eq(outboundMessages.status, 'queued'),
          sql`${outboundMessages.idempotencyKey} like ${`${escaped}%`}`,
        ),
      )
      .returning({ id: outboundMessages.id });
    return rows.length;
  }

  // Issue 11, the shared inbox: what a quick reply said, to show beside the patient's message.
  /** A queued or sent message's text, opened; null when the organization has no such message. */
  async textOf(tx: Db, orgId: string, messageId: string): Promise<string | null> {
    const [row] = await tx
      .select({ textEncrypted: outboundMessages.textEncrypted })
      .from(outboundMessages)
      .where(and(eq(outboundMessages.orgId, orgId), eq(outboundMessages.id, messageId)));
    return row ? this.cipher.decrypt(row.textEncrypted, outboundTextAad(messageId, orgId)) : null;
  }

  /** The worker's handler for `outbox.send`. Throws to have pg-boss retry with backoff. */
  async deliver(payload: JobPayload<'outbox.send'>): Promise<DeliveryOutcome> {
    const [outcome] = await this.deliverBatch([payload]);
    if (outcome === undefined) throw new Error('outbox: no outcome');
    if (outcome instanceof Error) throw outcome;
    return outcome;
  }

  /**
   * `deliver` for many jobs at once (docs/adr/0034-batched-outbox-dispatch.md): per
   * organization, one transaction runs the send-time checks of every message and claims the
   * admitted ones (`FOR UPDATE SKIP LOCKED`), the claimed ones are sent, a few at a time, and
   * one statement marks those sent. Answers per payload, in order: the outcome, or the error
   * to retry its job with. A message twice in one batch is sent once (the second is skipped).
   */
  async deliverBatch(payloads: JobPayload<'outbox.send'>[]): Promise<(DeliveryOutcome | Error)[]> {
    const byOrg = new Map<string, string[]>();
    for (const { orgId, messageId } of payloads) {
      const ids = byOrg.get(orgId) ?? [];
      if (!ids.includes(messageId)) ids.push(messageId);
      byOrg.set(orgId, ids);
    }
    const outcomes = new Map<string, DeliveryOutcome | Error>();
    for (const [orgId, ids] of byOrg) {
      try {
        for (const [id, outcome] of await this.deliverForOrg(orgId, ids)) outcomes.set(id, outcome);
      } catch (error) {
        const failed = error instanceof Error ? error : new Error(String(error));
        for (const id of ids) outcomes.set(`${orgId}/${id}`, failed);
      }
    }
    const seen = new Set<string>();
    return payloads.map(({ orgId, messageId }) => {
      const key = `${orgId}/${messageId}`;
      if (seen.has(key)) return 'skipped';
      seen.add(key);
      return outcomes.get(key) ?? new Error('outbox: no outcome');
    });
  }

  /** `deliverBatch` for one organization's messages; answers keyed `orgId/messageId`. */
  private async deliverForOrg(
    orgId: string,
    messageIds: string[],
  ): Promise<Map<string, DeliveryOutcome | Error>> {
    const now = this.options.clock();
    const outcomes = new Map<string, DeliveryOutcome | Error>();
    const answer = (id: string, outcome: DeliveryOutcome | Error) =>
      outcomes.set(`${orgId}/${id}`, outcome);
    const emailEvents = this.options.emailEvents;
    const ready = await this.database.withTenant(orgId, async (tx) => {
      // Issue 11: consent, quiet hours and frequency caps, at every attempt (docs/adr/0024).
      const admissions = this.options.sendPolicy
        ? await this.options.sendPolicy.admitMany(tx, orgId, messageIds, now)
        : new Map<string, null>();
      const toClaim: string[] = [];
      for (const id of messageIds) {
        const admission = admissions.get(id);
        if (admission) answer(id, admission);
        else toClaim.push(id);
      }
      const claimed = await this.claim(tx, toClaim, now);
      const claimedIds = new Set(claimed.map((row) => row.id));
      const unclaimed = toClaim.filter((id) => !claimedIds.has(id));
      if (unclaimed.length > 0) {
        const current = await tx
          .select({ id: outboundMessages.id, status: outboundMessages.status })
          .from(outboundMessages)
          .where(inArray(outboundMessages.id, unclaimed));
        const queued = new Set(current.filter((c) => c.status === 'queued').map((c) => c.id));
        for (const id of unclaimed) {
          // Queued but held by another worker: try again once its hold lapses. Else gone, or
          // already sent, delivered, failed or bounced: nothing to do, ever.
          answer(
            id,
            queued.has(id) ? new Error('the message is held by another worker') : 'skipped',
          );
        }
      }
      // Late is wrong (docs/adr/0025): past its window a message is recorded as expired, not sent.
      const expired = claimed.filter(
        (row) => row.validUntil && row.validUntil.getTime() <= now.getTime(),
      );
      if (expired.length > 0) {
        await tx
          .update(outboundMessages)
          .set({ status: 'expired', claimedUntil: null })
          .where(
            inArray(
              outboundMessages.id,
              expired.map((row) => row.id),
            ),
          );
        for (const row of expired) answer(row.id, 'expired');
      }
      const sendable: (typeof outboundMessages.$inferSelect)[] = [];
      for (const row of claimed) {
        if (outcomes.has(`${orgId}/${row.id}`)) continue;
        // Issue 11: an address that hard-bounced gets no email, one that complained no marketing.
        if (row.channel === 'email' && emailEvents) {
          const reason = await emailEvents.suppression(tx, row.recipient, row.purpose);
          if (reason) {
            await tx
              .update(outboundMessages)
              .set({ status: 'suppressed', suppressionReason: reason, claimedUntil: null })
              .where(eq(outboundMessages.id, row.id));
            answer(row.id, 'suppressed');
            continue;
          }
        }
        // Issue 11 (docs/adr/0046): a portal message is posted here, in the transaction that
        // claimed it and marks it delivered, never sent over a wire.
        if (row.channel === 'portal') {
          answer(row.id, await this.postToPortal(tx, row, now));
          continue;
        }
        sendable.push(row);
      }
      return sendable;
    });

    // Sent messages are marked as they come back, a group at a time (while one group's UPDATE
    // runs, the next gathers): what a SIGKILL can catch sent and not yet marked, to go again
    // under the same key, is the sends in flight and one group, not the whole batch.
    let pending: SentMessage[] = [];
    let marking: Promise<void> | null = null;
    const markPending = async () => {
      while (pending.length > 0) {
        const group = pending;
        pending = [];
        try {
          const unmarked = await this.markSent(orgId, group);
          for (const { row, send } of group) answer(row.id, unmarked.get(row.id) ?? send.status);
        } catch (error) {
          const failed = error instanceof Error ? error : new Error(String(error));
          for (const { row } of group) answer(row.id, failed);
        }
      }
    };
    await eachLimited(ready, DISPATCH_CONCURRENCY, async (row) => {
      try {
        // Sent first, then pushed: \`pending\` is replaced while a group is being marked.
        const send = await this.dispatch(row);
        pending.push({ row, send });
        marking ??= markPending().finally(() => {
          marking = null;
        });
      } catch (error) {
        try {
          answer(row.id, await this.afterSendError({ orgId, messageId: row.id }, row, error, now));
        } catch (retry) {
          answer(row.id, retry instanceof Error ? retry : new Error(String(retry)));
        }
      }
    });
    await marking;
    await markPending();
    return outcomes;
  }

  /**
   * Posts a claimed portal message into the patient's thread and marks it delivered, in `tx`
   * (one savepoint: a failed post leaves the rest of the batch's claims standing). A failure
   * releases the claim and retries the job until the attempts run out; then it is `failed`.
   */
  private async postToPortal(
    tx: Db,
    row: typeof outboundMessages.$inferSelect,
    now: Date,
  ): Promise<DeliveryOutcome | Error> {
    const portal = this.portal;
    try {
      if (!portal) throw new Error('no portal channel');
      if (!row.patientId) throw new Error('a portal message without a patient');
      const patientId = row.patientId;
      await tx.transaction(async (savepoint) => {
        const { entryId } = await portal.post(savepoint, {
          orgId: row.orgId,
          patientId,
          messageId: row.id,
          templateKey: row.templateKey,
          text: this.cipher.decrypt(row.textEncrypted, outboundTextAad(row.id, row.orgId)),
          at: now,
        });
        await savepoint
          .update(outboundMessages)
          .set({
            status: 'delivered',
            provider: 'portal',
            providerMessageId: entryId,
            sentAt: now,
            claimedUntil: null,
            lastError: null,
          })
          .where(eq(outboundMessages.id, row.id));
      });
      return 'delivered';
    } catch (error) {
      const outcome = afterFailedAttempt(row.attempts);
      await tx
        .update(outboundMessages)
        .set({
          claimedUntil: null,
          // A code, never the text (which may carry PHI).
          lastError: error instanceof Error ? `portal: ${error.name}` : 'portal: failed',
          ...(outcome === 'failed' ? { status: 'failed' } : {}),
        })
        .where(eq(outboundMessages.id, row.id));
      return outcome === 'failed'
        ? 'failed'
        : error instanceof Error
          ? error
          : new Error(String(error));
    }
  }

  /**
   * Marks sent messages with what their channel reported, in one statement, and in the same
   * transaction tells the EHR-answer listener of each EHR message's acceptance (issue 13), so a
   * booking request and its message agree. One listener that fails (in its own savepoint) leaves
   * its message unmarked, to be sent again under its key, and the rest of the group marked:
   * answers the errors of those left unmarked.
   */
  private async markSent(orgId: string, sent: SentMessage[]): Promise<Map<string, Error>> {
    const sentAt = this.options.clock();
    const unmarked = new Map<string, Error>();
    await this.database.withTenant(orgId, async (tx) => {
      const listener = this.ehrAnswers;
      if (listener) {
        for (const { row, send } of sent) {
          if (row.channel !== 'hl7' && row.channel !== 'fhir') continue;
          const channel = row.channel;
          try {
            await tx.transaction((savepoint) =>
              listener(savepoint, {
                orgId: row.orgId,
                messageId: row.id,
                idempotencyKey: row.idempotencyKey,
                channel,
                answer: { kind: 'accepted', fillerId: send.ehrFillerId ?? null },
              }),
            );
          } catch (error) {
            unmarked.set(row.id, error instanceof Error ? error : new Error(String(error)));
          }
        }
      }
      const values = sent
        .filter(({ row }) => !unmarked.has(row.id))
        .map(
          ({ row, send }) =>
            sql`(${row.id}::uuid, ${send.status}::text, ${send.provider}::text, ${send.providerMessageId}::text)`,
        );
      if (values.length === 0) return;
      await tx.execute(sql`
        update ${outboundMessages} as m
        set status = v.status, provider = v.provider, provider_message_id = v.provider_message_id,
            sent_at = ${sentAt.toISOString()}::timestamptz, claimed_until = null, last_error = null
        from (values ${sql.join(values, sql`, `)}) as v(id, status, provider, provider_message_id)
        where m.id = v.id`);
    });
    return unmarked;
  }

  /**
   * Takes the queued messages of `ids` that no live worker holds, for `CLAIM_SECONDS`; a row
   * another transaction has locked is skipped (its job retries), never waited for.
   */
  private async claim(
    tx: Db,
    ids: string[],
    now: Date,
  ): Promise<(typeof outboundMessages.$inferSelect)[]> {
    if (ids.length === 0) return [];
    const free = tx
      .select({ id: outboundMessages.id })
      .from(outboundMessages)
      .where(
        and(
          inArray(outboundMessages.id, ids),
          eq(outboundMessages.status, 'queued'),
          or(
            sql`${outboundMessages.claimedUntil} is null`,
            sql`${outboundMessages.claimedUntil} <= ${now.toISOString()}::timestamptz`,
          ),
        ),
      )
      .for('update', { skipLocked: true });
    return tx
      .update(outboundMessages)
      .set({
        attempts: sql`${outboundMessages.attempts} + 1`,
        claimedUntil: new Date(now.getTime() + CLAIM_SECONDS * 1000),
      })
      .where(inArray(outboundMessages.id, free))
      .returning();
  }

  /**
   * What a failed send leaves: a transient failure retries (the error is rethrown for the job's
   * backoff) until the attempts run out; a permanent one fails the message; an SMTP 5xx is a
   * bounce; an EHR is retried later for as long as it takes.
   */
  private async afterSendError(
    payload: JobPayload<'outbox.send'>,
    claimed: typeof outboundMessages.$inferSelect,
    error: unknown,
    now: Date,
  ): Promise<DeliveryOutcome> {
    const { orgId, messageId } = payload;
    if ((error instanceof Hl7SendError || error instanceof FhirSendError) && !error.permanent) {
      return this.retryEhrLater(payload, claimed.attempts, error, now);
    }
    const emailEvents = this.options.emailEvents;
    // Issue 11: a 5xx to an email is a hard bounce: recorded, and the address suppressed.
    if (error instanceof EmailSendError && error.permanent && emailEvents) {
      await this.database.withTenant(orgId, async (tx) => {
        await tx
          .update(outboundMessages)
          .set({ lastError: error.message })
          .where(eq(outboundMessages.id, messageId));
        await emailEvents.record(tx, claimed, 'bounced', this.options.clock());
      });
      return 'bounced';
    }
    if (
      !(
        error instanceof EmailSendError ||
        error instanceof SmsSendError ||
        error instanceof Hl7SendError ||
        error instanceof FhirSendError ||
        error instanceof WebhookSendError
      )
    ) {
      throw error;
    }
    const outcome = error.permanent ? 'failed' : afterFailedAttempt(claimed.attempts);
    await this.database.withTenant(orgId, async (tx) => {
      await tx
        .update(outboundMessages)
        .set({
          claimedUntil: null,
          lastError:
            error instanceof Hl7SendError || error instanceof FhirSendError
              ? (error.reason ?? error.message)
              : error.message,
          ...(outcome === 'failed' ? { status: 'failed' } : {}),
        })
        .where(eq(outboundMessages.id, messageId));
      // Issue 13: an EHR's AE ends its booking request, in the transaction that fails the row.
      if (
        outcome === 'failed' &&
        (error instanceof Hl7SendError || error instanceof FhirSendError) &&
        this.ehrAnswers
      ) {
        await this.ehrAnswers(tx, {
          orgId,
          messageId,
          idempotencyKey: claimed.idempotencyKey,
          channel: error instanceof Hl7SendError ? 'hl7' : 'fhir',
          answer: { kind: 'refused', reason: error.reason ?? error.code },
        });
      }
    });
    if (outcome === 'failed') return 'failed';
    throw error;
  }

  /**
   * An EHR that did not take a message now (down, AR, a FHIR 5xx, no reply) gets it again later, for as
   * long as it takes: a confirmation the EHR never hears of is a patient called for nothing.
   * The wait doubles from a minute (EHR_RETRY_SECONDS) to an hour; the message stays queued, its
   * next job waits.
   */
  private async retryEhrLater(
    payload: JobPayload<'outbox.send'>,
    attempts: number,
    error: Hl7SendError | FhirSendError,
    now: Date,
  ): Promise<DeliveryOutcome> {
    const first = this.options.ehrRetrySeconds ?? 60;
    const waitSeconds = Math.min(3600, first * 2 ** Math.min(6, Math.max(0, attempts - 1)));
    await this.database.withTenant(payload.orgId, async (tx) => {
      await tx
        .update(outboundMessages)
        .set({ claimedUntil: null, lastError: error.reason ?? error.message })
        .where(eq(outboundMessages.id, payload.messageId));
      await this.jobs.send(tx, 'outbox.send', payload, {
        startAfter: new Date(now.getTime() + waitSeconds * 1000),
      });
    });
    return 'deferred';
  }

  /** Sends a claimed message on its channel (the channel registry: email, sms, hl7). */
  private async dispatch(row: typeof outboundMessages.$inferSelect): Promise<DispatchedSend> {
    const { id, orgId } = row;
    const text = this.cipher.decrypt(row.textEncrypted, outboundTextAad(id, orgId));
    switch (row.channel) {
      case 'email': {
        const providerMessageId = await this.channel.send({
          from: this.options.from,
          to: row.recipient,
          subject: row.subjectEncrypted
            ? this.cipher.decrypt(row.subjectEncrypted, outboundSubjectAad(id, orgId))
            : '',
          text,
          html: row.htmlEncrypted
            ? this.cipher.decrypt(row.htmlEncrypted, outboundHtmlAad(id, orgId))
            : null,
          messageId: messageIdFor(orgId, row.idempotencyKey, this.options.from),
          ...(this.options.bounceAddress
            ? { returnPath: returnPathFor(this.options.bounceAddress, id) }
            : {}),
          attachments: row.attachmentEncrypted
            ? [
                attachmentOf(
                  this.cipher.decrypt(row.attachmentEncrypted, outboundAttachmentAad(id, orgId)),
                ),
              ]
            : [],
        });
        const status = this.channel.provider === 'smtp' ? 'sent' : 'delivered';
        return { status, provider: this.channel.provider, providerMessageId };
      }
      case 'sms':
        return sendSms(this.sms, row, text, this.options.publicUrl ?? null);
      case 'hl7': {
        const endpoint = parseEndpoint(row.recipient);
        if (!endpoint) throw new Hl7SendError('bad endpoint', true);
        const ack = await sendOverMllp(endpoint, text, {
          timeoutMs: this.options.hl7TimeoutMs ?? 30_000,
        });
        // The message's control id (MSH-10): what the EHR's own log shows for it.
        const controlId = text.split('\r', 1)[0]?.split('|')[9] ?? '';
        return {
          status: 'delivered',
          provider: 'mllp',
          providerMessageId: controlId,
          ehrFillerId: ack.fillerId,
        };
      }
      // Issue 13 (h13f): a booking request to the EHR's FHIR server.
      case 'fhir': {
        let request: FhirHttpRequest;
        try {
          request = fhirRequestOf(text);
        } catch {
          throw new FhirSendError('unreadable request', true);
        }
        const configured = this.options.fhir;
        // The token goes to the base it was given for, never to another a row names.
        const token = configured && configured.base === row.recipient ? configured.token : null;
        const answer = await sendFhir({ base: row.recipient, token }, request, {
          timeoutMs: this.options.hl7TimeoutMs ?? 30_000,
        });
        return {
          status: 'delivered',
          provider: 'fhir',
          providerMessageId: answer.fillerId ?? `HTTP ${answer.status}`,
          ehrFillerId: answer.fillerId,
        };
      }
      // Issue 11: signed webhooks (docs/adr/0029).
      case 'webhook':
        if (!this.options.webhooks) throw new WebhookSendError('no webhook channel', false);
        return this.options.webhooks.send(row, text);
      default:
        throw new Error(`outbox: no channel ${row.channel}`);
    }
  }

  /**
   * The local mailbox, newest first: what was "sent" while no SMTP server was configured.
   * Admins only (the route's policy); each message about a patient is an audited read.
   */
  async listMailbox(ctx: RequestContext, query: MailboxQuery): Promise<MailboxPage> {
    const orgId = ctx.actor.orgId;
    const limit = query.limit ?? 25;
    const cursor = query.cursor ? mailboxCursor(query.cursor) : null;
    const rows = await this.database.withTenant(orgId, (tx) =>
      tx
        .select()
        .from(outboundMessages)
        .where(
          and(
            eq(outboundMessages.provider, 'local-mailbox'),
            query.to
              ? sql`lower(${outboundMessages.recipient}) = lower(${query.to.trim()})`
              : undefined,
            cursor
              ? or(
                  lt(outboundMessages.createdAt, new Date(cursor.createdAt)),
                  and(
                    eq(outboundMessages.createdAt, new Date(cursor.createdAt)),
                    lt(outboundMessages.id, cursor.id),
                  ),
                )
              : undefined,
          ),
        )
        .orderBy(desc(outboundMessages.createdAt), desc(outboundMessages.id))
        .limit(limit + 1),
    );
    const page = rows.slice(0, limit);
    await Promise.all(
      page.map((row) =>
        this.audit.read(ctx.audit, {
          action: 'read',
          recordType: 'outbound-message',
          recordId: row.id,
          patientId: row.patientId,
        }),
      ),
    );
    const last = page.at(-1);
    return {
      items: page.map((row) => this.toMailboxMessage(row)),
      nextCursor:
        rows.length > limit && last ? encodeCursor([last.createdAt.toISOString(), last.id]) : null,
    };
  }

  private toMailboxMessage(row: typeof outboundMessages.$inferSelect): MailboxMessage {
    const { id, orgId } = row;
    return {
      id,
      to: row.recipient,
      subject: row.subjectEncrypted
        ? openForView(this.cipher, row.subjectEncrypted, outboundSubjectAad(id, orgId))
        : '',
      text: openForView(this.cipher, row.textEncrypted, outboundTextAad(id, orgId)),
      html: row.htmlEncrypted
        ? openForView(this.cipher, row.htmlEncrypted, outboundHtmlAad(id, orgId))
        : null,
      purpose: row.purpose as MessagePurpose,
      status: row.status,
      patientId: row.patientId,
      userId: row.userId,
      messageId: row.providerMessageId,
      createdAt: row.createdAt.toISOString(),
      sentAt: row.sentAt ? row.sentAt.toISOString() : null,
    };
  }
}

/** A mailbox cursor, validated like any input: an instant and a uuid, else 400 on `cursor`. */
function mailboxCursor(cursor: string): { createdAt: string; id: string } {
  const [createdAt = '', id = ''] = decodeKeysetCursor(cursor, ['instant', 'uuid']);
  return { createdAt, id };
}

/** A stored attachment, read back and checked like any input before it is sent. */
function attachmentOf(json: string): EmailAttachment {
  const value: unknown = JSON.parse(json);
  if (
    typeof value === 'object' &&
    value !== null &&
    'filename' in value &&
    typeof value.filename === 'string' &&
    'contentType' in value &&
    typeof value.contentType === 'string' &&
    'content' in value &&
    typeof value.content === 'string'
  ) {
    return { filename: value.filename, contentType: value.contentType, content: value.content };
  }
  throw new Error('outbox: a stored attachment is malformed');
}

/** What a channel reports after a send (email, sms, hl7, webhook). */
export type { ChannelSend } from './sms/dispatch.js';

/**
 * Marks an email bounced or complained of, as the provider reported it (issue 11): the outbox
 * owns its rows; the integrations module records the suppression and the timeline entry.
 */
export async function markEmailOutcome(
  tx: Db,
  messageId: string,
  status: 'bounced' | 'complained',
): Promise<void> {
  await tx
    .update(outboundMessages)
    .set({ status, claimedUntil: null })
    .where(eq(outboundMessages.id, messageId));
}

/**
 * Issue 11 (docs/adr/0046): the portal messages of `messageIds` the patient has now opened: a
 * `delivered` portal message becomes `read` (in `tx`, the read's). Other channels' rows (a
 * staff reply's notice by text or email) are left as they are.
 */
export async function markPortalRead(tx: Db, messageIds: readonly string[]): Promise<number> {
  if (messageIds.length === 0) return 0;
  const rows = await tx
    .update(outboundMessages)
    .set({ status: 'read' })
    .where(
      and(
        inArray(outboundMessages.id, [...messageIds]),
        eq(outboundMessages.channel, 'portal'),
        eq(outboundMessages.status, 'delivered'),
      ),
    )
    .returning({ id: outboundMessages.id });
  return rows.length;
}

/** The outbox worker's batch handler: each job done, or the error its retry carries. */
export async function deliverJobs(
  outbox: OutboxService,
  jobs: BatchJob<'outbox.send'>[],
): Promise<Map<string, Error | null>> {
  const outcomes = await outbox.deliverBatch(jobs.map((job) => job.payload));
  return new Map(
    jobs.map((job, i) => {
      const outcome = outcomes[i];
      return [job.id, outcome instanceof Error ? outcome : null];
    }),
  );
}

/**
 * A soft bounce (RFC 3464 `4.x.x`, or delayed) of an email, in `tx`: recorded on the message as
 * its last error with the status code; the status stays, the address is not suppressed.
 */
export async function markEmailSoftBounce(
  tx: Db,
  messageId: string,
  status: string,
): Promise<void> {
  await tx
    .update(outboundMessages)
    .set({ lastError: `soft bounce ${status}` })
    .where(eq(outboundMessages.id, messageId));
}
