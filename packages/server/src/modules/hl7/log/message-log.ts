import { createHash } from 'node:crypto';
import { eq, type SQL, sql } from 'drizzle-orm';
import { hl7RawAad } from '../../../crypto/encrypted-fields.js';
import type { FieldCipher } from '../../../crypto/field-cipher.js';
import { insertStatements, runAll } from '../../../db/bulk-sql.js';
import type { Db } from '../../../db/client.js';
import { readTime } from '../parse/datatypes.js';
import type { MessageHeader } from '../parse/message.js';
import { hl7Messages } from '../schema.js';
import type { Decision, IngestJob } from './outcome.js';

/**
 * The message log (`hl7_messages`): every message as received, encrypted, with what became of
 * it. A message seen before (same sender, control id and content) is found again here, so a
 * resend is recognised and a replay updates its own row.
 */

type MessageRow = typeof hl7Messages.$inferInsert & { id: string };

/** An earlier copy of a message. */
export interface PriorRow {
  id: string;
  status: string;
  patientId: string | null;
}

export const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const clip = (s: string | null | undefined, n: number) => (s ? s.slice(0, n) : null);

/** What makes two receipts the same message. */
export const priorKey = (header: MessageHeader, hash: string) =>
  [header.controlId, hash, header.sendingApplication, header.sendingFacility].join('\u0000');

/** The control ids whose earlier copies a batch looks for (replays name their row instead). */
export function priorControlIds(jobs: IngestJob[]): string[] {
  const ids = new Set<string>();
  for (const job of jobs) {
    const header = job.read.ok ? job.read.message.header : job.read.header;
    if (header?.controlId && !job.replayOf) ids.add(header.controlId);
  }
  return [...ids];
}

/** A stored message with one of those control ids, as the batch's bulk read returns it. */
export interface StoredCopy {
  id: string;
  status: string;
  patient_id: string | null;
  control_id: string;
  content_hash: string;
  sending_application: string | null;
  sending_facility: string | null;
}

/** Earlier copies by `priorKey` (rows oldest first: the latest copy of a message wins). */
export function priorsOf(rows: StoredCopy[]): Map<string, PriorRow> {
  const found = new Map<string, PriorRow>();
  for (const r of rows) {
    const key = [
      r.control_id,
      r.content_hash,
      r.sending_application ?? '',
      r.sending_facility ?? '',
    ];
    found.set(key.join('\u0000'), { id: r.id, status: r.status, patientId: r.patient_id });
  }
  return found;
}

/** The stored message a replay names. */
export async function findReplayed(tx: Db, id: string): Promise<PriorRow | null> {
  const [row] = await tx
    .select({ id: hl7Messages.id, status: hl7Messages.status, patientId: hl7Messages.patientId })
    .from(hl7Messages)
    .where(eq(hl7Messages.id, id));
  return row ?? null;
}

/**
 * The log's part of one transaction: messages seen for the first time are kept and written
 * together by `flush`, one insert; earlier copies are updated where they are.
 */
export class MessageLogWriter {
  private readonly rows = new Map<string, MessageRow>();

  constructor(
    private readonly tx: Db,
    private readonly orgId: string,
    private readonly cipher: FieldCipher,
    private readonly timeZone: string,
  ) {}

  /** Records what became of a message; returns its row's id. */
  async record(
    job: IngestJob,
    header: MessageHeader | null,
    hash: string,
    decision: Decision,
    priorId: string | null,
    started: number,
  ): Promise<string> {
    const values = {
      status: decision.status,
      ackCode: decision.ackCode,
      error: clip(decision.error?.text, 2000),
      errorLocation: clip(decision.error?.location, 40),
      processingMs: Math.round(performance.now() - started),
      replayable: job.read.ok && decision.status !== 'processed',
      patientId: decision.patientId,
      processedAt: decision.status === 'processed' ? new Date() : null,
    };
    const pending = priorId ? this.rows.get(priorId) : undefined;
    if (pending) {
      Object.assign(pending, values, { attempts: (pending.attempts ?? 1) + 1 });
      return pending.id;
    }
    if (priorId) {
      await this.tx
        .update(hl7Messages)
        .set({ ...values, attempts: sql`${hl7Messages.attempts} + 1` })
        .where(eq(hl7Messages.id, priorId));
      return priorId;
    }
    const id = crypto.randomUUID();
    this.rows.set(id, { ...values, ...this.identity(id, job, header, hash), id, attempts: 1 });
    return id;
  }

  /** The insert of the messages recorded since the last call, for the batch's single flush. */
  statements(): SQL[] {
    const rows = [...this.rows.values()];
    this.rows.clear();
    return insertStatements(hl7Messages, rows);
  }

  async flush(): Promise<void> {
    await runAll(this.tx, this.statements());
  }

  /** The columns that describe the message itself, whatever became of it. */
  private identity(id: string, job: IngestJob, header: MessageHeader | null, hash: string) {
    const messageAt = header?.messageTime ? readTime(header.messageTime, this.timeZone) : null;
    return {
      orgId: this.orgId,
      controlId: header?.controlId ?? '',
      messageType: header?.messageType ?? '',
      triggerEvent: header?.triggerEvent ?? '',
      version: clip(header?.version, 20),
      sendingApplication: header?.sendingApplication ?? null,
      sendingFacility: header?.sendingFacility ?? null,
      messageAt: messageAt?.instant ?? null,
      channel: job.channel,
      rawEncrypted: this.cipher.encrypt(job.text, hl7RawAad(id, this.orgId)),
      contentHash: hash,
      sizeBytes: Buffer.byteLength(job.text, 'utf8'),
      receivedAt: job.receivedAt,
    };
  }
}
