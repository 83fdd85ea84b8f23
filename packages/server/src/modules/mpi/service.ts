import {
  conflict,
  type FieldSource,
  type MergeRequest,
  type MergeSummary,
  notFound,
  type PatientSources,
  type ReviewDecision,
  type ReviewItem,
  type ReviewListQuery,
  type ReviewPerson,
  type SourceKind,
  type SourceRecord,
  SURVIVING_FIELDS,
  SURVIVORSHIP_RULES,
  survivingValues,
} from '@careloop/core';
import { and, desc, eq, inArray, or, type SQL, sql } from 'drizzle-orm';
import type { Database, Db } from '../../db/client.js';
import { decodeKeyset, pageOf } from '../../db/keyset.js';
import { rowsOf } from '../../db/rows.js';
import type { RequestContext } from '../../http/actor.js';
import type { AuditLog } from '../audit/service.js';
import { users } from '../auth/schema.js';
import { patients } from '../patients/schema.js';
import { appendTouchpoints } from '../timeline/service.js';
import { MergeRefused, mergePatients, unmergePatients } from './merge.js';
import { mpiReviewItems, patientMerges, patientSourceRecords } from './schema.js';
import { goldenDemographics, recordSource, STAFF_SOURCE } from './sources.js';

const iso = (d: Date | null) => (d ? d.toISOString() : null);

interface PersonRow {
  id: string;
  status: string;
  given_name: string;
  middle_name: string | null;
  family_name: string;
  birth_date: string;
  administrative_sex: string;
  created_at: string | Date;
  address: string | null;
  phones: string[] | string | null;
  emails: string[] | string | null;
  identifiers: { system: string; value: string }[] | string | null;
  sources: { kind: SourceKind; system: string; sourceId: string }[] | string | null;
}

const json = <T>(value: T | string | null, empty: T): T =>
  value === null ? empty : typeof value === 'string' ? (JSON.parse(value) as T) : value;

/** Golden records as the review screen compares them, by id. */
async function reviewPeople(tx: Db, ids: string[]): Promise<Map<string, ReviewPerson>> {
  if (ids.length === 0) return new Map();
  const rows = rowsOf<PersonRow>(
    await tx.execute(sql`
      select p.id, p.status, p.given_name, p.middle_name, p.family_name,
        p.birth_date::text as birth_date, p.administrative_sex, p.created_at,
        (select concat_ws(', ', a.line1, a.line2, a.city, a.state, a.postal_code)
           from patient_addresses a where a.patient_id = p.id order by a.position, a.id limit 1) as address,
        (select coalesce(json_agg(c.display order by c.is_primary desc, c.id), '[]'::json)
           from patient_contact_points c where c.patient_id = p.id and c.system = 'phone') as phones,
        (select coalesce(json_agg(c.display order by c.is_primary desc, c.id), '[]'::json)
           from patient_contact_points c where c.patient_id = p.id and c.system = 'email') as emails,
        (select coalesce(json_agg(json_build_object('system', i.system, 'value', i.value) order by i.system, i.value), '[]'::json)
           from patient_identifiers i where i.patient_id = p.id) as identifiers,
        (select coalesce(json_agg(json_build_object('kind', r.kind, 'system', r.source_system, 'sourceId', r.source_id) order by r.received_at), '[]'::json)
           from patient_source_records r where r.patient_id = p.id) as sources
      from patients p where p.id in (${sql.join(
        ids.map((id) => sql`${id}::uuid`),
        sql`, `,
      )})`),
  );
  return new Map(
    rows.map((r) => [
      r.id,
      {
        patientId: r.id,
        status: r.status,
        givenName: r.given_name,
        middleName: r.middle_name,
        familyName: r.family_name,
        birthDate: r.birth_date,
        administrativeSex: r.administrative_sex,
        address: r.address || null,
        phones: json(r.phones, []),
        emails: json(r.emails, []),
        identifiers: json(r.identifiers, []),
        createdAt: new Date(r.created_at).toISOString(),
        sources: json(r.sources, []),
      },
    ]),
  );
}

type ReviewRow = typeof mpiReviewItems.$inferSelect & { decidedByName: string | null };

const LEVELS = new Set(['exact', 'similar', 'disagree', 'missing']);

