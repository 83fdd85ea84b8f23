import { createHash } from 'node:crypto';
import {
  canonicalJson,
  type PatientImportRow,
  prepareAddress,
  preparePostalCode,
  type SourceDemographics,
  searchColumns,
} from '@careloop/core';
import { and, eq, inArray } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import {
  identifierOwners,
  type MatchDecision,
  matchPerson,
  type SourcePerson,
} from '../mpi/match.js';
import { patientSourceRecords } from '../mpi/schema.js';
import {
  addAddresses,
  addContactPoints,
  addIdentifiers,
  createGoldenRecord,
  updateGoldenRecord,
} from '../patients/golden-record.js';
import { patientAddresses, patientContactPoints, patientIdentifiers } from '../patients/schema.js';
import type { NewTouchpoint } from '../timeline/service.js';

/** What one patient row did (or, in a dry run, would do) to the golden records. */
export type PatientRowOutcome =
  | { outcome: 'create' | 'review'; patientId: string; candidates: string[] }
  | { outcome: 'update'; patientId: string; fields: string[] }
  | { outcome: 'unchanged'; patientId: string };

/** A row refused while writing (an identifier that belongs to someone else). */
export class RowConflict extends Error {
  constructor(
    message: string,
    readonly field: string,
  ) {
    super(message);
    this.name = 'RowConflict';
  }
}

/**
 * The row's key within its file: the mapped source id, else the MRN, else a hash of the
 * normalized row, so that importing the same file again finds the same source record.
 */
export function patientSourceKey(row: PatientImportRow): string {
  if (row.sourceId) return row.sourceId;
  const mrn = row.identifiers.find((i) => i.type === 'MR');
  if (mrn) return `mrn:${mrn.value}`;
  const { sourceId: _none, ...rest } = row;
  return `row:${createHash('sha256').update(JSON.stringify(rest)).digest('hex').slice(0, 32)}`;
}

/** The row as the master patient index reads a source's description of a person. */
export function demographicsOf(row: PatientImportRow): SourceDemographics {
  const line = [row.address?.line1, row.address?.line2].filter(Boolean).join(' ');
  return {
    given: row.givenName,
    middle: row.middleName,
    family: row.familyName,
    birthDate: row.birthDate,
    sex: row.sex === 'unknown' ? null : row.sex,
    line: line || null,
    city: row.address?.city || null,
    state: row.address?.state || null,
    postalCode: row.address?.postalCode || null,
    phone: row.phones[0]?.e164 ?? null,
    email: row.emails[0] ?? null,
    language: row.preferredLanguage,
    identifiers: row.identifiers.map((i) => ({ system: i.system, value: i.value })),
  };
}

export interface PatientRowContext {
  orgId: string;
  /** `csv:<file name>`. */
  system: string;
}

/**
 * Runs one row through the master patient index and writes the golden record: a new patient,
 * or what the row adds to an existing one. Names, birth date, sex and language follow
 * survivorship (`updateGoldenRecord`); phones, emails, identifiers and an address the record lacks
 * are added, never replaced or removed. Returns the outcome and the touchpoint to append.
 */
export async function writePatientRow(
  tx: Db,
  ctx: PatientRowContext,
  row: PatientImportRow,
): Promise<{ result: PatientRowOutcome; touchpoint: NewTouchpoint | null }> {
  const person: SourcePerson = {
    kind: 'csv',
    system: ctx.system,
    sourceId: patientSourceKey(row),
    demographics: demographicsOf(row),
  };
  const decision = await matchPerson(tx, person);
  if (decision.kind === 'new') return createPatient(tx, ctx, row, person, decision);
  const patientId = decision.patientId;
  const sourceBefore = await storedDemographics(tx, person);
  // The same row as last time, and the demographics hold all of it (one phone, one email):
  // nothing to do. What staff changed on the record since is theirs to keep.
  if (
    decision.method === 'source' &&
    row.phones.length <= 1 &&
    row.emails.length <= 1 &&
    sourceBefore !== null &&
    sameDemographics(sourceBefore, person.demographics)
  ) {
    return { result: { outcome: 'unchanged', patientId }, touchpoint: null };
  }
  const owners = await identifierOwners(tx, person.demographics.identifiers ?? []);
  const other = owners.find((o) => o.patientId !== patientId);
  if (other) {
    throw new RowConflict(
      `Identifier ${other.value} (${other.system}) belongs to another patient`,
      'identifier',
    );
  }
  const added = await addMissingParts(tx, ctx.orgId, patientId, row);
  const changed = await updateGoldenRecord(tx, ctx.orgId, patientId, { person, decision });
  const fields = [...changed, ...added];
  const sourceChanged =
    sourceBefore === null || !sameDemographics(sourceBefore, person.demographics);
  if (fields.length === 0 && !sourceChanged) {
    return { result: { outcome: 'unchanged', patientId }, touchpoint: null };
  }
  return {
    result: { outcome: 'update', patientId, fields },
    touchpoint:
      fields.length === 0
        ? null
        : {
            orgId: ctx.orgId,
            patientId,
            channel: 'system',
            direction: 'internal',
            type: 'patient.updated',
            stage: 'awareness',
            // Field names only: the values are PHI and live in the record itself.
            summary: `Record updated from a CSV import: ${fields.join(', ')}`,
            nonClinicalSummary: `Record updated from a CSV import: ${fields.join(', ')}`,
            sourceSystem: ctx.system,
            subjectType: 'patient',
            subjectId: patientId,
          },
  };
}

