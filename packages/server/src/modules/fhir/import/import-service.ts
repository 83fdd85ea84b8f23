import type { OperationOutcome, OperationOutcomeIssue } from '@medplum/fhirtypes';
import { sql } from 'drizzle-orm';
import type { FieldCipher } from '../../../crypto/field-cipher.js';
import type { Database, Db } from '../../../db/client.js';
import { sqlState } from '../../../db/errors.js';
import {
  type AuditActor,
  type AuditLog,
  appendAudit,
  auditFields,
  type ChainedFields,
} from '../../audit/service.js';
import type { EncounterEventSink, ReferralEventSink } from '../../clinical/service.js';
import type { AppointmentEventSink } from '../../scheduling/service.js';
import { touchpointStatements } from '../../timeline/service.js';
import type { LinkedRecord, PreparedEntry } from '../mapping/context.js';
import { EntryError, entryPath, issue, operationOutcome } from '../outcome.js';
import { validateResources, validatesInParallel } from '../validation/pool.js';
import type { ValidationResult } from '../validation/validation.js';
import { type BundleMode, type IncomingBundle, readBundle } from './bundle.js';
import { BundleRejected, BundleRun } from './bundle-run.js';
import type { EntryState } from './entry-state.js';
import { sourceLinkStatements, sourceRecordStatements } from './writer.js';

export type EntryOutcome = 'created' | 'updated' | 'unchanged' | 'rejected' | 'stored-not-mapped';

export interface TypeCounts {
  created: number;
  updated: number;
  unchanged: number;
  rejected: number;
  storedNotMapped: number;
}

/** Counts per resource type. */
export type ImportCounts = Record<string, TypeCounts>;

export interface EntryResult {
  index: number;
  resourceType: string | null;
  sourceId: string | null;
  outcome: EntryOutcome;
  /** The entry's HTTP status in a batch or transaction response. */
  status: number;
  record: LinkedRecord | null;
  issues: OperationOutcomeIssue[];
}

export interface ImportResult {
  mode: BundleMode;
  sourceSystem: string;
  /** False when a transaction was refused: nothing was written. */
  committed: boolean;
  entries: EntryResult[];
  counts: ImportCounts;
  /** Why a transaction was refused, as the status and OperationOutcome to answer with. */
  failure: { status: number; outcome: OperationOutcome } | null;
  milliseconds: number;
}

export const DEFAULT_SOURCE_SYSTEM = 'fhir';

/** Who imports: a signed-in user or the command line. */
export type ImportActor = AuditActor;

const emptyCounts = (): TypeCounts => ({
  created: 0,
  updated: 0,
  unchanged: 0,
  rejected: 0,
  storedNotMapped: 0,
});

const COUNT_KEYS: Record<EntryOutcome, keyof TypeCounts> = {
  created: 'created',
  updated: 'updated',
  unchanged: 'unchanged',
  rejected: 'rejected',
  'stored-not-mapped': 'storedNotMapped',
};

export function countEntries(entries: EntryResult[]): ImportCounts {
  const counts: ImportCounts = {};
  for (const e of entries) {
    const type = e.resourceType ?? 'unknown';
    counts[type] ??= emptyCounts();
    counts[type][COUNT_KEYS[e.outcome]] += 1;
  }
  return counts;
}

/** Adds `more` into `total`, type by type. */
export function addCounts(total: ImportCounts, more: ImportCounts): ImportCounts {
  for (const [type, counts] of Object.entries(more)) {
    const sum = total[type] ?? emptyCounts();
    total[type] = sum;
    for (const key of Object.keys(counts) as (keyof TypeCounts)[]) sum[key] += counts[key];
  }
  return total;
}

export function normalizeSourceSystem(value: string | null | undefined): string {
  return value?.trim().slice(0, 200) || DEFAULT_SOURCE_SYSTEM;
}

