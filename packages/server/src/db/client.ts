import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { btree_gist } from '@electric-sql/pglite/contrib/btree_gist';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { sql } from 'drizzle-orm';
import { drizzle as drizzleNodePg } from 'drizzle-orm/node-postgres';
import { migrate as migrateNodePg } from 'drizzle-orm/node-postgres/migrator';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import pg from 'pg';
import { ChangeFeed } from './change-feed.js';
import { loggableError } from './errors.js';
import { rowsOf } from './rows.js';
import * as schema from './schema.js';

export type Schema = typeof schema;
/** A Drizzle handle: the database itself or an open transaction. */
export type Db = PgDatabase<PgQueryResultHKT, Schema>;
export type DatabaseKind = 'pglite' | 'postgres';

/**
 * How long opening a new connection may take before it fails; the request then answers 503.
 * While the server is away, connecting fails at once (refused) or takes this long (a host that
 * does not answer), so no request hangs on it (docs/adr/0013).
 */
export const CONNECT_TIMEOUT_MS = 3_000;

/**
 * How long a request waits for a free connection of a full pool, the server answering, before
 * it fails with 503. Under load, a burst (100 bookings for one slot, on a pool of 10) queues
 * for longer than a connect takes; the queue moves as long as the server does (docs/adr/0035).
 */
export const POOL_WAIT_MS = 30_000;

/** The contrib extensions migrations create, which PGlite must be given when it starts. */
export const PGLITE_EXTENSIONS = { pg_trgm, btree_gist };

/** Told about a broken connection: which pool, and the error (log it with `loggableError`). */
export type ConnectionErrorListener = (pool: string, error: Error) => void;

export const MIGRATIONS = fileURLToPath(new URL('../../drizzle', import.meta.url));
// Any constant shared by all Careloop processes; serializes concurrent migrations.
const MIGRATION_LOCK = 7_202_611;

/** Limits for one tenant transaction (`withTenant`), in milliseconds. */
export interface TenantOptions {
  /** Any statement running longer fails (PostgreSQL only). */
  statementTimeoutMs?: number;
  /** Waiting longer for a lock fails (PostgreSQL only); the statement timeout when omitted. */
  lockTimeoutMs?: number;
}

/** How long closing one pool may take before it is left to end by itself. */
const CLOSE_TIMEOUT_MS = 5_000;