async function createPatient(
  tx: Db,
  ctx: PatientRowContext,
  row: PatientImportRow,
  person: SourcePerson,
  decision: Extract<MatchDecision, { kind: 'new' }>,
): Promise<{ result: PatientRowOutcome; touchpoint: NewTouchpoint }> {
  const patientId = crypto.randomUUID();
  await createGoldenRecord(
    tx,
    {
      id: patientId,
      orgId: ctx.orgId,
      givenName: row.givenName,
      middleName: row.middleName,
      familyName: row.familyName,
      ...searchColumns(row.familyName, row.givenName),
      birthDate: row.birthDate,
      administrativeSex: row.sex,
      preferredLanguage: row.preferredLanguage ?? 'en',
    },
    { person, decision },
  );
  await addMissingParts(tx, ctx.orgId, patientId, row, { fresh: true });
  const candidates = decision.candidates.map((c) => c.patientId);
  return {
    result: { outcome: candidates.length > 0 ? 'review' : 'create', patientId, candidates },
    touchpoint: {
      orgId: ctx.orgId,
      patientId,
      channel: 'system',
      direction: 'internal',
      type: 'patient.registered',
      stage: 'awareness',
      summary: 'Registered from a CSV import',
      nonClinicalSummary: 'Registered from a CSV import',
      sourceSystem: ctx.system,
      subjectType: 'patient',
      subjectId: patientId,
    },
  };
}

async function storedDemographics(tx: Db, person: SourcePerson) {
  const [row] = await tx
    .select({ demographics: patientSourceRecords.demographics })
    .from(patientSourceRecords)
    .where(
      and(
        eq(patientSourceRecords.sourceSystem, person.system),
        eq(patientSourceRecords.sourceId, person.sourceId),
      ),
    );
  return row?.demographics ?? null;
}

/**
 * A description with its empty values dropped and its strings trimmed, as `recordSources`
 * stores it: compared in canonical form, since jsonb does not keep the order keys were sent in.
 */
function normalized(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(normalized);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, v]) => v !== null && v !== undefined && v !== '')
        .map(([k, v]) => [k, normalized(v)]),
    );
  }
  return typeof value === 'string' ? value.trim() : value;
}

/** Same description, as `recordSources` stores it (empty values dropped, identifiers kept). */
function sameDemographics(stored: SourceDemographics, incoming: SourceDemographics): boolean {
  return canonicalJson(normalized(stored)) === canonicalJson(normalized(incoming));
}

/**
 * Adds the row's phones, emails, identifiers and address the golden record lacks; names what it
 * added. A `fresh` record (created by this row) has none, so nothing is looked up.
 */
async function addMissingParts(
  tx: Db,
  orgId: string,
  patientId: string,
  row: PatientImportRow,
  options: { fresh?: boolean } = {},
): Promise<string[]> {
  const added: string[] = [];
  const fresh = options.fresh ?? false;
  const contacts = fresh
    ? []
    : await tx
        .select({ system: patientContactPoints.system, value: patientContactPoints.value })
        .from(patientContactPoints)
        .where(eq(patientContactPoints.patientId, patientId));
  const newContacts = [
    ...row.phones.map((p) => ({
      system: 'phone',
      value: p.e164,
      display: p.display,
      use: 'mobile',
    })),
    ...row.emails.map((e) => ({ system: 'email', value: e, display: e, use: 'home' })),
  ].filter((c) => !contacts.some((h) => h.system === c.system && h.value === c.value));
  if (newContacts.length > 0) {
    const hasPrimary = (system: string) => contacts.some((c) => c.system === system);
    await addContactPoints(
      tx,
      newContacts.map((c) => ({
        ...c,
        orgId,
        patientId,
        isPrimary: !hasPrimary(c.system) && newContacts.find((n) => n.system === c.system) === c,
      })),
    );
    for (const system of new Set(newContacts.map((c) => c.system))) added.push(system);
  }
  if (row.identifiers.length > 0) {
    const held = fresh
      ? []
      : await tx
          .select({ system: patientIdentifiers.system, value: patientIdentifiers.value })
          .from(patientIdentifiers)
          .where(
            and(
              eq(patientIdentifiers.patientId, patientId),
              inArray(
                patientIdentifiers.value,
                row.identifiers.map((i) => i.value),
              ),
            ),
          );
    const missing = row.identifiers.filter(
      (i) => !held.some((h) => h.system === i.system && h.value === i.value),
    );
    if (missing.length > 0) {
      await addIdentifiers(
        tx,
        missing.map((i) => ({ ...i, orgId, patientId, source: 'csv' })),
      );
      added.push('identifiers');
    }
  }
  if (row.address) {
    const position = fresh ? 0 : await newAddressPosition(tx, patientId, row.address);
    if (position !== null) {
      await addAddresses(tx, [{ orgId, patientId, ...row.address, position }]);
      added.push('address');
    }
  }
  return added;
}

/**
 * Where the row's address goes after the stored ones, or null when one of them has the same
 * street and postal code (in normalized form).
 */
async function newAddressPosition(
  tx: Db,
  patientId: string,
  address: NonNullable<PatientImportRow['address']>,
): Promise<number | null> {
  const stored = await tx
    .select({
      line1: patientAddresses.line1,
      postalCode: patientAddresses.postalCode,
      position: patientAddresses.position,
    })
    .from(patientAddresses)
    .where(eq(patientAddresses.patientId, patientId));
  const key = (line1: string, postal: string) =>
    `${prepareAddress(line1)?.text ?? ''}|${preparePostalCode(postal) ?? ''}`;
  const incoming = key(address.line1, address.postalCode);
  if (stored.some((s) => key(s.line1, s.postalCode) === incoming)) return null;
  return stored.reduce((max, s) => Math.max(max, s.position + 1), 0);
}
