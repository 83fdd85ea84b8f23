import { randomUUID } from 'node:crypto';
import type { OperationOutcomeIssue, Reference, Resource, ResourceType } from '@medplum/fhirtypes';
import type { Db } from '../../../db/client.js';
import {
  allergies,
  carePlans,
  conditions,
  encounters,
  immunizations,
  medicationRequests,
  observations,
  procedures,
  questionnaireResponses,
  serviceRequests,
} from '../../clinical/schema.js';
import type {
  ClosedReferral,
  ImportedEncounterChange,
  ImportedReferral,
} from '../../clinical/service.js';
import { locations, practitioners, serviceLines } from '../../directory/schema.js';
import { mpiReviewItems, patientSourceRecords } from '../../mpi/schema.js';
import {
  coverages,
  patientAddresses,
  patientContactPoints,
  patientIdentifiers,
  type patients,
} from '../../patients/schema.js';
import { appointments } from '../../scheduling/schema.js';
import type { ImportedAppointmentChange } from '../../scheduling/service.js';
import type { NewTouchpoint } from '../../timeline/service.js';
import {
  claims,
  communications,
  explanationsOfBenefit,
  externalOrganizations,
  relatedPersons,
  schedules,
  slots,
} from '../schema.js';

/**
 * A valid entry of a bundle, ready to map (import/bundle.ts reads it). Declared with the mapping
 * contract, so that the mappings do not import the importer that runs them.
 */
export interface PreparedEntry {
  kind: 'ready';
  index: number;
  fullUrl: string | null;
  resource: Resource;
  resourceType: string;
  /** The sender's id for the resource: its id, else the one in its URL, else its content hash. */
  sourceId: string;
  hash: string;
  /** The resource as canonical JSON: the text its hash is taken over, and the one stored raw. */
  json: string;
  warnings: OperationOutcomeIssue[];
}

/**
 * The Careloop tables a FHIR mapping writes, in an order that respects their foreign keys. The
 * import's writer (import/writer.ts) writes the FHIR module's own (`WRITTEN_HERE`) itself, and
 * hands the rows of every other table to the module that owns it (docs/adr/0016).
 */
export const TABLES = {
  externalOrganizations,
  locations,
  practitioners,
  serviceLines,
  patientAddresses,
  patientContactPoints,
  patientIdentifiers,
  patientSourceRecords,
  mpiReviewItems,
  relatedPersons,
  coverages,
  schedules,
  slots,
  encounters,
  conditions,
  procedures,
  observations,
  immunizations,
  medicationRequests,
  allergies,
  carePlans,
  serviceRequests,
  appointments,
  communications,
  questionnaireResponses,
  claims,
  explanationsOfBenefit,
} as const;

/** The tables the import's writer writes itself (modules/boundaries.test.ts reads this list). */
export const WRITTEN_HERE = {
  externalOrganizations,
  relatedPersons,
  schedules,
  slots,
  communications,
  claims,
  explanationsOfBenefit,
} as const;

export type TableKey = keyof typeof TABLES;
export type InsertRow<K extends TableKey> = (typeof TABLES)[K]['$inferInsert'];

/**
 * A golden record to write: not a table of the importer's, its writer is the patients module's
 * (golden-record.ts), which the import's writer hands these rows to. An update carries what
 * survivorship decided (`goldenChangesOf`) and the fields the import owns.
 */
export type GoldenWrite =
  | { table: 'patients'; op: 'insert'; values: (typeof patients)['$inferInsert'] & { id: string } }
  | {
      table: 'patients';
      op: 'update';
      id: string;
      values: Partial<(typeof patients)['$inferInsert']>;
    };

/** One row to write: a new record with its id, or changes to an existing one. */
export type RowWrite =
  | {
      [K in TableKey]:
        | { table: K; op: 'insert'; values: InsertRow<K> & { id: string } }
        | { table: K; op: 'update'; id: string; values: Partial<InsertRow<K>> };
    }[TableKey]
  | GoldenWrite;

