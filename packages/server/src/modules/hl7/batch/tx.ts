import type { SQL } from 'drizzle-orm';
import { drizzle as drizzleNodePg } from 'drizzle-orm/node-postgres';
import type pg from 'pg';
import { combined, runAll } from '../../../db/bulk-sql.js';
import { type Database, type Db, sqlLiteral } from '../../../db/client.js';
import { inlineSql } from '../../../db/inline.js';
import { rowsOf } from '../../../db/rows.js';
import * as schema from '../../../db/schema.js';
import type { ChainedFields } from '../../audit/service.js';
import {
  appendAudit,
  auditInsertText,
  auditLockAndLastHash,
  lastHashOf,
} from '../../audit/service.js';

/** A drizzle handle per pooled connection: building one with the schema costs ~0.2 ms. */
const handles = new WeakMap<pg.PoolClient, Db>();

/**
 * The handle with `transaction()` refused: on this path the connection is already inside the
 * batch's explicit transaction, and drizzle would send a BEGIN and COMMIT of its own, committing
 * the batch halfway. Handlers that need savepoints run on the careful path.
 */
function withoutTransactions(db: Db): Db {
  return new Proxy(db, {
    get(target, property, receiver) {
      if (property === 'transaction') {
        return () => {
          throw new Error('no nested transaction inside a batch on the few-round-trip path');
        };
      }
      return Reflect.get(target, property, receiver);
    },
  });
}

/** A statement stuck on a lock fails instead of holding every later message hostage. */
const LIMITS = { statementTimeoutMs: 5000, lockTimeoutMs: 4000 };

/**
 * One batch's transaction, as the ingest lane uses it: a first read, the handlers' own
 * statements on `tx`, and a last step that writes the batch's rows and audit events and
 * commits. Every batch begins with `first` and ends with `last`.
 */
export interface BatchTx {
  /**
   * The transaction, for the handlers' statements; only once `first` has run. On PostgreSQL's
   * few-round-trip path it is the pooled connection itself inside an explicit transaction, and
   * `tx.transaction()` throws (it would commit the batch halfway): handlers that need
   * savepoints run on the careful path (`fewRoundTrips` false).
   */
  readonly tx: Db;
  /** Begins the transaction as the tenant and runs `query`; its rows. */
  first<T>(query: SQL): Promise<T[]>;
  /** Runs `writes` (one statement), appends `audits` to the organization's chain, commits. */
  last(writes: SQL[], audits: ChainedFields[]): Promise<void>;
}

/**
 * Runs `fn` in a batch transaction. On PostgreSQL with `fewRoundTrips`, the statements the lane
 * sends at fixed points go several to a round trip through the simple query protocol, with
 * their values written in as literals (`inlineSql`): BEGIN, the tenant's settings and the first
 * read in one; the writes, the chain lock and the last hash in another; the audit events and
 * COMMIT in a third. Each round trip to the database server costs more here than most of the
 * statements it carries. Elsewhere (PGlite, or the careful path, which needs savepoints) it is
 * an ordinary `withTenant` transaction.
 */
export async function inBatchTransaction<T>(
  database: Database,
  orgId: string,
  fewRoundTrips: boolean,
  fn: (bt: BatchTx) => Promise<T>,
): Promise<T> {
  const pool = database.pool;
  if (!fewRoundTrips || !pool) {
    return database.withTenant(
      orgId,
      (tx) =>
        fn({
          tx,
          first: async <R>(query: SQL) => rowsOf<R>(await tx.execute(query)),
          last: async (writes, audits) => {
            await runAll(tx, writes);
            await appendAudit(tx, audits);
          },
        }),
      LIMITS,
    );
  }
  const client = await pool.connect();
  let db = handles.get(client);
  if (!db) {
    db = withoutTransactions(drizzleNodePg(client, { schema }) as unknown as Db);
    handles.set(client, db);
  }
  const handle = db;
  let begun = false;
  let open = false;
  let broken = false;
  const simple = async (text: string): Promise<pg.QueryResult[]> => {
    const results: unknown = await client.query(text);
    return Array.isArray(results) ? (results as pg.QueryResult[]) : [results as pg.QueryResult];
  };
  const bt: BatchTx = {
    get tx(): Db {
      if (!begun) throw new Error('the batch transaction has not begun');
      return handle;
    },
    async first<R>(query: SQL): Promise<R[]> {
      if (begun) throw new Error('the batch transaction has begun already');
      begun = true;
      open = true;
      const results = await simple(
        `BEGIN;
        select set_config('role', 'careloop_app', true), set_config('app.org_id', ${sqlLiteral(orgId)}, true),
          set_config('statement_timeout', '${LIMITS.statementTimeoutMs}', true),
          set_config('lock_timeout', '${LIMITS.lockTimeoutMs}', true);
        ${inlineSql(query)}`,
      );
      return (results.at(-1)?.rows ?? []) as R[];
    },
    async last(writes: SQL[], audits: ChainedFields[]): Promise<void> {
      const write = combined(writes);
      const written = write ? `${inlineSql(write)};\n` : '';
      if (audits.length === 0) {
        await simple(`${written}COMMIT`);
      } else {
        const [first] = audits;
        const results = await simple(`${written}${auditLockAndLastHash(first?.orgId ?? orgId)}`);
        await simple(`${auditInsertText(audits, lastHashOf(results))};\nCOMMIT`);
      }
      open = false;
    },
  };
  try {
    const result = await fn(bt);
    if (open) throw new Error('the batch transaction was not finished');
    return result;
  } catch (error) {
    // A failed statement leaves the explicit transaction open and aborted: end it here. A
    // connection that cannot even roll back is closed rather than given to the next batch.
    if (open) await client.query('ROLLBACK').catch(() => (broken = true));
    throw error;
  } finally {
    client.release(broken);
  }
}
