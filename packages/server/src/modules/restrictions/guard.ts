import { mayOpen, type PatientSummary, restrictedRecord, type Task } from '@careloop/core';
import { type SQL, sql } from 'drizzle-orm';
import type { Database, Db } from '../../db/client.js';
import { FeedCache } from '../../db/feed-cache.js';
import { UUID } from '../../db/keyset.js';
import { rowsOf } from '../../db/rows.js';
import type { RequestContext } from '../../http/actor.js';
import type { Actor } from '../../http/context.js';
import { type AuditLog, auditedRefusal } from '../audit/service.js';
import {
  accessOf,
  type FactsRow,
  factsOf,
  factsStatement,
  mergeFamilyCtes,
  restrictedRootsStatement,
} from './facts.js';
import { restrictedSummary, restrictedTask } from './lists.js';

/** ~100 bytes each. */
const FLAG_CACHE_ENTRIES = 50_000;
/** A backstop for writes that send no notification (triggers disabled by a restore). */
const FLAG_CACHE_TTL_MS = 30_000;

interface RestrictionFlag {
  restricted: boolean;
  /** The patient and every record of its merge family: a change to any of them drops the flag. */
  patientIds: string[];
}
interface FlagTags {
  orgId: string;
  patientIds: string[];
}
interface FlagRow {
  restricted: boolean;
  merged: string | null;
}

/**
 * Whether a restriction applies to a patient (its own, or another record of the same person
 * through a merge chain), and every id of that family: a change to any of them drops the flag.
 */
function flagStatement(patientId: string): string {
  return `with recursive ${mergeFamilyCtes([patientId])}
    select exists (select 1 from family f join patient_restrictions r
        on r.cleared_at is null and r.patient_id = f.id) as restricted,
      (select string_agg(x.id::text, ',') from (select id from up union select id from family) x)
        as merged`;
}

type RecordKind = 'note' | 'task' | 'mpi-review' | 'patient-merge';
const RECORD_PATIENTS: Record<RecordKind, (id: string) => SQL> = {
  note: (id) => sql`select patient_id as a, null::uuid as b from notes where id = ${id}`,
  task: (id) => sql`select patient_id as a, null::uuid as b from tasks where id = ${id}`,
  'mpi-review': (id) =>
    sql`select incoming_id as a, candidate_id as b from mpi_review_items where id = ${id}`,
  'patient-merge': (id) =>
    sql`select survivor_id as a, merged_id as b from patient_merges where id = ${id}`,
};

export interface RestrictionOptions {
  /** How long a break-glass grant lasts (`BREAK_GLASS_MINUTES`). */
  grantMinutes: number;
  /** The request clock: when a grant starts, and whether one is still running. */
  clock: () => Date;
}

/**
 * The check every reader of a patient's detail runs first: one rule (core's `detailAccess`),
 * one statement for the facts, a per-process flag so ordinary records cost nothing more on
 * PostgreSQL, and the masks lists apply to the rows the caller may not open.
 */
export class RestrictionGuard {
  /**
   * Whether a restriction applies to a patient, per organization and patient, on PostgreSQL
   * (null on PGlite): most records are ordinary, and their guard then costs no round trip.
   * Kept exact by change notifications like the 360 views (docs/adr/0005, docs/adr/0012).
   */
  private readonly flags: FeedCache<FlagTags, RestrictionFlag> | null;

  constructor(
    protected readonly database: Database,
    protected readonly audit: AuditLog,
    protected readonly options: RestrictionOptions,
  ) {
    this.flags = database.changes
      ? new FeedCache(database.changes, {
          maxEntries: FLAG_CACHE_ENTRIES,
          ttlMs: FLAG_CACHE_TTL_MS,
          affects: (change, tags) =>
            (change.kind === 'patient' &&
              change.orgId === tags.orgId &&
              tags.patientIds.includes(change.patientId)) ||
            (change.kind === 'org' && change.orgId === tags.orgId),
        })
      : null;
  }

  /** Of `patientIds`, those a restriction may apply to; without a cache, all of them. */
  private async mayBeRestricted(ctx: RequestContext, patientIds: readonly string[]) {
    const flags = this.flags;
    const ids = [...new Set(patientIds)].filter((id) => UUID.test(id));
    if (!flags) return ids;
    const orgId = ctx.actor.orgId;
    const since = ctx.receivedAt ?? performance.now();
    const out: string[] = [];
    for (const id of ids) {
      const flag = await flags.get(
        `${orgId}:${id}`,
        (v) => ({ orgId, patientIds: v.patientIds }),
        since,
        async () => {
          const [row] = await this.database.tenantRead<FlagRow>(orgId, flagStatement(id));
          const family = row?.merged ? row.merged.split(',') : [];
          return { restricted: row?.restricted === true, patientIds: [id, ...family] };
        },
      );
      if (!flag || flag.restricted) out.push(id);
    }
    return out;
  }

