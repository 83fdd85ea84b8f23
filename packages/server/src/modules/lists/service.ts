import {
  badRequest,
  decodeKeysetCursor,
  notFound,
  type PatientListCreate,
  type PatientListItem,
  type PatientListMembers,
  type PatientListMembersQuery,
  type PatientListNew,
  type PatientListSummary,
  unknownReference,
} from '@careloop/core';
import { and, desc, eq, sql } from 'drizzle-orm';
import type { Database, Db } from '../../db/client.js';
import { pageOf } from '../../db/keyset.js';
import { rowsOf } from '../../db/rows.js';
import type { RequestContext } from '../../http/actor.js';
import type { AuditLog } from '../audit/service.js';
import { users } from '../auth/schema.js';
import type { JobRunner } from '../jobs/runner.js';
import { patients } from '../patients/schema.js';
import { patientListMembers, patientLists } from './schema.js';

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** One membership change: the organization, the list, the patient, when. */
export interface Membership {
  orgId: string;
  listId: string;
  patientId: string;
  at: Date;
}

/** Who adds a member: `staff` (with the user), `journey:<key>`, or a saved list's source. */
export interface MemberSource {
  source: string;
  addedBy: string | null;
}

/**
 * What a patient leaving a list ends, told in the removal's transaction (the journey runtime:
 * the enrolments the list started). Declared here by its shape, so the list module needs no
 * import of journeys (journeys read lists). `keep`: the one left running, if any.
 */
export interface ListLeaving {
  leftList(tx: Db, left: Membership & { list: ListRef }, keep: KeepRunning): Promise<void>;
}

/**
 * Which running enrolment a departure leaves alone: none, the one whose step removed the
 * patient, or the oldest (a merge: one person, one recall per list, the one that started first).
 */
export type KeepRunning = null | { enrolmentId: string } | 'oldest';

/** A list a journey names: by its id or by its key. */
export interface ListRef {
  id: string;
  key: string | null;
  name: string;
}

/**
 * Patient lists and their members (docs/adr/0040): the only writer of `patient_lists` and
 * `patient_list_members`. An addition that changes the list announces `list.entered` in the
 * same transaction (a job), so the journeys that start on the list enrol the patient once the
 * change commits, and only then; adding a member already there changes nothing and announces
 * nothing, so a retried journey step or a double click starts no second enrolment.
 */
export class ListService {
  constructor(
    private readonly database: Database,
    private readonly audit: AuditLog,
    private readonly jobs: JobRunner,
    private readonly clock: () => Date,
  ) {}

  /** Saves a static patient list from a journey-map drill-down. */
  async create(
    ctx: RequestContext,
    input: PatientListCreate,
    source: string,
  ): Promise<PatientListSummary> {
    const ids = [...new Set(input.patientIds)];
    return this.database.withTenant(ctx.actor.orgId, async (tx) => {
      const known = rowsOf<{ id: string }>(
        await tx.execute(
          sql`select id from patients where id in (${sql.join(
            ids.map((id) => sql`${id}::uuid`),
            sql`, `,
          )})`,
        ),
      );
      if (known.length !== ids.length)
        throw badRequest('An id names no patient of this organization', '/body/patientIds');
      const now = this.clock();
      const [list] = await tx
        .insert(patientLists)
        .values({
          orgId: ctx.actor.orgId,
          name: input.name,
          source,
          createdBy: ctx.actor.userId,
          createdAt: now,
        })
        .returning();
      if (!list) throw new Error('The patient list was not created');
      // A new list: no journey can name it yet, so its first members announce nothing.
      await tx.insert(patientListMembers).values(
        ids.map((patientId) => ({
          orgId: ctx.actor.orgId,
          listId: list.id,
          patientId,
          addedAt: now,
          source,
          addedBy: ctx.actor.userId,
        })),
      );
      await this.audit.inTransaction(tx, ctx.audit, {
        action: 'create',
        recordType: 'patient-list',
        recordId: list.id,
        reason: `${ids.length} patients`,
      });
      return {
        id: list.id,
        name: list.name,
        size: ids.length,
        createdAt: list.createdAt.toISOString(),
      };
    });
  }

  /** A list made by hand in the console: empty, kept by staff (audited). */
  async createByHand(ctx: RequestContext, input: PatientListNew): Promise<PatientListItem> {
    const name = input.name.trim();
    return this.database.withTenant(ctx.actor.orgId, async (tx) => {
      const [list] = await tx
        .insert(patientLists)
        .values({
          orgId: ctx.actor.orgId,
          name,
          source: 'staff',
          createdBy: ctx.actor.userId,
          createdAt: this.clock(),
        })
        .returning({ id: patientLists.id });
      if (!list) throw new Error('The patient list was not created');
      await this.audit.inTransaction(tx, ctx.audit, {
        action: 'create',
        recordType: 'patient-list',
        recordId: list.id,
      });
      const [made] = await summaries(tx, list.id);
      if (!made) throw new Error('The patient list was not created');
      return made;
    });
  }

