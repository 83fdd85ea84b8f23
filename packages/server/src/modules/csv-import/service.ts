import {
  type AppointmentImportRow,
  type CsvImportRequest,
  type CsvImportResult,
  type ImportCounts,
  MAX_LISTED_OUTCOMES,
  type PatientImportRow,
  type RowError,
  type RowOutcome,
  type RowResult,
} from '@careloop/core';
import type { FieldCipher } from '../../crypto/field-cipher.js';
import type { Database, Db } from '../../db/client.js';
import { violatedUniqueConstraint } from '../../db/errors.js';
import { analyzeChangedTables } from '../../db/statistics.js';
import {
  type AuditActor,
  type AuditEntry,
  type AuditLog,
  appendAudit,
  auditFields,
} from '../audit/service.js';
import { MpiConflictError } from '../mpi/match.js';
import type { AppointmentEventSink } from '../scheduling/service.js';
import { appendTouchpoints, type NewTouchpoint } from '../timeline/service.js';
import { loadDirectory, writeAppointmentRow } from './appointment-rows.js';
import { RowConflict, writePatientRow } from './patient-rows.js';
import { type PreparedImport, prepareImport } from './prepare.js';

/** Rows written per transaction: a failure loses at most one chunk's progress, never half a row. */
export const CHUNK_ROWS = 200;

/** Statistics are refreshed (embedded database) after this many chunks of a commit. */
const ANALYZE_EVERY_CHUNKS = 5;
/** The tables an import fills and its lookups read. */
const IMPORTED_TABLES = [
  'patients',
  'patient_identifiers',
  'patient_contact_points',
  'patient_addresses',
  'patient_source_records',
  'mpi_review_items',
  'appointments',
  'source_links',
];

export interface RunOptions {
  dryRun: boolean;
  /** Called after each chunk with rows done and the total. */
  onProgress?: (done: number, total: number) => void | Promise<void>;
}

/** One row's write: its outcome for the result, plus the touchpoint and audit entry to append. */
interface RowWrite {
  outcome: RowOutcome;
  touchpoint: NewTouchpoint | null;
  audit: AuditEntry | null;
}

/** Thrown to roll a dry run's transaction back once every row has been tried. */
class DryRunRollback extends Error {}

const emptyCounts = (): ImportCounts => ({
  created: 0,
  updated: 0,
  unchanged: 0,
  review: 0,
  rejected: 0,
});

const COUNT_OF: Record<RowOutcome['outcome'], keyof ImportCounts> = {
  create: 'created',
  update: 'updated',
  unchanged: 'unchanged',
  review: 'review',
  rejected: 'rejected',
};

/**
 * CSV imports of patients and appointments. Patients go through the master patient index like
 * every other source; each chunk of rows is one transaction and each row a savepoint in it, so
 * a row that cannot be written becomes a row error without undoing its neighbours. A dry run
 * does exactly the same work in one transaction and rolls it back.
 */
export class CsvImportService {
  constructor(
    private readonly database: Database,
    private readonly audit: AuditLog,
    private readonly cipher: FieldCipher,
    private readonly options: {
      /** Where imported appointments are announced to journeys (`appointment.changed`). */
      appointmentEvents?: AppointmentEventSink;
    } = {},
  ) {}

  /**
   * Reads, maps and validates the file (`prepareImport`) as of `asOf` (birth dates after it are
   * row errors; now by default); unusable input is a 4xx.
   */
  prepare(request: CsvImportRequest, asOf: Date = new Date()): Promise<PreparedImport> {
    return prepareImport(request, asOf);
  }