function resultOf(
  state: EntryState | undefined,
  base: Omit<EntryResult, 'outcome' | 'status' | 'record' | 'issues'>,
  warnings: OperationOutcomeIssue[],
): EntryResult {
  switch (state?.kind) {
    case 'created':
      return { ...base, outcome: 'created', status: 201, record: state.record, issues: warnings };
    case 'updated':
      return { ...base, outcome: 'updated', status: 200, record: state.record, issues: warnings };
    case 'unchanged':
      return {
        ...base,
        outcome: 'unchanged',
        status: 200,
        record: state.record,
        issues: [issue('information', 'informational', 'Unchanged since the last import')],
      };
    case 'stored-not-mapped':
      return {
        ...base,
        outcome: 'stored-not-mapped',
        status: 202,
        record: null,
        issues: warnings.length
          ? warnings
          : [
              issue(
                'information',
                'informational',
                `Stored, not mapped: Careloop does not map ${base.resourceType} resources`,
              ),
            ],
      };
    case 'rejected':
      return {
        ...base,
        outcome: 'rejected',
        status: state.error.status,
        record: null,
        issues: [
          issue(
            'error',
            state.error.code,
            state.error.message,
            entryPath(base.index, state.error.path),
          ),
        ],
      };
    case undefined:
      throw new Error(`entry ${base.index} was not processed`);
  }
}

/**
 * FHIR R4 ingestion: validates a transaction or batch Bundle, maps what Careloop models into
 * its records, keeps every resource raw with its provenance, and appends touchpoints and audit
 * events in the same transaction. A transaction is all or nothing; a batch reports per entry.
 */
export class FhirImportService {
  /** Bundles read by `prevalidate`, so `importBundle` does not read them again. */
  private readonly read = new WeakMap<object, IncomingBundle>();
  /** Validations started by `prevalidate`, by content hash, until the bundle is imported. */
  private readonly ahead = new Map<string, Promise<ValidationResult | null>>();

  constructor(
    private readonly database: Database,
    private readonly audit: AuditLog,
    private readonly cipher: FieldCipher,
    /** Where imported appointments are announced to journeys (none: the import announces nothing). */
    private readonly appointmentEvents: AppointmentEventSink | null = null,
    /** Where imported discharges are announced (none: the import announces nothing). */
    private readonly encounterEvents: EncounterEventSink | null = null,
    /** Issue 11 (h11j): where new referrals are announced to journeys (none: nothing is). */
    private readonly referralEvents: ReferralEventSink | null = null,
  ) {}

  /**
   * Reads a bundle and starts validating its resources on the worker threads, ahead of its
   * `importBundle`: a caller importing bundles one after another (the CLI) lets the next one
   * be validated while the current one is written. Validation depends on the content alone, so
   * the import uses these results by content hash; what it needs and finds none for, it
   * validates itself. Resources stored before unchanged are validated here for nothing, so a
   * caller re-importing unchanged data should not call this. Never throws: a body that is not
   * an importable bundle is refused by `importBundle`.
   */
  prevalidate(body: unknown): void {
    if (typeof body !== 'object' || body === null) return;
    let bundle: IncomingBundle;
    try {
      bundle = readBundle(body);
    } catch {
      return;
    }
    this.read.set(body, bundle);
    const unvalidated = bundle.entries.filter(
      (e): e is PreparedEntry => e.kind === 'ready' && !this.ahead.has(e.hash),
    );
    if (!validatesInParallel(unvalidated.length)) return;
    const results = validateResources(
      unvalidated.map((e) => e.resource),
      { background: true },
    );
    for (const [i, entry] of unvalidated.entries()) {
      // null when the pool failed: the import then validates the resource itself.
      this.ahead.set(
        entry.hash,
        results.then(
          (all) => all[i] ?? null,
          () => null,
        ),
      );
    }
  }

  /** Throws FhirRequestError when the body is not an importable Bundle. */
  async importBundle(
    orgId: string,
    actor: ImportActor,
    body: unknown,
    /** `asOf`: the import's today, for dates that cannot be in the future (default: now). */
    options: { sourceSystem?: string | null; asOf?: Date } = {},
  ): Promise<ImportResult> {
    const started = performance.now();
    const asOf = options.asOf ?? new Date();
    const bundle =
      (typeof body === 'object' && body !== null && this.read.get(body)) || readBundle(body);
    const sourceSystem = normalizeSourceSystem(options.sourceSystem ?? bundle.declaredSource);
    try {
      return await this.importRead(orgId, actor, bundle, sourceSystem, started, asOf);
    } finally {
      for (const e of bundle.entries) if (e.hash) this.ahead.delete(e.hash);
      if (typeof body === 'object' && body !== null) this.read.delete(body);
    }
  }