  /** The organization's lists with their sizes, newest first (aggregates: no PHI). */
  async all(orgId: string): Promise<PatientListItem[]> {
    return this.database.withTenant(orgId, (tx) => summaries(tx, null));
  }

  // Issue 11 (h11l): removal ends what the list started; the journey runtime registers here.
  private leaving: ListLeaving | null = null;

  /** Removals tell `leaving`, in their transaction (docs/adr/0040, addendum). */
  endsEnrolmentsThrough(leaving: ListLeaving): void {
    this.leaving = leaving;
  }

  /**
   * A page of a list's members by name, newest first (`hidden`: the restricted ones the caller
   * may not open, flagged); each patient shown is an audited read.
   */
  async members(
    ctx: RequestContext,
    listId: string,
    query: PatientListMembersQuery,
    hidden: (patientIds: string[]) => Promise<Set<string>>,
  ): Promise<PatientListMembers> {
    const orgId = ctx.actor.orgId;
    const limit = query.limit ?? 25;
    // A cursor is input: an instant and a uuid, else a 400 naming it.
    const after = query.cursor ? decodeKeysetCursor(query.cursor, ['instant', 'uuid']) : null;
    const { list, rows } = await this.database.withTenant(orgId, async (tx) => {
      const [list] = await summaries(tx, listId);
      if (!list) throw notFound('Patient list');
      const rows = await tx
        .select({
          patientId: patientListMembers.patientId,
          givenName: patients.givenName,
          familyName: patients.familyName,
          addedAt: patientListMembers.addedAt,
          source: patientListMembers.source,
          addedBy: users.displayName,
        })
        .from(patientListMembers)
        .innerJoin(
          patients,
          and(
            eq(patients.orgId, patientListMembers.orgId),
            eq(patients.id, patientListMembers.patientId),
          ),
        )
        .leftJoin(
          users,
          and(eq(users.orgId, patientListMembers.orgId), eq(users.id, patientListMembers.addedBy)),
        )
        .where(
          and(
            eq(patientListMembers.listId, listId),
            after
              ? sql`(${patientListMembers.addedAt}, ${patientListMembers.patientId}) < (${after[0]}::timestamptz, ${after[1]}::uuid)`
              : undefined,
          ),
        )
        .orderBy(desc(patientListMembers.addedAt), desc(patientListMembers.patientId))
        .limit(limit + 1);
      return { list, rows };
    });
    const page = pageOf(
      rows,
      limit,
      (r) => [r.addedAt.toISOString(), r.patientId],
      (r) => r,
    );
    const restricted = await hidden(page.items.map((r) => r.patientId));
    await Promise.all(
      page.items.map((r) =>
        this.audit.read(ctx.audit, {
          action: 'read',
          recordType: 'patient-list-member',
          recordId: listId,
          patientId: r.patientId,
        }),
      ),
    );
    return {
      list,
      items: page.items.map((r) => ({
        patientId: r.patientId,
        givenName: r.givenName,
        familyName: r.familyName,
        restricted: restricted.has(r.patientId),
        addedAt: r.addedAt.toISOString(),
        source: r.source,
        addedBy: r.addedBy,
      })),
      nextCursor: page.nextCursor,
    };
  }

  /** Staff add a patient to a list: audited; `changed` is false when already there. */
  async addMember(ctx: RequestContext, listId: string, patientId: string): Promise<boolean> {
    const orgId = ctx.actor.orgId;
    return this.database.withTenant(orgId, async (tx) => {
      await this.existing(tx, listId);
      const [patient] = await tx
        .select({ id: patients.id })
        .from(patients)
        .where(eq(patients.id, patientId));
      if (!patient) throw unknownReference('patientId', 'patient');
      const changed = await this.add(
        tx,
        { orgId, listId, patientId, at: this.clock() },
        { source: 'staff', addedBy: ctx.actor.userId },
      );
      if (changed)
        await this.audit.inTransaction(tx, ctx.audit, {
          action: 'create',
          recordType: 'patient-list-member',
          recordId: listId,
          patientId,
        });
      return changed;
    });
  }

  /** Staff remove a patient from a list: audited; `changed` is false when not there. */
  async removeMember(ctx: RequestContext, listId: string, patientId: string): Promise<boolean> {
    const orgId = ctx.actor.orgId;
    return this.database.withTenant(orgId, async (tx) => {
      await this.existing(tx, listId);
      const changed = await this.remove(tx, { orgId, listId, patientId, at: this.clock() });
      if (changed)
        await this.audit.inTransaction(tx, ctx.audit, {
          action: 'delete',
          recordType: 'patient-list-member',
          recordId: listId,
          patientId,
        });
      return changed;
    });
  }