  /** Runs a prepared import; resolves to the counts and each row's outcome. */
  async run(
    actor: AuditActor,
    prepared: PreparedImport,
    options: RunOptions,
  ): Promise<CsvImportResult> {
    const started = performance.now();
    const outcomes: RowOutcome[] = [];
    const total = prepared.results.length;
    const writer = await this.rowWriter(actor.orgId, prepared);
    const chunks: RowResult<unknown>[][] = [];
    for (let i = 0; i < total; i += CHUNK_ROWS)
      chunks.push(prepared.results.slice(i, i + CHUNK_ROWS));

    const runChunk = async (tx: Db, chunk: RowResult<unknown>[]) => {
      const writes: RowWrite[] = [];
      for (const result of chunk)
        writes.push(await this.tryRow(tx, result, writer, options.dryRun));
      if (!options.dryRun) {
        await appendTouchpoints(
          tx,
          writes.flatMap((w) => (w.touchpoint ? [w.touchpoint] : [])),
        );
        // One append per chunk: the chain's lock is taken once, just before the commit.
        const at = new Date();
        await appendAudit(
          tx,
          writes.flatMap((w) => (w.audit ? [auditFields(actor, w.audit, at)] : [])),
        );
      }
      outcomes.push(...writes.map((w) => w.outcome));
      await options.onProgress?.(outcomes.length, total);
    };

    await options.onProgress?.(0, total);
    if (options.dryRun) {
      await this.database
        .withTenant(actor.orgId, async (tx) => {
          for (const chunk of chunks) await runChunk(tx, chunk);
          throw new DryRunRollback();
        })
        .catch((error: unknown) => {
          if (!(error instanceof DryRunRollback)) throw error;
        });
    } else {
      for (const [i, chunk] of chunks.entries()) {
        await this.database.withTenant(actor.orgId, (tx) => runChunk(tx, chunk));
        if ((i + 1) % ANALYZE_EVERY_CHUNKS === 0) await this.refreshStatistics();
      }
    }
    const result = this.resultOf(prepared, outcomes, options.dryRun, started);
    await this.auditSummary(actor, prepared, result);
    return result;
  }

  /**
   * PGlite runs no autovacuum: without fresh statistics the import's lookups slowed below 10
   * rows/s as the tables grew. Analyzes what changed, as autovacuum would.
   */
  private async refreshStatistics(): Promise<void> {
    if (this.database.kind === 'pglite') await analyzeChangedTables(this.database, IMPORTED_TABLES);
  }

  private async rowWriter(orgId: string, prepared: PreparedImport) {
    const system = prepared.sourceSystem;
    if (prepared.type === 'patients') {
      return async (tx: Db, value: unknown) => {
        const { result, touchpoint } = await writePatientRow(
          tx,
          { orgId, system },
          value as PatientImportRow,
        );
        const created = result.outcome === 'create' || result.outcome === 'review';
        return {
          outcome: result.outcome,
          recordId: result.patientId,
          candidates: created ? result.candidates : [],
          touchpoint,
          audit:
            result.outcome === 'unchanged'
              ? null
              : ({
                  action: created ? 'create' : 'update',
                  recordType: 'patient',
                  recordId: result.patientId,
                  patientId: result.patientId,
                  reason: `csv import from ${system}${result.outcome === 'update' && result.fields.length ? `; fields: ${result.fields.join(', ')}` : ''}`,
                } satisfies AuditEntry),
        };
      };
    }
    const directory = await this.database.withTenant(orgId, (tx) => loadDirectory(tx, orgId));
    return async (tx: Db, value: unknown) => {
      const { result, touchpoint, change } = await writeAppointmentRow(
        tx,
        { orgId, system, directory, cipher: this.cipher },
        value as AppointmentImportRow,
      );
      // In the row's savepoint: a row that fails later announces nothing.
      if (change) await this.options.appointmentEvents?.announce(tx, [change]);
      return {
        outcome: result.outcome,
        recordId: result.appointmentId,
        candidates: [],
        touchpoint,
        audit:
          result.outcome === 'unchanged'
            ? null
            : ({
                action: result.outcome === 'create' ? 'create' : 'update',
                recordType: 'appointment',
                recordId: result.appointmentId,
                patientId: result.patientId,
                reason: `csv import from ${system}`,
              } satisfies AuditEntry),
      };
    };
  }