/** The merge a merged review item made: the latest merge of its pair, in either direction. */
async function mergesOfPairs(tx: Db, rows: ReviewRow[]) {
  const merged = rows.filter((r) => r.status === 'merged');
  const found = new Map<string, { mergeId: string; survivorId: string }>();
  if (merged.length === 0) return found;
  const ids = [...new Set(merged.flatMap((r) => [r.incomingId, r.candidateId]))];
  const merges = await tx
    .select({
      id: patientMerges.id,
      survivorId: patientMerges.survivorId,
      mergedId: patientMerges.mergedId,
    })
    .from(patientMerges)
    .where(and(inArray(patientMerges.survivorId, ids), inArray(patientMerges.mergedId, ids)))
    .orderBy(desc(patientMerges.mergedAt));
  for (const r of merged) {
    const m = merges.find(
      (x) =>
        (x.survivorId === r.candidateId && x.mergedId === r.incomingId) ||
        (x.survivorId === r.incomingId && x.mergedId === r.candidateId),
    );
    if (m) found.set(r.id, { mergeId: m.id, survivorId: m.survivorId });
  }
  return found;
}

async function toReviewItems(tx: Db, rows: ReviewRow[]): Promise<ReviewItem[]> {
  const people = await reviewPeople(tx, [
    ...new Set(rows.flatMap((r) => [r.incomingId, r.candidateId])),
  ]);
  const merges = await mergesOfPairs(tx, rows);
  return rows.map((r) => {
    const incoming = people.get(r.incomingId);
    const candidate = people.get(r.candidateId);
    if (!incoming || !candidate) throw new Error('review item names a missing patient');
    return {
      id: r.id,
      status: r.status as ReviewItem['status'],
      score: Math.round(r.score * 100) / 100,
      reason: r.reason,
      createdAt: r.createdAt.toISOString(),
      decidedAt: iso(r.decidedAt),
      decidedBy: r.decidedByName,
      decisionReason: r.decisionReason,
      mergeId: merges.get(r.id)?.mergeId ?? null,
      survivorId: merges.get(r.id)?.survivorId ?? null,
      incoming,
      candidate,
      fields: r.comparison
        .filter((f) => LEVELS.has(f.level))
        .map((f) => ({
          field: f.field,
          level: f.level as ReviewItem['fields'][number]['level'],
          weight: f.weight,
        })),
    };
  });
}

