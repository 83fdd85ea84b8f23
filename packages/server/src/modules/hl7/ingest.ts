import type { FieldCipher } from '../../crypto/field-cipher.js';
import type { Database, Db } from '../../db/client.js';
import { isConnectFailure, isDatabaseUnavailable } from '../../db/errors.js';
import { type AuditEntry, auditFields, type ChainedFields } from '../audit/service.js';
import {
  ClinicalService,
  type ClosedReferral,
  type ImportedReferral,
  type ReferralEventSink,
} from '../clinical/service.js';
import type { DomainEvent, DomainEventSink } from '../integrations/webhooks/events.js';
import type { ListService } from '../lists/service.js';
import type { AppointmentEventSink, ImportedAppointmentChange } from '../scheduling/service.js';
import { BatchState } from './batch/state.js';
import { inBatchTransaction } from './batch/tx.js';
import { eventTime, type HandlerContext, type Hl7Handler } from './handlers/context.js';
import { routeOf } from './handlers/handlers.js';
import { type BatchPid, prefetchCandidates } from './handlers/patient-upsert.js';
import {
  findReplayed,
  MessageLogWriter,
  type PriorRow,
  priorControlIds,
  priorKey,
  priorsOf,
  sha256,
} from './log/message-log.js';
import {
  classify,
  type Decision,
  type IngestJob,
  type IngestOutcome,
  outcomeOf,
  unreadable,
  unsupported,
} from './log/outcome.js';
import { HL7_ERROR } from './parse/ack.js';
import { messageKeys } from './parse/keys.js';
import { type Hl7Read, senderOf } from './parse/message.js';

/**
 * The ingest pipeline of one organization. Messages are applied in the order they arrived (an
 * A03 never overtakes its A01), several at a time in one transaction: group commit, one commit
 * and one audit-chain append per batch instead of per message (see BatchState for the reads and
 * writes a batch shares). A message's effects, its stored copy and its audit events commit
 * together, and its outcome is known only after the commit, so the ACK always follows it.
 */

/** Messages per transaction: enough to amortize the commit, few enough to ACK promptly. */
const MAX_BATCH = 64;

export interface LaneDeps {
  database: Database;
  cipher: FieldCipher;
  /** Told about failures that are Careloop's, not the sender's. Never given message text. */
  onError?(what: string, error: unknown): void;
  /** Where the appointments the batch wrote are announced to journeys, in its transaction. */
  appointmentEvents?: AppointmentEventSink;
  /** Where merges and discharges are told to subscribed webhooks, in the batch's transaction. */
  domainEvents?: DomainEventSink;
  /** Issue 11 (h11w): where the referrals the batch created are announced to journeys. */
  referralEvents?: ReferralEventSink;
  /** Issue 11 (h11l): where a merge's list memberships follow the person, in its transaction. */
  lists?: ListMergeFollower;
}

/** The list service's side of a merge (lists/service.ts). */
export type ListMergeFollower = Pick<ListService, 'followMerge'>;

/** A batch key that admits no other message into its batch (a merge touches two patients). */
const ALONE = '\u0000alone';

/**
 * The patients a message is about, as the keys of its PID-3 (and MRG-1) identifiers. A batch
 * never holds two messages that share one: within a batch, what one message defers is not yet
 * readable by the next, so the same patient's messages go in successive batches.
 */
function batchKeys(job: IngestJob): string[] {
  if (!job.read.ok) return [];
  const { message } = job.read;
  const { messageType, triggerEvent } = message.header;
  if (messageType === 'ADT' && triggerEvent === 'A40') return [ALONE];
  if (routeOf(message.header).kind !== 'handle') return [];
  const keys: string[] = [];
  for (const seg of message.segments) {
    const field = seg.name === 'PID' ? 3 : seg.name === 'MRG' ? 1 : 0;
    if (!field) continue;
    for (let r = 0; r < seg.repetitions(field); r += 1) keys.push(seg.value(field, 1, 1, r));
  }
  return keys;
}

/** What a message's handler will look up, for the batch to read in bulk. */
function keysOf(job: IngestJob) {
  if (!job.read.ok || routeOf(job.read.message.header).kind !== 'handle') return [];
  const sender = senderOf(job.read.message.header);
  return [{ sourceSystem: `hl7:${sender}`, keys: messageKeys(job.read.message, sender) }];
}

/** The PID of a message its handler will read, for the batch's bulk reads. */
function pidsOf(job: IngestJob, timeZone: string): BatchPid[] {
  if (!job.read.ok || routeOf(job.read.message.header).kind !== 'handle') return [];
  const pid = job.read.message.segment('PID');
  if (!pid) return [];
  const sender = senderOf(job.read.message.header);
  return [{ pid, sender, sourceSystem: `hl7:${sender}`, timeZone, receivedAt: job.receivedAt }];
}

