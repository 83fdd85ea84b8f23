import { type SQL, sql } from 'drizzle-orm';
import { fhirResourceAad } from '../../../crypto/encrypted-fields.js';
import type { FieldCipher } from '../../../crypto/field-cipher.js';
import { insertStatements, type JsonText, runAll, updateStatements } from '../../../db/bulk-sql.js';
import type { Db } from '../../../db/client.js';
import {
  CLINICAL_TABLES,
  type ClinicalChanges,
  ClinicalService,
  type ClinicalTable,
  type NewClinicalRecord,
} from '../../clinical/service.js';
import {
  IMPORTED_DIRECTORY,
  type ImportedDirectoryTable,
  importedDirectoryInsertStatements,
  importedDirectoryUpdateStatements,
} from '../../directory/service.js';
import { sourceLinkStatements as linkStatements } from '../../mpi/source-links.js';
import {
  SOURCE_RECORD_TABLES,
  type SourceRecordTable,
  sourceRecordInsertStatements,
  sourceRecordUpdateStatements,
} from '../../mpi/sources.js';
import {
  GOLDEN_DETAILS,
  type GoldenDetail,
  type GoldenRow,
  goldenDetailInsertStatements,
  goldenDetailUpdateStatements,
  goldenInsertStatements,
  updateGoldenRow,
} from '../../patients/golden-record.js';
import {
  type AppointmentChanges,
  type AppointmentRow,
  importedAppointmentInsertStatements,
  importedAppointmentUpdateStatements,
  sealedCancelReason,
  sealedReason,
} from '../../scheduling/service.js';
import {
  type GoldenWrite,
  type RowWrite,
  TABLES,
  type TableKey,
  WRITTEN_HERE,
} from '../mapping/context.js';
import { fhirSourceRecords } from '../schema.js';

type Row = { id: string } & Record<string, unknown>;

/** How the rows of one table are written: the statements its owning module gives for them. */
interface TableWriter {
  inserts(rows: Row[]): SQL[];
  updates(rows: Row[]): SQL[];
}

/**
 * Collects the rows an import maps and writes them in bulk: one multi-row INSERT per table,
 * tables in foreign-key order, then the updates (re-imports change few rows), one statement per
 * table. Each table's rows go to the module that owns it (docs/adr/0016): golden records to the
 * patients module's writer (patients/golden-record.ts), first, since the other rows point at
 * them; clinical records to the clinical service, appointments to the scheduling service's
 * import form (outside the booking constraint, docs/adr/0022); the FHIR module's own tables
 * (`WRITTEN_HERE`) are written here. The owners seal what they store encrypted.
 */
export class RowWriter {
  private inserts = new Map<TableKey, Row[]>();
  private updates = new Map<TableKey, Row[]>();
  private golden: GoldenRow[] = [];
  private goldenUpdates: Extract<GoldenWrite, { op: 'update' }>[] = [];
  private readonly clinical: ClinicalService;

  constructor(
    private readonly orgId: string,
    private readonly cipher: FieldCipher,
  ) {
    this.clinical = new ClinicalService(cipher);
  }

  add(writes: RowWrite[]): void {
    for (const write of writes) {
      if (write.table === 'patients') {
        if (write.op === 'insert') this.golden.push(write.values);
        else this.goldenUpdates.push(write);
      } else if (write.op === 'insert') {
        const rows = this.inserts.get(write.table) ?? [];
        rows.push(write.values);
        this.inserts.set(write.table, rows);
      } else if (Object.keys(write.values).length > 0) {
        const rows = this.updates.get(write.table) ?? [];
        rows.push({ ...write.values, id: write.id });
        this.updates.set(write.table, rows);
      }
    }
  }

  clear(): void {
    this.inserts = new Map();
    this.updates = new Map();
    this.golden = [];
    this.goldenUpdates = [];
  }

  get pending(): boolean {
    return (
      this.inserts.size > 0 ||
      this.updates.size > 0 ||
      this.golden.length > 0 ||
      this.goldenUpdates.length > 0
    );
  }

  /** Whether rows for any of these tables wait to be written. */
  holds(tables: readonly TableKey[]): boolean {
    return tables.some((table) => this.inserts.has(table));
  }

  /**
   * Writes every pending insert, and `more` (statements of the caller's own), as one statement
   * (`runAll`); then the updates, which may touch rows just inserted, as one more.
   */
  async flush(tx: Db, more: SQL[] = []): Promise<void> {
    const inserts = this.inserts;
    const updates = this.updates;
    const goldenUpdates = this.goldenUpdates;
    const statements: SQL[] = goldenInsertStatements(this.golden);
    this.clear();
    const keys = Object.keys(TABLES) as TableKey[];
    for (const key of keys) {
      const rows = inserts.get(key);
      if (rows) statements.push(...this.writerOf(key).inserts(rows));
    }
    await runAll(tx, [...statements, ...more]);
    for (const update of goldenUpdates)
      await updateGoldenRow(tx, { ...update.values, id: update.id });
    await runAll(
      tx,
      keys.flatMap((key) => {
        const rows = updates.get(key);
        return rows ? this.writerOf(key).updates(mergedById(rows)) : [];
      }),
    );
  }

