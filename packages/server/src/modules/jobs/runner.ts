import { type SQL, sql } from 'drizzle-orm';
import type pg from 'pg';
import { type Db as BossDb, fromDrizzle, fromPglite, PgBoss, type QueueOptions } from 'pg-boss';
import type { Database, Db } from '../../db/client.js';
import { loggableError } from '../../db/errors.js';
import { rowsOf } from '../../db/rows.js';
import { checkPayload, JOB_NAMES, type JobName, type JobPayload } from './names.js';

/** pg-boss's tables live in a schema of their own, beside Careloop's. */
export const JOB_SCHEMA = 'pgboss';

/** How a queue retries (docs/adr/0020): backoff from `retryDelay`, doubling, up to `retryDelayMax`. */
export type QueuePolicy = Pick<
  QueueOptions,
  'retryLimit' | 'retryDelay' | 'retryBackoff' | 'retryDelayMax' | 'expireInSeconds'
>;

export type JobHandler<N extends JobName> = (
  payload: JobPayload<N>,
  // Issue 11: `jobId` (pg-boss's, the same on every retry) names the event a webhook carries.
  attempt: { retryCount: number; retryLimit: number; jobId?: string },
) => Promise<void>;

/** One job of a batch (`workBatch`): its pg-boss id, checked payload and attempt. */
export interface BatchJob<N extends JobName> {
  id: string;
  payload: JobPayload<N>;
  retryCount: number;
  retryLimit: number;
}

export interface JobRunnerOptions {
  /** Told about errors pg-boss reports in the background (its pool, maintenance): logged. */
  onError?: (error: Error) => void;
  /** How often an idle worker looks for jobs; pg-boss's default is 2 s. */
  pollingIntervalSeconds?: number;
}

/**
 * A pool adapter for pg-boss on the PostgreSQL server: pg-boss runs its statements on a pool of
 * Careloop's (the owner's), whose every connection already has an error listener (db/client.ts),
 * so a database restart fails statements and never the process (docs/adr/0013).
 */
function fromPool(pool: pg.Pool): BossDb {
  return {
    async executeSql(text: string, values?: unknown[]) {
      // A multi-statement query (pg-boss sends some) answers one result per statement.
      const result: pg.QueryResult | pg.QueryResult[] = await pool.query(text, values);
      return { rows: Array.isArray(result) ? result.flatMap((r) => r.rows) : result.rows };
    },
  };
}

/**
 * The one job runner (docs/adr/0020): pg-boss on the same database as the data, PostgreSQL or
 * the embedded PGlite, so a job sent inside an application transaction commits or rolls back
 * with it. `start()` installs or migrates pg-boss's schema and creates the queues; `work()`
 * makes this process a worker; `stop()` lets jobs in hand finish (or, past the timeout, gives
 * them back to the queue) and sends nothing more.
 */
export class JobRunner {
  private readonly boss: PgBoss;
  private readonly policies = new Map<JobName, QueuePolicy>();
  private started = false;
  private readonly workers = new Map<JobName, string[]>();

  constructor(
    private readonly database: Database,
    private readonly options: JobRunnerOptions = {},
  ) {
    const db = database.pglite ? fromPglite(database.pglite) : fromPool(database.jobPool());
    this.boss = new PgBoss({
      db,
      backend: database.kind === 'pglite' ? 'pglite' : 'postgres',
      schema: JOB_SCHEMA,
      // No OpenTelemetry SDK is registered; keep job rows free of trace context.
      openTelemetry: { enabled: false },
      instanceName: 'careloop',
    });
    const onError = options.onError ?? ((error: Error) => reportJobError(error));
    this.boss.on('error', onError);
  }

  /** Whether `start()` has run (and `stop()` not since): only then can jobs be sent. */
  get running(): boolean {
    return this.started;
  }

  /** The retry policy of a queue, set before `start()`. */
  define(name: JobName, policy: QueuePolicy): this {
    this.policies.set(name, policy);
    return this;
  }

  async start(): Promise<void> {
    if (this.started) return;
    await this.boss.start();
    this.started = true;
    for (const name of JOB_NAMES) {
      const policy = this.policies.get(name);
      if (!(await this.boss.getQueue(name))) await this.boss.createQueue(name, policy ?? {});
      else if (policy) await this.boss.updateQueue(name, policy);
    }
    await this.grantSend();
  }

  /**
   * Lets the application role send jobs inside its own transactions: requests run as
   * `careloop_app` under row-level security, and the job must commit with their change. It may
   * insert jobs and read back their id, nothing else; a job's payload holds ids, never PHI.
   */
  private async grantSend(): Promise<void> {
    const owner = this.database.ownerDb;
    await owner.execute(sql.raw(`grant usage on schema ${JOB_SCHEMA} to careloop_app`));
    await owner.execute(sql.raw(`grant select on ${JOB_SCHEMA}.queue to careloop_app`));
    for (const table of ['job', 'job_common']) {
      await owner.execute(
        sql.raw(`grant insert, select (id, start_after) on ${JOB_SCHEMA}.${table} to careloop_app`),
      );
    }
  }

  /**
   * Sends a job in the caller's transaction `tx`: it exists only if `tx` commits. The payload is
   * checked against its schema first.
   */
  async send<N extends JobName>(
    tx: Db,
    name: N,
    payload: JobPayload<N>,
    /** Not before this instant (a journey's wait). */
    options: { startAfter?: Date } = {},
  ): Promise<void> {
    if (!this.started) throw new Error('the job runner is not started');
    if (!checkPayload(name, payload)) throw new Error(`invalid payload for job ${name}`);
    const inTransaction = {
      execute: async (query: unknown) => ({
        rows: rowsOf<unknown>(await tx.execute(query as SQL)),
      }),
    };
    await this.boss.send(name, payload, {
      db: fromDrizzle(inTransaction, sql),
      ...(options.startAfter ? { startAfter: options.startAfter } : {}),
    });
  }