/** A handler failed on the fast path: the batch is rolled back and run again carefully. */
class RetryCarefully extends Error {
  override readonly name = 'RetryCarefully';
}

/** What one attempt at a batch shares: its deferred writes, audit events and message rows. */
interface Attempt {
  tx: Db;
  mode: 'deferred' | 'immediate';
  timeZone: string;
  batch: BatchState;
  audits: ChainedFields[];
  log: MessageLogWriter;
  /** Earlier copies of the batch's messages, by `priorKey`. */
  priors: Map<string, PriorRow>;
  /** The appointments the batch's processed messages created or changed. */
  appointmentChanges: ImportedAppointmentChange[];
  /** The webhook events of the batch's processed messages. */
  domainEvents: DomainEvent[];
  /** Issue 11 (h11w): the referrals the batch's processed messages created that are news. */
  referrals: ImportedReferral[];
  /** Issue 11 (h11r): the referrals the batch's processed messages closed. */
  closedReferrals: ClosedReferral[];
}

/**
 * One organization's queue. Every job resolves with its outcome, except while the database
 * cannot be reached: then the jobs of the batch that met it reject with that error
 * (`isDatabaseUnavailable`), since whether they committed is not known or they did not, and no
 * outcome can be told to their sender, who resends; a resend of a message that did commit is
 * found in the log and acknowledged again, not applied twice.
 */
export class IngestLane {
  private queue: {
    job: IngestJob;
    done: (outcome: IngestOutcome) => void;
    fail: (error: unknown) => void;
  }[] = [];
  private running = false;
  private lastBatch = 0;

  constructor(
    private readonly deps: LaneDeps,
    readonly orgId: string,
  ) {}

  submit(job: IngestJob): Promise<IngestOutcome> {
    return new Promise((done, fail) => {
      this.queue.push({ job, done, fail });
      if (!this.running) {
        this.running = true;
        void this.drain();
      }
    });
  }

  /** Resolves when the queue is empty (for shutdown). */
  async idle(): Promise<void> {
    while (this.running || this.queue.length > 0) await new Promise((r) => setTimeout(r, 10));
  }

  /**
   * Up to MAX_BATCH queued messages, no two about the same patient. A message whose patient is
   * already in the batch is left for the next one, and so is every later message about that
   * patient, so each patient's messages keep their order; a merge (about two patients) is
   * never passed, and goes in a batch of its own.
   */
  private nextBatch() {
    const batch: typeof this.queue = [];
    const taken = new Set<string>();
    const blocked = new Set<string>();
    const scanLimit = Math.min(this.queue.length, MAX_BATCH * 4);
    let i = 0;
    while (i < scanLimit && batch.length < MAX_BATCH) {
      const item = this.queue[i];
      if (!item) break;
      const keys = batchKeys(item.job);
      if (keys.includes(ALONE)) {
        if (batch.length === 0) batch.push(...this.queue.splice(i, 1));
        break;
      }
      if (keys.some((k) => taken.has(k) || blocked.has(k))) {
        for (const k of keys) blocked.add(k);
        i += 1;
        continue;
      }
      for (const k of keys) taken.add(k);
      batch.push(...this.queue.splice(i, 1));
    }
    return batch;
  }

  /**
   * One batch at a time. Two in flight (the next read and mapped while one commits) was
   * measured and lost: it halves the batches, and every batch costs the same few round trips
   * and plans, so the CPU per message rose more than the overlap gained (bench/README.md).
   */
  private async drain(): Promise<void> {
    try {
      // A transaction can run start to finish on promise continuations alone, never letting
      // the event loop read the sockets. Yielding to it before each batch lets every frame that
      // has arrived join the batch, instead of one frame per transaction.
      await new Promise((resolve) => setImmediate(resolve));
      while (this.queue.length > 0) {
        // Senders whose last message was in the previous batch are about to send their next:
        // waiting a moment for them fills this batch (group commit's commit delay).
        if (this.queue.length < this.lastBatch) await new Promise((r) => setTimeout(r, 1));
        const batch = this.nextBatch();
        this.lastBatch = batch.length;
        try {
          const outcomes = await this.runBatch(batch.map((b) => b.job));
          batch.forEach((b, i) => {
            const outcome = outcomes[i];
            if (outcome) b.done(outcome);
          });
        } catch (error) {
          for (const b of batch) b.fail(error);
          // No connection to be had: the queued messages would each wait for it in turn, past
          // their senders' patience; they get no reply now and are resent.
          if (isConnectFailure(error)) for (const q of this.queue.splice(0)) q.fail(error);
        }
        await new Promise((resolve) => setImmediate(resolve));
      }
    } finally {
      this.running = false;
    }
  }

