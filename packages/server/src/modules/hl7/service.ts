import type {
  Hl7MessageDetail,
  Hl7MessageListQuery,
  Hl7MessageSummary,
  Hl7Status,
} from '@careloop/core';
import { badRequest, conflict, decodeCursor, encodeCursor, notFound } from '@careloop/core';
import { and, desc, eq, lt } from 'drizzle-orm';
import pino from 'pino';
import { hl7RawAad } from '../../crypto/encrypted-fields.js';
import { DecryptionError, type FieldCipher, openForView } from '../../crypto/field-cipher.js';
import type { Database } from '../../db/client.js';
import { isDatabaseUnavailable, sqlState } from '../../db/errors.js';
import type { RequestContext } from '../../http/actor.js';
import { loggerOptions } from '../../logger.js';
import type { AuditActor, AuditLog } from '../audit/service.js';
import type { ReferralEventSink } from '../clinical/service.js';
import type { DomainEventSink } from '../integrations/webhooks/events.js';
import type { AppointmentEventSink } from '../scheduling/service.js';
import { IngestLane, type ListMergeFollower } from './ingest.js';
import { patientsNamedIn } from './log/message-view.js';
import type { Hl7Channel, IngestJob, IngestOutcome } from './log/outcome.js';
import { NoReply } from './mllp/listener.js';
import { buildAck, buildBatchAck } from './parse/ack.js';
import {
  bestEffortControlId,
  decodePayload,
  type MessageHeader,
  readMessage,
  splitMessages,
} from './parse/message.js';
import { hl7Messages } from './schema.js';

export interface ReceivedMessage extends IngestOutcome {
  /** The ACK message sent (or that would be sent) for this message. */
  ack: string;
}

export interface Receipt {
  /** The reply to the whole payload: one ACK, or a batch of them. */
  reply: string;
  messages: ReceivedMessage[];
}

export interface ReceiveOptions {
  channel: Hl7Channel;
  /** `address:port` of the sender, for the audit log. */
  peer?: string | null;
  /** Who to audit as; by default the interface itself. */
  actor?: AuditActor;
  /** When it was received (the caller's clock; now by default): birth dates after it are refused. */
  receivedAt?: Date;
}

type Row = typeof hl7Messages.$inferSelect;

function toSummary(row: Row): Hl7MessageSummary {
  return {
    id: row.id,
    receivedAt: row.receivedAt.toISOString(),
    processedAt: row.processedAt?.toISOString() ?? null,
    status: row.status as Hl7Status,
    ackCode: row.ackCode,
    controlId: row.controlId,
    messageType: row.messageType,
    triggerEvent: row.triggerEvent,
    version: row.version,
    sendingApplication: row.sendingApplication,
    sendingFacility: row.sendingFacility,
    channel: row.channel,
    sizeBytes: row.sizeBytes,
    error: row.error,
    errorLocation: row.errorLocation,
    processingMs: row.processingMs,
    replayable: row.replayable,
    attempts: row.attempts,
    patientId: row.patientId,
    restricted: false,
  };
}

function interfaceActor(
  orgId: string,
  header: MessageHeader | null,
  peer: string | null,
): AuditActor {
  const sender = header
    ? `${header.sendingApplication || '?'}@${header.sendingFacility || '?'}`
    : 'unknown sender';
  return {
    orgId,
    userId: null,
    email: null,
    role: 'hl7-interface',
    ip: peer ? peer.replace(/:\d+$/, '') : null,
    userAgent: `HL7 v2 ${sender}`.slice(0, 500),
  };
}

/**
 * HL7 v2 inbound: every message is stored (encrypted) with what became of it, mapped into
 * Careloop's records when it is a type Careloop takes, and acknowledged after its effects
 * commit. The MLLP listener, the file import and replays from the console all come here.
 */
export class Hl7Service {
  private readonly lanes = new Map<string, IngestLane>();

  private readonly onError: (what: string, error: unknown) => void;
  private readonly appointmentEvents: AppointmentEventSink | undefined;
  private readonly domainEvents: DomainEventSink | undefined;
  private readonly referralEvents: ReferralEventSink | undefined;
  private readonly lists: ListMergeFollower | undefined;