  // Issue 11 at scale: many jobs in one statement (docs/adr/0034-batched-outbox-dispatch.md).
  /** Sends one job per payload in `tx`, in one INSERT: they exist only if `tx` commits. */
  async sendMany<N extends JobName>(tx: Db, name: N, payloads: JobPayload<N>[]): Promise<void> {
    if (!this.started) throw new Error('the job runner is not started');
    if (payloads.length === 0) return;
    for (const payload of payloads) {
      if (!checkPayload(name, payload)) throw new Error(`invalid payload for job ${name}`);
    }
    const inTransaction = {
      execute: async (query: unknown) => ({
        rows: rowsOf<unknown>(await tx.execute(query as SQL)),
      }),
    };
    await this.boss.insert(
      name,
      payloads.map((data) => ({ data })),
      { db: fromDrizzle(inTransaction, sql) },
    );
  }

  /**
   * Makes this process a worker of `name` that takes up to `batchSize` jobs at once (one fetch,
   * one completion for all). The handler answers, per job, null (done) or the error to retry it
   * with the queue's backoff; a job it does not answer for is retried too. A payload that does
   * not match its schema is reported and dropped, as in `work`.
   */
  async workBatch<N extends JobName>(
    name: N,
    options: { concurrency?: number; batchSize: number },
    handler: (jobs: BatchJob<N>[]) => Promise<Map<string, Error | null>>,
  ) {
    const retryLimit = this.policies.get(name)?.retryLimit ?? 2;
    const id = await this.boss.work<unknown>(
      name,
      {
        batchSize: options.batchSize,
        localConcurrency: options.concurrency ?? 1,
        pollingIntervalSeconds: this.options.pollingIntervalSeconds ?? 2,
        // A full batch means more work waiting: fetch again at once instead of at the next poll.
        burstWhenBatchFull: true,
        perJobResults: true,
      },
      async (jobs) => {
        const valid: BatchJob<N>[] = [];
        const results: { id: string; status: 'completed' | 'failed'; output?: object }[] = [];
        for (const job of jobs) {
          const payload = checkPayload(name, job.data);
          if (payload) {
            valid.push({ id: job.id, payload, retryCount: job.retryCount, retryLimit });
            continue;
          }
          reportJobError(new Error(`dropped job ${job.id} of ${name}: invalid payload`));
          results.push({ id: job.id, status: 'completed' });
        }
        const errors = valid.length > 0 ? await handler(valid) : new Map<string, Error | null>();
        for (const job of valid) {
          const error = errors.has(job.id) ? errors.get(job.id) : new Error('no outcome');
          results.push(
            error
              ? { id: job.id, status: 'failed', output: { error: loggableError(error) } }
              : { id: job.id, status: 'completed' },
          );
        }
        return results;
      },
    );
    this.workers.set(name, [...(this.workers.get(name) ?? []), id]);
  }

  /**
   * Makes this process a worker of `name`. A payload that does not match its schema is
   * reported and dropped (retrying cannot fix it); a handler that throws is retried with the
   * queue's backoff.
   */
  async work<N extends JobName>(
    name: N,
    options: { concurrency?: number },
    handler: JobHandler<N>,
  ): Promise<void> {
    const retryLimit = this.policies.get(name)?.retryLimit ?? 2;
    const id = await this.boss.work<unknown>(
      name,
      {
        batchSize: 1,
        localConcurrency: options.concurrency ?? 1,
        pollingIntervalSeconds: this.options.pollingIntervalSeconds ?? 2,
      },
      async (jobs) => {
        for (const job of jobs) {
          const payload = checkPayload(name, job.data);
          if (!payload) {
            reportJobError(new Error(`dropped job ${job.id} of ${name}: invalid payload`));
            continue;
          }
          await handler(payload, { retryCount: job.retryCount, retryLimit, jobId: job.id });
        }
      },
    );
    this.workers.set(name, [...(this.workers.get(name) ?? []), id]);
  }

  // Issue 12 (KPIs): recurring jobs.
  /**
   * Runs `name` on a cron schedule (UTC), once across all workers: pg-boss keeps one schedule
   * per name, so every worker may call this at start.
   */
  async schedule<N extends JobName>(name: N, cron: string, payload: JobPayload<N>): Promise<void> {
    if (!this.started) throw new Error('the job runner is not started');
    if (!checkPayload(name, payload)) throw new Error(`invalid payload for job ${name}`);
    await this.boss.schedule(name, cron, payload, { tz: 'UTC' });
  }

  /** Wakes this process's workers of `name` now instead of at their next poll. */
  wake(name: JobName): void {
    for (const id of this.workers.get(name) ?? []) this.boss.notifyWorker(id);
  }

  /**
   * Stops taking jobs; jobs in hand get `timeoutMs` to finish, then go back to the queue (they
   * are retried, and the outbox sends nothing twice). The database stays open: its owner closes it.
   */
  async stop(timeoutMs = 10_000): Promise<void> {
    if (!this.started) return;
    this.started = false;
    await this.boss.stop({ graceful: true, close: false, timeout: timeoutMs });
  }
}

/** pg-boss's background errors on stderr, without the error's data (no SQL parameters, no PHI). */
function reportJobError(error: Error): void {
  process.stderr.write(
    `${JSON.stringify({ level: 'warn', msg: 'job runner', err: loggableError(error) })}\n`,
  );
}