  /**
   * Fast path first: the whole batch in one transaction, no savepoints, writes deferred to
   * multi-row inserts. If any message fails there, the batch is rolled back and run again
   * carefully: a savepoint per message and every write at once, so one message's failure
   * leaves the others' effects in place.
   */
  private async runBatch(jobs: IngestJob[]): Promise<IngestOutcome[]> {
    try {
      return await this.attempt(jobs, 'deferred');
    } catch (error) {
      // No connection at all: the careful run would only fail, or wait, the same way.
      if (isConnectFailure(error)) {
        this.deps.onError?.('hl7 batch not committed: the database is unavailable', error);
        throw error;
      }
      // Whatever else went wrong, the careful run below meets it again and reports it per
      // message (a connection lost mid-batch is tried again on a fresh one).
    }
    try {
      return await this.attempt(jobs, 'immediate');
    } catch (error) {
      // The database is away (twice: the careful run was a second try on a fresh connection).
      // Keeping the messages would fail too; no reply at all makes their senders resend.
      if (isDatabaseUnavailable(error)) {
        this.deps.onError?.('hl7 batch not committed: the database is unavailable', error);
        throw error;
      }
      // The batch did not commit: nothing it did holds. Keep each message for replay and tell
      // its sender to resend (AR); a resend finds the kept copy and processes it.
      this.deps.onError?.('hl7 batch did not commit', error);
      const outcomes: IngestOutcome[] = [];
      for (const job of jobs) outcomes.push(await this.keepUnprocessed(job));
      return outcomes;
    }
  }

  private attempt(jobs: IngestJob[], mode: Attempt['mode']): Promise<IngestOutcome[]> {
    // The careful path runs each message in a savepoint: an ordinary transaction.
    return inBatchTransaction(this.deps.database, this.orgId, mode === 'deferred', async (bt) => {
      const batch = new BatchState(mode, new ClinicalService(this.deps.cipher));
      const { copies, timeZone } = await batch.prefetch(
        (query) => bt.first(query),
        this.orgId,
        jobs.flatMap(keysOf),
        priorControlIds(jobs),
      );
      const tx = bt.tx;
      if (mode === 'deferred') {
        await prefetchCandidates(
          tx,
          batch,
          jobs.flatMap((job) => pidsOf(job, timeZone)),
        );
      }
      const run: Attempt = {
        tx,
        mode,
        timeZone,
        batch,
        audits: [],
        log: new MessageLogWriter(tx, this.orgId, this.deps.cipher, timeZone),
        priors: priorsOf(copies),
        appointmentChanges: [],
        domainEvents: [],
        referrals: [],
        closedReferrals: [],
      };
      const outcomes: IngestOutcome[] = [];
      for (const job of jobs) outcomes.push(await this.apply(run, job));
      if (run.appointmentChanges.length > 0) {
        await this.deps.appointmentEvents?.announce(tx, run.appointmentChanges);
      }
      if (run.domainEvents.length > 0) {
        await this.deps.domainEvents?.emit(tx, this.orgId, run.domainEvents);
      }
      if (run.referrals.length > 0) {
        await this.deps.referralEvents?.announce(tx, run.referrals);
      }
      if (run.closedReferrals.length > 0) {
        await this.deps.referralEvents?.announceClosed(tx, run.closedReferrals);
      }
      await bt.last(await batch.writes(tx, run.log.statements()), run.audits);
      return outcomes;
    });
  }

  private async apply(run: Attempt, job: IngestJob): Promise<IngestOutcome> {
    const { tx } = run;
    const started = performance.now();
    const header = job.read.ok ? job.read.message.header : job.read.header;
    const hash = sha256(job.text);
    const key = header?.controlId ? priorKey(header, hash) : null;
    const prior = job.replayOf
      ? await findReplayed(tx, job.replayOf)
      : key
        ? (run.priors.get(key) ?? null)
        : null;
    if (prior?.status === 'processed' && !job.replayOf) {
      const done: Decision = {
        status: 'processed',
        ackCode: 'AA',
        error: null,
        patientId: prior.patientId,
      };
      return outcomeOf(prior.id, header, done, true);
    }
    let decision: Decision;
    if (!job.read.ok) {
      decision = unreadable(job.read);
    } else {
      const route = routeOf(job.read.message.header);
      if (route.kind === 'unsupported') {
        decision = unsupported(route);
      } else {
        decision = await this.handle(run, job, job.read.message, route.handler);
      }
    }
    if (job.replayOf) {
      run.audits.push(
        auditFields(job.actor, {
          action: 'update',
          recordType: 'hl7-message',
          recordId: job.replayOf,
          patientId: decision.patientId,
          reason: `replayed: ${decision.ackCode}`,
        }),
      );
    }
    const id = await run.log.record(job, header, hash, decision, prior?.id ?? null, started);
    if (key) run.priors.set(key, { id, status: decision.status, patientId: decision.patientId });
    return outcomeOf(id, header, decision, false);
  }

