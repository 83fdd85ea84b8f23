import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { Resource } from '@medplum/fhirtypes';
import { type ValidationResult, validateFhir } from './validation.js';
import type { ValidationReply, ValidationRequest } from './worker-main.js';

/** Fewer resources than this are validated on the calling thread: not worth a hand-off. */
const PARALLEL_FROM = 50;
/** Resources per message to a worker. */
const CHUNK = 25;
/** Worker threads at most: each holds its own copy of the R4 definitions (~250 MB resident). */
const MAX_WORKERS = 2;

interface PooledWorker {
  worker: Worker;
  ready: boolean;
  job: {
    id: number;
    resolve(results: ValidationResult[]): void;
    reject(error: Error): void;
  } | null;
}

const yieldToEvents = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Worker threads that validate resources against the R4 definitions, the costly step of an
 * import (Medplum's validator walks every element of a type's definition and evaluates its
 * invariants). Each worker gives the same results as `validateFhir` on this thread, since it
 * runs that very function; the event loop stays free for the database meanwhile. Workers start
 * on first use and load the definitions (about a second): until one is ready the calling thread
 * validates, so nobody waits for them. A worker that fails is dropped and its chunk validated
 * here; with none left everything is validated here, as without the pool.
 */
class ValidationPool {
  private readonly workers: PooledWorker[] = [];
  private nextId = 0;
  /** Settles when every worker is ready or gone. */
  readonly started: Promise<void>;
  private waiters: (() => void)[] = [];

  constructor(size: number) {
    for (let i = 0; i < size; i += 1) this.spawn();
    this.started = (async () => {
      while (this.workers.some((w) => !w.ready)) await this.changed();
    })();
  }

  private spawn(): void {
    const worker = new Worker(new URL('./worker.mjs', import.meta.url));
    // Idle workers never keep the process alive; one with a job in hand does (see `run`).
    worker.unref();
    const pooled: PooledWorker = { worker, ready: false, job: null };
    worker.on('message', (reply: ValidationReply) => {
      if (reply.kind === 'ready') pooled.ready = true;
      else if (pooled.job?.id === reply.id) {
        const { resolve } = pooled.job;
        pooled.job = null;
        worker.unref();
        resolve(reply.results);
      }
      this.wake();
    });
    const drop = (error: Error) => {
      const at = this.workers.indexOf(pooled);
      if (at >= 0) this.workers.splice(at, 1);
      pooled.job?.reject(error);
      pooled.job = null;
      this.wake();
    };
    worker.on('error', drop);
    worker.on('exit', (code) => drop(new Error(`FHIR validation worker exited (${code})`)));
    this.workers.push(pooled);
  }

  /** Ends every worker thread; calls in flight finish on this thread. */
  async close(): Promise<void> {
    const workers = this.workers.splice(0).map((w) => w.worker);
    this.wake();
    await Promise.all(workers.map((w) => w.terminate()));
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  private changed(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private run(pooled: PooledWorker, resources: Resource[]): Promise<ValidationResult[]> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      pooled.job = { id, resolve, reject };
      pooled.worker.ref();
      pooled.worker.postMessage({ id, resources } satisfies ValidationRequest);
    });
  }

  /** Calls not in the background whose chunks are not all handed out yet. */
  private waiting = 0;

  /**
   * Hands chunks to idle workers as they free up. Background work waits while another call has
   * chunks to hand out, and runs on this thread only when no worker is left.
   */
  async validate(resources: readonly Resource[], background: boolean): Promise<ValidationResult[]> {
    const results: ValidationResult[] = new Array(resources.length);
    const inline = (start: number) => {
      const end = Math.min(start + CHUNK, resources.length);
      for (let i = start; i < end; i += 1) {
        const resource = resources[i];
        if (resource) results[i] = validateFhir(resource);
      }
    };
    const running: Promise<void>[] = [];
    let next = 0;
    let counted = !background;
    if (counted) this.waiting += 1;
    try {
      while (next < resources.length) {
        const ready = this.workers.some((w) => w.ready);
        if (background && this.workers.length > 0 && (this.waiting > 0 || !ready)) {
          await this.changed();
          continue;
        }
        const idle = this.workers.find((w) => w.ready && !w.job);
        if (idle) {
          const start = next;
          next += CHUNK;
          running.push(
            this.run(idle, resources.slice(start, start + CHUNK)).then(
              (done) => {
                for (const [i, result] of done.entries()) results[start + i] = result;
              },
              () => inline(start),
            ),
          );
        } else if (!ready) {
          // No worker ready yet (still loading, or none left): this thread does a chunk, then
          // lets the workers' messages in.
          inline(next);
          next += CHUNK;
          await yieldToEvents();
        } else {
          await this.changed();
        }
      }
    } finally {
      if (counted) {
        // Every chunk is handed out: background work may go on.
        this.waiting -= 1;
        counted = false;
        this.wake();
      }
    }
    await Promise.all(running);
    return results;
  }
}

let pool: ValidationPool | null = null;

/**
 * One worker per core but one, which the importing thread keeps (and the database, when it runs
 * on this machine): on two cores, one worker. Validation runs ahead of the bundle being written
 * (`prevalidate`) and one worker keeps up with it, while a second took CPU from that bundle's
 * writing: with one, the Synthea import took 13% less time on average (7 of 9 runs shorter,
 * PostgreSQL, two cores) and 250 MB less memory.
 */
const poolSize = () => Math.min(MAX_WORKERS, availableParallelism() - 1);

/** With one core a worker would only take turns with the calling thread. */
const parallel = () => availableParallelism() >= 2;

/**
 * Starts the validation workers ahead of the first large import (a long-running process, or a
 * command that knows it will import); resolves when they are ready. Without it they start on
 * first use, while the calling thread validates.
 */
export async function startValidationWorkers(): Promise<void> {
  if (!parallel()) return;
  pool ??= new ValidationPool(poolSize());
  await pool.started;
}

/**
 * Ends the validation workers, for a command that is done importing. A worker still loading the
 * R4 definitions keeps the process alive whatever `unref` says (its loader's message port is
 * referenced while tsx registers), so a short command would never exit without this.
 */
export async function stopValidationWorkers(): Promise<void> {
  const running = pool;
  pool = null;
  await running?.close();
}

/** Whether `validateResources` would hand this many resources to worker threads. */
export function validatesInParallel(count: number): boolean {
  return count >= PARALLEL_FROM && parallel();
}

/**
 * Validates many resources, on worker threads when there are enough of them and more than one
 * core; the results are those of `validateFhir`, in the same order. `background` work (a
 * bundle validated ahead of its import) yields the workers to every other call.
 */
export async function validateResources(
  resources: readonly Resource[],
  options: { background?: boolean } = {},
): Promise<ValidationResult[]> {
  if (!validatesInParallel(resources.length)) return resources.map(validateFhir);
  pool ??= new ValidationPool(poolSize());
  return pool.validate(resources, options.background ?? false);
}