async function endWithin(what: string, ending: Promise<void>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), CLOSE_TIMEOUT_MS);
    timer.unref();
  });
  try {
    if ((await Promise.race([ending.then(() => 'done' as const), late])) === 'late') {
      process.stderr.write(`careloop: closing the ${what} took over 5 s; not waiting for it\n`);
    }
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The database Careloop runs on: PGlite embedded in the process, or a PostgreSQL server.
 * `db` runs as the connecting (owning) role and is for migrations, the CLI and the few
 * cross-tenant lookups (login); request work goes through `withTenant`.
 */
export class Database {
  private constructor(
    readonly kind: DatabaseKind,
    readonly db: Db,
    private readonly closeFn: () => Promise<void>,
    readonly pglite: PGlite | null,
    readonly pool: pg.Pool | null,
    /** The owning role's pool when `ownerUrl` was given; migrations and the CLI use it. */
    private readonly ownerPool: pg.Pool | null = null,
  ) {}

  /** The owning role: `DATABASE_OWNER_URL` when set, else the application's own connection. */
  get ownerDb(): Db {
    if (!this.ownerPool) return this.db;
    this.ownerDbCache ??= drizzleNodePg(this.ownerPool, { schema }) as unknown as Db;
    return this.ownerDbCache;
  }

  private ownerDbCache: Db | null = null;

  /**
   * The PostgreSQL pool the job runner (pg-boss) runs its own statements on: the owner's, which
   * installs pg-boss's schema. Not for PGlite, where the runner shares the one connection.
   */
  jobPool(): pg.Pool {
    const pool = this.ownerPool ?? this.pool;
    if (!pool) throw new Error('the embedded database has no pool');
    return pool;
  }

  /**
   * The change notifications of a PostgreSQL database (docs/adr/0005), for the caches of a
   * server process; null on PGlite. Not connected until `start()` (the server calls it), so
   * the CLI and migrations open no extra connection and their caches stay off.
   */
  changes: ChangeFeed | null = null;

  /**
   * Two connections of their own for the audit group commit on PostgreSQL (null on PGlite), so
   * that reads waiting for their audit event never queue behind slow reads holding the pool.
   */
  auditPool: pg.Pool | null = null;

  static async open(options: {
    databaseUrl: string | null;
    ownerUrl?: string | null;
    dataDir?: string;
    poolSize?: number;
    pglite?: PGlite;
    /**
     * Told when a connection to the PostgreSQL server breaks (the server stopped or restarted,
     * the backend was terminated): the pool replaces it, and the request that held it fails
     * with an error `isDatabaseUnavailable` recognises. A warning on stderr by default.
     */
    onConnectionError?: ConnectionErrorListener;
  }): Promise<Database> {
    if (options.databaseUrl) {
      const onError = options.onConnectionError ?? defaultConnectionErrorLog();
      const pool = serverPool(options.databaseUrl, options.poolSize ?? 10, 'careloop', onError);
      const db = drizzleNodePg(pool, { schema }) as unknown as Db;
      const ownerPool = options.ownerUrl
        ? serverPool(options.ownerUrl, 2, 'careloop-owner', onError)
        : null;
      const changes = new ChangeFeed(options.databaseUrl);
      const auditPool = serverPool(options.databaseUrl, 2, 'careloop-audit', onError);
      // A connection stuck on a server that accepted it and went silent never ends politely:
      // closing waits a few seconds for each, then leaves the rest to the socket's own end, so
      // a shutdown (and a test's teardown) cannot hang on it.
      const close = async () => {
        await endWithin('change feed', changes.close());
        await endWithin('pool', pool.end());
        await endWithin('audit pool', auditPool.end());
        if (ownerPool) await endWithin('owner pool', ownerPool.end());
      };
      const database = new Database('postgres', db, close, null, pool, ownerPool);
      database.changes = changes;
      database.auditPool = auditPool;
      return database;
    }
    let client = options.pglite;
    if (!client) {
      if (!options.dataDir) throw new Error('dataDir is required for the embedded database');
      await mkdir(options.dataDir, { recursive: true });
      client = await PGlite.create(`${options.dataDir}/pgdata`, { extensions: PGLITE_EXTENSIONS });
    }
    const pglite = client;
    const db = drizzlePglite(pglite, { schema }) as unknown as Db;
    return new Database('pglite', db, () => pglite.close(), pglite, null);
  }

  async migrate(): Promise<void> {
    if (this.kind === 'pglite') {
      await migratePglite(this.db as Parameters<typeof migratePglite>[0], {
        migrationsFolder: MIGRATIONS,
      });
      return;
    }
    const pool = this.ownerPool ?? this.pool;
    if (!pool) throw new Error('no pool');
    const client = await pool.connect();
    try {
      await client.query('select pg_advisory_lock($1)', [MIGRATION_LOCK]);
      await migrateNodePg(drizzleNodePg(client, { schema }), { migrationsFolder: MIGRATIONS });
    } finally {
      await client.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => {});
      client.release();
    }
  }

  /**
   * Runs `fn` in a transaction as the unprivileged `careloop_app` role with the organization
   * set, so row-level security confines every statement to that organization.
   */
  withTenant<T>(
    orgId: string,
    fn: (tx: Db) => Promise<T>,
    options: TenantOptions = {},
  ): Promise<T> {
    // Timeouts are PostgreSQL's: PGlite runs one statement at a time in-process, with no other
    // session to wait for.
    const limits =
      this.kind === 'postgres' && options.statementTimeoutMs !== undefined
        ? sql`, set_config('statement_timeout', ${String(options.statementTimeoutMs)}, true),
            set_config('lock_timeout', ${String(options.lockTimeoutMs ?? options.statementTimeoutMs)}, true)`
        : sql``;
    return this.db.transaction(async (tx) => {
      await tx.execute(
        sql`select set_config('role', 'careloop_app', true), set_config('app.org_id', ${orgId}, true)${limits}`,
      );
      return fn(tx);
    });
  }

  /**
   * One read-only statement as `careloop_app` for `orgId`, in one round trip on PostgreSQL.
   * `withTenant` costs four (BEGIN, set_config, the statement, COMMIT). Here the set_config and
   * the statement go to the server as one simple-protocol query, which PostgreSQL runs as one
   * implicit transaction: the role and organization are set for `statement` alone and reset
   * when it ends, also on error (rls.test.ts checks the connection afterwards). The simple
   * protocol has no parameters, so `statement` must be one statement with every value written
   * by `sqlLiteral`, and no semicolon (refused, even inside a literal); its rows are returned.
   */
  async tenantRead<T>(orgId: string, statement: string): Promise<T[]> {
    if (statement.includes(';')) throw new Error('tenantRead takes exactly one statement');
    const setup = `select set_config('role', 'careloop_app', true), set_config('app.org_id', ${sqlLiteral(orgId)}, true)`;
    if (!this.pool) {
      return this.withTenant(orgId, async (tx) => rowsOf<T>(await tx.execute(sql.raw(statement))));
    }
    const results: unknown = await this.pool.query(`${setup};\n${statement}`);
    if (!Array.isArray(results) || results.length !== 2) throw new Error('tenantRead: no result');
    return (results[1] as pg.QueryResult).rows as T[];
  }

  /**
   * A transaction as the owning role, across organizations: the CLI, seeding, creating an
   * organization, verifying the audit chains. Never used to serve a request.
   */
  system<T>(fn: (tx: Db) => Promise<T>): Promise<T> {
    return this.ownerDb.transaction(fn);
  }

  close(): Promise<void> {
    return this.closeFn();
  }
}