const reviewColumns = {
  id: mpiReviewItems.id,
  orgId: mpiReviewItems.orgId,
  incomingId: mpiReviewItems.incomingId,
  candidateId: mpiReviewItems.candidateId,
  sourceRecordId: mpiReviewItems.sourceRecordId,
  score: mpiReviewItems.score,
  reason: mpiReviewItems.reason,
  comparison: mpiReviewItems.comparison,
  status: mpiReviewItems.status,
  createdAt: mpiReviewItems.createdAt,
  decidedAt: mpiReviewItems.decidedAt,
  decidedBy: mpiReviewItems.decidedBy,
  decisionReason: mpiReviewItems.decisionReason,
  decidedByName: users.displayName,
};

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
  ) {}

  async listReviews(ctx: RequestContext, query: ReviewListQuery) {
    const status = query.status ?? 'open';
    const limit = query.limit ?? 25;
    const after = query.cursor ? decodeKeyset(query.cursor, 2) : null;
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
    if (kept) {
      await recordSource(
        tx,
        ctx.actor.orgId,
        input.survivorId,
        { kind: 'staff', system: STAFF_SOURCE, sourceId: input.survivorId, demographics: kept },
        { kind: 'existing', patientId: input.survivorId, method: 'source', score: null },
      );
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
        subjectType: 'patient',
        subjectId: input.mergedId,
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
          subjectType: 'patient',
          subjectId: patientId === report.survivorId ? report.mergedId : report.survivorId,
        })),
      );
      return this.mergeSummary(tx, mergeId);
    });
  }

  private async mergeSummary(tx: Db, mergeId: string): Promise<MergeSummary> {
    const [summary] = await this.merges(tx, eq(patientMerges.id, mergeId));
    if (!summary) throw notFound('Merge');
    return summary;
  }

  private async merges(tx: Db, where: SQL | undefined): Promise<MergeSummary[]> {
    const rows = await tx
      .select({
        merge: patientMerges,
        mergedByName: sql<
          string | null
        >`(select display_name from users u where u.id = ${patientMerges.mergedBy})`,
        unmergedByName: sql<
          string | null
        >`(select display_name from users u where u.id = ${patientMerges.unmergedBy})`,
        survivorName: sql<string>`(select p.given_name || ' ' || p.family_name || ' (' || p.birth_date::text || ')' from patients p where p.id = ${patientMerges.survivorId})`,
        mergedName: sql<string>`(select p.given_name || ' ' || p.family_name || ' (' || p.birth_date::text || ')' from patients p where p.id = ${patientMerges.mergedId})`,
      })
      .from(patientMerges)
      .where(where)
      .orderBy(desc(patientMerges.mergedAt));
    return rows.map(({ merge: m, mergedByName, unmergedByName, survivorName, mergedName }) => ({
      id: m.id,
      survivorId: m.survivorId,
      mergedId: m.mergedId,
      origin: m.origin as MergeSummary['origin'],
      reason: m.reason,
      mergedAt: m.mergedAt.toISOString(),
      mergedBy: mergedByName,
      survivorName,
      mergedName,
      unmergedAt: iso(m.unmergedAt),
      unmergedBy: unmergedByName,
      moved: Object.fromEntries(
        Object.entries(m.moved)
          .filter(([table]) => !table.startsWith('$'))
          .map(([table, ids]) => [table, ids.length]),
      ),
    }));
  }

  /** The golden record's provenance: each surviving field's source, linked records, merges. */
  async sources(ctx: RequestContext, patientId: string): Promise<PatientSources> {
    const view = await this.database.withTenant(ctx.actor.orgId, async (tx) => {
      const [patient] = await tx.select().from(patients).where(eq(patients.id, patientId));
      if (!patient) return null;
      const records = await tx
        .select()
        .from(patientSourceRecords)
        .where(eq(patientSourceRecords.patientId, patientId))
        .orderBy(desc(patientSourceRecords.receivedAt));
      const winners = survivingValues(
        records.map((r) => ({
          id: r.id,
          kind: r.kind,
          receivedAt: r.receivedAt,
          demographics: r.demographics,
        })),
      );
      const byId = new Map(records.map((r) => [r.id, r]));
      const current: Record<(typeof SURVIVING_FIELDS)[number], string | null> = {
        givenName: patient.givenName,
        middleName: patient.middleName,
        familyName: patient.familyName,
        birthDate: patient.birthDate,
        administrativeSex: patient.administrativeSex,
        preferredLanguage: patient.preferredLanguage,
        deceasedAt: iso(patient.deceasedAt),
      };
      const fields: FieldSource[] = SURVIVING_FIELDS.map((field) => {
        const winner = winners[field];
        const source = winner ? byId.get(winner.sourceId) : undefined;
        return {
          field,
          value: current[field],
          sourceRecordId: source?.id ?? null,
          kind: source?.kind ?? null,
          system: source?.sourceSystem ?? null,
          receivedAt: iso(source?.receivedAt ?? null),
          rule: source
            ? SURVIVORSHIP_RULES[field].describe
            : 'no source record gives a value: kept as entered',
        };
      });
      const sources: SourceRecord[] = records.map((r) => {
        const d = r.demographics;
        const t = (v: string | null | undefined) => v ?? null;
        return {
          id: r.id,
          patientId: r.patientId,
          kind: r.kind,
          system: r.sourceSystem,
          sourceId: r.sourceId,
          receivedAt: r.receivedAt.toISOString(),
          linkMethod: r.linkMethod as SourceRecord['linkMethod'],
          linkScore: r.linkScore === null ? null : Math.round(r.linkScore * 100) / 100,
          demographics: {
            given: t(d.given),
            middle: t(d.middle),
            family: t(d.family),
            birthDate: t(d.birthDate),
            sex: t(d.sex),
            line: t(d.line),
            city: t(d.city),
            state: t(d.state),
            postalCode: t(d.postalCode),
            phone: t(d.phone),
            email: t(d.email),
            language: t(d.language),
            deceasedAt: t(d.deceasedAt),
            identifiers: [...(d.identifiers ?? [])],
          },
        };
      });
      const merges = await this.merges(
        tx,
        or(eq(patientMerges.survivorId, patientId), eq(patientMerges.mergedId, patientId)),
      );
      const mergedInto =
        patient.status === 'merged'
          ? (merges.find((m) => m.mergedId === patientId && m.unmergedAt === null)?.survivorId ??
            null)
          : null;
      return { patientId, status: patient.status, mergedInto, fields, sources, merges };
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
