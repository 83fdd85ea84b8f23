import {
  type AttachmentUpload,
  badRequest,
  type CardSide,
  CareloopError,
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
import type { FieldCipher } from '../../crypto/field-cipher.js';
import type { Database, Db } from '../../db/client.js';
import type { RequestContext } from '../../http/actor.js';
import type { AuditLog } from '../audit/service.js';
import { practitioners } from '../directory/schema.js';
import {
  type CheckedCard,
  cardFile,
  cardSidesOf,
  checkCard,
  storeCards,
} from './coverage-cards.js';
import { careTeamMembers, coverages, patients } from './schema.js';

type CoverageRow = typeof coverages.$inferSelect;

/**
 * Member and group ids and the subscriber go to the roles that may read insurance ids
 * (FIELD_POLICY's coverage.memberId and groupNumber: registration and billing).
 */
function coverageFor(role: Role, row: CoverageRow, cards: CardSide[] = []): CoverageRecord {
  const ids = mayRead(role, 'coverage', 'memberId');
  return {
    // Issue 13 (h13r): pre-registration.
    subscriberBirthDate: ids ? row.subscriberBirthDate : null,
    ...(mayRead(role, 'coverage', 'cardImage') ? { cards } : {}),
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
    subscriberBirthDate: input.subscriberBirthDate,
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
    // Issue 13 (h13r): card images are sealed.
    private readonly cipher: FieldCipher,
  ) {}

  async list(ctx: RequestContext, patientId: string): Promise<CoverageRecord[]> {
    const { rows, sides } = await this.database.withTenant(ctx.actor.orgId, async (tx) => {
      await requirePatient(tx, patientId);
      const rows = await tx
        .select()
        .from(coverages)
        .where(eq(coverages.patientId, patientId))
        .orderBy(asc(coverages.priority), asc(coverages.payer));
      return {
        rows,
        sides: await cardSidesOf(
          tx,
          rows.map((r) => r.id),
        ),
      };
    });
    await this.audit.read(ctx.audit, {
      action: 'read',
      recordType: 'coverage',
      recordId: patientId,
      patientId,
    });
    return rows.map((r) => coverageFor(ctx.actor.role, r, sides.get(r.id)));
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

  // Issue 13 (h13r): pre-registration before a visit.
  /** A photographed card side, decoded and checked before any write (size, then sniffed type). */
  checkCard(upload: AttachmentUpload, side: CardSide, path: string): CheckedCard {
    return checkCard(upload, side, path);
  }

  /**
   * The coverage a patient states when pre-registering, with the card sides they photographed:
   * the coverage with the same payer and member id is brought up to date (a patient who
   * pre-registers for every visit keeps one row), else a new one is added after the others.
   * Audited; returns the coverage's id.
   */
  recordFromPortal(
    ctx: RequestContext,
    patientId: string,
    input: CoverageInput,
    cards: readonly CheckedCard[],
    at: Date,
  ): Promise<string> {
    assertPeriod(input.startDate, input.endDate);
    const orgId = ctx.actor.orgId;
    return this.database.withTenant(orgId, async (tx) => {
      await requirePatient(tx, patientId);
      const stated = coverageValues(input);
      const mine = await tx.select().from(coverages).where(eq(coverages.patientId, patientId));
      const same = mine.find(
        (c) =>
          c.payer.trim().toLowerCase() === input.payer.trim().toLowerCase() &&
          c.memberId.trim() === input.memberId.trim(),
      );
      let id: string;
      if (same) {
        await tx
          .update(coverages)
          .set({ ...stated, status: 'active' })
          .where(eq(coverages.id, same.id));
        id = same.id;
      } else {
        const [row] = await tx
          .insert(coverages)
          .values({
            ...stated,
            payer: input.payer.trim(),
            memberId: input.memberId.trim(),
            priority: Math.min(9, mine.reduce((n, c) => Math.max(n, c.priority), 0) + 1),
            orgId,
            patientId,
          })
          .returning({ id: coverages.id });
        if (!row) throw new Error('coverage insert returned nothing');
        id = row.id;
      }
      await storeCards(tx, this.cipher, orgId, id, cards, at);
      await this.audit.inTransaction(tx, ctx.audit, {
        action: same ? 'update' : 'create',
        recordType: 'coverage',
        recordId: id,
        patientId,
        reason: `pre-registration via portal${cards.length ? `, card ${cards.map((c) => c.side).join(' and ')}` : ''}`,
      });
      return id;
    });
  }

  /**
   * One photographed side of a coverage's card, for the roles FIELD_POLICY lets read it
   * (`coverage.cardImage`); every read is audited. The caller has passed the restrictions guard.
   */
  async cardImage(
    ctx: RequestContext,
    patientId: string,
    coverageId: string,
    side: CardSide,
  ): Promise<{ contentType: string; bytes: Buffer }> {
    if (!mayRead(ctx.actor.role, 'coverage', 'cardImage')) {
      throw new CareloopError('forbidden', 'Your role may not see insurance card images');
    }
    const orgId = ctx.actor.orgId;
    const file = await this.database.withTenant(orgId, async (tx) => {
      const [coverage] = await tx
        .select({ id: coverages.id })
        .from(coverages)
        .where(and(eq(coverages.id, coverageId), eq(coverages.patientId, patientId)));
      if (!coverage) throw notFound('Coverage');
      return cardFile(tx, this.cipher, orgId, coverageId, side);
    });
    if (!file) throw notFound('Card image');
    await this.audit.read(ctx.audit, {
      action: 'read',
      recordType: 'coverage-card',
      recordId: coverageId,
      patientId,
      reason: `${side} of the card`,
    });
    return file;
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