  /** The module that writes a table's rows, as statements. */
  private writerOf(key: TableKey): TableWriter {
    if (isClinical(key)) {
      return {
        inserts: (rows) =>
          this.clinical.insertStatements(key, rows as NewClinicalRecord<typeof key>[]),
        updates: (rows) =>
          this.clinical.updateStatements(key, this.orgId, rows as ClinicalChanges<typeof key>[]),
      };
    }
    if (key === 'appointments') {
      return {
        inserts: (rows) =>
          importedAppointmentInsertStatements(
            rows.map((r) => this.sealedAppointment(r)) as AppointmentRow[],
          ),
        updates: (rows) =>
          importedAppointmentUpdateStatements(
            rows.map((r) => this.sealedAppointment(r)) as AppointmentChanges[],
          ),
      };
    }
    if (isGoldenDetail(key)) {
      return {
        inserts: (rows) => goldenDetailInsertStatements(key, rows as GoldenDetailRows<typeof key>),
        updates: (rows) => goldenDetailUpdateStatements(key, rows),
      };
    }
    if (isSourceRecord(key)) {
      return {
        inserts: (rows) => sourceRecordInsertStatements(key, rows as SourceRecordRows<typeof key>),
        updates: (rows) => sourceRecordUpdateStatements(key, rows),
      };
    }
    if (isDirectory(key)) {
      return {
        inserts: (rows) =>
          importedDirectoryInsertStatements(key, rows as DirectoryRows<typeof key>),
        updates: (rows) => importedDirectoryUpdateStatements(key, rows),
      };
    }
    const table = WRITTEN_HERE[key];
    return {
      inserts: (rows) => insertStatements(table, rows),
      updates: (rows) => updateStatements(table, rows),
    };
  }

  /** An appointment's reason and cancellation reason sealed to it, as scheduling stores them. */
  private sealedAppointment(row: Row): Row {
    let sealed = row;
    if ('reason' in sealed) {
      const { reason, ...rest } = sealed;
      const text = typeof reason === 'string' ? reason : null;
      sealed = { ...rest, ...sealedReason(this.cipher, text, row.id, this.orgId) };
    }
    if ('cancelReason' in sealed) {
      const { cancelReason, ...rest } = sealed;
      const text = typeof cancelReason === 'string' ? cancelReason : null;
      sealed = { ...rest, ...sealedCancelReason(this.cipher, text, row.id, this.orgId) };
    }
    return sealed;
  }
}

const isClinical = (key: TableKey): key is ClinicalTable & TableKey => key in CLINICAL_TABLES;
const isGoldenDetail = (key: TableKey): key is GoldenDetail & TableKey => key in GOLDEN_DETAILS;
const isSourceRecord = (key: TableKey): key is SourceRecordTable & TableKey =>
  key in SOURCE_RECORD_TABLES;
const isDirectory = (key: TableKey): key is ImportedDirectoryTable & TableKey =>
  key in IMPORTED_DIRECTORY;
type GoldenDetailRows<K extends GoldenDetail> = Parameters<
  typeof goldenDetailInsertStatements<K>
>[1];
type SourceRecordRows<K extends SourceRecordTable> = Parameters<
  typeof sourceRecordInsertStatements<K>
>[1];
type DirectoryRows<K extends ImportedDirectoryTable> = Parameters<
  typeof importedDirectoryInsertStatements<K>
>[1];

/** Changes to one row merged in order: `runAll` lets one clause change a row at most. */
function mergedById(rows: Row[]): Row[] {
  const merged = new Map<string, Row>();
  for (const row of rows) merged.set(row.id, { ...merged.get(row.id), ...row });
  return [...merged.values()];
}

export type SourceStatus = 'mapped' | 'stored-not-mapped' | 'rejected';

export interface SourceRecordRow {
  resourceType: string;
  sourceId: string;
  status: SourceStatus;
  contentHash: string;
  /** The resource as JSON text (the entry's canonical JSON). */
  resource: JsonText;
  detail: string | null;
}

export interface SourceLinkRow {
  sourceType: string;
  sourceId: string;
  recordType: string;
  recordId: string;
  patientId: string | null;
}

/**
 * The statements that store the raw resources (insert, or update in place on re-import): one
 * JSON parameter per statement like the other bulk writes, which also spares building
 * thousands of bind parameters for the largest rows an import writes. The resource is
 * encrypted, bound to its source key (a re-import's upsert keeps that key, whatever the id);
 * a row rotated from before encryption loses its plain copy.
 */
export function sourceRecordStatements(
  orgId: string,
  sourceSystem: string,
  rows: SourceRecordRow[],
  cipher: FieldCipher,
): SQL[] {
  const now = new Date();
  return insertStatements(
    fhirSourceRecords,
    rows.map(({ resource, ...r }) => ({
      ...r,
      orgId,
      sourceSystem,
      resource: null,
      resourceEncrypted: cipher.encrypt(
        resource.text,
        fhirResourceAad(
          { sourceSystem, resourceType: r.resourceType, sourceId: r.sourceId },
          orgId,
        ),
      ),
      receivedAt: now,
      updatedAt: now,
    })),
    sql`on conflict (org_id, source_system, resource_type, source_id) do update set
      status = excluded.status, content_hash = excluded.content_hash,
      resource = null, resource_encrypted = excluded.resource_encrypted,
      detail = excluded.detail, updated_at = excluded.updated_at`,
  );
}

/** The statements that record which Careloop record each source record became. */
export function sourceLinkStatements(
  orgId: string,
  sourceSystem: string,
  rows: SourceLinkRow[],
): SQL[] {
  return linkStatements(rows.map((r) => ({ ...r, orgId, sourceSystem })));
}