  now(): Date {
    return this.options.clock();
  }

  /** The restrictions that apply to `patientIds`, as facts for the actor's access rule. */
  protected async facts(actor: Actor, patientIds: readonly string[], tx?: Db) {
    const statement = factsStatement(actor.userId, patientIds);
    if (!statement) return [];
    const rows = tx
      ? rowsOf<FactsRow>(await tx.execute(sql.raw(statement)))
      : await this.database.tenantRead<FactsRow>(actor.orgId, statement);
    return rows.map(factsOf);
  }

  /**
   * The guard before a reader or writer of patient detail: a 403 `restricted` (audited as a
   * denied access) unless the actor may open every one of `patientIds`. One statement.
   */
  async guard(ctx: RequestContext, patientIds: readonly string[], recordType: string) {
    const candidates = await this.mayBeRestricted(ctx, patientIds);
    if (candidates.length === 0) return;
    const facts = await this.facts(ctx.actor, candidates);
    const asOf = this.now();
    for (const f of facts) {
      const access = accessOf(ctx.actor, f, asOf);
      if (access.kind === 'restricted') {
        await this.audit.read(ctx.audit, {
          action: 'read',
          recordType,
          recordId: f.patientId,
          patientId: f.patientId,
          outcome: 'denied',
          reason: 'restricted record',
        });
        throw auditedRefusal(restrictedRecord(access.mayBreakGlass));
      }
    }
  }

  /**
   * The guard for a route that names a record rather than its patient (a note, a task, a
   * duplicate review, a merge): the record's patients first, then `guard`. An unknown record
   * passes, and the route answers its own 404.
   */
  async guardRecord(ctx: RequestContext, kind: RecordKind, id: string): Promise<void> {
    const statement = RECORD_PATIENTS[kind];
    const rows = await this.database.withTenant(ctx.actor.orgId, async (tx) =>
      rowsOf<{ a: string | null; b: string | null }>(await tx.execute(statement(id))),
    );
    const ids = rows.flatMap((r) => [r.a, r.b]).filter((p): p is string => p !== null);
    await this.guard(ctx, ids, kind);
  }

  /** For lists: the patients among `patientIds` the actor may not open (shown by name only). */
  async hiddenAmong(actor: Actor, patientIds: readonly string[], tx?: Db): Promise<Set<string>> {
    const facts = await this.facts(actor, patientIds, tx);
    const asOf = this.now();
    return new Set(facts.filter((f) => !mayOpen(accessOf(actor, f, asOf))).map((f) => f.patientId));
  }

  /**
   * Every current record (not merged away) of a restricted patient the actor may not open: a
   * list masks them and leaves them out of searches on a masked field and out of the ordering
   * by one (docs/adr/0012, "Lists"). Two statements; none when the organization restricts no one.
   */
  async hiddenPatients(actor: Actor): Promise<Set<string>> {
    const roots = await this.database.tenantRead<{ id: string }>(
      actor.orgId,
      restrictedRootsStatement(),
    );
    if (roots.length === 0) return new Set();
    return this.hiddenAmong(
      actor,
      roots.map((r) => r.id),
    );
  }

  /**
   * A page of the patient list with the restricted rows the actor may not open masked. Read
   * again for the page rather than taken from `hiddenPatients`: a restriction set between the
   * two reads is still masked.
   */
  async maskPatients<P extends { items: PatientSummary[] }>(actor: Actor, page: P): Promise<P> {
    const hidden = await this.hiddenAmong(
      actor,
      page.items.map((i) => i.id),
    );
    if (hidden.size === 0) return page;
    return {
      ...page,
      items: page.items.map((i) => (hidden.has(i.id) ? restrictedSummary(i) : i)),
    };
  }

  /** A page of tasks with those about patients the actor may not open masked. */
  async maskTasks<P extends { items: Task[] }>(actor: Actor, page: P): Promise<P> {
    const hidden = await this.hiddenAmong(
      actor,
      page.items.flatMap((i) => (i.patientId ? [i.patientId] : [])),
    );
    if (hidden.size === 0) return page;
    return {
      ...page,
      items: page.items.map((i) =>
        i.patientId && hidden.has(i.patientId) ? restrictedTask(i) : i,
      ),
    };
  }
}
