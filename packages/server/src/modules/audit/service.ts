import type { AuditAction, AuditOutcome } from '@careloop/core';
import { and, count, desc, eq, gte, lt, lte, type SQL, sql } from 'drizzle-orm';
import type pg from 'pg';
import { type Database, type Db, sqlLiteral } from '../../db/client.js';
import { rowsOf } from '../../db/rows.js';
import { type ChainedFields, chainHash, GENESIS_HASH } from './chain.js';

/** The chained fields of an audit event, for writers that build events in bulk. */
export type { ChainedFields } from './chain.js';

import type { ChainHead, Checkpoint } from './checkpoint.js';
import { auditEvents } from './schema.js';

/** Who did something, from where. Built from the request by the HTTP layer. */
export interface AuditActor {
  orgId: string;
  userId: string | null;
  email: string | null;
  role: string | null;
  ip: string | null;
  userAgent: string | null;
}

export interface AuditEntry {
  action: AuditAction;
  recordType: string;
  recordId?: string | null;
  patientId?: string | null;
  outcome?: AuditOutcome;
  reason?: string | null;
}

/**
 * An audit entry as the chain stores it: what `AuditLog.inTransaction` writes for one, and what
 * the writers that batch their audit events (imports, the HL7 listener) append.
 */
export function auditFields(
  actor: AuditActor,
  entry: AuditEntry,
  occurredAt: Date = new Date(),
): ChainedFields {
  return {
    orgId: actor.orgId,
    occurredAt,
    actorId: actor.userId,
    actorEmail: actor.email,
    actorRole: actor.role,
    action: entry.action,
    patientId: entry.patientId ?? null,
    recordType: entry.recordType,
    recordId: entry.recordId ?? null,
    ip: actor.ip,
    userAgent: actor.userAgent,
    outcome: entry.outcome ?? 'success',
    reason: entry.reason ?? null,
  };
}

/**
 * Appends events to an organization's chain inside `tx`. Takes a transaction-scoped advisory
 * lock per organization, so concurrent writers (any number of API nodes) extend the chain one
 * at a time and `seq` order is chain order.
 */
export async function appendAudit(tx: Db, events: ChainedFields[]): Promise<void> {
  const first = events[0];
  if (!first) return;
  const orgId = first.orgId;
  await tx.execute(
    sql`select pg_advisory_xact_lock(hashtextextended(${`careloop-audit:${orgId}`}, 0))`,
  );
  const last = await tx
    .select({ hash: auditEvents.hash })
    .from(auditEvents)
    .where(eq(auditEvents.orgId, orgId))
    .orderBy(desc(auditEvents.seq))
    .limit(1);
  let prev = last[0]?.hash ?? GENESIS_HASH;
  const rows = events.map((e) => {
    const hash = chainHash(prev, e);
    const row = { ...e, prevHash: prev, hash };
    prev = hash;
    return row;
  });
  await tx.insert(auditEvents).values(rows);
}

/**
 * The simple-protocol text (two statements, values as literals) that takes an organization's
 * chain lock and reads its last hash, for writers that send it with other statements in one
 * round trip. The hash is the last statement's only row, or no row for an empty chain.
 */
export function auditLockAndLastHash(orgId: string): string {
  return `select pg_advisory_xact_lock(hashtextextended(${sqlLiteral(`careloop-audit:${orgId}`)}, 0));
    select hash from audit_events where org_id = ${sqlLiteral(orgId)} order by seq desc limit 1`;
}

/**
 * The INSERT (values as literals, for the simple protocol) that extends the chain from `last`,
 * the hash `auditLockAndLastHash` read (null for an empty chain).
 */
export function auditInsertText(events: ChainedFields[], last: string | null): string {
  const lit = (v: string | null) => (v === null ? 'NULL' : sqlLiteral(v));
  let prev = last ?? GENESIS_HASH;
  const rows = events.map((e) => {
    const hash = chainHash(prev, e);
    const values = [
      e.orgId,
      e.occurredAt.toISOString(),
      e.actorId,
      e.actorEmail,
      e.actorRole,
      e.action,
      e.patientId,
      e.recordType,
      e.recordId,
      e.ip,
      e.userAgent,
      e.outcome,
      e.reason,
      prev,
      hash,
    ];
    prev = hash;
    return `(${values.map(lit).join(', ')})`;
  });
  return `insert into audit_events (org_id, occurred_at, actor_id, actor_email, actor_role, action,
      patient_id, record_type, record_id, ip, user_agent, outcome, reason, prev_hash, hash)
    values ${rows.join(',\n')}`;
}

/** The last hash from the reply to `auditLockAndLastHash` (its last result), or null. */
export function lastHashOf(results: unknown): string | null {
  const last = Array.isArray(results) ? (results.at(-1) as pg.QueryResult | undefined) : undefined;
  if (!last) throw new Error('audit: unexpected reply');
  const hash: unknown = last.rows[0]?.hash;
  return typeof hash === 'string' ? hash : null;
}

