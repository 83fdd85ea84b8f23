import {
  type SourceDemographics,
  type SourceKind,
  type SurvivorshipSource,
  searchColumns,
  survivingValues,
} from '@careloop/core';
import { eq, type SQL, sql } from 'drizzle-orm';
import { insertStatements } from '../../db/bulk-sql.js';
import type { Db } from '../../db/client.js';
import { rowsOf } from '../../db/rows.js';
import { patients } from '../patients/schema.js';
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

export interface RecordedSource {
  sourceRecordId: string;
  /** Review items opened for this person (possible duplicates). */
  reviewItems: number;
  /** Golden-record fields survivorship changed. */
  changed: string[];
}

/**
 * Remembers how a source described a person and which golden record they were linked to,
 * opens review items for the decision's candidates (a pair someone already judged distinct is
 * not asked again), then lets survivorship decide the golden record's fields.
 */
export async function recordSource(
  tx: Db,
  orgId: string,
  patientId: string,
  person: SourcePerson,
  decision: MatchDecision,
): Promise<RecordedSource> {
  const [recorded] = await recordSources(tx, orgId, [{ patientId, person, decision }]);
  if (!recorded) throw new Error('source record upsert returned nothing');
  const changed = await applySurvivorship(tx, patientId);
  return { ...recorded, changed };
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

interface SourceRow {
  id: string;
  kind: SourceKind;
  receivedAt: Date;
  demographics: SourceDemographics;
}

/** The source records linked to a golden record, as survivorship reads them. */
export async function sourcesOf(tx: Db, patientId: string): Promise<SurvivorshipSource[]> {
  const rows: SourceRow[] = await tx
    .select({
      id: patientSourceRecords.id,
      kind: patientSourceRecords.kind,
      receivedAt: patientSourceRecords.receivedAt,
      demographics: patientSourceRecords.demographics,
    })
    .from(patientSourceRecords)
    .where(eq(patientSourceRecords.patientId, patientId));
  return rows;
}

/**
 * Sets the golden record's fields to what survivorship decides from its source records (see
 * `survivingValues` in core). Fields no source speaks to keep their value. Returns the names of
 * the fields that changed.
 */
export async function applySurvivorship(tx: Db, patientId: string): Promise<string[]> {
  const sources = await sourcesOf(tx, patientId);
  if (sources.length === 0) return [];
  const [current] = await tx
    .select({
      givenName: patients.givenName,
      middleName: patients.middleName,
      familyName: patients.familyName,
      birthDate: patients.birthDate,
      administrativeSex: patients.administrativeSex,
      preferredLanguage: patients.preferredLanguage,
      deceasedAt: patients.deceasedAt,
    })
    .from(patients)
    .where(eq(patients.id, patientId));
  if (!current) return [];
  const winners = survivingValues(sources);
  const changes: Partial<typeof patients.$inferInsert> = {};
  const changed: string[] = [];
  const text = (
    field:
      | 'givenName'
      | 'middleName'
      | 'familyName'
      | 'birthDate'
      | 'administrativeSex'
      | 'preferredLanguage',
  ) => {
    const value = winners[field]?.value;
    if (value !== undefined && value !== current[field]) {
      changes[field] = value;
      changed.push(field);
    }
  };
  text('givenName');
  text('middleName');
  text('familyName');
  text('birthDate');
  text('administrativeSex');
  text('preferredLanguage');
  const deceased = winners.deceasedAt?.value;
  if (deceased) {
    const at = new Date(deceased);
    if (!Number.isNaN(at.getTime()) && at.getTime() !== current.deceasedAt?.getTime()) {
      changes.deceasedAt = at;
      changed.push('deceasedAt');
    }
  }
  if (changed.length === 0) return [];
  const given = changes.givenName ?? current.givenName;
  const family = changes.familyName ?? current.familyName;
  await tx
    .update(patients)
    .set({
      ...changes,
      ...searchColumns(family, given),
      updatedAt: new Date(),
    })
    .where(eq(patients.id, patientId));
  return changed;
}

/** Rows that remember a source's description of a person, for writers that batch their rows. */
export interface SourceRecordWrites {
  sourceRecord:
    | { op: 'insert'; values: typeof patientSourceRecords.$inferInsert & { id: string } }
    | { op: 'update'; id: string; values: Partial<typeof patientSourceRecords.$inferInsert> };
  reviewItems: (typeof mpiReviewItems.$inferInsert & { id: string })[];
}

/**
 * What `recordSource` would write, as rows for a batching writer (the FHIR importer) to apply
 * after the golden record itself. Survivorship is not re-run: such writers are sources of the
 * highest trust for identity and write their demographics through, which is what survivorship
 * would choose for the most recent of them.
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
 * `recordSource` for many people at once, for writers that batch (the HL7 listener): one upsert
 * of the source records and one insert of the review items. Survivorship is not re-run, as for
 * `sourceRecordWrites`. The golden records must already be written.
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

/** Staff registration and edits are one source per golden record: `careloop:staff`. */
export const STAFF_SOURCE = 'careloop:staff';