  constructor(
    private readonly database: Database,
    private readonly audit: AuditLog,
    private readonly cipher: FieldCipher,
    options: {
      logLevel?: string;
      onError?: (what: string, error: unknown) => void;
      /** Where SIU messages' appointments are announced to journeys (`appointment.changed`). */
      appointmentEvents?: AppointmentEventSink;
      /** Where merges (A40) and discharges (A03) are told to subscribed webhooks. */
      domainEvents?: DomainEventSink;
      /** Issue 11 (h11w): where REF^I12 referrals that are news are announced to journeys. */
      referralEvents?: ReferralEventSink;
      /** Issue 11 (h11l): a merge's (A40) list memberships follow the person. */
      lists?: ListMergeFollower;
    } = {},
  ) {
    this.appointmentEvents = options.appointmentEvents;
    this.domainEvents = options.domainEvents;
    this.referralEvents = options.referralEvents;
    this.lists = options.lists;
    const log = pino(loggerOptions(options.logLevel ?? 'info'));
    // The kind of failure and its SQLSTATE, never its text: a database error can quote a value
    // from the message (a key that already exists), and message values are PHI.
    this.onError =
      options.onError ??
      ((what, error) =>
        log.error(
          { kind: error instanceof Error ? error.name : typeof error, sqlState: sqlState(error) },
          what,
        ));
  }

  private lane(orgId: string): IngestLane {
    let lane = this.lanes.get(orgId);
    if (!lane) {
      lane = new IngestLane(
        {
          database: this.database,
          cipher: this.cipher,
          onError: this.onError,
          ...(this.appointmentEvents ? { appointmentEvents: this.appointmentEvents } : {}),
          ...(this.domainEvents ? { domainEvents: this.domainEvents } : {}),
          ...(this.referralEvents ? { referralEvents: this.referralEvents } : {}),
          ...(this.lists ? { lists: this.lists } : {}),
        },
        orgId,
      );
      this.lanes.set(orgId, lane);
    }
    return lane;
  }

  /**
   * Receives one payload (an MLLP frame or a file): one message or a batch. Throws only when
   * the database cannot be reached (`isDatabaseUnavailable`): no reply may then be given.
   */
  async receive(
    orgId: string,
    payload: Buffer | string,
    options: ReceiveOptions,
  ): Promise<Receipt> {
    const receivedAt = options.receivedAt ?? new Date();
    const split = splitMessages(decodePayload(payload));
    const lane = this.lane(orgId);
    const jobs: IngestJob[] = split.messages.map((text) => {
      const read = readMessage(text);
      const header = read.ok ? read.message.header : read.header;
      return {
        text,
        read,
        channel: options.channel,
        receivedAt,
        actor: options.actor ?? interfaceActor(orgId, header, options.peer ?? null),
        replayOf: null,
      };
    });
    const outcomes = await Promise.all(jobs.map((job) => lane.submit(job)));
    const messages = outcomes.map((outcome, i) => {
      const job = jobs[i];
      if (!job) throw new Error('an outcome without its message');
      const header = job.read.ok ? job.read.message.header : job.read.header;
      return { ...outcome, ack: ackFor(outcome, header, job.text) };
    });
    const reply = split.batch
      ? buildBatchAck(messages.map((m) => m.ack))
      : (messages[0]?.ack ?? buildAck({ header: null, code: 'AR' }));
    return { reply, messages };
  }

  /** The MLLP listener's handler for one organization: a frame in, the reply out. */
  mllpHandler(orgId: string): (payload: Buffer, peer: string) => Promise<string> {
    return async (payload, peer) => {
      try {
        return (await this.receive(orgId, payload, { channel: 'mllp', peer })).reply;
      } catch (error) {
        // Never an ACK, not even an AR, for what may not have committed: the sender resends.
        if (isDatabaseUnavailable(error)) throw new NoReply('the database is unavailable', error);
        throw error;
      }
    };
  }

  /** Waits until every queued message has been processed (for shutdown). */
  async drain(): Promise<void> {
    await Promise.all([...this.lanes.values()].map((lane) => lane.idle()));
  }

