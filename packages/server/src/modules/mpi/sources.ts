import type { SourceDemographics, SurvivorshipSource } from '@careloop/core';
import { and, eq, type SQL, sql } from 'drizzle-orm';
import { insertStatements, updateStatements } from '../../db/bulk-sql.js';
import type { Db } from '../../db/client.js';
import { rowsOf } from '../../db/rows.js';
import { demographicsOfRow, goldenRows } from './candidates.js';
import type { MatchDecision, SourcePerson } from './match.js';
import { mpiReviewItems, patientSourceRecords } from './schema.js';

/** The link method a decision records on the source record. */
const methodOf = (decision: MatchDecision) =>
  decision.kind === 'existing' ? decision.method : 'new';

/** Demographics as stored: empty strings dropped, identifiers always an array. */
function storedDemographics(d: SourceDemographics): SourceDemographics {
  const out: SourceDemographics = { identifiers: d.identifiers ?? [] };
  for (const [key, value] of Object.entries(d)) {
    if (key === 'identifiers') continue;
    if (typeof value === 'string' && value.trim() !== '') {
      (out as Record<string, unknown>)[key] = value.trim();
    }
  }
  return out;
}

/** The source record row a decision makes, for an insert. */
function sourceRow(orgId: string, { patientId, person, decision }: MatchedSource) {
  return {
    orgId,
    patientId,
    kind: person.kind,
    sourceSystem: person.system,
    sourceId: person.sourceId,
    demographics: storedDemographics(person.demographics),
    linkMethod: methodOf(decision),
    linkScore: decision.kind === 'existing' ? decision.score : null,
    receivedAt: person.receivedAt ?? new Date(),
  };
}

/** Review items for a new record's candidates (never the record itself). */
function reviewRows(
  orgId: string,
  { patientId, decision }: MatchedSource,
  sourceRecordId: string | null,
) {
  if (decision.kind !== 'new') return [];
  return decision.candidates
    .filter((c) => c.patientId !== patientId)
    .map((c) => ({
      orgId,
      incomingId: patientId,
      candidateId: c.patientId,
      sourceRecordId,
      score: c.score,
      reason: c.reason,
      comparison: c.comparison,
    }));
}

/** A source record as survivorship weighs it, with the key that names it (system and id). */
export interface StoredSource extends SurvivorshipSource {
  system: string;
  sourceId: string;
}

/** The source records linked to a golden record, as survivorship reads them. */
export async function sourcesOf(tx: Db, patientId: string): Promise<StoredSource[]> {
  return tx
    .select({
      id: patientSourceRecords.id,
      kind: patientSourceRecords.kind,
      system: patientSourceRecords.sourceSystem,
      sourceId: patientSourceRecords.sourceId,
      receivedAt: patientSourceRecords.receivedAt,
      demographics: patientSourceRecords.demographics,
    })
    .from(patientSourceRecords)
    .where(eq(patientSourceRecords.patientId, patientId));
}

/** How one source last described its person (null when it never did). */
export async function sourceDemographics(
  tx: Db,
  system: string,
  sourceId: string,
): Promise<SourceDemographics | null> {
  const [row] = await tx
    .select({ demographics: patientSourceRecords.demographics })
    .from(patientSourceRecords)
    .where(
      and(
        eq(patientSourceRecords.sourceSystem, system),
        eq(patientSourceRecords.sourceId, sourceId),
      ),
    );
  return row?.demographics ?? null;
}

/** Rows that remember a source's description of a person, for writers that batch their rows. */
export interface SourceRecordWrites {
  sourceRecord:
    | { op: 'insert'; values: typeof patientSourceRecords.$inferInsert & { id: string } }
    | { op: 'update'; id: string; values: Partial<typeof patientSourceRecords.$inferInsert> };
  reviewItems: (typeof mpiReviewItems.$inferInsert & { id: string })[];
}

/**
 * What `recordSources` would write for one person, as rows for a batching writer (the FHIR
 * importer) to apply after the golden record itself, whose fields the writer has already had
 * survivorship decide (patients/golden-record.ts `goldenChangesOf`).
 */
export async function sourceRecordWrites(
  tx: Db,
  orgId: string,
  patientId: string,
  person: SourcePerson,
  decision: MatchDecision,
): Promise<SourceRecordWrites> {
  const item = { patientId, person, decision };
  const row = sourceRow(orgId, item);
  const [existing] = await tx
    .select({ id: patientSourceRecords.id, patientId: patientSourceRecords.patientId })
    .from(patientSourceRecords)
    .where(
      sql`${patientSourceRecords.sourceSystem} = ${person.system} and ${patientSourceRecords.sourceId} = ${person.sourceId}`,
    );
  const sourceRecord: SourceRecordWrites['sourceRecord'] = existing
    ? {
        op: 'update',
        id: existing.id,
        values: {
          patientId,
          demographics: row.demographics,
          receivedAt: row.receivedAt,
          // A record re-sent by its source keeps the method that first linked it.
          ...(existing.patientId !== patientId && {
            linkMethod: row.linkMethod,
            linkScore: row.linkScore,
          }),
        },
      }
    : { op: 'insert', values: { id: crypto.randomUUID(), ...row } };
  const sourceRecordId = sourceRecord.op === 'insert' ? sourceRecord.values.id : sourceRecord.id;
  const reviewItems = reviewRows(orgId, item, sourceRecordId).map((r) => ({
    id: crypto.randomUUID(),
    ...r,
  }));
  return { sourceRecord, reviewItems };
}

