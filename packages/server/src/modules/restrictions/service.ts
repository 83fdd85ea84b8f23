import {
  type BreakGlassGrant,
  type BreakGlassReport,
  type BreakGlassReportQuery,
  breakGlassReason,
  CareloopError,
  type CareTeamAccess,
  type CareTeamAccessMember,
  can,
  conflict,
  type DetailAccess,
  grantExpiry,
  isRole,
  mayOpen,
  notFound,
  type PatientAccess,
  type PatientSummary,
  type RestrictionKind,
  restrictedRecord,
  STAFF_ROLES,
  type Task,
} from '@careloop/core';
import { and, desc, eq, isNull, or, type SQL, sql } from 'drizzle-orm';
import type { FieldCipher } from '../../crypto/field-cipher.js';
import { type Database, type Db, sqlLiteral } from '../../db/client.js';
import { FeedCache } from '../../db/feed-cache.js';
import { decodeKeyset, pageOf, UUID } from '../../db/keyset.js';
import { rowsOf } from '../../db/rows.js';
import type { RequestContext } from '../../http/actor.js';
import type { Actor } from '../../http/context.js';
import type { AuditLog } from '../audit/service.js';
import { users } from '../auth/schema.js';
import { patients } from '../patients/schema.js';
import { raiseTasks } from '../tasks/service.js';
import { accessOf, combinedAccess, type FactsRow, factsOf, factsStatement } from './facts.js';
import { restrictedSummary, restrictedTask } from './lists.js';
import { breakGlassGrants, patientCareTeamUsers, patientRestrictions } from './schema.js';

/** ~100 bytes each. */
const FLAG_CACHE_ENTRIES = 50_000;
/** A backstop for writes that send no notification (triggers disabled by a restore). */
const FLAG_CACHE_TTL_MS = 30_000;

interface RestrictionFlag {
  restricted: boolean;
  /** The patient and the records merged into it: a change to any of them drops the flag. */
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

/** Whether a restriction applies to a patient (its own, or a record merged into it). */
function flagStatement(patientId: string): string {
  const id = `${sqlLiteral(patientId)}::uuid`;
  const merged = `select m.merged_id from patient_merges m
    where m.survivor_id = ${id} and m.unmerged_at is null`;
  return `select exists (select 1 from patient_restrictions r where r.cleared_at is null
      and (r.patient_id = ${id} or r.patient_id in (${merged}))) as restricted,
    (select string_agg(x.merged_id::text, ',') from (${merged}) x) as merged`;
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
 * Restricted records: who may open a confidential, VIP or employee patient's record (its care
 * team, or whoever broke the glass until the grant expires), the guard every patient-detail
 * reader calls before it reads, and the privacy officers' break-glass report.
 */
export class RestrictionService {
  /**
   * Whether a restriction applies to a patient, per organization and patient, on PostgreSQL
   * (null on PGlite): most records are ordinary, and their guard then costs no round trip.
   * Kept exact by change notifications like the 360 views (docs/adr/0005, docs/adr/0012).
   */
  private readonly flags: FeedCache<FlagTags, RestrictionFlag> | null;