  /**
   * Adds a member in `tx` (a staff request's, a journey step's) and announces `list.entered`
   * there. True when the list changed; false when the patient was already on it.
   */
  async add(tx: Db, membership: Membership, by: MemberSource): Promise<boolean> {
    const { orgId, listId, patientId, at } = membership;
    const inserted = await tx
      .insert(patientListMembers)
      .values({ orgId, listId, patientId, addedAt: at, source: by.source, addedBy: by.addedBy })
      .onConflictDoNothing()
      .returning({ patientId: patientListMembers.patientId });
    if (inserted.length === 0) return false;
    await this.jobs.send(tx, 'list.entered', { orgId, listId, patientId });
    return true;
  }

  /**
   * Removes a member in `tx` and, when the list changed, ends there the running enrolments the
   * list started for the patient (all but `keep`, the enrolment removing them). True when the
   * list changed.
   */
  async remove(tx: Db, membership: Membership, keep: KeepRunning = null): Promise<boolean> {
    const deleted = await tx
      .delete(patientListMembers)
      .where(
        and(
          eq(patientListMembers.listId, membership.listId),
          eq(patientListMembers.patientId, membership.patientId),
        ),
      )
      .returning({ patientId: patientListMembers.patientId });
    if (deleted.length === 0) return false;
    const list = await this.resolve(tx, membership.listId);
    if (this.leaving && list) await this.leaving.leftList(tx, { ...membership, list }, keep);
    return true;
  }

  /** The list a journey names (its id or its key) in the organization of `tx`, or null. */
  async resolve(tx: Db, ref: string): Promise<ListRef | null> {
    const where = UUID_PATTERN.test(ref) ? eq(patientLists.id, ref) : eq(patientLists.key, ref);
    const [row] = await tx
      .select({ id: patientLists.id, key: patientLists.key, name: patientLists.name })
      .from(patientLists)
      .where(where);
    return row ?? null;
  }

  /** The list with `key`, created with `name` when the organization has none (a ready journey). */
  async ensure(tx: Db, orgId: string, key: string, name: string): Promise<ListRef> {
    await tx
      .insert(patientLists)
      .values({ orgId, key, name, source: 'ready-journey', createdAt: this.clock() })
      .onConflictDoNothing();
    const found = await this.resolve(tx, key);
    if (!found) throw new Error(`list ${key} was neither found nor created`);
    return found;
  }

  /**
   * After a merge (mpi), in its transaction: the merged record's memberships follow the person.
   * A list the survivor was not on takes the survivor instead, as added then and by whom (no
   * entry is announced: the merged record's enrolments moved with the merge and go on). A list
   * both were on keeps the survivor's membership; the merged record leaves it, and of the
   * person's running enrolments the list started, all but the oldest end as `left-list`.
   */
  async followMerge(
    tx: Db,
    merge: { orgId: string; survivorId: string; mergedId: string },
  ): Promise<void> {
    const { orgId, survivorId, mergedId } = merge;
    const at = this.clock();
    const memberships = await tx
      .delete(patientListMembers)
      .where(eq(patientListMembers.patientId, mergedId))
      .returning();
    for (const m of memberships) {
      if (!(await this.isMember(tx, m.listId, survivorId))) {
        await tx.insert(patientListMembers).values({ ...m, patientId: survivorId });
        continue;
      }
      const list = await this.resolve(tx, m.listId);
      if (this.leaving && list)
        await this.leaving.leftList(
          tx,
          { orgId, listId: m.listId, patientId: survivorId, at, list },
          'oldest',
        );
    }
  }

  /** Whether the patient is on the list (tests, a condition some day). */
  async isMember(tx: Db, listId: string, patientId: string): Promise<boolean> {
    const [row] = await tx
      .select({ patientId: patientListMembers.patientId })
      .from(patientListMembers)
      .where(
        and(eq(patientListMembers.listId, listId), eq(patientListMembers.patientId, patientId)),
      );
    return row !== undefined;
  }

  private async existing(tx: Db, listId: string): Promise<void> {
    const [row] = await tx
      .select({ id: patientLists.id })
      .from(patientLists)
      .where(eq(patientLists.id, listId));
    if (!row) throw notFound('Patient list');
  }
}

/** Lists with their sizes, newest first: all of them (at most 500), or the one with `listId`. */
async function summaries(tx: Db, listId: string | null): Promise<PatientListItem[]> {
  const rows = rowsOf<{
    id: string;
    name: string;
    key: string | null;
    source: string;
    created_at: Date | string;
    size: number | string;
    created_by: string | null;
  }>(
    await tx.execute(sql`
      select l.id, l.name, l.key, l.source, l.created_at,
             (select count(*) from patient_list_members m
              where m.org_id = l.org_id and m.list_id = l.id)::int as size,
             u.display_name as created_by
      from patient_lists l
      left join users u on u.org_id = l.org_id and u.id = l.created_by
      ${listId ? sql`where l.id = ${listId}` : sql``}
      order by l.created_at desc, l.id
      limit 500`),
  );
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    key: r.key,
    source: r.source,
    size: Number(r.size),
    createdAt: new Date(r.created_at).toISOString(),
    createdBy: r.created_by,
  }));
}
