import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { rowsOf } from '../../db/rows.js';
import {
  applySurvivorship,
  restoreGoldenFields,
  setGoldenStatus,
} from '../patients/golden-record.js';
import { patients } from '../patients/schema.js';
import { mpiReviewItems, patientMerges, sourceLinks } from './schema.js';

interface PatientTable {
  table: string;
  /** Other columns of unique keys that include patient_id: rows that would collide. */
  uniqueWith: string[][];
}

/** The key under which a merge records the FHIR/HL7 source links it re-pointed. */
const SOURCE_LINKS = '$source_links';

/**
 * Every table the application may update that points at a patient (`patient_id`), found from
 * the catalog so that tables added by other modules later are re-pointed too. Tables the app
 * may not update (the audit log) keep their history as it was. Each must have an `id`: a merge
 * records the ids it moved so that an unmerge can move exactly those back.
 */
async function tablesPointingAtPatients(tx: Db): Promise<PatientTable[]> {
  const rows = rowsOf<{
    table_name: string;
    has_id: boolean;
    unique_columns: string[] | string | null;
  }>(
    await tx.execute(sql`
      select c.relname as table_name,
        exists (select 1 from pg_attribute i where i.attrelid = c.oid and i.attname = 'id'
                and not i.attisdropped) as has_id,
        (select array_agg(array_to_string(array(
            select a2.attname from unnest(i.indkey) k join pg_attribute a2
              on a2.attrelid = c.oid and a2.attnum = k
            where a2.attname <> 'patient_id' order by a2.attname), ','))
         from pg_index i
         where i.indrelid = c.oid and i.indisunique and i.indexprs is null
           and a.attnum = any(i.indkey)) as unique_columns
      from pg_class c
      join pg_namespace n on n.oid = c.relnamespace and n.nspname = current_schema()
      join pg_attribute a on a.attrelid = c.oid and a.attname = 'patient_id' and not a.attisdropped
      where c.relkind = 'r' and has_table_privilege(c.oid, 'UPDATE')
      order by c.relname`),
  );
  return rows.map((r) => {
    if (!r.has_id) throw new Error(`table ${r.table_name} points at patients but has no id column`);
    const raw = r.unique_columns;
    const list = Array.isArray(raw) ? raw : typeof raw === 'string' ? parseTextArray(raw) : [];
    return {
      table: r.table_name,
      uniqueWith: list.map((cols) => cols.split(',').filter(Boolean)),
    };
  });
}

/** `{a,"b,c"}` (a text[] as node-postgres returns it unparsed) → ['a', 'b,c']. */
function parseTextArray(text: string): string[] {
  const inner = text.replace(/^\{|\}$/g, '');
  if (!inner) return [];
  return [...inner.matchAll(/"((?:[^"\\]|\\.)*)"|([^,]+)/g)].map((m) =>
    (m[1] ?? m[2] ?? '').replace(/\\(.)/g, '$1'),
  );
}

export type MergeOrigin = 'review' | 'staff' | 'hl7';

/** Why a merge or unmerge cannot happen; the caller turns it into its protocol's error. */
export class MergeRefused extends Error {
  constructor(
    message: string,
    readonly kind: 'not-found' | 'conflict',
  ) {
    super(message);
    this.name = 'MergeRefused';
  }
}

export interface MergeReport {
  mergeId: string;
  /** Rows moved to the surviving record, per table. */
  moved: Record<string, number>;
  /** Rows of the merged record dropped because the survivor already had their like. */
  dropped: Record<string, number>;
}

const counts = (byTable: Record<string, unknown[]>) =>
  Object.fromEntries(
    Object.entries(byTable)
      .filter(([, ids]) => ids.length > 0)
      .map(([table, ids]) => [table, ids.length]),
  );

/** Both records, locked in a fixed order so two merges of the same pair cannot deadlock. */
async function lockPair(tx: Db, a: string, b: string) {
  const found = new Map<string, string>();
  for (const id of [a, b].sort()) {
    const [row] = await tx
      .select({ id: patients.id, status: patients.status })
      .from(patients)
      .where(eq(patients.id, id))
      .for('update');
    if (row) found.set(row.id, row.status);
  }
  return found;
}