  constructor(
    private readonly database: Database,
    private readonly audit: AuditLog,
    private readonly cipher: FieldCipher,
    private readonly options: RestrictionOptions,
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
          const merged = row?.merged ? row.merged.split(',') : [];
          return { restricted: row?.restricted === true, patientIds: [id, ...merged] };
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
  private async facts(actor: Actor, patientIds: readonly string[], tx?: Db) {
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
        throw restrictedRecord(access.mayBreakGlass);
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

  /** A page of the patient list with the restricted rows the actor may not open masked. */
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

  /** What the actor may do with a patient's record; the name only, whatever the answer. */
  async access(ctx: RequestContext, patientId: string): Promise<PatientAccess> {
    const result = await this.database.withTenant(ctx.actor.orgId, async (tx) => {
      const [patient] = await tx
        .select({ givenName: patients.givenName, familyName: patients.familyName })
        .from(patients)
        .where(eq(patients.id, patientId));
      if (!patient) return null;
      const facts = await this.facts(ctx.actor, [patientId], tx);
      return { patient, facts };
    });
    await this.audit.read(ctx.audit, {
      action: 'read',
      recordType: 'patient-access',
      recordId: patientId,
      patientId: result ? patientId : null,
      outcome: result ? 'success' : 'failed',
    });
    if (!result) throw notFound('Patient');
    const { access, kind } = combinedAccess(ctx.actor, result.facts, this.now());
    return this.accessView(ctx.actor, patientId, result.patient, kind, access);
  }

  private accessView(
    actor: Actor,
    patientId: string,
    name: { givenName: string; familyName: string },
    kind: RestrictionKind | null,
    access: DetailAccess,
  ): PatientAccess {
    const mayManage = can(actor.role, 'restriction:manage');
    return {
      patientId,
      ...name,
      restricted: kind !== null,
      kind: mayOpen(access) || mayManage ? kind : null,
      access: access.kind,
      mayBreakGlass: access.kind === 'restricted' && access.mayBreakGlass,
      grantExpiresAt: access.kind === 'break-glass' ? access.expiresAt.toISOString() : null,
      mayManage,
    };
  }

  /**
   * Breaks the glass: a grant until now + BREAK_GLASS_MINUTES, an audit event 'break-glass',
   * and a review task for each privacy officer (every active admin when none is named), all in
   * one transaction. The stated reason is free text about a patient: it is stored encrypted,
   * like a note, and kept out of the audit log and the tasks.
   */
  async breakGlass(
    ctx: RequestContext,
    patientId: string,
    stated: string,
  ): Promise<BreakGlassGrant> {
    const reason = breakGlassReason(stated);
    const { actor } = ctx;
    const grantedAt = this.now();
    const expiresAt = grantExpiry(grantedAt, this.options.grantMinutes);
    return this.database.withTenant(actor.orgId, async (tx) => {
      const [patient] = await tx
        .select({ givenName: patients.givenName, familyName: patients.familyName })
        .from(patients)
        .where(eq(patients.id, patientId));
      if (!patient) throw notFound('Patient');
      const facts = await this.facts(actor, [patientId], tx);
      const { access } = combinedAccess(actor, facts, grantedAt);
      if (access.kind !== 'restricted') {
        throw conflict('This record is open to you: there is no glass to break');
      }
      if (!access.mayBreakGlass) {
        throw new CareloopError('forbidden', 'Your role may not break the glass');
      }
      const [grant] = await tx
        .insert(breakGlassGrants)
        .values({
          orgId: actor.orgId,
          userId: actor.userId,
          patientId,
          reason: this.cipher.encrypt(reason),
          grantedAt,
          expiresAt,
        })
        .returning({ id: breakGlassGrants.id });
      if (!grant) throw new Error('break-glass grant not stored');
      await this.audit.inTransaction(tx, ctx.audit, {
        action: 'break-glass',
        recordType: 'patient',
        recordId: patientId,
        patientId,
        reason: `grant ${grant.id} until ${expiresAt.toISOString()}; reason in the break-glass report`,
      });
      const officers = await privacyOfficers(tx);
      await raiseTasks(
        tx,
        officers.map((assigneeId) => ({
          orgId: actor.orgId,
          title: 'Review a break-glass access to a restricted record',
          description: `${actor.displayName} (${actor.role}) opened the restricted record of ${patient.givenName} ${patient.familyName} at ${grantedAt.toISOString()}, with access until ${expiresAt.toISOString()}. The stated reason is in the Break-glass report.`,
          assigneeId,
          priority: 'high',
          createdBy: actor.userId,
          createdAt: grantedAt,
        })),
      );
      return {
        id: grant.id,
        patientId,
        userId: actor.userId,
        reason,
        grantedAt: grantedAt.toISOString(),
        expiresAt: expiresAt.toISOString(),
      };
    });
  }

  /** Marks (kind) or clears (null) a patient's restriction; the history keeps who and when. */
  async setRestriction(
    ctx: RequestContext,
    patientId: string,
    kind: RestrictionKind | null,
  ): Promise<PatientAccess> {
    const { actor } = ctx;
    const at = this.now();
    await this.database.withTenant(actor.orgId, async (tx) => {
      await requirePatient(tx, patientId);
      const [active] = await tx
        .select({ id: patientRestrictions.id, kind: patientRestrictions.kind })
        .from(patientRestrictions)
        .where(
          and(eq(patientRestrictions.patientId, patientId), isNull(patientRestrictions.clearedAt)),
        )
        .for('update');
      if ((active?.kind ?? null) === kind) return;
      if (active) {
        await tx
          .update(patientRestrictions)
          .set({ clearedBy: actor.userId, clearedAt: at })
          .where(eq(patientRestrictions.id, active.id));
      }
      if (kind) {
        await tx
          .insert(patientRestrictions)
          .values({ orgId: actor.orgId, patientId, kind, setBy: actor.userId, setAt: at });
      }
      await this.audit.inTransaction(tx, ctx.audit, {
        action: 'update',
        recordType: 'patient-restriction',
        recordId: patientId,
        patientId,
        reason: kind ? `restricted: ${kind}` : 'restriction cleared',
      });
    });
    return this.access(ctx, patientId);
  }

  async careTeam(ctx: RequestContext, patientId: string): Promise<CareTeamAccess> {
    const items = await this.database.withTenant(ctx.actor.orgId, async (tx) => {
      await requirePatient(tx, patientId);
      return careTeamOf(tx, patientId);
    });
    await this.audit.read(ctx.audit, {
      action: 'read',
      recordType: 'patient-care-team',
      recordId: patientId,
      patientId,
    });
    return { items };
  }

  async addToCareTeam(ctx: RequestContext, patientId: string, userId: string) {
    const { actor } = ctx;
    const items = await this.database.withTenant(actor.orgId, async (tx) => {
      await requirePatient(tx, patientId);
      const [user] = await tx
        .select({ role: users.role })
        .from(users)
        .where(and(eq(users.id, userId), isNull(users.disabledAt)));
      if (!user || !isRole(user.role) || !STAFF_ROLES.includes(user.role)) {
        throw new CareloopError(
          'validation_failed',
          'Only active staff join a care team',
          '/body/userId',
        );
      }
      const added = await tx
        .insert(patientCareTeamUsers)
        .values({
          orgId: actor.orgId,
          patientId,
          userId,
          addedBy: actor.userId,
          addedAt: this.now(),
        })
        .onConflictDoNothing()
        .returning({ userId: patientCareTeamUsers.userId });
      if (added.length > 0) {
        await this.audit.inTransaction(tx, ctx.audit, {
          action: 'create',
          recordType: 'patient-care-team',
          recordId: userId,
          patientId,
        });
      }
      return careTeamOf(tx, patientId);
    });
    return { items };
  }

  async removeFromCareTeam(ctx: RequestContext, patientId: string, userId: string) {
    const { actor } = ctx;
    const items = await this.database.withTenant(actor.orgId, async (tx) => {
      await requirePatient(tx, patientId);
      const removed = await tx
        .delete(patientCareTeamUsers)
        .where(
          and(
            eq(patientCareTeamUsers.patientId, patientId),
            eq(patientCareTeamUsers.userId, userId),
          ),
        )
        .returning({ userId: patientCareTeamUsers.userId });
      if (removed.length === 0) throw notFound('Care team member');
      await this.audit.inTransaction(tx, ctx.audit, {
        action: 'delete',
        recordType: 'patient-care-team',
        recordId: userId,
        patientId,
      });
      return careTeamOf(tx, patientId);
    });
    return { items };
  }

  /** Every break-glass grant of the organization, newest first. */
  async report(ctx: RequestContext, query: BreakGlassReportQuery): Promise<BreakGlassReport> {
    const limit = query.limit ?? 25;
    const after = query.cursor ? decodeKeyset(query.cursor, 2) : null;
    if (after && Number.isNaN(Date.parse(after[0] ?? ''))) {
      throw new CareloopError('bad_request', 'The cursor is not valid', '/query/cursor');
    }
    const g = breakGlassGrants;
    const rows = await this.database.withTenant(ctx.actor.orgId, (tx) =>
      tx
        .select({
          id: g.id,
          userId: g.userId,
          userName: users.displayName,
          userRole: users.role,
          patientId: g.patientId,
          givenName: patients.givenName,
          familyName: patients.familyName,
          reason: g.reason,
          grantedAt: g.grantedAt,
          expiresAt: g.expiresAt,
        })
        .from(g)
        .innerJoin(users, and(eq(users.orgId, g.orgId), eq(users.id, g.userId)))
        .innerJoin(patients, and(eq(patients.orgId, g.orgId), eq(patients.id, g.patientId)))
        .where(
          and(
            query.userId ? eq(g.userId, query.userId) : undefined,
            query.patientId ? eq(g.patientId, query.patientId) : undefined,
            after
              ? or(
                  sql`${g.grantedAt} < ${after[0]}::timestamptz`,
                  and(
                    sql`${g.grantedAt} = ${after[0]}::timestamptz`,
                    sql`${g.id} < ${after[1]}::uuid`,
                  ),
                )
              : undefined,
          ),
        )
        .orderBy(desc(g.grantedAt), desc(g.id))
        .limit(limit + 1),
    );
    const page = pageOf(
      rows,
      limit,
      (r) => [r.grantedAt.toISOString(), r.id],
      (r) => ({
        id: r.id,
        userId: r.userId,
        userName: r.userName,
        userRole: r.userRole,
        patientId: r.patientId,
        patientName: `${r.givenName} ${r.familyName}`,
        reason: this.cipher.decrypt(r.reason),
        grantedAt: r.grantedAt.toISOString(),
        expiresAt: r.expiresAt.toISOString(),
      }),
    );
    await Promise.all(
      [...new Set(page.items.map((i) => i.patientId))].map((patientId) =>
        this.audit.read(ctx.audit, {
          action: 'search',
          recordType: 'break-glass-grant',
          patientId,
        }),
      ),
    );
    return page;
  }
}

async function requirePatient(tx: Db, patientId: string): Promise<void> {
  const [found] = await tx
    .select({ id: patients.id })
    .from(patients)
    .where(eq(patients.id, patientId));
  if (!found) throw notFound('Patient');
}

async function careTeamOf(tx: Db, patientId: string): Promise<CareTeamAccessMember[]> {
  const t = patientCareTeamUsers;
  const rows = await tx
    .select({
      userId: t.userId,
      displayName: users.displayName,
      role: users.role,
      addedAt: t.addedAt,
    })
    .from(t)
    .innerJoin(users, and(eq(users.orgId, t.orgId), eq(users.id, t.userId)))
    .where(eq(t.patientId, patientId))
    .orderBy(users.displayName);
  return rows.flatMap((r) =>
    isRole(r.role) ? [{ ...r, role: r.role, addedAt: r.addedAt.toISOString() }] : [],
  );
}

/** The organization's active privacy officers; every active admin when none is named. */
async function privacyOfficers(tx: Db): Promise<string[]> {
  const admins = await tx
    .select({ id: users.id, privacyOfficer: users.privacyOfficer })
    .from(users)
    .where(and(eq(users.role, 'admin'), isNull(users.disabledAt)));
  const named = admins.filter((a) => a.privacyOfficer);
  return (named.length > 0 ? named : admins).map((a) => a.id);
}