  private async importRead(
    orgId: string,
    actor: ImportActor,
    bundle: IncomingBundle,
    sourceSystem: string,
    started: number,
    asOf: Date,
  ): Promise<ImportResult> {
    try {
      const run = await this.database.withTenant(orgId, (tx) =>
        this.run(tx, orgId, actor, bundle, sourceSystem, asOf),
      );
      const entries = entryResults(run);
      return {
        mode: bundle.mode,
        sourceSystem,
        committed: true,
        entries,
        counts: countEntries(entries),
        failure: null,
        milliseconds: performance.now() - started,
      };
    } catch (error) {
      if (error instanceof BundleInvalid) {
        return this.refused(
          orgId,
          actor,
          bundle,
          sourceSystem,
          error.status,
          error.issues,
          started,
        );
      }
      if (error instanceof BundleRejected) {
        const entry = bundle.entries[error.index];
        const what = entry?.kind === 'ready' ? ` (${entry.resourceType}/${entry.sourceId})` : '';
        return this.refused(
          orgId,
          actor,
          bundle,
          sourceSystem,
          error.error.status,
          [
            issue(
              'error',
              error.error.code,
              `Entry ${error.index}${what}: ${error.error.message}`,
              entryPath(error.index, error.error.path),
            ),
          ],
          started,
        );
      }
      if (sqlState(error)?.startsWith('22')) {
        return this.refused(
          orgId,
          actor,
          bundle,
          sourceSystem,
          422,
          [
            issue(
              'error',
              'value',
              'A value in the bundle is outside what Careloop can store (a date or amount out of range)',
            ),
          ],
          started,
        );
      }
      throw error;
    }
  }

  private async run(
    tx: Db,
    orgId: string,
    actor: ImportActor,
    bundle: IncomingBundle,
    sourceSystem: string,
    asOf: Date,
  ): Promise<BundleRun> {
    const run = new BundleRun(tx, orgId, sourceSystem, bundle, this.cipher, asOf);
    await run.preload();
    await run.validate(this.ahead);
    const invalid = run.invalid;
    const first = invalid[0];
    if (bundle.mode === 'transaction' && first) {
      // Nothing is written yet: the transaction ends with no rows, and the reply names them all.
      throw new BundleInvalid(
        first.error.status,
        invalid.map((e) =>
          issue(
            'error',
            e.error.code,
            `Entry ${e.index}: ${e.error.message}`,
            entryPath(e.index, e.error.path),
          ),
        ),
      );
    }
    if (bundle.mode === 'transaction') await processTransaction(run);
    else {
      for (const e of invalid) run.rejectInvalid(e);
      await processBatch(tx, run);
    }
    // The last rows, the timeline, the raw resources and the links: one statement.
    await run.flush([
      ...touchpointStatements(run.touchpoints),
      ...sourceRecordStatements(orgId, sourceSystem, [...run.rawRecords.values()], this.cipher),
      ...sourceLinkStatements(orgId, sourceSystem, [...run.links.values()]),
    ]);
    // Appointments still to come reach journeys as an SIU or CSV booking does, in this transaction.
    if (run.appointmentChanges.size > 0) {
      await this.appointmentEvents?.announce(tx, [...run.appointmentChanges.values()]);
    }
    // Issue 11 (h11d): a stay that ended lately reaches journeys and webhooks as an HL7 A03 does.
    if (run.encounterChanges.size > 0) {
      await this.encounterEvents?.announce(tx, [...run.encounterChanges.values()]);
    }
    if (run.referrals.size > 0) {
      await this.referralEvents?.announce(tx, [...run.referrals.values()]);
    }
    if (run.closedReferrals.size > 0) {
      await this.referralEvents?.announceClosed(tx, [...run.closedReferrals.values()]);
    }
    await this.auditRun(tx, actor, bundle, run);
    return run;
  }

  /**
   * One event per patient whose records changed, and one for the bundle as a whole, appended
   * to the chain together (one lock, one read of the last hash, one insert).
   */
  private async auditRun(tx: Db, actor: ImportActor, bundle: IncomingBundle, run: BundleRun) {
    const perPatient = new Map<string, { created: boolean; records: number }>();
    for (const state of run.states.values()) {
      if (state.kind !== 'created' && state.kind !== 'updated') continue;
      const patientId = state.record.patientId;
      if (!patientId) continue;
      const seen = perPatient.get(patientId) ?? { created: false, records: 0 };
      seen.records += 1;
      if (state.record.recordType === 'patient' && state.kind === 'created') seen.created = true;
      perPatient.set(patientId, seen);
    }
    const at = new Date();
    const events: ChainedFields[] = [];
    for (const [patientId, seen] of perPatient) {
      events.push(
        auditFields(
          actor,
          {
            action: seen.created ? 'create' : 'update',
            recordType: 'patient',
            recordId: patientId,
            patientId,
            reason: `FHIR import from ${run.sourceSystem}: ${seen.records} records created or updated`,
          },
          at,
        ),
      );
    }
    const counts = countEntries(entryResults(run));
    events.push(
      auditFields(
        actor,
        {
          action: 'create',
          recordType: 'fhir-bundle',
          reason: `FHIR ${bundle.mode} from ${run.sourceSystem}: ${summarize(counts)}`,
        },
        at,
      ),
    );
    await appendAudit(tx, events);
  }