/**
 * Merges golden record `mergedId` into `survivorId`: every row that points at the merged record
 * is re-pointed to the survivor; where a unique key would collide (the same consent, say) the
 * survivor's row wins and the merged one is dropped (kept in the merge record, so an unmerge
 * restores it); FHIR/HL7 source links follow; the merged record stays, with status `merged`, so
 * that its id still resolves; survivorship then decides the survivor's fields from the source
 * records of both. Open review items about the pair are closed as merged. The caller audits.
 */
export async function mergePatients(
  tx: Db,
  orgId: string,
  input: {
    survivorId: string;
    mergedId: string;
    origin: MergeOrigin;
    reason?: string | null;
    by?: string | null;
  },
): Promise<MergeReport> {
  const { survivorId, mergedId } = input;
  if (survivorId === mergedId)
    throw new MergeRefused('A record cannot be merged into itself', 'conflict');
  const status = await lockPair(tx, survivorId, mergedId);
  if (!status.has(survivorId) || !status.has(mergedId))
    throw new MergeRefused('Patient not found', 'not-found');
  if (status.get(survivorId) === 'merged' || status.get(mergedId) === 'merged') {
    throw new MergeRefused('One of the records has already been merged into another', 'conflict');
  }
  const [before] = rowsOf<{ row: Record<string, unknown> | string }>(
    await tx.execute(sql`select to_jsonb(p) as row from patients p where p.id = ${survivorId}`),
  );
  const survivorBefore =
    typeof before?.row === 'string'
      ? (JSON.parse(before.row) as Record<string, unknown>)
      : (before?.row ?? {});

  const moved: Record<string, string[]> = {};
  const dropped: Record<string, unknown[]> = {};
  for (const { table, uniqueWith } of await tablesPointingAtPatients(tx)) {
    const t = sql.identifier(table);
    for (const columns of uniqueWith) {
      const same = columns.map(
        (c) => sql`t2.${sql.identifier(c)} is not distinct from t.${sql.identifier(c)}`,
      );
      const gone = rowsOf<{ row: unknown }>(
        await tx.execute(sql`
          delete from ${t} t where t.patient_id = ${mergedId}
            and exists (select 1 from ${t} t2 where t2.patient_id = ${survivorId}
                        ${same.length ? sql`and ${sql.join(same, sql` and `)}` : sql``})
          returning to_jsonb(t) as row`),
      );
      if (gone.length)
        dropped[table] = [
          ...(dropped[table] ?? []),
          ...gone.map((g) => (typeof g.row === 'string' ? JSON.parse(g.row) : g.row)),
        ];
    }
    const ids = rowsOf<{ id: string }>(
      await tx.execute(sql`
        update ${t} set patient_id = ${survivorId} where patient_id = ${mergedId} returning id`),
    );
    if (ids.length) moved[table] = ids.map((r) => r.id);
  }
  const links = await tx
    .update(sourceLinks)
    .set({ recordId: survivorId, updatedAt: new Date() })
    .where(and(eq(sourceLinks.recordType, 'patient'), eq(sourceLinks.recordId, mergedId)))
    .returning({ id: sourceLinks.id });
  if (links.length) moved[SOURCE_LINKS] = links.map((l) => l.id);
  await setGoldenStatus(tx, mergedId, 'merged');
  await applySurvivorship(tx, survivorId);
  const [merge] = await tx
    .insert(patientMerges)
    .values({
      orgId,
      survivorId,
      mergedId,
      origin: input.origin,
      reason: input.reason ?? null,
      moved,
      dropped,
      survivorBefore,
      mergedBy: input.by ?? null,
    })
    .returning({ id: patientMerges.id });
  if (!merge) throw new Error('merge insert returned nothing');
  await tx
    .update(mpiReviewItems)
    .set({ status: 'merged', decidedAt: new Date(), decidedBy: input.by ?? null })
    .where(
      and(
        eq(mpiReviewItems.status, 'open'),
        sql`((${mpiReviewItems.incomingId} = ${survivorId} and ${mpiReviewItems.candidateId} = ${mergedId})
          or (${mpiReviewItems.incomingId} = ${mergedId} and ${mpiReviewItems.candidateId} = ${survivorId}))`,
      ),
    );
  return { mergeId: merge.id, moved: counts(moved), dropped: counts(dropped) };
}