/** One person a batching writer matched, to remember in bulk (see `recordSources`). */
export interface MatchedSource {
  patientId: string;
  person: SourcePerson;
  decision: MatchDecision;
}

/**
 * A source record re-sent by its source is updated in place; one that is re-linked takes the
 * new link's method and score, one that still points at the same record keeps the method that
 * first linked it.
 */
const SOURCE_CONFLICT = sql`on conflict (org_id, source_system, source_id) do update set
  kind = excluded.kind, demographics = excluded.demographics, received_at = excluded.received_at,
  link_method = case when patient_source_records.patient_id = excluded.patient_id
    then patient_source_records.link_method else excluded.link_method end,
  link_score = case when patient_source_records.patient_id = excluded.patient_id
    then patient_source_records.link_score else excluded.link_score end,
  patient_id = excluded.patient_id`;

const keyOf = (person: SourcePerson) => `${person.system}\u0000${person.sourceId}`;

/** One row per source record: a statement may not update the same row twice. */
function sourceRows(orgId: string, items: MatchedSource[]) {
  const byKey = new Map<string, MatchedSource>();
  for (const item of items) byKey.set(keyOf(item.person), item);
  const unique = [...byKey.values()];
  return { unique, rows: unique.map((item) => sourceRow(orgId, item)) };
}

/** Whether remembering these people opens review items (which need the source records' ids). */
export const opensReviews = (items: MatchedSource[]) =>
  items.some((item) => item.decision.kind === 'new' && item.decision.candidates.length > 0);

/**
 * `recordSources` as statements for a batching writer's single flush (`runAll`), for people
 * that open no review items (`opensReviews` is false).
 */
export function sourceRecordStatements(orgId: string, items: MatchedSource[]): SQL[] {
  if (opensReviews(items)) throw new Error('review items need recordSources');
  return insertStatements(patientSourceRecords, sourceRows(orgId, items).rows, SOURCE_CONFLICT);
}

/**
 * Remembers how sources described people and which golden records they were linked to, and
 * opens review items for the decisions' candidates (a pair someone already judged distinct is
 * not asked again): one upsert of the source records and one insert of the review items. The
 * golden records must already be written; survivorship is their writer's to run
 * (patients/golden-record.ts).
 */
export async function recordSources(
  tx: Db,
  orgId: string,
  items: MatchedSource[],
): Promise<{ sourceRecordId: string; reviewItems: number }[]> {
  if (items.length === 0) return [];
  const { unique, rows } = sourceRows(orgId, items);
  const ids = new Map<string, string>();
  for (const statement of insertStatements(
    patientSourceRecords,
    rows,
    sql`${SOURCE_CONFLICT} returning id, source_system, source_id`,
  )) {
    const returned = rowsOf<{ id: string; source_system: string; source_id: string }>(
      await tx.execute(statement),
    );
    for (const r of returned) ids.set(`${r.source_system}\u0000${r.source_id}`, r.id);
  }
  const reviews = unique.map((item) =>
    reviewRows(orgId, item, ids.get(keyOf(item.person)) ?? null),
  );
  const flat = reviews.flat();
  const inserted = flat.length
    ? await tx
        .insert(mpiReviewItems)
        .values(flat)
        .onConflictDoNothing()
        .returning({ incomingId: mpiReviewItems.incomingId })
    : [];
  return items.map((item) => ({
    sourceRecordId: ids.get(keyOf(item.person)) ?? '',
    reviewItems: inserted.filter((r) => r.incomingId === item.patientId).length,
  }));
}

/** The golden record as it stands, described as a source would describe it. */
export async function goldenDemographics(tx: Db, patientId: string): Promise<SourceDemographics> {
  const [row] = await goldenRows(tx, { where: sql`p.id = ${patientId}` });
  if (!row) throw new Error('golden record not found');
  return demographicsOfRow(row);
}

/** Portal sign-up and the preferences a patient states there: one source per account. */
export const PORTAL_SOURCE = 'careloop:portal';

/** Staff registration and edits are one source per golden record: `careloop:staff`. */
export const STAFF_SOURCE = 'careloop:staff';

/** The master patient index's tables a batching writer fills from `sourceRecordWrites`. */
export const SOURCE_RECORD_TABLES = { patientSourceRecords, mpiReviewItems } as const;
export type SourceRecordTable = keyof typeof SOURCE_RECORD_TABLES;
type SourceTableRow<K extends SourceRecordTable> = (typeof SOURCE_RECORD_TABLES)[K]['$inferInsert'];

/** The inserts `sourceRecordWrites` gave, as statements for the batching writer's flush. */
export function sourceRecordInsertStatements<K extends SourceRecordTable>(
  table: K,
  rows: SourceTableRow<K>[],
): SQL[] {
  return insertStatements(SOURCE_RECORD_TABLES[table], rows);
}

/** The updates `sourceRecordWrites` gave, as statements for the batching writer's flush. */
export function sourceRecordUpdateStatements<K extends SourceRecordTable>(
  table: K,
  rows: (Partial<SourceTableRow<K>> & { id: string })[],
): SQL[] {
  return updateStatements(SOURCE_RECORD_TABLES[table], rows);
}