  async list(
    ctx: RequestContext,
    query: Hl7MessageListQuery,
  ): Promise<{ items: Hl7MessageSummary[]; nextCursor: string | null }> {
    const limit = query.limit ?? 25;
    let beforeSeq: number | undefined;
    if (query.cursor !== undefined) {
      const [seq] = decodeCursor(query.cursor, 1);
      if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 1) {
        throw badRequest('The cursor is not valid', '/query/cursor');
      }
      beforeSeq = seq;
    }
    const [type, event] = (query.type ?? '').toUpperCase().split('^');
    const rows = await this.database.withTenant(ctx.actor.orgId, (tx) =>
      tx
        .select()
        .from(hl7Messages)
        .where(
          and(
            query.status ? eq(hl7Messages.status, query.status) : undefined,
            type ? eq(hl7Messages.messageType, type) : undefined,
            event ? eq(hl7Messages.triggerEvent, event) : undefined,
            beforeSeq !== undefined ? lt(hl7Messages.seq, beforeSeq) : undefined,
          ),
        )
        .orderBy(desc(hl7Messages.seq))
        .limit(limit + 1),
    );
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    // The list shows whose messages came in and what became of them: audited like a search.
    await this.audit.read(ctx.audit, {
      action: 'search',
      recordType: 'hl7-message',
      reason: `${page.length} messages listed`,
    });
    return {
      items: page.map(toSummary),
      nextCursor: rows.length > limit && last ? encodeCursor([last.seq]) : null,
    };
  }

  private async row(orgId: string, id: string): Promise<Row> {
    const [row] = await this.database.withTenant(orgId, (tx) =>
      tx.select().from(hl7Messages).where(eq(hl7Messages.id, id)),
    );
    if (!row) throw notFound('HL7 message');
    return row;
  }

  /**
   * One message with its text, for the console. Reading it is audited: it is full of PHI. The
   * read goes into the history of every patient the message names (`patientsNamedIn`), not
   * only the one it was applied to: a message that failed before it was applied names its
   * patient by identifiers, and a restricted patient's access history must show who read it.
   */
  async get(ctx: RequestContext, id: string): Promise<Hl7MessageDetail> {
    const row = await this.row(ctx.actor.orgId, id);
    const raw = openForView(this.cipher, row.rawEncrypted, hl7RawAad(row.id, row.orgId));
    const named = await this.database.withTenant(ctx.actor.orgId, (tx) =>
      patientsNamedIn(tx, raw, row.patientId),
    );
    for (const patientId of named.length > 0 ? named : [null]) {
      await this.audit.read(ctx.audit, {
        action: 'read',
        recordType: 'hl7-message',
        recordId: id,
        patientId,
      });
    }
    return { ...toSummary(row), raw };
  }

  /** Every patient a message names (`patientsNamedIn`), for the restrictions guard. */
  async patientsOf(ctx: RequestContext, detail: Hl7MessageDetail): Promise<string[]> {
    return this.database.withTenant(ctx.actor.orgId, (tx) =>
      patientsNamedIn(tx, detail.raw, detail.patientId),
    );
  }

  /**
   * Processes a stored message again, as if it had just arrived (after the cause of its failure
   * was fixed: the missing patient registered, the mapping corrected). The same row is updated.
   */
  async replay(
    ctx: RequestContext,
    id: string,
  ): Promise<{ message: Hl7MessageSummary; ack: string }> {
    const orgId = ctx.actor.orgId;
    const row = await this.row(orgId, id);
    if (!row.replayable) {
      throw conflict(
        row.status === 'processed'
          ? 'This message was processed; there is nothing to replay'
          : 'This message could not be read; replaying it cannot change the outcome',
      );
    }
    const text = this.rawText(row);
    const read = readMessage(text);
    const outcome = await this.lane(orgId).submit({
      text,
      read,
      channel: row.channel === 'file' ? 'file' : 'mllp',
      receivedAt: row.receivedAt,
      actor: ctx.audit,
      replayOf: row.id,
    });
    const header = read.ok ? read.message.header : read.header;
    return { message: toSummary(await this.row(orgId, id)), ack: ackFor(outcome, header, text) };
  }

  /** The stored text to replay; one that does not decrypt for its row is never replayed. */
  private rawText(row: Row): string {
    try {
      return this.cipher.decrypt(row.rawEncrypted, hl7RawAad(row.id, row.orgId));
    } catch (error) {
      if (!(error instanceof DecryptionError)) throw error;
      throw conflict('The stored message does not decrypt for this record; it cannot be replayed');
    }
  }
}

function ackFor(outcome: IngestOutcome, header: MessageHeader | null, text: string): string {
  return buildAck({
    header,
    controlId: header ? undefined : bestEffortControlId(text),
    code: outcome.ackCode,
    error: outcome.error,
  });
}
