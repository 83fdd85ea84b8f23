import type { OperationOutcomeIssue } from '@medplum/fhirtypes';
import { type SQL, sql } from 'drizzle-orm';
import { fhirResourceAad } from '../../../crypto/encrypted-fields.js';
import { DecryptionError, type FieldCipher } from '../../../crypto/field-cipher.js';
import { JsonText } from '../../../db/bulk-sql.js';
import type { Db } from '../../../db/client.js';
import { rowsOf } from '../../../db/rows.js';
import type {
  ClosedReferral,
  ImportedEncounterChange,
  ImportedReferral,
} from '../../clinical/service.js';
import type { ImportedAppointmentChange } from '../../scheduling/service.js';
import type { NewTouchpoint } from '../../timeline/service.js';
import type { LinkedRecord, PreparedEntry, RecordType } from '../mapping/context.js';
import { MAPPED_TYPES, MAPPER_READS, mapperOf, SHARED_DIRECTORY_TYPES } from '../mapping/index.js';
import { EntryError, entryPath, issue, NotMapped } from '../outcome.js';
import { validateResources } from '../validation/pool.js';
import { type ValidationResult, validateFhir } from '../validation/validation.js';
import { isContainedIn } from '../values.js';
import {
  type IncomingBundle,
  type IncomingEntry,
  type InvalidEntry,
  validatedEntry,
} from './bundle.js';
import type { EntryState } from './entry-state.js';
import { BundleReferences, keyOf } from './references.js';
import {
  RowWriter,
  type SourceLinkRow,
  type SourceRecordRow,
  type SourceStatus,
} from './writer.js';

interface StoredRecord {
  status: SourceStatus;
  hash: string;
  /** Kept for shared directory types only: a partial copy is compared against it. */
  resource: unknown;
}

/** Raised in a transaction when an entry is rejected: the whole bundle goes with it. */
export class BundleRejected extends Error {
  override readonly name = 'BundleRejected';
  constructor(
    readonly index: number,
    readonly error: EntryError,
  ) {
    super(error.message);
  }
}

/**
 * One bundle's import inside one database transaction: resolves references within the bundle
 * and against earlier imports, maps each entry, and collects rows, raw records, links and
 * touchpoints to write.
 */
export class BundleRun {
  readonly states = new Map<number, EntryState>();
  readonly warnings = new Map<number, OperationOutcomeIssue[]>();
  readonly touchpoints: NewTouchpoint[] = [];
  /** Appointments created or changed, by entry index: announced to journeys with the rows. */
  readonly appointmentChanges = new Map<number, ImportedAppointmentChange>();
  /** Encounters created or changed, by entry index: a discharge is announced with the rows. */
  readonly encounterChanges = new Map<number, ImportedEncounterChange>();
  // Issue 11 (h11j): referrals created, by entry index: announced to journeys with the rows.
  readonly referrals = new Map<number, ImportedReferral>();
  // Issue 11 (h11r): referrals closed, by entry index: the journeys they started end.
  readonly closedReferrals = new Map<number, ClosedReferral>();
  readonly rawRecords = new Map<string, SourceRecordRow>();
  readonly links = new Map<string, SourceLinkRow>();
  private readonly writer: RowWriter;
  private stored = new Map<string, StoredRecord>();
  private readonly known = new Map<string, LinkedRecord>();
  /** The links as earlier imports left them, before this bundle. */
  private readonly earlier = new Map<string, LinkedRecord>();
  /** The bundle's entries; a ready entry becomes invalid when validation fails. */
  readonly entries: IncomingEntry[];
  private readonly references: BundleReferences;

  constructor(
    private readonly tx: Db,
    readonly orgId: string,
    readonly sourceSystem: string,
    readonly bundle: IncomingBundle,
    private readonly cipher: FieldCipher,
    asOf: Date,
  ) {
    this.writer = new RowWriter(orgId, cipher);
    this.entries = [...bundle.entries];
    this.references = new BundleReferences({
      tx,
      orgId,
      sourceSystem,
      asOf,
      entries: this.entries,
      states: this.states,
      known: this.known,
      warn: (index, warning) => this.addWarning(index, warning),
    });
  }

  get ready(): PreparedEntry[] {
    return this.entries.filter((e): e is PreparedEntry => e.kind === 'ready');
  }

  get invalid(): InvalidEntry[] {
    return this.entries.filter((e): e is InvalidEntry => e.kind === 'invalid');
  }

  /**
   * Validates every entry whose content differs from what was stored before; identical
   * content was valid when it was stored. Call after `preload`. Many resources are validated on
   * worker threads (validation-pool.ts); `ahead` holds results validated before the run.
   */
  async validate(
    ahead: ReadonlyMap<string, Promise<ValidationResult | null>> = new Map(),
  ): Promise<void> {
    const changed = this.ready.filter((entry) => {
      const stored = this.stored.get(keyOf(entry.resourceType, entry.sourceId));
      return !(stored && stored.status !== 'rejected' && stored.hash === entry.hash);
    });
    // Content validated ahead (`FhirImportService.prevalidate`) has its result by hash: the
    // same content always gets the same result.
    const rest = changed.filter((entry) => !ahead.has(entry.hash));
    const fresh = await validateResources(rest.map((entry) => entry.resource));
    const results = new Map(rest.map((entry, i) => [entry, fresh[i]]));
    for (const entry of changed) {
      const result =
        results.get(entry) ?? (await ahead.get(entry.hash)) ?? validateFhir(entry.resource);
      if (!result) throw new Error(`entry ${entry.index} was not validated`);
      this.entries[entry.index] = validatedEntry(entry, result);
    }
  }