/** The survivor's golden fields an unmerge restores (its own, from before the merge). */
const RESTORED = {
  given_name: 'givenName',
  middle_name: 'middleName',
  family_name: 'familyName',
  search_name: 'searchName',
  search_given: 'searchGiven',
  birth_date: 'birthDate',
  administrative_sex: 'administrativeSex',
  preferred_language: 'preferredLanguage',
} as const;

export interface UnmergeReport {
  survivorId: string;
  mergedId: string;
  /** Rows moved back to the restored record, per table. */
  restored: Record<string, number>;
}

/**
 * Undoes a merge: the rows it moved go back to the merged record (those since moved elsewhere
 * stay where they are), the rows it dropped are restored, the merged record is active again,
 * and the survivor gets its own fields back before survivorship runs on both. Rows created on
 * the survivor after the merge stay with it. Refused when the merge was already undone, or when
 * either record has since been merged into a third (undo that first).
 */
export async function unmergePatients(
  tx: Db,
  mergeId: string,
  by: string | null,
  reason: string | null,
): Promise<UnmergeReport> {
  const [merge] = await tx
    .select()
    .from(patientMerges)
    .where(eq(patientMerges.id, mergeId))
    .for('update');
  if (!merge) throw new MergeRefused('Merge not found', 'not-found');
  if (merge.unmergedAt) throw new MergeRefused('This merge has already been undone', 'conflict');
  const { survivorId, mergedId } = merge;
  const status = await lockPair(tx, survivorId, mergedId);
  if (status.get(survivorId) === 'merged') {
    throw new MergeRefused(
      'The surviving record has since been merged into another; undo that merge first',
      'conflict',
    );
  }
  const restored: Record<string, number> = {};
  for (const [table, ids] of Object.entries(merge.moved)) {
    if (ids.length === 0) continue;
    if (table === SOURCE_LINKS) {
      const back = await tx
        .update(sourceLinks)
        .set({ recordId: mergedId, updatedAt: new Date() })
        .where(and(inArray(sourceLinks.id, ids), eq(sourceLinks.recordId, survivorId)))
        .returning({ id: sourceLinks.id });
      restored[table] = back.length;
      continue;
    }
    const t = sql.identifier(table);
    const back = rowsOf<{ id: string }>(
      await tx.execute(sql`
        update ${t} set patient_id = ${mergedId}
        where patient_id = ${survivorId} and id in (${sql.join(
          ids.map((id) => sql`${id}::uuid`),
          sql`, `,
        )})
        returning id`),
    );
    if (back.length) restored[table] = back.length;
  }
  for (const [table, rows] of Object.entries(merge.dropped)) {
    const t = sql.identifier(table);
    for (const row of rows) {
      await tx.execute(sql`
        insert into ${t} select * from jsonb_populate_record(null::${t}, ${JSON.stringify(row)}::jsonb)
        on conflict do nothing`);
    }
    restored[table] = (restored[table] ?? 0) + rows.length;
  }
  const before = merge.survivorBefore;
  const own: Partial<typeof patients.$inferInsert> = {};
  for (const [column, field] of Object.entries(RESTORED)) {
    const value = before[column];
    if (typeof value === 'string' || value === null) Object.assign(own, { [field]: value });
  }
  await restoreGoldenFields(tx, survivorId, own);
  await setGoldenStatus(tx, mergedId, 'active');
  await applySurvivorship(tx, survivorId);
  await applySurvivorship(tx, mergedId);
  await tx
    .update(patientMerges)
    .set({ unmergedAt: new Date(), unmergedBy: by })
    .where(eq(patientMerges.id, mergeId));
  // The pair was judged one person and then shown not to be: do not ask again.
  await tx
    .update(mpiReviewItems)
    .set({
      status: 'distinct',
      decidedAt: new Date(),
      decidedBy: by,
      decisionReason: reason ?? 'unmerged',
    })
    .where(
      sql`(${mpiReviewItems.incomingId} = ${survivorId} and ${mpiReviewItems.candidateId} = ${mergedId})
        or (${mpiReviewItems.incomingId} = ${mergedId} and ${mpiReviewItems.candidateId} = ${survivorId})`,
    );
  return { survivorId, mergedId, restored };
}
