import {
  conflict,
  isInsuranceIdentifier,
  type MergeRequest,
  type MergeSummary,
  mayRead,
  notFound,
  type PatientSources,
  type ReviewDecision,
  type ReviewItem,
  type ReviewListQuery,
  type Role,
} from '@careloop/core';
import { and, eq, sql } from 'drizzle-orm';
import type { Database, Db } from '../../db/client.js';
import { decodeKeyset, pageOf } from '../../db/keyset.js';
import type { RequestContext } from '../../http/actor.js';
import type { AuditLog } from '../audit/service.js';
import { users } from '../auth/schema.js';
import type { DomainEventSink } from '../integrations/webhooks/events.js';
import type { ListService } from '../lists/service.js';
import { updateGoldenRecord } from '../patients/golden-record.js';
import { patientIdentifiers, patients } from '../patients/schema.js';
import { appendTouchpoints } from '../timeline/service.js';
import { MergeRefused, mergePatients, unmergePatients } from './merge.js';

/** A merge in the caller's transaction, for a feed's merge message (HL7 A40). */
export { MergeRefused, mergePatients } from './merge.js';

import { mpiReviewItems, patientMerges } from './schema.js';
import { goldenDemographics, STAFF_SOURCE } from './sources.js';
import { mergeSummaries, patientProvenance, reviewColumns, toReviewItems } from './views.js';

function refused(error: unknown): never {
  if (error instanceof MergeRefused) {
    throw error.kind === 'not-found' ? notFound('Patient or merge') : conflict(error.message);
  }
  throw error;
}

/**
 * The master patient index as staff use it: the review queue of possible duplicates, merging
 * and unmerging golden records, and where each golden-record field came from. Every read and
 * write is audited; merges and unmerges also leave a touchpoint on both records' timelines.
 */
export class MpiService {
  constructor(
    private readonly database: Database,
    private readonly audit: AuditLog,
    /** Issue 11: `patient.merged` to subscribed webhooks, in the merge's transaction. */
    private readonly events: DomainEventSink | null = null,
    /** Issue 11 (h11l): the merged record's list memberships follow the person. */
    private readonly lists: ListService | null = null,
  ) {}

  /** The open review items: a count, which names nobody, so it is not an audited read. */
  async countOpenReviews(ctx: RequestContext): Promise<{ open: number }> {
    const [row] = await this.database.withTenant(ctx.actor.orgId, (tx) =>
      tx
        .select({ open: sql<number>`count(*)::int` })
        .from(mpiReviewItems)
        .where(eq(mpiReviewItems.status, 'open')),
    );
    return { open: Number(row?.open ?? 0) };
  }

  async listReviews(ctx: RequestContext, query: ReviewListQuery) {
    const status = query.status ?? 'open';
    const limit = query.limit ?? 25;
    const after = query.cursor ? decodeKeyset(query.cursor, ['instant', 'uuid']) : null;
    const page = await this.database.withTenant(ctx.actor.orgId, async (tx) => {
      const rows = await tx
        .select({ ...reviewColumns, createdKey: sql<string>`${mpiReviewItems.createdAt}::text` })
        .from(mpiReviewItems)
        .leftJoin(users, eq(users.id, mpiReviewItems.decidedBy))
        .where(
          and(
            eq(mpiReviewItems.status, status),
            after
              ? sql`(${mpiReviewItems.createdAt}, ${mpiReviewItems.id}) > (${after[0]}::timestamptz, ${after[1]}::uuid)`
              : undefined,
          ),
        )
        .orderBy(mpiReviewItems.createdAt, mpiReviewItems.id)
        .limit(limit + 1);
      const items = await toReviewItems(tx, rows.slice(0, limit));
      return pageOf(
        rows.map((r, i) => ({ r, item: items[i] })),
        limit,
        ({ r }) => [r.createdKey, r.id],
        ({ item }) => {
          if (!item) throw new Error('page item missing');
          return item;
        },
      );
    });
    await this.audit.read(ctx.audit, {
      action: 'search',
      recordType: 'mpi-review',
      reason: `${page.items.length} ${status} review items listed`,
    });
    return page;
  }

  async getReview(ctx: RequestContext, id: string): Promise<ReviewItem> {
    const item = await this.database.withTenant(ctx.actor.orgId, (tx) => this.review(tx, id));
    await this.audit.read(ctx.audit, {
      action: 'read',
      recordType: 'mpi-review',
      recordId: id,
      patientId: item?.candidate.patientId ?? null,
      outcome: item ? 'success' : 'failed',
    });
    if (!item) throw notFound('Review item');
    return item;
  }

