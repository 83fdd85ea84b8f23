import type { OperationOutcomeIssue, Reference, Resource, ResourceType } from '@medplum/fhirtypes';
import { and, eq, inArray } from 'drizzle-orm';
import type { Db } from '../../../db/client.js';
import { sourceLinks } from '../../mpi/schema.js';
import type { LinkedRecord, MapContext, PreparedEntry, RecordType } from '../mapping/context.js';
import { EntryError, entryPath, issue, NotMapped } from '../outcome.js';
import { fhirSourceRecords } from '../schema.js';
import { type IncomingEntry, typeAndId } from './bundle.js';
import type { EntryState } from './entry-state.js';

type Resolution =
  | { kind: 'record'; record: LinkedRecord }
  | { kind: 'absent' }
  | { kind: 'not-mapped'; reason: string };

export const keyOf = (type: string, id: string) => `${type}/${id}`;

/** What the references of one bundle's entries may lead to, shared with the bundle's run. */
export interface ReferenceScope {
  tx: Db;
  orgId: string;
  sourceSystem: string;
  /** The import's today: birth dates after it are refused. */
  asOf: Date;
  /** The bundle's entries, as validation left them. */
  entries: readonly IncomingEntry[];
  /** What became of each entry processed so far. */
  states: ReadonlyMap<number, EntryState>;
  /** Links known so far: earlier imports' and this bundle's. */
  known: ReadonlyMap<string, LinkedRecord>;
  warn(index: number, warning: OperationOutcomeIssue): void;
}

/**
 * Resolves references for one bundle: `fullUrl`s and `Type/id` within the bundle, contained
 * resources, then records linked by earlier imports from the same source system; and builds
 * the context each mapping gets.
 */
export class BundleReferences {
  private readonly byFullUrl = new Map<string, PreparedEntry>();
  private readonly byTypeId = new Map<string, PreparedEntry>();
  private readonly lookups = new Map<string, LinkedRecord | null>();

  constructor(private readonly scope: ReferenceScope) {
    for (const entry of scope.entries) {
      if (entry.kind !== 'ready') continue;
      if (entry.fullUrl) this.byFullUrl.set(entry.fullUrl, entry);
      this.byTypeId.set(keyOf(entry.resourceType, entry.sourceId), entry);
      if (entry.resource.id) this.byTypeId.set(keyOf(entry.resourceType, entry.resource.id), entry);
    }
  }

  findEntry(reference: string): PreparedEntry | null {
    const direct = this.byFullUrl.get(reference);
    if (direct) return direct;
    const parsed = typeAndId(reference);
    return parsed ? (this.byTypeId.get(keyOf(parsed[0], parsed[1])) ?? null) : null;
  }

  private containedIn(entry: PreparedEntry, reference: string): Resource | null {
    const id = reference.slice(1);
    const contained: Resource[] | undefined =
      'contained' in entry.resource ? entry.resource.contained : undefined;
    return contained?.find((c) => c.id === id) ?? null;
  }

  private referenceType(entry: PreparedEntry, ref: Reference | undefined): string | null {
    const reference = ref?.reference;
    if (!reference) return ref?.type ?? null;
    if (reference.startsWith('#')) return this.containedIn(entry, reference)?.resourceType ?? null;
    return this.findEntry(reference)?.resourceType ?? ref.type ?? typeAndId(reference)?.[0] ?? null;
  }

  private async lookup(types: readonly string[], sourceId: string): Promise<LinkedRecord | null> {
    const cacheKey = `${types.join(',')}|${sourceId}`;
    const cached = this.lookups.get(cacheKey);
    if (cached !== undefined) return cached;
    for (const type of types) {
      const known = this.scope.known.get(keyOf(type, sourceId));
      if (known) return known;
    }
    const [row] = await this.scope.tx
      .select()
      .from(sourceLinks)
      .where(
        and(
          eq(sourceLinks.sourceSystem, this.scope.sourceSystem),
          inArray(sourceLinks.sourceType, [...types]),
          eq(sourceLinks.sourceId, sourceId),
        ),
      )
      .limit(1);
    const found: LinkedRecord | null = row
      ? {
          recordType: row.recordType as RecordType,
          recordId: row.recordId,
          patientId: row.patientId,
        }
      : null;
    this.lookups.set(cacheKey, found);
    return found;
  }