  /** Loads, in one query, what earlier imports stored and linked for this bundle's ids. */
  async preload(): Promise<void> {
    const keys = new Map<string, { t: string; i: string }>();
    for (const e of this.entries) {
      if (e.resourceType && e.sourceId) {
        keys.set(keyOf(e.resourceType, e.sourceId), { t: e.resourceType, i: e.sourceId });
      }
    }
    if (keys.size === 0) return;
    // One probe of each unique index per key (lateral lookups): a plain join lets the planner
    // scan the whole organization's range when its statistics are stale, as they stay on the
    // embedded database, which has no autovacuum.
    const shared = [...SHARED_DIRECTORY_TYPES];
    const rows = rowsOf<{
      t: string;
      i: string;
      status: string | null;
      content_hash: string | null;
      resource: unknown;
      resource_encrypted: string | null;
      record_type: string | null;
      record_id: string | null;
      patient_id: string | null;
    }>(
      await this.tx.execute(sql`
        select k.t, k.i, r.status, r.content_hash,
          case when r.resource_type in (${sql.join(
            shared.map((t) => sql`${t}`),
            sql`, `,
          )})
            then r.resource end as resource,
          case when r.resource_type in (${sql.join(
            shared.map((t) => sql`${t}`),
            sql`, `,
          )})
            then r.resource_encrypted end as resource_encrypted,
          l.record_type, l.record_id, l.patient_id
        from json_to_recordset(${JSON.stringify([...keys.values()])}::json) as k(t text, i text)
        left join lateral (select f.resource_type, f.status, f.content_hash, f.resource,
            f.resource_encrypted from fhir_source_records f
          where f.source_system = ${this.sourceSystem} and f.resource_type = k.t
            and f.source_id = k.i limit 1) r on true
        left join lateral (select s.record_type, s.record_id, s.patient_id from source_links s
          where s.source_system = ${this.sourceSystem} and s.source_type = k.t
            and s.source_id = k.i limit 1) l on true
        where r.status is not null or l.record_id is not null`),
    );
    for (const row of rows) {
      const key = keyOf(row.t, row.i);
      if (row.status !== null && row.content_hash !== null) {
        this.stored.set(key, {
          status: row.status as SourceStatus,
          hash: row.content_hash,
          resource: this.storedResource(row.t, row.i, row.resource, row.resource_encrypted),
        });
      }
      if (row.record_type !== null && row.record_id !== null) {
        const record: LinkedRecord = {
          recordType: row.record_type as RecordType,
          recordId: row.record_id,
          patientId: row.patient_id,
        };
        this.known.set(key, record);
        this.earlier.set(key, record);
      }
    }
  }

  /** Ready entries in processing order: mapped types by rank, then the rest as received. */
  ordered(): PreparedEntry[] {
    const rank = (e: PreparedEntry) => mapperOf(e.resourceType)?.rank ?? MAPPED_TYPES.length;
    return [...this.ready].sort((a, b) => rank(a) - rank(b) || a.index - b.index);
  }

  rankOf(entry: PreparedEntry): number {
    return mapperOf(entry.resourceType)?.rank ?? MAPPED_TYPES.length;
  }

  /**
   * Maps one entry and queues its writes. In a transaction a rejection throws BundleRejected;
   * in a batch it is recorded on the entry.
   */
  async process(entry: PreparedEntry, mode: IncomingBundle['mode']): Promise<void> {
    const key = keyOf(entry.resourceType, entry.sourceId);
    const stored = this.stored.get(key);
    const link = this.known.get(key) ?? null;
    const mapping = mapperOf(entry.resourceType);
    if (stored && this.isUnchanged(entry, stored, link)) {
      this.states.set(entry.index, { kind: 'unchanged', record: link });
      return;
    }
    if (!mapping) {
      this.storeRaw(entry, 'stored-not-mapped', null);
      this.states.set(entry.index, { kind: 'stored-not-mapped', reason: null });
      return;
    }
    try {
      const mapped = await mapping.mapper(entry.resource, this.references.contextFor(entry, link));
      this.writer.add(mapped.writes);
      this.touchpoints.push(...mapped.touchpoints);
      if (mapped.appointmentChange) {
        this.appointmentChanges.set(entry.index, mapped.appointmentChange);
      }
      if (mapped.encounterChange) this.encounterChanges.set(entry.index, mapped.encounterChange);
      if (mapped.referral) this.referrals.set(entry.index, mapped.referral);
      if (mapped.referralClosed) this.closedReferrals.set(entry.index, mapped.referralClosed);
      this.storeRaw(entry, 'mapped', null);
      this.links.set(key, {
        sourceType: entry.resourceType,
        sourceId: entry.sourceId,
        ...mapped.record,
      });
      this.known.set(key, mapped.record);
      this.states.set(entry.index, {
        kind: mapped.created ? 'created' : 'updated',
        record: mapped.record,
      });
    } catch (error) {
      if (error instanceof NotMapped) {
        this.storeRaw(entry, 'stored-not-mapped', error.message);
        this.addWarning(
          entry.index,
          issue(
            'warning',
            'informational',
            `Stored, not mapped: ${error.message}`,
            entryPath(entry.index, error.path),
          ),
        );
        this.states.set(entry.index, { kind: 'stored-not-mapped', reason: error.message });
        return;
      }
      if (error instanceof EntryError) {
        if (mode === 'transaction') throw new BundleRejected(entry.index, error);
        this.reject(entry, error);
        return;
      }
      throw error;
    }
  }