/**
 * A pool on the PostgreSQL server whose every connection has an error listener, from its
 * first connect to its end. node-postgres emits `'error'` on a client whose server connection
 * breaks (`pg_ctl stop`, `pg_terminate_backend`, a reset); the pool listens only while the
 * client is idle in it, so a client checked out by a request or a transaction, between two of
 * its statements, would otherwise take the process down with an unhandled `'error'` event.
 * A broken client is not queryable: its holder's next statement fails, and `release` drops it.
 */
function serverPool(
  connectionString: string,
  max: number,
  name: string,
  onError: ConnectionErrorListener,
): pg.Pool {
  const pool = new pg.Pool({
    connectionString,
    max,
    application_name: name,
    // pg-pool uses one limit for the wait in its queue and for a new connection: the queue's
    // here, the connect's in each client it opens (ConnectingClient).
    connectionTimeoutMillis: POOL_WAIT_MS,
    Client: ConnectingClient,
    // A server that vanished without closing (a host down, a cut network) is found, not waited on.
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
  });
  pool.on('connect', (client) => {
    client.on('error', (error) => onError(name, error));
  });
  // pg-pool re-emits an idle client's error here, and throws if nobody listens; the client's
  // own listener above has already reported it.
  pool.on('error', () => {});
  return pool;
}

/** A client whose connect gives up after `CONNECT_TIMEOUT_MS`, whatever the pool waits. */
class ConnectingClient extends pg.Client {
  constructor(config?: pg.ClientConfig) {
    super({ ...config, connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
  }
}

/** A warning per broken connection on stderr, without the error's data (`loggableError`). */
function defaultConnectionErrorLog(): ConnectionErrorListener {
  return (pool, error) => {
    process.stderr.write(
      `${JSON.stringify({ level: 'warn', msg: 'database connection lost', pool, err: loggableError(error) })}\n`,
    );
  };
}

/**
 * A value as an SQL literal, for the few statements sent without parameters (`tenantRead`).
 * Strings are quoted by node-postgres's `escapeLiteral` (quotes and backslashes escaped).
 */
export function sqlLiteral(value: string | boolean): string {
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  return pg.escapeLiteral(value);
}