  private async refused(
    orgId: string,
    actor: ImportActor,
    bundle: IncomingBundle,
    sourceSystem: string,
    status: number,
    issues: OperationOutcomeIssue[],
    started: number,
  ): Promise<ImportResult> {
    const entries: EntryResult[] = bundle.entries.map((e) => ({
      index: e.index,
      resourceType: e.resourceType,
      sourceId: e.sourceId,
      outcome: 'rejected',
      status,
      record: null,
      issues: [],
    }));
    await this.audit.read(
      { ...actor, orgId },
      {
        action: 'create',
        recordType: 'fhir-bundle',
        outcome: 'failed',
        reason:
          `FHIR transaction from ${sourceSystem} refused: ${issues[0]?.diagnostics ?? 'invalid'}`.slice(
            0,
            500,
          ),
      },
    );
    return {
      mode: bundle.mode,
      sourceSystem,
      committed: false,
      entries,
      counts: countEntries(entries),
      failure: { status, outcome: operationOutcome(issues) },
      milliseconds: performance.now() - started,
    };
  }
}

function entryResults(run: BundleRun): EntryResult[] {
  return run.entries.map((e) =>
    resultOf(
      run.states.get(e.index),
      { index: e.index, resourceType: e.resourceType, sourceId: e.sourceId },
      [...(e.kind === 'ready' ? e.warnings : []), ...(run.warnings.get(e.index) ?? [])],
    ),
  );
}

/** Entries failed validation in a transaction: refused before anything is written. */
class BundleInvalid extends Error {
  override readonly name = 'BundleInvalid';
  constructor(
    readonly status: number,
    readonly issues: OperationOutcomeIssue[],
  ) {
    super(issues[0]?.diagnostics ?? 'invalid bundle');
  }
}

export function summarize(counts: ImportCounts): string {
  const total = emptyCounts();
  for (const c of Object.values(counts)) {
    for (const key of Object.keys(c) as (keyof TypeCounts)[]) total[key] += c[key];
  }
  return `created ${total.created}, updated ${total.updated}, unchanged ${total.unchanged}, rejected ${total.rejected}, stored not mapped ${total.storedNotMapped}`;
}

/**
 * Type by type; rows are written when something is about to read them (see `mustFlushBefore`)
 * and after each patient but the last, else together at the end.
 */
async function processTransaction(run: BundleRun): Promise<void> {
  const entries = run.ordered();
  let patientsAhead = entries.filter((e) => e.resourceType === 'Patient').length;
  for (const entry of entries) {
    if (run.mustFlushBefore(entry)) await run.flush();
    await run.process(entry, 'transaction');
    if (entry.resourceType !== 'Patient') continue;
    patientsAhead -= 1;
    // The next patient's match must see this one's identifiers. After the last patient nothing
    // reads its rows (mappings read only what MAPPER_READS names): they go with the rest.
    if (patientsAhead > 0) await run.flush();
  }
}

/** Entry by entry, each entry's writes in a savepoint: one entry's failure spares the others. */
async function processBatch(tx: Db, run: BundleRun): Promise<void> {
  for (const entry of run.ordered()) {
    const mark = run.touchpoints.length;
    await run.process(entry, 'batch');
    if (!run.hasPendingWrites) continue;
    await tx.execute(sql`savepoint fhir_entry`);
    try {
      await run.flush();
      await tx.execute(sql`release savepoint fhir_entry`);
    } catch (error) {
      const state = sqlState(error);
      if (!state) throw error;
      await tx.execute(sql`rollback to savepoint fhir_entry`);
      run.undo(
        entry,
        mark,
        new EntryError(
          `Careloop could not store this entry (database error ${state}): a value is out of range or conflicts with another record`,
          null,
          state === '23505' ? 'conflict' : 'value',
          state === '23505' ? 409 : 422,
        ),
      );
    }
  }
}