/** What a source record became in Careloop. */
export type RecordType =
  | 'patient'
  | 'related-person'
  | 'practitioner'
  | 'external-organization'
  | 'location'
  | 'service-line'
  | 'coverage'
  | 'encounter'
  | 'condition'
  | 'procedure'
  | 'observation'
  | 'immunization'
  | 'medication-request'
  | 'allergy'
  | 'care-plan'
  | 'claim'
  | 'explanation-of-benefit'
  | 'schedule'
  | 'slot'
  | 'appointment'
  | 'service-request'
  | 'communication'
  | 'questionnaire-response';

export interface LinkedRecord {
  recordType: RecordType;
  recordId: string;
  patientId: string | null;
}

/** The outcome of mapping one resource. */
export interface Mapped {
  record: LinkedRecord;
  created: boolean;
  writes: RowWrite[];
  touchpoints: NewTouchpoint[];
  /** An appointment created or changed, before and after: the import announces it to journeys. */
  appointmentChange?: ImportedAppointmentChange;
  /** An encounter created or changed, before and after: the import announces a discharge. */
  encounterChange?: ImportedEncounterChange;
  // Issue 11 (h11j): a referral created by this import that is news (core's referralIsNews).
  referral?: ImportedReferral;
  // Issue 11 (h11r): a referral this import closed (core's referralClosed; docs/adr/0045).
  referralClosed?: ClosedReferral;
}

/** What a mapping may ask of the import: references, contained resources, its own record. */
export interface MapContext {
  tx: Db;
  orgId: string;
  sourceSystem: string;
  /** When the import runs (its caller's clock): a birth date after it is refused. */
  asOf: Date;
  entry: PreparedEntry;
  /** The record this source resource became in an earlier import, if any. */
  existing: LinkedRecord | null;
  /**
   * An optional reference to another record, if it targets one of `types`; null when absent or
   * of another type. Throws an EntryError when it names a record nobody sent.
   */
  link(
    ref: Reference | undefined,
    path: string,
    types: ResourceType[],
  ): Promise<LinkedRecord | null>;
  /** The patient a resource is about. NotMapped when it is about no patient. */
  patient(ref: Reference | undefined, path: string): Promise<LinkedRecord>;
  /** A contained resource (`#coverage`); throws an EntryError when it is not there. */
  contained(ref: Reference | undefined, path: string): Resource | null;
  /** The resource a reference names, when it is in this bundle or contained; else null. */
  resourceOf(ref: Reference | undefined): Resource | null;
  /** The FHIR type a reference targets, when it can be told. */
  referenceType(ref: Reference | undefined): string | null;
  warn(message: string, path: string | null): void;
}

/** This entry's record id: the linked one when it was imported before, else a new one. */
export function target(ctx: MapContext, recordType: RecordType): { id: string; created: boolean } {
  if (ctx.existing && ctx.existing.recordType === recordType) {
    return { id: ctx.existing.recordId, created: false };
  }
  return { id: randomUUID(), created: true };
}

/**
 * An insert for a new record, an update of all mapped fields for a known one. Tables with an
 * `updated_at` get it from the mapping's values.
 */
export function upsert<K extends TableKey>(
  table: K,
  id: { id: string; created: boolean },
  values: InsertRow<K>,
): RowWrite {
  if (id.created) {
    return { table, op: 'insert', values: { ...values, id: id.id } } as RowWrite;
  }
  const { orgId: _org, ...changes } = values as InsertRow<K> & { orgId?: string };
  return { table, op: 'update', id: id.id, values: changes } as RowWrite;
}

export type ResourceOf<T extends ResourceType> = Extract<Resource, { resourceType: T }>;

export type Mapper = (resource: Resource, ctx: MapContext) => Promise<Mapped>;

/** A mapper for one resource type; the importer calls it only with resources of that type. */
export function mapperFor<T extends ResourceType>(
  type: T,
  map: (resource: ResourceOf<T>, ctx: MapContext) => Promise<Mapped>,
): Mapper {
  return (resource, ctx) => {
    if (resource.resourceType !== type) {
      throw new Error(`mapper for ${type} called with ${resource.resourceType}`);
    }
    return map(resource as ResourceOf<T>, ctx);
  };
}

/** A mapped record with no touchpoint. */
export const quietly = (record: LinkedRecord, created: boolean, writes: RowWrite[]): Mapped => ({
  record,
  created,
  writes,
  touchpoints: [],
});
