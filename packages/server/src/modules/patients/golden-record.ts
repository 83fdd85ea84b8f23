import {
  type GoldenFields,
  type SurvivorshipSource,
  searchColumns,
  survivingChanges,
} from '@careloop/core';
import { eq, type SQL, sql } from 'drizzle-orm';
import { insertStatements, runAll, updateStatements } from '../../db/bulk-sql.js';
import type { Db } from '../../db/client.js';
import type { MatchDecision, SourcePerson } from '../mpi/match.js';
import { recordSources, type StoredSource, sourcesOf } from '../mpi/sources.js';
import {
  coverages,
  patientAddresses,
  patientContactPoints,
  patientIdentifiers,
  patients,
} from './schema.js';

/**
 * The one writer of the golden record (`patients`). Every source (staff, portal, CSV, HL7,
 * FHIR, the master patient index's merges) writes through it, and survivorship
 * (core/identity/survivorship.ts) decides the fields it rules, whichever source wrote last:
 * a feed's update cannot overwrite the language a patient chose. A single-record form runs in
 * the caller's transaction; the batch form (`goldenChangesOf` with the statement builders)
 * decides from a snapshot read in bulk and writes with the batch, so a feed's batch stays one
 * round trip (docs/adr/0006).
 */

export type GoldenRow = typeof patients.$inferInsert & { id: string };

/** Fields survivorship does not rule: each writer sets those it owns. */
export type OwnFields = Partial<
  Pick<
    GoldenRow,
    | 'preferredName'
    | 'genderIdentity'
    | 'preferredChannel'
    | 'timeZone'
    | 'primaryLocationId'
    | 'flags'
    | 'status'
  >
>;

/** A source's description of a person, and where the master patient index linked it. */
export interface GoldenSource {
  person: SourcePerson;
  decision: MatchDecision;
}

/** A write to a golden record that was merged into another: the caller writes the survivor. */
export class MergedRecord extends Error {
  override readonly name = 'MergedRecord';
}

/**
 * The source records survivorship weighs once `incoming` is recorded: the stored ones, with
 * the incoming description in place of the one its source sent before. It wins a tie in time
 * with an equally trusted source (the lowest id wins ties, and it has the empty one): of two
 * descriptions dated alike (an HL7 sender's messages carry their event time), the one arriving
 * now is the later.
 */
function withIncoming(
  stored: readonly StoredSource[],
  incoming: SourcePerson,
  now: Date,
): SurvivorshipSource[] {
  const kept = stored.filter(
    (s) => !(s.system === incoming.system && s.sourceId === incoming.sourceId),
  );
  return [
    ...kept,
    {
      id: '',
      kind: incoming.kind,
      receivedAt: incoming.receivedAt ?? now,
      demographics: incoming.demographics,
    },
  ];
}

/** A golden record's changes as `patients` columns: search columns follow the names. */
function columnsOf(
  current: GoldenFields,
  values: Partial<GoldenFields>,
): Partial<typeof patients.$inferInsert> {
  const names = values.givenName !== undefined || values.familyName !== undefined;
  return {
    ...values,
    ...(names &&
      searchColumns(
        values.familyName ?? current.familyName,
        values.givenName ?? current.givenName,
      )),
  };
}

/**
 * What survivorship changes on a golden record read in bulk (`current` and its `stored`
 * source records) when `incoming` arrives, as `patients` columns, for a batching writer; with
 * the names of the fields that changed.
 */
export function goldenChangesOf(
  current: GoldenFields,
  stored: readonly StoredSource[],
  incoming: SourcePerson,
  now: Date,
): { columns: Partial<typeof patients.$inferInsert>; changed: string[] } {
  const { values, changed } = survivingChanges(current, withIncoming(stored, incoming, now));
  return { columns: columnsOf(current, values), changed };
}

/** Inserts for new golden records, for a batching writer's single flush. */
export function goldenInsertStatements(rows: GoldenRow[]): SQL[] {
  return insertStatements(patients, rows);
}

/** Updates of golden records (each `{ id, …columns }`), for a batching writer's flush. */
export function goldenUpdateStatements(
  rows: ({ id: string } & Partial<typeof patients.$inferInsert>)[],
): SQL[] {
  return updateStatements(patients, rows);
}

/** Writes a new golden record at once (a batching writer's careful path). */
export async function insertGoldenRow(tx: Db, row: GoldenRow): Promise<void> {
  await tx.insert(patients).values(row);
}

/** Writes changes a batching writer decided (`goldenChangesOf`) at once (its careful path). */
export async function updateGoldenRow(
  tx: Db,
  row: { id: string } & Partial<typeof patients.$inferInsert>,
): Promise<void> {
  await runAll(tx, updateStatements(patients, [row]));
}

/**
 * A golden record as a writer that decides in memory (`goldenChangesOf`) reads it: its
 * surviving fields, status and flags, and its source records; null when there is none.
 */
export async function goldenSnapshot(tx: Db, patientId: string) {
  const [current] = await tx
    .select({
      givenName: patients.givenName,
      middleName: patients.middleName,
      familyName: patients.familyName,
      birthDate: patients.birthDate,
      administrativeSex: patients.administrativeSex,
      preferredLanguage: patients.preferredLanguage,
      deceasedAt: patients.deceasedAt,
      status: patients.status,
      flags: patients.flags,
    })
    .from(patients)
    .where(eq(patients.id, patientId));
  if (!current) return null;
  return { current, sources: await sourcesOf(tx, patientId) };
}

