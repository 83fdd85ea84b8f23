import {
  type FieldSource,
  type MergeSummary,
  type PatientSources,
  type ReviewItem,
  type ReviewPerson,
  type SourceKind,
  type SourceRecord,
  SURVIVING_FIELDS,
  SURVIVORSHIP_RULES,
  survivingValues,
} from '@careloop/core';
import { and, desc, eq, inArray, or, type SQL, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { rowsOf } from '../../db/rows.js';
import { users } from '../auth/schema.js';
import { patients } from '../patients/schema.js';
import { mpiReviewItems, patientMerges, patientSourceRecords } from './schema.js';

/** The master patient index's read models: review items, merge summaries, provenance. */
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

export type ReviewRow = typeof mpiReviewItems.$inferSelect & { decidedByName: string | null };

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

export async function toReviewItems(tx: Db, rows: ReviewRow[]): Promise<ReviewItem[]> {
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

export const reviewColumns = {
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

export async function mergeSummaries(tx: Db, where: SQL | undefined): Promise<MergeSummary[]> {
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

/** A golden record's provenance: each surviving field's source, linked records, merges. */
export async function patientProvenance(tx: Db, patientId: string): Promise<PatientSources | null> {
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
  const merges = await mergeSummaries(
    tx,
    or(eq(patientMerges.survivorId, patientId), eq(patientMerges.mergedId, patientId)),
  );
  const mergedInto =
    patient.status === 'merged'
      ? (merges.find((m) => m.mergedId === patientId && m.unmergedAt === null)?.survivorId ?? null)
      : null;
  return { patientId, status: patient.status, mergedInto, fields, sources, merges };
}