  private async review(tx: Db, id: string): Promise<ReviewItem | null> {
    const rows = await tx
      .select(reviewColumns)
      .from(mpiReviewItems)
      .leftJoin(users, eq(users.id, mpiReviewItems.decidedBy))
      .where(eq(mpiReviewItems.id, id));
    const [item] = await toReviewItems(tx, rows);
    return item ?? null;
  }

  /** Accepts (merge) or rejects (distinct people) a possible duplicate. */
  async decide(ctx: RequestContext, id: string, input: ReviewDecision): Promise<ReviewItem> {
    const orgId = ctx.actor.orgId;
    return this.database.withTenant(orgId, async (tx) => {
      const [item] = await tx
        .select()
        .from(mpiReviewItems)
        .where(eq(mpiReviewItems.id, id))
        .for('update');
      if (!item) throw notFound('Review item');
      if (item.status !== 'open')
        throw conflict(`This review item was already decided (${item.status})`);
      const reason = input.reason?.trim() || null;
      if (input.decision === 'distinct') {
        await tx
          .update(mpiReviewItems)
          .set({
            status: 'distinct',
            decidedAt: new Date(),
            decidedBy: ctx.actor.userId,
            decisionReason: reason,
          })
          .where(eq(mpiReviewItems.id, id));
        await this.audit.inTransaction(tx, ctx.audit, {
          action: 'update',
          recordType: 'mpi-review',
          recordId: id,
          patientId: item.incomingId,
          reason: 'not the same person',
        });
      } else {
        const survivorId = input.survivorId ?? item.candidateId;
        if (survivorId !== item.candidateId && survivorId !== item.incomingId) {
          throw conflict(
            'The surviving record must be one of the two in the review item',
            '/body/survivorId',
          );
        }
        const mergedId = survivorId === item.candidateId ? item.incomingId : item.candidateId;
        await this.mergeIn(tx, ctx, { survivorId, mergedId, origin: 'review', reason });
        await tx
          .update(mpiReviewItems)
          .set({
            status: 'merged',
            decidedAt: new Date(),
            decidedBy: ctx.actor.userId,
            decisionReason: reason,
          })
          .where(eq(mpiReviewItems.id, id));
      }
      const view = await this.review(tx, id);
      if (!view) throw notFound('Review item');
      return view;
    });
  }

  /** Staff fold a duplicate they found into the record in the path. */
  async merge(ctx: RequestContext, survivorId: string, input: MergeRequest): Promise<MergeSummary> {
    return this.database.withTenant(ctx.actor.orgId, async (tx) => {
      const mergeId = await this.mergeIn(tx, ctx, {
        survivorId,
        mergedId: input.mergedId,
        origin: 'staff',
        reason: input.reason?.trim() || null,
      });
      return this.mergeSummary(tx, mergeId);
    });
  }

  private async mergeIn(
    tx: Db,
    ctx: RequestContext,
    input: {
      survivorId: string;
      mergedId: string;
      origin: 'review' | 'staff';
      reason: string | null;
    },
  ): Promise<string> {
    // The record staff chose to keep keeps its name, birth date and sex: what it said before
    // the merge becomes the staff source's description, the most recent of the most trusted.
    const [exists] = await tx
      .select({ id: patients.id })
      .from(patients)
      .where(eq(patients.id, input.survivorId));
    const kept = exists ? await goldenDemographics(tx, input.survivorId) : null;
    const report = await mergePatients(tx, ctx.actor.orgId, {
      ...input,
      by: ctx.actor.userId,
    }).catch(refused);
    await this.lists?.followMerge(tx, {
      orgId: ctx.actor.orgId,
      survivorId: input.survivorId,
      mergedId: input.mergedId,
    });
    if (kept) {
      await updateGoldenRecord(tx, ctx.actor.orgId, input.survivorId, {
        person: {
          kind: 'staff',
          system: STAFF_SOURCE,
          sourceId: input.survivorId,
          demographics: kept,
        },
        decision: { kind: 'existing', patientId: input.survivorId, method: 'source', score: null },
      });
    }
    const moved =
      Object.entries(report.moved)
        .map(([t, n]) => `${t} ${n}`)
        .join(', ') || 'none';
    const reason = `merged ${input.mergedId} into ${input.survivorId}; moved: ${moved}${input.reason ? `; ${input.reason}` : ''}`;
    for (const patientId of [input.survivorId, input.mergedId]) {
      await this.audit.inTransaction(tx, ctx.audit, {
        action: 'merge',
        recordType: 'patient',
        recordId: patientId,
        patientId,
        reason,
      });
    }
    await appendTouchpoints(tx, [
      {
        orgId: ctx.actor.orgId,
        patientId: input.survivorId,
        channel: 'system',
        direction: 'internal',
        type: 'patient.merged',
        stage: 'awareness',
        summary: `Duplicate record merged into this one by ${ctx.actor.displayName}`,
        nonClinicalSummary: `Duplicate record merged into this one by ${ctx.actor.displayName}`,
        subjectType: 'patient',
        subjectId: input.mergedId,
      },
    ]);
    await this.events?.emit(tx, ctx.actor.orgId, [
      {
        type: 'patient.merged',
        data: { patientId: input.survivorId, mergedPatientId: input.mergedId },
      },
    ]);
    return report.mergeId;
  }