  /** Records a rejected entry; its raw resource is kept only if nothing was stored before. */
  reject(entry: PreparedEntry, error: EntryError): void {
    this.states.set(entry.index, { kind: 'rejected', error });
    const key = keyOf(entry.resourceType, entry.sourceId);
    this.links.delete(key);
    if (this.stored.has(key)) this.rawRecords.delete(key);
    else this.storeRaw(entry, 'rejected', error.message);
  }

  /** Writes the pending rows, and `more` statements, in one statement (then any updates). */
  flush(more: SQL[] = []): Promise<void> {
    return this.writer.flush(this.tx, more);
  }

  /**
   * Whether the pending rows must be written before this entry is mapped: its mapping reads
   * tables (`MAPPER_READS`) that rows of this bundle are waiting for.
   */
  mustFlushBefore(entry: PreparedEntry): boolean {
    const reads = MAPPER_READS[entry.resourceType];
    return reads !== undefined && this.writer.holds(reads);
  }

  get hasPendingWrites(): boolean {
    return this.writer.pending;
  }

  /** Forgets an entry whose writes failed in the database (its savepoint was rolled back). */
  undo(entry: PreparedEntry, touchpointsBefore: number, error: EntryError): void {
    this.writer.clear();
    this.touchpoints.length = touchpointsBefore;
    this.appointmentChanges.delete(entry.index);
    this.encounterChanges.delete(entry.index);
    this.referrals.delete(entry.index);
    this.closedReferrals.delete(entry.index);
    const key = keyOf(entry.resourceType, entry.sourceId);
    const before = this.earlier.get(key);
    if (before) this.known.set(key, before);
    else this.known.delete(key);
    this.reject(entry, error);
  }

  /**
   * A shared directory resource as stored before, for the containment check: decrypted, or the
   * plain copy of a row not yet rotated. One that does not decrypt counts as absent (the
   * entry is then mapped again, never skipped on unreadable evidence).
   */
  private storedResource(
    resourceType: string,
    sourceId: string,
    plain: unknown,
    sealed: string | null,
  ): unknown {
    if (sealed === null) return plain;
    const aad = fhirResourceAad(
      { sourceSystem: this.sourceSystem, resourceType, sourceId },
      this.orgId,
    );
    try {
      return JSON.parse(this.cipher.decrypt(sealed, aad));
    } catch (error) {
      if (!(error instanceof DecryptionError)) throw error;
      return null;
    }
  }

  private isUnchanged(
    entry: PreparedEntry,
    stored: StoredRecord,
    link: LinkedRecord | null,
  ): boolean {
    if (stored.status === 'rejected') return false;
    if (stored.status === 'mapped' && !link) return false;
    if (stored.hash === entry.hash) return true;
    return (
      SHARED_DIRECTORY_TYPES.has(entry.resourceType) &&
      stored.status === 'mapped' &&
      stored.resource !== null &&
      isContainedIn(entry.resource, stored.resource)
    );
  }

  private storeRaw(
    entry: { resourceType: string; sourceId: string; hash: string; json: string },
    status: SourceStatus,
    detail: string | null,
  ): void {
    this.rawRecords.set(keyOf(entry.resourceType, entry.sourceId), {
      resourceType: entry.resourceType,
      sourceId: entry.sourceId,
      status,
      contentHash: entry.hash,
      resource: new JsonText(entry.json),
      detail,
    });
  }

  /** A batch entry that failed validation: reported, and kept raw if it was never stored. */
  rejectInvalid(entry: InvalidEntry): void {
    this.states.set(entry.index, { kind: 'rejected', error: entry.error });
    const { resourceType, sourceId, hash, json } = entry;
    if (!resourceType || !sourceId || !hash || json === null) return;
    if (this.stored.has(keyOf(resourceType, sourceId))) return;
    this.storeRaw({ resourceType, sourceId, hash, json }, 'rejected', entry.error.message);
  }

  addWarning(index: number, warning: OperationOutcomeIssue): void {
    const list = this.warnings.get(index) ?? [];
    list.push(warning);
    this.warnings.set(index, list);
  }
}