/**
 * `appendAudit` in its own transaction on a PostgreSQL pool, in two round trips instead of six
 * (BEGIN, set_config, lock, last hash, insert, COMMIT): the first four go as one simple-protocol
 * query, the insert and COMMIT as another. The same role, organization, lock and chain; values
 * are written as literals (`sqlLiteral`), since the simple protocol takes no parameters.
 */
export async function appendAuditTransaction(
  pool: pg.Pool,
  events: ChainedFields[],
): Promise<void> {
  const first = events[0];
  if (!first) return;
  const client = await pool.connect();
  let open = false;
  try {
    open = true;
    const results: unknown = await client.query(
      `BEGIN;
       select set_config('role', 'careloop_app', true), set_config('app.org_id', ${sqlLiteral(first.orgId)}, true);
       ${auditLockAndLastHash(first.orgId)}`,
    );
    await client.query(`${auditInsertText(events, lastHashOf(results))};\nCOMMIT`);
    open = false;
  } catch (error) {
    // A failed statement leaves the explicit transaction open and aborted: end it here.
    if (open) await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}

/**
 * The audit log. Writes are audited inside their own transaction (`inTransaction`), so the
 * change and its audit event commit together. Reads are audited through a group commit
 * (`read`): events that arrive while a flush is running are written together in the next one,
 * and each caller waits until its event is durable before it returns patient data.
 */
/**
 * Refusals whose own, more specific denied event a service already wrote (a restricted record
 * names its patient, which the route may not): the 403 audit of http/denials.ts skips them, so
 * one refusal is one event.
 */
const alreadyAudited = new WeakSet<object>();

/** Marks a refusal as audited by the service that threw it; returns it, to be thrown. */
export function auditedRefusal<E extends Error>(error: E): E {
  alreadyAudited.add(error);
  return error;
}

/** Whether the service that threw `error` audited it already. */
export function isAuditedRefusal(error: unknown): boolean {
  return typeof error === 'object' && error !== null && alreadyAudited.has(error);
}

export class AuditLog {
  private queue: { fields: ChainedFields; done: (error?: unknown) => void }[] = [];
  private flushing = false;

  constructor(private readonly database: Database) {}

  async inTransaction(tx: Db, actor: AuditActor, entry: AuditEntry): Promise<void> {
    await appendAudit(tx, [auditFields(actor, entry)]);
  }

  read(actor: AuditActor, entry: AuditEntry): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queue.push({
        fields: auditFields(actor, entry),
        done: (error) => (error ? reject(error) : resolve()),
      });
      if (!this.flushing) void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    try {
      while (this.queue.length > 0) {
        const batch = this.queue;
        this.queue = [];
        const byOrg = new Map<string, typeof batch>();
        for (const item of batch) {
          const list = byOrg.get(item.fields.orgId) ?? [];
          list.push(item);
          byOrg.set(item.fields.orgId, list);
        }
        await Promise.all(
          [...byOrg].map(async ([orgId, items]) => {
            try {
              const events = items.map((i) => i.fields);
              const pool = this.database.auditPool;
              if (pool) await appendAuditTransaction(pool, events);
              else await this.database.withTenant(orgId, (tx) => appendAudit(tx, events));
              for (const i of items) i.done();
            } catch (error) {
              for (const i of items) i.done(error);
            }
          }),
        );
      }
    } finally {
      this.flushing = false;
    }
  }

  /** A page of an organization's log, newest first. */
  async list(tx: Db, filter: AuditFilter & { beforeSeq?: number; limit: number }) {
    return tx
      .select()
      .from(auditEvents)
      .where(
        and(
          ...filterConditions(filter),
          filter.beforeSeq !== undefined ? lt(auditEvents.seq, filter.beforeSeq) : undefined,
        ),
      )
      .orderBy(desc(auditEvents.seq))
      .limit(filter.limit);
  }

  /** How many events match, counted before an export reads them. */
  async count(tx: Db, filter: AuditFilter): Promise<number> {
    const [row] = await tx
      .select({ n: count() })
      .from(auditEvents)
      .where(and(...filterConditions(filter)));
    return Number(row?.n ?? 0);
  }
}

/** What the audit log page and its export filter on. */
export interface AuditFilter {
  actorId?: string;
  patientId?: string;
  action?: string;
  recordType?: string;
  outcome?: string;
  from?: string;
  to?: string;
}

function filterConditions(filter: AuditFilter): (SQL | undefined)[] {
  return [
    filter.actorId ? eq(auditEvents.actorId, filter.actorId) : undefined,
    filter.patientId ? eq(auditEvents.patientId, filter.patientId) : undefined,
    filter.action ? eq(auditEvents.action, filter.action) : undefined,
    filter.recordType ? eq(auditEvents.recordType, filter.recordType) : undefined,
    filter.outcome ? eq(auditEvents.outcome, filter.outcome) : undefined,
    filter.from ? gte(auditEvents.occurredAt, new Date(filter.from)) : undefined,
    filter.to ? lte(auditEvents.occurredAt, new Date(filter.to)) : undefined,
  ];
}