  /** Writes one valid row in a savepoint; a refused row becomes row errors. */
  private async tryRow(
    tx: Db,
    result: RowResult<unknown>,
    write: Awaited<ReturnType<CsvImportService['rowWriter']>>,
    dryRun: boolean,
  ): Promise<RowWrite> {
    const rejected = (errors: RowError[]): RowWrite => ({
      outcome: { row: result.row, outcome: 'rejected', recordId: null, candidates: [], errors },
      touchpoint: null,
      audit: null,
    });
    if (!result.ok) return rejected(result.errors);
    try {
      const written = await tx.transaction((sp) => write(sp, result.value));
      const created = written.outcome === 'create' || written.outcome === 'review';
      return {
        outcome: {
          row: result.row,
          outcome: written.outcome,
          // A record created in a dry run was rolled back: there is nothing to link to.
          recordId: dryRun && created ? null : written.recordId,
          candidates: written.candidates,
          errors: [],
        },
        touchpoint: written.touchpoint,
        audit: written.audit,
      };
    } catch (error) {
      const message = rowRefusal(error);
      if (message === null) throw error;
      return rejected([
        {
          row: result.row,
          column: null,
          field: error instanceof RowConflict ? error.field : 'identifier',
          message,
        },
      ]);
    }
  }

  private resultOf(
    prepared: PreparedImport,
    outcomes: RowOutcome[],
    dryRun: boolean,
    started: number,
  ): CsvImportResult {
    const counts = emptyCounts();
    for (const o of outcomes) counts[COUNT_OF[o.outcome]] += 1;
    const needsAttention = (o: RowOutcome) => o.outcome === 'rejected' || o.outcome === 'review';
    let listed = outcomes;
    if (outcomes.length > MAX_LISTED_OUTCOMES) {
      const first = outcomes.filter(needsAttention).slice(0, MAX_LISTED_OUTCOMES);
      const rest = outcomes
        .filter((o) => !needsAttention(o))
        .slice(0, MAX_LISTED_OUTCOMES - first.length);
      listed = [...first, ...rest].sort((a, b) => a.row - b.row);
    }
    return {
      dryRun,
      type: prepared.type,
      fileName: prepared.request.fileName.trim(),
      sourceSystem: prepared.sourceSystem,
      delimiter: prepared.file.table.delimiter,
      headerLine: prepared.file.headerLine,
      rows: outcomes.length,
      counts,
      outcomes: listed,
      outcomesTruncated: listed.length < outcomes.length,
      seconds: Number(((performance.now() - started) / 1000).toFixed(2)),
    };
  }

  /** One audit event per import with its counts (a dry run is audited as a read). */
  private async auditSummary(
    actor: AuditActor,
    prepared: PreparedImport,
    result: CsvImportResult,
  ): Promise<void> {
    const c = result.counts;
    const entry: AuditEntry = {
      action: result.dryRun ? 'read' : 'create',
      recordType: 'csv-import',
      reason: `${result.dryRun ? 'dry run: ' : ''}${prepared.type} from ${prepared.sourceSystem}: ${result.rows} rows, ${c.created} created, ${c.updated} updated, ${c.unchanged} unchanged, ${c.review} to review, ${c.rejected} rejected`,
      outcome: c.rejected > 0 && c.rejected === result.rows ? 'failed' : 'success',
    };
    if (result.dryRun) {
      await this.audit.read(actor, entry);
      return;
    }
    await this.database.withTenant(actor.orgId, (tx) => this.audit.inTransaction(tx, actor, entry));
  }
}

/** The row error a write failure stands for, or null when it is not the row's fault. */
function rowRefusal(error: unknown): string | null {
  if (error instanceof RowConflict || error instanceof MpiConflictError) return error.message;
  const constraint = violatedUniqueConstraint(error);
  if (constraint === null) return null;
  return constraint === 'patient_identifiers_system_value_key'
    ? 'An identifier of this row belongs to another patient'
    : 'Another import wrote this row at the same time; import the file again to finish it';
}