  async unmerge(
    ctx: RequestContext,
    mergeId: string,
    reason: string | null,
  ): Promise<MergeSummary> {
    return this.database.withTenant(ctx.actor.orgId, async (tx) => {
      const report = await unmergePatients(tx, mergeId, ctx.actor.userId, reason).catch(refused);
      const restored =
        Object.entries(report.restored)
          .map(([t, n]) => `${t} ${n}`)
          .join(', ') || 'none';
      for (const patientId of [report.survivorId, report.mergedId]) {
        await this.audit.inTransaction(tx, ctx.audit, {
          action: 'unmerge',
          recordType: 'patient',
          recordId: patientId,
          patientId,
          reason: `unmerged ${report.mergedId} from ${report.survivorId}; restored: ${restored}${reason ? `; ${reason}` : ''}`,
        });
      }
      await appendTouchpoints(
        tx,
        [report.survivorId, report.mergedId].map((patientId) => ({
          orgId: ctx.actor.orgId,
          patientId,
          channel: 'system' as const,
          direction: 'internal' as const,
          type: 'patient.unmerged',
          stage: 'awareness' as const,
          summary: `Merge undone by ${ctx.actor.displayName}`,
          nonClinicalSummary: `Merge undone by ${ctx.actor.displayName}`,
          subjectType: 'patient',
          subjectId: patientId === report.survivorId ? report.mergedId : report.survivorId,
        })),
      );
      return this.mergeSummary(tx, mergeId);
    });
  }

  private async mergeSummary(tx: Db, mergeId: string): Promise<MergeSummary> {
    const [summary] = await mergeSummaries(tx, eq(patientMerges.id, mergeId));
    if (!summary) throw notFound('Merge');
    return summary;
  }

  /** The golden record's provenance: each surviving field's source, linked records, merges. */ async sources(
    ctx: RequestContext,
    patientId: string,
  ): Promise<PatientSources> {
    const view = await this.database.withTenant(ctx.actor.orgId, async (tx) => {
      const provenance = await patientProvenance(tx, patientId);
      return (
        provenance && sourcesFor(ctx.actor.role, provenance, await insuranceIds(tx, patientId))
      );
    });
    await this.audit.read(ctx.audit, {
      action: 'read',
      recordType: 'patient-sources',
      recordId: patientId,
      patientId: view ? patientId : null,
      outcome: view ? 'success' : 'failed',
    });
    if (!view) throw notFound('Patient');
    return view;
  }
}

/** The golden record's identifiers that are insurance ids (member, subscriber number). */
async function insuranceIds(tx: Db, patientId: string): Promise<Set<string>> {
  const rows = await tx
    .select({
      system: patientIdentifiers.system,
      value: patientIdentifiers.value,
      type: patientIdentifiers.type,
    })
    .from(patientIdentifiers)
    .where(eq(patientIdentifiers.patientId, patientId));
  return new Set(
    rows.filter((r) => isInsuranceIdentifier(r.type)).map((r) => `${r.system}|${r.value}`),
  );
}

/**
 * The provenance as this role may read it: a source's copy of an insurance id (which sources
 * list without its type) is withheld as the golden record's own is (minimum necessary).
 */
function sourcesFor(role: Role, view: PatientSources, insurance: Set<string>): PatientSources {
  if (mayRead(role, 'coverage', 'memberId') || insurance.size === 0) return view;
  return {
    ...view,
    sources: view.sources.map((s) => ({
      ...s,
      demographics: {
        ...s.demographics,
        identifiers: s.demographics.identifiers.filter(
          (i) => !insurance.has(`${i.system}|${i.value}`),
        ),
      },
    })),
  };
}
