import { randomUUID } from 'node:crypto';
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
  type RestrictionKind,
  STAFF_ROLES,
} from '@careloop/core';
import { and, desc, eq, isNull, or, sql } from 'drizzle-orm';
import { breakGlassReasonAad } from '../../crypto/encrypted-fields.js';
import { type FieldCipher, openForView } from '../../crypto/field-cipher.js';
import type { Database, Db } from '../../db/client.js';
import { decodeKeyset, pageOf } from '../../db/keyset.js';
import type { RequestContext } from '../../http/actor.js';
import type { Actor } from '../../http/context.js';
import type { AuditLog } from '../audit/service.js';
import { users } from '../auth/schema.js';
import { patients } from '../patients/schema.js';
import { raiseTasks } from '../tasks/service.js';
import { combinedAccess } from './facts.js';
import { RestrictionGuard, type RestrictionOptions } from './guard.js';
import { breakGlassGrants, patientCareTeamUsers, patientRestrictions } from './schema.js';

export type { RestrictionOptions } from './guard.js';

/**
 * Restricted records: what a user may do with a patient's record, breaking the glass, marking
 * a restriction, the care team, and the privacy officers' break-glass report. The guard every
 * reader calls is inherited (guard.ts).
 */
export class RestrictionService extends RestrictionGuard {
  constructor(
    database: Database,
    audit: AuditLog,
    private readonly cipher: FieldCipher,
    options: RestrictionOptions,
  ) {
    super(database, audit, options);
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
      const id = randomUUID();
      const [grant] = await tx
        .insert(breakGlassGrants)
        .values({
          id,
          orgId: actor.orgId,
          userId: actor.userId,
          patientId,
          reason: this.cipher.encrypt(reason, breakGlassReasonAad(id, actor.orgId)),
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
    const after = query.cursor ? decodeKeyset(query.cursor, ['instant', 'uuid']) : null;
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
        reason: openForView(this.cipher, r.reason, breakGlassReasonAad(r.id, ctx.actor.orgId)),
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
