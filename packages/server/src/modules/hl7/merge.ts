import { and, eq, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { rowsOf } from '../../db/rows.js';
import { sourceLinks } from '../fhir/schema.js';
import { patients } from '../patients/schema.js';
import { HL7_ERROR } from './ack.js';
import { type Hl7Handler, hl7Touchpoint } from './context.js';
import { Hl7ContentError, missing } from './errors.js';
import type { Segment } from './message.js';
import { readPatientIdentifiers } from './patient.js';
import { matchHl7Patient, upsertPatient } from './patient-upsert.js';

interface PatientTable {
  table: string;
  /** Other columns of unique keys that include patient_id: rows that would collide. */
  uniqueWith: string[][];
}

/**
 * Every table the application may update that points at a patient (`patient_id`), found from
 * the catalog so that tables added by other modules later are re-pointed too. Tables the app
 * may not update (the audit log) keep their history as it was.
 */
async function tablesPointingAtPatients(tx: Db): Promise<PatientTable[]> {
  const rows = rowsOf<{ table_name: string; unique_columns: string[] | string | null }>(
    await tx.execute(sql`
      select c.relname as table_name,
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

export interface MergeReport {
  /** Rows moved to the surviving record, per table. */
  moved: Record<string, number>;
  /** Rows of the merged record dropped because the survivor already had their like. */
  dropped: Record<string, number>;
}

/**
 * Merges patient `mergedId` into `survivorId`: every row that points at the merged record is
 * re-pointed to the survivor; where a unique key would collide (the same consent, say) the
 * survivor's row wins and the merged one is dropped; source links follow; the merged record
 * stays, with status `merged`, so that its id still resolves. The caller audits.
 */
export async function mergePatients(
  tx: Db,
  survivorId: string,
  mergedId: string,
): Promise<MergeReport> {
  // Lock both, in a fixed order, so two merges of the same pair cannot deadlock.
  for (const id of [survivorId, mergedId].sort()) {
    await tx.select({ id: patients.id }).from(patients).where(eq(patients.id, id)).for('update');
  }
  const report: MergeReport = { moved: {}, dropped: {} };
  for (const { table, uniqueWith } of await tablesPointingAtPatients(tx)) {
    const t = sql.identifier(table);
    for (const columns of uniqueWith) {
      const same = columns.map(
        (c) => sql`t2.${sql.identifier(c)} is not distinct from t.${sql.identifier(c)}`,
      );
      const dropped = rowsOf<{ n: number | string }>(
        await tx.execute(sql`
          with gone as (
            delete from ${t} t where t.patient_id = ${mergedId}
              and exists (select 1 from ${t} t2 where t2.patient_id = ${survivorId}
                          ${same.length ? sql`and ${sql.join(same, sql` and `)}` : sql``})
            returning 1)
          select count(*) as n from gone`),
      );
      const n = Number(dropped[0]?.n ?? 0);
      if (n > 0) report.dropped[table] = (report.dropped[table] ?? 0) + n;
    }
    const moved = rowsOf<{ n: number | string }>(
      await tx.execute(sql`
        with moved as (
          update ${t} set patient_id = ${survivorId} where patient_id = ${mergedId} returning 1)
        select count(*) as n from moved`),
    );
    const n = Number(moved[0]?.n ?? 0);
    if (n > 0) report.moved[table] = n;
  }
  await tx
    .update(sourceLinks)
    .set({ recordId: survivorId, updatedAt: new Date() })
    .where(and(eq(sourceLinks.recordType, 'patient'), eq(sourceLinks.recordId, mergedId)));
  await tx
    .update(patients)
    .set({ status: 'merged', updatedAt: new Date() })
    .where(eq(patients.id, mergedId));
  return report;
}

function summary(counts: Record<string, number>): string {
  const parts = Object.entries(counts).map(([table, n]) => `${table} ${n}`);
  return parts.length ? parts.join(', ') : 'none';
}

/**
 * A40 (merge patient, patient identifier list): each PID/MRG pair names the surviving patient
 * (PID) and the one merged into it (MRG-1). Already merged (both name one record) or a prior
 * patient Careloop never knew: nothing to merge, the survivor is still brought up to date.
 */
export const mergePatientMessage: Hl7Handler = async (tx, message, hc) => {
  const pairs: { pid: Segment; mrg: Segment }[] = [];
  let pid: Segment | null = null;
  for (const seg of message.segments) {
    if (seg.name === 'PID') pid = seg;
    else if (seg.name === 'MRG' && pid) pairs.push({ pid, mrg: seg });
  }
  if (pairs.length === 0) throw missing('MRG', 'merge patient information segment');
  let last: string | null = null;
  for (const { pid: survivorPid, mrg } of pairs) {
    const identifiers = readPatientIdentifiers(mrg, [1], hc.sender);
    if (identifiers.length === 0) throw missing('MRG-1', 'prior patient identifier list');
    const mergedId = await matchHl7Patient(tx, hc, {
      identifiers,
      name: null,
      birth: null,
      sex: null,
      addresses: [],
      contactPoints: [],
      language: null,
      deceasedAt: null,
      deceased: false,
    });
    const { patientId: survivor } = await upsertPatient(tx, hc, survivorPid);
    last = survivor;
    if (!mergedId || mergedId === survivor) continue;
    // The merge moves rows in the database: what this message deferred must be there first.
    await hc.batch.flush(tx);
    const [merged] = await tx
      .select({ status: patients.status })
      .from(patients)
      .where(eq(patients.id, mergedId));
    if (merged?.status === 'merged') {
      throw new Hl7ContentError(
        'MRG-1 names a patient already merged into another',
        'MRG-1',
        HL7_ERROR.unknownKey,
      );
    }
    const report = await mergePatients(tx, survivor, mergedId);
    hc.batch.forget();
    await hc.batch.touchpoints(tx, [
      hl7Touchpoint(hc, {
        patientId: survivor,
        direction: 'internal',
        type: 'patient.merged',
        stage: 'awareness',
        summary: `Duplicate record merged into this one (HL7 ${hc.label} from ${hc.sender})`,
        subjectType: 'patient',
        subjectId: mergedId,
        occurredAt: hc.eventAt,
      }),
    ]);
    const reason = `merged ${mergedId} into ${survivor}; moved: ${summary(report.moved)}; dropped duplicates: ${summary(report.dropped)}`;
    hc.audit({
      action: 'update',
      recordType: 'patient',
      recordId: mergedId,
      patientId: mergedId,
      reason,
    });
    hc.audit({
      action: 'update',
      recordType: 'patient',
      recordId: survivor,
      patientId: survivor,
      reason,
    });
  }
  return { patientId: last };
};