export interface ChainBreak {
  orgId: string;
  seq: number;
  /**
   * `hash-mismatch`: the event was edited. `prev-hash-mismatch`: an event before it was removed
   * or inserted. Against the latest checkpoint: `truncated`, the checkpointed event is gone;
   * `rewritten`, it is there with another hash, or the events up to it are not as many;
   * `missing-chain`, the organization has no events left.
   */
  problem: 'hash-mismatch' | 'prev-hash-mismatch' | 'truncated' | 'rewritten' | 'missing-chain';
  /** What the checkpoint recorded and what was found (checkpoint findings only). */
  detail?: string;
}

/** What one organization's walk saw of the checkpointed event. */
interface AnchorSeen {
  head: ChainHead;
  /** Events with seq up to the checkpointed one. */
  upTo: number;
  /** The stored hash of the event at the checkpointed seq, when it is there. */
  hash: string | null;
  last: number;
}

/** The break, if any, between a chain as walked and its checkpointed head. */
function anchorBreak(orgId: string, seen: AnchorSeen): ChainBreak | null {
  const { head, upTo, hash, last } = seen;
  const was = `checkpoint: event ${head.seq}, ${head.count} events`;
  if (hash === null) {
    return {
      orgId,
      seq: head.seq,
      problem: 'truncated',
      detail: `${was}; the event is gone (the chain now ends at ${last})`,
    };
  }
  if (hash !== head.hash) {
    return { orgId, seq: head.seq, problem: 'rewritten', detail: `${was}; its hash differs` };
  }
  if (upTo !== head.count) {
    return { orgId, seq: head.seq, problem: 'rewritten', detail: `${was}; found ${upTo} events` };
  }
  return null;
}

/**
 * Walks every organization's chain in order and reports each event whose stored hash does not
 * match its recomputed hash, or whose prev_hash does not match the event before it. Given the
 * latest checkpoint, also reports each chain cut or rewritten below its checkpointed head, and
 * each checkpointed organization whose chain is gone.
 * Runs as the owning role (CLI): it must see every organization.
 */
export async function verifyAuditChains(
  db: Db,
  onProgress?: (checked: number) => void,
  checkpoint?: Pick<Checkpoint, 'chains'> | null,
  /** One organization's chain (an admin's "verify chains"); every organization when left out. */
  onlyOrgId?: string,
): Promise<{ checked: number; organizations: number; breaks: ChainBreak[] }> {
  const breaks: ChainBreak[] = [];
  const orgs = onlyOrgId
    ? rowsOf<{ org_id: string }>(
        await db.execute(sql`select distinct org_id from audit_events where org_id = ${onlyOrgId}`),
      )
    : rowsOf<{ org_id: string }>(await db.execute(sql`select distinct org_id from audit_events`));
  const anchors = new Map(
    (checkpoint?.chains ?? [])
      .filter((h) => onlyOrgId === undefined || h.orgId === onlyOrgId)
      .map((h) => [h.orgId, h]),
  );
  let checked = 0;
  const pageSize = 5000;
  for (const { org_id: orgId } of orgs) {
    let prev = GENESIS_HASH;
    let afterSeq = 0;
    const head = anchors.get(orgId);
    anchors.delete(orgId);
    const seen = { upTo: 0, hash: null as string | null };
    for (;;) {
      const page = await db
        .select()
        .from(auditEvents)
        .where(and(eq(auditEvents.orgId, orgId), sql`${auditEvents.seq} > ${afterSeq}`))
        .orderBy(auditEvents.seq)
        .limit(pageSize);
      for (const row of page) {
        if (row.prevHash !== prev) {
          breaks.push({ orgId, seq: row.seq, problem: 'prev-hash-mismatch' });
        }
        if (chainHash(row.prevHash, row) !== row.hash) {
          breaks.push({ orgId, seq: row.seq, problem: 'hash-mismatch' });
        }
        if (head && row.seq <= head.seq) {
          seen.upTo += 1;
          if (row.seq === head.seq) seen.hash = row.hash;
        }
        prev = row.hash;
        afterSeq = row.seq;
      }
      checked += page.length;
      onProgress?.(checked);
      if (page.length < pageSize) break;
    }
    const found = head ? anchorBreak(orgId, { head, ...seen, last: afterSeq }) : null;
    if (found) breaks.push(found);
  }
  for (const head of anchors.values()) {
    breaks.push({
      orgId: head.orgId,
      seq: head.seq,
      problem: 'missing-chain',
      detail: `checkpoint: event ${head.seq}, ${head.count} events; none are left`,
    });
  }
  return { checked, organizations: orgs.length, breaks };
}