  private async handle(
    run: Attempt,
    job: IngestJob,
    message: Hl7Read,
    handler: Hl7Handler,
  ): Promise<Decision> {
    const pending: AuditEntry[] = [];
    // A message's appointment changes count only if it is processed (a failed one rolls back).
    const changes: ImportedAppointmentChange[] = [];
    const events: DomainEvent[] = [];
    const referrals: ImportedReferral[] = [];
    const closedReferrals: ClosedReferral[] = [];
    const hc = contextFor(this.orgId, job, message, run, pending, this.deps, {
      changes,
      events,
      referrals,
      closedReferrals,
    });
    try {
      const result =
        run.mode === 'deferred'
          ? await handler(run.tx, message, hc)
          : await run.tx.transaction((sp) => handler(sp, message, hc));
      for (const entry of pending) run.audits.push(auditFields(job.actor, entry));
      run.appointmentChanges.push(...changes);
      run.domainEvents.push(...events);
      run.referrals.push(...referrals);
      run.closedReferrals.push(...closedReferrals);
      return { status: 'processed', ackCode: 'AA', error: null, patientId: result.patientId };
    } catch (error) {
      if (run.mode === 'deferred') throw new RetryCarefully();
      const decision = classify(error);
      if (decision.error?.code === HL7_ERROR.internalError) {
        this.deps.onError?.(`hl7 ${hc.label} handler failed`, error);
      }
      return decision;
    }
  }

  /** After a batch failed to commit: keep the message (status received) in a transaction of its own. */
  private async keepUnprocessed(job: IngestJob): Promise<IngestOutcome> {
    const header = job.read.ok ? job.read.message.header : job.read.header;
    const decision: Decision = {
      status: job.read.ok ? 'received' : 'rejected',
      ackCode: 'AR',
      error: {
        code: HL7_ERROR.internalError,
        text: 'Careloop could not commit the message; resend it',
        location: null,
      },
      patientId: null,
    };
    try {
      const id = await this.deps.database.withTenant(this.orgId, async (tx) => {
        const log = new MessageLogWriter(tx, this.orgId, this.deps.cipher, 'UTC');
        const hash = sha256(job.text);
        const stored = await log.record(
          job,
          header,
          hash,
          decision,
          job.replayOf,
          performance.now(),
        );
        await log.flush();
        return stored;
      });
      return outcomeOf(id, header, decision, false);
    } catch (error) {
      this.deps.onError?.('hl7 message could not be kept', error);
      return outcomeOf(null, header, decision, false);
    }
  }
}

function contextFor(
  orgId: string,
  job: IngestJob,
  message: Hl7Read,
  { timeZone, batch }: { timeZone: string; batch: BatchState },
  pending: AuditEntry[],
  { cipher, lists }: Pick<LaneDeps, 'cipher' | 'lists'>,
  effects: {
    changes: ImportedAppointmentChange[];
    events: DomainEvent[];
    referrals: ImportedReferral[];
    closedReferrals: ClosedReferral[];
  },
): HandlerContext {
  const { header } = message;
  const sender = senderOf(header);
  return {
    orgId,
    sender,
    sourceSystem: `hl7:${sender}`,
    timeZone,
    receivedAt: job.receivedAt,
    eventAt: eventTime(message, { timeZone, header, receivedAt: job.receivedAt }),
    header,
    label: `${header.messageType}^${header.triggerEvent}`,
    audit: (entry) => pending.push(entry),
    batch,
    cipher,
    appointmentChanged: (change) => effects.changes.push(change),
    domainEvent: (event) => effects.events.push(event),
    referralCreated: (referral) => effects.referrals.push(referral),
    followMerge: async (tx, survivorId, mergedId) =>
      lists?.followMerge(tx, { orgId, survivorId, mergedId }),
    referralClosed: (referral) => effects.closedReferrals.push(referral),
  };
}