  /** Where a reference leads: a bundle entry's record, an earlier import's, or nowhere. */
  private async resolve(
    entry: PreparedEntry,
    ref: Reference | undefined,
    path: string,
    types: readonly string[],
  ): Promise<Resolution> {
    const reference = ref?.reference;
    if (!reference) return { kind: 'absent' };
    if (reference.startsWith('#')) {
      if (!this.containedIn(entry, reference)) {
        throw new EntryError(
          `${path} refers to ${reference}, which the resource does not contain`,
          path,
          'not-found',
          404,
        );
      }
      return { kind: 'absent' };
    }
    const target = this.findEntry(reference);
    if (target) {
      const state = this.scope.states.get(target.index);
      const name = `entry ${target.index} (${target.resourceType}/${target.sourceId})`;
      switch (state?.kind) {
        case 'created':
        case 'updated':
          return { kind: 'record', record: state.record };
        case 'unchanged':
          return state.record ? { kind: 'record', record: state.record } : { kind: 'absent' };
        case 'stored-not-mapped':
          return {
            kind: 'not-mapped',
            reason: `${path} refers to ${name}, which is stored but not mapped${state.reason ? `: ${state.reason}` : ''}`,
          };
        case 'rejected':
          throw new EntryError(
            `${path} refers to ${name}, which was rejected`,
            path,
            'invalid',
            424,
          );
        case undefined:
          throw new EntryError(
            `${path} refers to ${name}, which is not yet imported`,
            path,
            'processing',
            422,
          );
      }
    }
    const invalid = this.scope.entries.find(
      (e) =>
        e.kind === 'invalid' &&
        e.resourceType &&
        e.sourceId &&
        reference.endsWith(`${e.resourceType}/${e.sourceId}`),
    );
    if (invalid) {
      throw new EntryError(
        `${path} refers to entry ${invalid.index}, which was rejected`,
        path,
        'invalid',
        424,
      );
    }
    const urn = reference.startsWith('urn:uuid:') || reference.startsWith('urn:oid:');
    const parsed = urn ? null : typeAndId(reference);
    const sourceId = urn ? reference.slice(9) : parsed?.[1];
    const searchTypes = parsed ? [parsed[0]] : types;
    const found = sourceId ? await this.lookup(searchTypes, sourceId) : null;
    if (found) return { kind: 'record', record: found };
    const earlier = sourceId ? await this.storedEarlier(searchTypes, sourceId) : null;
    if (earlier?.status === 'stored-not-mapped') {
      return {
        kind: 'not-mapped',
        reason: `${path} refers to ${reference}, which was imported before but not mapped${earlier.detail ? `: ${earlier.detail}` : ''}`,
      };
    }
    if (earlier?.status === 'rejected') {
      throw new EntryError(
        `${path} refers to ${reference}, which was rejected when it was imported`,
        path,
        'invalid',
        424,
      );
    }
    throw new EntryError(
      `${path} refers to ${reference}, which is neither in this bundle nor imported before from ${this.scope.sourceSystem}`,
      path,
      'not-found',
      404,
    );
  }

  /** A source record stored before without a link (not mapped, or rejected). */
  private async storedEarlier(
    types: readonly string[],
    sourceId: string,
  ): Promise<{ status: string; detail: string | null } | null> {
    const [row] = await this.scope.tx
      .select({ status: fhirSourceRecords.status, detail: fhirSourceRecords.detail })
      .from(fhirSourceRecords)
      .where(
        and(
          eq(fhirSourceRecords.sourceSystem, this.scope.sourceSystem),
          inArray(fhirSourceRecords.resourceType, [...types]),
          eq(fhirSourceRecords.sourceId, sourceId),
        ),
      )
      .limit(1);
    return row ?? null;
  }

  contextFor(entry: PreparedEntry, existing: LinkedRecord | null): MapContext {
    const run = this;
    return {
      tx: this.scope.tx,
      orgId: this.scope.orgId,
      sourceSystem: this.scope.sourceSystem,
      asOf: this.scope.asOf,
      entry,
      existing,
      async link(ref, path, types: ResourceType[]) {
        const type = run.referenceType(entry, ref);
        if (type && !types.includes(type as ResourceType)) return null;
        const resolved = await run.resolve(entry, ref, path, types);
        if (resolved.kind === 'not-mapped') {
          run.scope.warn(
            entry.index,
            issue('warning', 'incomplete', resolved.reason, entryPath(entry.index, path)),
          );
          return null;
        }
        return resolved.kind === 'record' ? resolved.record : null;
      },
      async patient(ref, path) {
        const type = run.referenceType(entry, ref);
        if (!ref?.reference) throw new NotMapped(`${path} names no patient`, path);
        if (type && type !== 'Patient')
          throw new NotMapped(`${path} is a ${type}, not a patient`, path);
        const resolved = await run.resolve(entry, ref, path, ['Patient']);
        if (resolved.kind === 'not-mapped') throw new NotMapped(resolved.reason, path);
        if (resolved.kind === 'absent' || resolved.record.recordType !== 'patient') {
          throw new NotMapped(`${path} names no patient Careloop keeps`, path);
        }
        return resolved.record;
      },
      contained(ref, path) {
        const reference = ref?.reference;
        if (!reference?.startsWith('#')) return null;
        const found = run.containedIn(entry, reference);
        if (!found) {
          throw new EntryError(
            `${path} refers to ${reference}, which the resource does not contain`,
            path,
            'not-found',
            404,
          );
        }
        return found;
      },
      resourceOf(ref) {
        const reference = ref?.reference;
        if (!reference) return null;
        if (reference.startsWith('#')) return run.containedIn(entry, reference);
        return run.findEntry(reference)?.resource ?? null;
      },
      referenceType: (ref) => run.referenceType(entry, ref),
      warn(message, path) {
        run.scope.warn(
          entry.index,
          issue('warning', 'informational', message, entryPath(entry.index, path)),
        );
      },
    };
  }
}
