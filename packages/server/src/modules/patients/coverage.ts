import {
  badRequest,
  type CareTeamMemberInput,
  type CoverageInput,
  type CoverageRecord,
  type CoverageUpdate,
  mayRead,
  notFound,
  type Role,
  type SubscriberRelationship,
  unknownReference,
} from '@careloop/core';
import { and, asc, eq } from 'drizzle-orm';
import type { Database, Db } from '../../db/client.js';
import type { RequestContext } from '../../http/actor.js';
import type { AuditLog } from '../audit/service.js';
import { practitioners } from '../directory/schema.js';
import { careTeamMembers, coverages, patients } from './schema.js';

type CoverageRow = typeof coverages.$inferSelect;

/**
 * Member and group ids and the subscriber go to the roles that may read insurance ids
 * (FIELD_POLICY's coverage.memberId and groupNumber: registration and billing).
 */
function coverageFor(role: Role, row: CoverageRow): CoverageRecord {
  const ids = mayRead(role, 'coverage', 'memberId');
  return {
    id: row.id,
    payer: row.payer,
    plan: row.plan,
    memberId: ids ? row.memberId : null,
    groupNumber: mayRead(role, 'coverage', 'groupNumber') ? row.groupNumber : null,
    subscriberName: ids ? row.subscriberName : null,
    subscriberRelationship: ids ? (row.subscriberRelationship as SubscriberRelationship) : null,
    priority: row.priority,
    status: row.status,
    startDate: row.startDate,
    endDate: row.endDate,
  };
}

const blankToNull = (value: string | null | undefined) =>
  value === undefined ? undefined : value?.trim() || null;

/** An end before the start is a typing error, named on the end date. */
function assertPeriod(start: string | null | undefined, end: string | null | undefined): void {
  if (start && end && end < start) {
    throw badRequest('The end date is before the start date', '/body/endDate');
  }
}

function coverageValues(input: CoverageUpdate) {
  const values = {
    payer: input.payer?.trim(),
    plan: blankToNull(input.plan),
    memberId: input.memberId?.trim(),
    groupNumber: blankToNull(input.groupNumber),
    subscriberName: blankToNull(input.subscriberName),
    subscriberRelationship: input.subscriberRelationship,
    priority: input.priority,
    status: input.status,
    startDate: input.startDate,
    endDate: input.endDate,
  };
  if (values.payer === '') throw badRequest('Enter the payer', '/body/payer');
  if (values.memberId === '') throw badRequest('Enter the member id', '/body/memberId');
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined));
}

/**
 * A patient's coverage and care team as the front desk keeps them from the 360 page. Every
 * read and write is audited; the caller has passed the restrictions guard.
 */
export class PatientCoverageService {
  constructor(
    private readonly database: Database,
    private readonly audit: AuditLog,
  ) {}

  async list(ctx: RequestContext, patientId: string): Promise<CoverageRecord[]> {
    const rows = await this.database.withTenant(ctx.actor.orgId, async (tx) => {
      await requirePatient(tx, patientId);
      return tx
        .select()
        .from(coverages)
        .where(eq(coverages.patientId, patientId))
        .orderBy(asc(coverages.priority), asc(coverages.payer));
    });
    await this.audit.read(ctx.audit, {
      action: 'read',
      recordType: 'coverage',
      recordId: patientId,
      patientId,
    });
    return rows.map((r) => coverageFor(ctx.actor.role, r));
  }

  add(ctx: RequestContext, patientId: string, input: CoverageInput): Promise<CoverageRecord> {
    assertPeriod(input.startDate, input.endDate);
    return this.database.withTenant(ctx.actor.orgId, async (tx) => {
      await requirePatient(tx, patientId);
      const [row] = await tx
        .insert(coverages)
        .values({
          ...coverageValues(input),
          payer: input.payer.trim(),
          memberId: input.memberId.trim(),
          orgId: ctx.actor.orgId,
          patientId,
        })
        .returning();
      if (!row) throw new Error('coverage insert returned nothing');
      await this.audit.inTransaction(tx, ctx.audit, {
        action: 'create',
        recordType: 'coverage',
        recordId: row.id,
        patientId,
      });
      return coverageFor(ctx.actor.role, row);
    });
  }

  update(
    ctx: RequestContext,
    patientId: string,
    coverageId: string,
    input: CoverageUpdate,
  ): Promise<CoverageRecord> {
    return this.database.withTenant(ctx.actor.orgId, async (tx) => {
      const mine = and(eq(coverages.id, coverageId), eq(coverages.patientId, patientId));
      const [current] = await tx.select().from(coverages).where(mine).for('update');
      if (!current) throw notFound('Coverage');
      assertPeriod(
        input.startDate === undefined ? current.startDate : input.startDate,
        input.endDate === undefined ? current.endDate : input.endDate,
      );
      const changes = coverageValues(input);
      const [row] =
        Object.keys(changes).length === 0
          ? [current]
          : await tx.update(coverages).set(changes).where(mine).returning();
      if (!row) throw notFound('Coverage');
      await this.audit.inTransaction(tx, ctx.audit, {
        action: 'update',
        recordType: 'coverage',
        recordId: coverageId,
        patientId,
        reason: `fields: ${Object.keys(changes).join(', ') || 'none'}`,
      });
      return coverageFor(ctx.actor.role, row);
    });
  }

  /**
   * Adds a member to the care team shown on the 360 page: one of the organization's
   * practitioners (named from the directory) or a person named by hand (a family carer).
   */
  addCareTeamMember(
    ctx: RequestContext,
    patientId: string,
    input: CareTeamMemberInput,
  ): Promise<void> {
    return this.database.withTenant(ctx.actor.orgId, async (tx) => {
      await requirePatient(tx, patientId);
      let name = input.name?.trim() ?? '';
      if (input.practitionerId) {
        const [found] = await tx
          .select({
            prefix: practitioners.prefix,
            given: practitioners.givenName,
            family: practitioners.familyName,
          })
          .from(practitioners)
          .where(eq(practitioners.id, input.practitionerId));
        if (!found) throw unknownReference('practitionerId', 'practitioner');
        name = [found.prefix, found.given, found.family].filter(Boolean).join(' ');
      }
      if (!name) throw badRequest('Choose a practitioner or enter a name', '/body/name');
      const [row] = await tx
        .insert(careTeamMembers)
        .values({
          orgId: ctx.actor.orgId,
          patientId,
          practitionerId: input.practitionerId ?? null,
          name,
          role: input.role.trim(),
          since: input.since ?? null,
        })
        .returning({ id: careTeamMembers.id });
      await this.audit.inTransaction(tx, ctx.audit, {
        action: 'create',
        recordType: 'care-team-member',
        recordId: row?.id ?? null,
        patientId,
      });
    });
  }

  removeCareTeamMember(ctx: RequestContext, patientId: string, memberId: string): Promise<void> {
    return this.database.withTenant(ctx.actor.orgId, async (tx) => {
      const [row] = await tx
        .delete(careTeamMembers)
        .where(and(eq(careTeamMembers.id, memberId), eq(careTeamMembers.patientId, patientId)))
        .returning({ id: careTeamMembers.id });
      if (!row) throw notFound('Care team member');
      await this.audit.inTransaction(tx, ctx.audit, {
        action: 'delete',
        recordType: 'care-team-member',
        recordId: memberId,
        patientId,
      });
    });
  }
}

async function requirePatient(tx: Db, patientId: string): Promise<void> {
  const [row] = await tx
    .select({ id: patients.id })
    .from(patients)
    .where(eq(patients.id, patientId));
  if (!row) throw notFound('Patient');
}