async function goldenFields(tx: Db, patientId: string, lock: boolean) {
  const query = tx
    .select({
      givenName: patients.givenName,
      middleName: patients.middleName,
      familyName: patients.familyName,
      birthDate: patients.birthDate,
      administrativeSex: patients.administrativeSex,
      preferredLanguage: patients.preferredLanguage,
      deceasedAt: patients.deceasedAt,
      status: patients.status,
    })
    .from(patients)
    .where(eq(patients.id, patientId));
  const [row] = lock ? await query.for('update') : await query;
  return row ?? null;
}

/**
 * Sets the golden record's fields to what survivorship decides from its source records. Fields
 * no source speaks to keep their value. Returns the names of the fields that changed.
 */
export async function applySurvivorship(
  tx: Db,
  patientId: string,
  now: Date = new Date(),
): Promise<string[]> {
  const sources = await sourcesOf(tx, patientId);
  if (sources.length === 0) return [];
  const current = await goldenFields(tx, patientId, false);
  if (!current) return [];
  const { values, changed } = survivingChanges(current, sources);
  if (changed.length === 0) return [];
  await tx
    .update(patients)
    .set({ ...columnsOf(current, values), updatedAt: now })
    .where(eq(patients.id, patientId));
  return changed;
}

/**
 * A new golden record from one source: the row (survivorship over its only source gives the
 * source's own values), then the source record and any review items, then survivorship.
 */
export async function createGoldenRecord(
  tx: Db,
  row: GoldenRow,
  source: GoldenSource,
): Promise<{ reviewItems: number }> {
  await tx.insert(patients).values(row);
  const [recorded] = await recordSources(tx, row.orgId, [{ patientId: row.id, ...source }]);
  await applySurvivorship(tx, row.id);
  return { reviewItems: recorded?.reviewItems ?? 0 };
}

/**
 * A source's new description of an existing golden record: it is recorded, survivorship
 * decides the fields it rules, and the writer's own fields (`own`) are set. A record merged
 * into another is refused (`MergedRecord`): its sources live on the survivor. Returns the
 * fields that changed.
 */
export async function updateGoldenRecord(
  tx: Db,
  orgId: string,
  patientId: string,
  source: GoldenSource | null,
  own: OwnFields = {},
  now: Date = new Date(),
): Promise<string[]> {
  const current = await goldenFields(tx, patientId, true);
  if (!current) throw new Error('golden record not found');
  if (current.status === 'merged') throw new MergedRecord(patientId);
  if (source) await recordSources(tx, orgId, [{ patientId, ...source }]);
  const changed = await applySurvivorship(tx, patientId, now);
  if (Object.keys(own).length > 0) {
    await tx
      .update(patients)
      .set({ ...own, updatedAt: now })
      .where(eq(patients.id, patientId));
  }
  return changed;
}

/** A merge marks the merged record `merged`; an unmerge makes it `active` again. */
export async function setGoldenStatus(
  tx: Db,
  patientId: string,
  status: 'merged' | 'active',
  now: Date = new Date(),
): Promise<void> {
  await tx.update(patients).set({ status, updatedAt: now }).where(eq(patients.id, patientId));
}

/** An unmerge gives the survivor back its own fields from before the merge. */
export async function restoreGoldenFields(
  tx: Db,
  patientId: string,
  fields: Partial<typeof patients.$inferInsert>,
  now: Date = new Date(),
): Promise<void> {
  await tx
    .update(patients)
    .set({ ...fields, updatedAt: now })
    .where(eq(patients.id, patientId));
}

// ---- What hangs off a golden record: addresses, contact points, identifiers, coverage -------

/** The golden record's detail tables, by the key the batching importers name them with. */
export const GOLDEN_DETAILS = {
  patientAddresses,
  patientContactPoints,
  patientIdentifiers,
  coverages,
} as const;
export type GoldenDetail = keyof typeof GOLDEN_DETAILS;
type DetailRow<K extends GoldenDetail> = (typeof GOLDEN_DETAILS)[K]['$inferInsert'];

/**
 * New detail rows as statements, for a batching writer's single flush. An identifier another
 * record holds fails the statement (and the batch, which the careful path then retries) unless
 * `skipHeld`.
 */
export function goldenDetailInsertStatements<K extends GoldenDetail>(
  table: K,
  rows: DetailRow<K>[],
  options: { skipHeld?: boolean } = {},
): SQL[] {
  const onConflict = options.skipHeld ? sql`on conflict do nothing` : sql``;
  return insertStatements(GOLDEN_DETAILS[table], rows, onConflict);
}

/** Changes to detail rows (each `{ id, …columns }`), for a batching writer's flush. */
export function goldenDetailUpdateStatements<K extends GoldenDetail>(
  table: K,
  rows: (Partial<DetailRow<K>> & { id: string })[],
): SQL[] {
  return updateStatements(GOLDEN_DETAILS[table], rows);
}

/** Adds addresses to golden records at once (the single-record writers: CSV, a feed's careful path). */
export async function addAddresses(tx: Db, rows: DetailRow<'patientAddresses'>[]): Promise<void> {
  if (rows.length > 0) await tx.insert(patientAddresses).values(rows);
}

/** Adds phones and emails to golden records at once (portal sign-up, CSV, careful path). */
export async function addContactPoints(
  tx: Db,
  rows: DetailRow<'patientContactPoints'>[],
): Promise<void> {
  if (rows.length > 0) await tx.insert(patientContactPoints).values(rows);
}

/**
 * Adds identifiers to golden records at once. With `skipHeld`, one another record took
 * meanwhile is left out instead of failing the transaction.
 */
export async function addIdentifiers(
  tx: Db,
  rows: DetailRow<'patientIdentifiers'>[],
  options: { skipHeld?: boolean } = {},
): Promise<void> {
  if (rows.length === 0) return;
  const insert = tx.insert(patientIdentifiers).values(rows);
  if (options.skipHeld) await insert.onConflictDoNothing();
  else await insert;
}
