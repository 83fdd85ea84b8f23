import type { SourceDemographics } from '@careloop/core';
import { and, eq, inArray, type SQL, sql } from 'drizzle-orm';
import { runAll } from '../../../db/bulk-sql.js';
import type { Db } from '../../../db/client.js';
import { rowsOf } from '../../../db/rows.js';
import type {
  ClinicalChanges,
  ClinicalService,
  NewClinicalRecord,
} from '../../clinical/service.js';
import { blockedCandidatesOfMany, type CandidateRow } from '../../mpi/match.js';
import { sourceLinks } from '../../mpi/schema.js';
import { saveSourceLinks, sourceLinkStatements } from '../../mpi/source-links.js';
import {
  type MatchedSource,
  opensReviews,
  recordSources,
  type StoredSource,
  sourceRecordStatements,
} from '../../mpi/sources.js';
import {
  addAddresses,
  addContactPoints,
  addIdentifiers,
  type GoldenRow,
  goldenDetailInsertStatements,
  goldenInsertStatements,
  goldenUpdateStatements,
  insertGoldenRow,
  updateGoldenRow,
} from '../../patients/golden-record.js';
import {
  type patientAddresses,
  type patientContactPoints,
  patientIdentifiers,
  type patients,
} from '../../patients/schema.js';
import type { appointments } from '../../scheduling/schema.js';
import {
  type AppointmentChanges,
  importedAppointmentInsertStatements,
  importedAppointmentUpdateStatements,
  insertImportedAppointment,
  updateImportedAppointment,
} from '../../scheduling/service.js';
import {
  appendTouchpoints,
  type NewTouchpoint,
  touchpointStatements,
} from '../../timeline/service.js';
import type { StoredCopy } from '../log/message-log.js';
import type { MessageKeys } from '../parse/keys.js';
import type { LinkedRecord, LinkedRecordType, LinkType } from '../parse/links.js';
import { LINK } from '../parse/links.js';
import type { Segment } from '../parse/message.js';
import { type Hl7Patient, readPatient } from '../parse/patient.js';
import {
  type BatchReadRow,
  batchReadQuery,
  json,
  type SnapshotRow,
  type StoredLink,
  snapshotQuery,
  uuidArray,
} from './read.js';

type NewLink = typeof sourceLinks.$inferInsert & {
  sourceType: LinkType;
  recordType: LinkedRecordType;
};
type AddressRow = typeof patientAddresses.$inferInsert;
type ContactRow = typeof patientContactPoints.$inferInsert;
type IdentifierRow = typeof patientIdentifiers.$inferInsert;
type PatientChanges = { id: string } & Partial<typeof patients.$inferInsert>;
type EncounterRow = NewClinicalRecord<'encounters'>;
type AppointmentRow = typeof appointments.$inferInsert & { id: string };
type ServiceRequestRow = NewClinicalRecord<'serviceRequests'>;
/** The tables whose existing rows a message may change (golden records: `updatePatient`). */
type Updatable = 'encounters' | 'serviceRequests';

/**
 * A handler wanted to change a record another message of the same batch created, which the
 * batch has not written yet: the batch is run again on the careful path.
 */
export class WrittenLater extends Error {
  override readonly name = 'WrittenLater';
}

/** What a golden record holds, as an update needs to compare against. */
export interface PatientSnapshot {
  givenName: string;
  middleName: string | null;
  familyName: string;
  birthDate: string;
  administrativeSex: string;
  preferredLanguage: string;
  deceasedAt: Date | null;
  flags: string[];
  status: string;
  /** `line1|postal code`, `system|value`, `system|value`. */
  addresses: string[];
  contacts: string[];
  identifiers: string[];
  /** The master patient index's source records of the patient, for survivorship. */
  sources: StoredSource[];
}

const linkKey = (sourceSystem: string, sourceType: string, sourceId: string) =>
  `${sourceSystem}\u0000${sourceType}\u0000${sourceId}`;
const idKey = (system: string, value: string) => `${system}\u0000${value}`;

/**
 * The working set of one batch of messages (group commit). Reads the handlers will make are
 * done up front, in one statement for the whole batch (`prefetch`): identifier owners, source
 * links, the patients they lead to; and the master patient index's candidates for the batch's
 * new people in one more (`readCandidates`). New rows (patients and their addresses, phones and
 * identifiers, encounters, appointments, referrals, source links, touchpoints) and updates of
 * records that existed before the batch are kept and written at the end as one statement
 * (`writes`). That is where the ingest's throughput comes from (docs/adr/0006).
 *
 * It holds because a batch never carries two messages about the same patient (the lane sees
 * to it): what one message changes, no other message of the batch reads. The careful path
 * (`immediate`) reads and writes everything at once instead, for batches that failed.
 */
export class BatchState {
  private touchpointRows: NewTouchpoint[] = [];
  private sources: { orgId: string; item: MatchedSource }[] = [];
  private pendingLinks = new Map<string, NewLink>();
  private addresses: AddressRow[] = [];
  private contacts: ContactRow[] = [];
  private identifiers: IdentifierRow[] = [];
  /** Identifier (system, value) → owners, for the identifier values read up front. */
  private owners = new Map<string, string[]>();
  private ownersRead = new Set<string>();
  /** Source key → link (or null: known not to exist), for the keys read up front. */
  private links = new Map<string, StoredLink | null>();
  private snapshots = new Map<string, PatientSnapshot>();
  private newPatients: GoldenRow[] = [];
  private patientUpdates: PatientChanges[] = [];
  private newEncounters: EncounterRow[] = [];
  private newAppointments: AppointmentRow[] = [];
  private appointmentUpdates: AppointmentChanges[] = [];
  private newRequests: ServiceRequestRow[] = [];
  private pendingIds = new Set<string>();
  /** Changes to clinical records, by table and organization (the clinical service seals them). */
  private updates = new Map<
    string,
    { table: Updatable; orgId: string; rows: ClinicalChanges<Updatable>[] }
  >();
  private people = new WeakMap<Segment, Hl7Patient>();
  /** Source key → the master patient index's candidates, read in bulk (`readCandidates`). */
  private candidates = new Map<string, CandidateRow[]>();

  constructor(
    readonly mode: 'deferred' | 'immediate',
    /** The writer of encounters and referrals (service requests). */
    private readonly clinical: ClinicalService,
  ) {}

  /**
   * Reads in one statement what the batch's messages will look up: the owners of their
   * identifiers, their source links, the records those lead to (locked for update), and the
   * earlier copies of the messages themselves (`controlIds`) and the organization's time zone,
   * which it returns. On the careful path only the copies and the zone are read. `first` is the
   * batch transaction's first statement (see BatchTx).
   */
  async prefetch(
    first: <T>(query: SQL) => Promise<T[]>,
    orgId: string,
    wanted: { sourceSystem: string; keys: MessageKeys }[],
    controlIds: string[],
  ): Promise<{ copies: StoredCopy[]; timeZone: string }> {
    const bulk = this.mode === 'deferred';
    const values = bulk
      ? [...new Set(wanted.flatMap((w) => w.keys.identifiers.map((i) => i.value)))]
      : [];
    // Whole keys (system, type, id): the unique index on source links leads with all three.
    const linkKeys = new Map<string, [string, string, string]>();
    if (bulk) {
      for (const w of wanted) {
        for (const l of w.keys.links) {
          const key = linkKey(w.sourceSystem, l.sourceType, l.sourceId);
          linkKeys.set(key, [w.sourceSystem, l.sourceType, l.sourceId]);
        }
      }
    }
    const keys = [...linkKeys.values()];
    const [row] = await first<BatchReadRow>(batchReadQuery(orgId, values, keys, controlIds));
    if (!row) throw new Error('the batch read returned nothing');
    if (bulk) {
      for (const r of json(row.owners)) {
        const key = idKey(r.system, r.value);
        this.owners.set(key, [...(this.owners.get(key) ?? []), r.patient_id]);
      }
      for (const v of values) this.ownersRead.add(v);
      for (const w of wanted) {
        for (const l of w.keys.links)
          this.links.set(linkKey(w.sourceSystem, l.sourceType, l.sourceId), null);
      }
      for (const r of json(row.links)) {
        const { source_system, source_type, source_id, ...link } = r;
        this.links.set(linkKey(source_system, source_type, source_id), link);
      }
      this.keepSnapshots(json(row.snapshots));
    }
    return { copies: json(row.priors), timeZone: row.time_zone ?? 'UTC' };
  }

  /** The person a PID describes, read once per batch (the bulk reads and the handler share it). */
  person(pid: Segment, sender: string, timeZone: string, receivedAt: Date): Hl7Patient {
    let person = this.people.get(pid);
    if (!person) {
      person = readPatient(pid, sender, timeZone, receivedAt);
      this.people.set(pid, person);
    }
    return person;
  }

  /**
   * Whether the bulk reads found that nobody holds these identifiers and that this sender has
   * no link for the person: false also when they were not read.
   */
  unrecognised(
    sourceSystem: string,
    identifiers: { system: string; value: string }[],
    primaryKey: string,
  ): boolean {
    for (const i of identifiers) {
      if (!this.ownersRead.has(i.value) || this.owners.has(idKey(i.system, i.value))) return false;
    }
    return this.links.get(linkKey(sourceSystem, LINK.patient, primaryKey)) === null;
  }

  /** Reads the candidates of these people in one statement, for `candidatesFor`. */
  async readCandidates(
    tx: Db,
    people: { sourceSystem: string; key: string; demographics: SourceDemographics }[],
  ): Promise<void> {
    if (people.length === 0) return;
    const found = await blockedCandidatesOfMany(
      tx,
      people.map((p) => p.demographics),
    );
    people.forEach((p, i) => {
      this.candidates.set(linkKey(p.sourceSystem, LINK.patient, p.key), found[i] ?? []);
    });
  }

  /** The candidates read in bulk for this person, once; undefined when they were not. */
  candidatesFor(sourceSystem: string, primaryKey: string): CandidateRow[] | undefined {
    const key = linkKey(sourceSystem, LINK.patient, primaryKey);
    const found = this.candidates.get(key);
    this.candidates.delete(key);
    return found;
  }

  /** The patients holding each identifier (system and value). */
  async identifierOwners(
    tx: Db,
    identifiers: { system: string; value: string }[],
  ): Promise<{ patientId: string; system: string; value: string }[]> {
    const unread = identifiers.filter((i) => !this.ownersRead.has(i.value));
    const out: { patientId: string; system: string; value: string }[] = [];
    for (const i of identifiers) {
      if (!this.ownersRead.has(i.value)) continue;
      for (const patientId of this.owners.get(idKey(i.system, i.value)) ?? [])
        out.push({ ...i, patientId });
    }
    if (unread.length > 0) {
      const rows = await tx
        .select({
          patientId: patientIdentifiers.patientId,
          system: patientIdentifiers.system,
          value: patientIdentifiers.value,
        })
        .from(patientIdentifiers)
        .where(
          inArray(
            patientIdentifiers.value,
            unread.map((i) => i.value),
          ),
        );
      out.push(
        ...rows.filter((r) => unread.some((i) => i.system === r.system && i.value === r.value)),
      );
    }
    return out;
  }

  async findLink(
    tx: Db,
    sourceSystem: string,
    sourceType: LinkType,
    sourceId: string,
    recordType: LinkedRecordType,
  ): Promise<LinkedRecord | null> {
    const key = linkKey(sourceSystem, sourceType, sourceId);
    const pending = this.pendingLinks.get(key);
    const known = pending ?? (this.links.has(key) ? this.links.get(key) : undefined);
    if (known !== undefined) {
      return known && known.recordType === recordType
        ? { recordId: known.recordId, patientId: known.patientId ?? null }
        : null;
    }
    const [row] = await tx
      .select({ recordId: sourceLinks.recordId, patientId: sourceLinks.patientId })
      .from(sourceLinks)
      .where(
        and(
          eq(sourceLinks.sourceSystem, sourceSystem),
          eq(sourceLinks.sourceType, sourceType),
          eq(sourceLinks.sourceId, sourceId),
          eq(sourceLinks.recordType, recordType),
        ),
      )
      .limit(1);
    return row ?? null;
  }

  /** A patient's record and what it holds, locked for the update (read up front when it could be). */
  async snapshot(tx: Db, patientId: string): Promise<PatientSnapshot> {
    const cached = this.snapshots.get(patientId);
    if (cached) {
      // Read once: the one message of the batch about this patient is about to change it.
      this.snapshots.delete(patientId);
      return cached;
    }
    await this.readSnapshots(tx, [patientId]);
    const row = this.snapshots.get(patientId);
    this.snapshots.delete(patientId);
    if (!row) throw new Error('matched patient vanished');
    return row;
  }

  private async readSnapshots(tx: Db, ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    this.keepSnapshots(
      rowsOf<SnapshotRow>(await tx.execute(snapshotQuery(sql`${uuidArray(ids)}`))),
    );
  }

  private keepSnapshots(rows: SnapshotRow[]): void {
    for (const r of rows) {
      this.snapshots.set(r.id, {
        givenName: r.given_name,
        middleName: r.middle_name,
        familyName: r.family_name,
        birthDate: r.birth_date,
        administrativeSex: r.administrative_sex,
        preferredLanguage: r.preferred_language,
        deceasedAt: r.deceased_at === null ? null : new Date(r.deceased_at),
        flags: json(r.flags) ?? [],
        status: r.status,
        addresses: json(r.addresses) ?? [],
        contacts: json(r.contacts) ?? [],
        identifiers: json(r.identifiers) ?? [],
        sources: (json(r.sources) ?? []).map((source) => ({
          ...source,
          receivedAt: new Date(source.receivedAt),
        })),
      });
    }
  }

  /** Forgets what was read (after a merge moved rows between patients). */
  forget(): void {
    this.candidates.clear();
    this.owners.clear();
    this.ownersRead.clear();
    this.links.clear();
    this.snapshots.clear();
  }

  /**
   * Sets columns of a record that was there before the batch (`written` checks it): at once on
   * the careful path, else with the batch's other writes, one statement per table.
   */
  async update<T extends Updatable>(
    tx: Db,
    table: T,
    orgId: string,
    id: string,
    values: Omit<ClinicalChanges<T>, 'id'>,
  ): Promise<void> {
    this.written(id);
    const row = { ...values, id } as ClinicalChanges<T>;
    if (this.mode === 'immediate') {
      await this.clinical.update(tx, table, orgId, [row]);
      return;
    }
    const key = `${table}\u0000${orgId}`;
    const group = this.updates.get(key) ?? { table, orgId, rows: [] };
    group.rows.push(row);
    this.updates.set(key, group);
  }

  /** A new golden record, through its writer (patients/golden-record.ts). */
  async insertPatient(tx: Db, row: GoldenRow): Promise<void> {
    if (this.mode === 'immediate') await insertGoldenRow(tx, row);
    else this.defer(this.newPatients, row);
  }

  /**
   * Changes survivorship decided for a golden record that was there before the batch
   * (`goldenChangesOf`), through its writer: at once on the careful path, else with the batch.
   */
  async updatePatient(tx: Db, row: PatientChanges): Promise<void> {
    this.written(row.id);
    if (this.mode === 'immediate') await updateGoldenRow(tx, row);
    else this.patientUpdates.push(row);
  }

  async insertEncounter(tx: Db, row: EncounterRow): Promise<void> {
    if (this.mode === 'immediate') await this.clinical.insert(tx, 'encounters', [row]);
    else this.defer(this.newEncounters, row);
  }

  /** Appointments through the scheduling module's writer, at once or with the batch. */
  async insertAppointment(tx: Db, row: AppointmentRow): Promise<void> {
    if (this.mode === 'immediate') await insertImportedAppointment(tx, row);
    else this.defer(this.newAppointments, row);
  }

  async updateAppointment(tx: Db, row: AppointmentChanges): Promise<void> {
    this.written(row.id);
    if (this.mode === 'immediate') await updateImportedAppointment(tx, row);
    else this.appointmentUpdates.push(row);
  }

  async insertServiceRequest(tx: Db, row: ServiceRequestRow): Promise<void> {
    if (this.mode === 'immediate') await this.clinical.insert(tx, 'serviceRequests', [row]);
    else this.defer(this.newRequests, row);
  }

  private defer<T extends { id: string }>(rows: T[], row: T): void {
    rows.push(row);
    this.pendingIds.add(row.id);
  }

  /** Call before reading or changing a record by id: it must already be in the database. */
  written(id: string): void {
    if (this.pendingIds.has(id)) throw new WrittenLater();
  }

  /** Remembers, for the master patient index, how this sender described a matched person. */
  async sourceRecord(tx: Db, orgId: string, item: MatchedSource): Promise<void> {
    if (this.mode === 'immediate') await recordSources(tx, orgId, [item]);
    else this.sources.push({ orgId, item });
  }

  async touchpoints(tx: Db, events: NewTouchpoint[]): Promise<void> {
    if (this.mode === 'immediate') await appendTouchpoints(tx, events);
    else this.touchpointRows.push(...events);
  }

  async saveLink(tx: Db, link: NewLink): Promise<void> {
    if (this.mode === 'immediate') {
      await saveSourceLinks(tx, [link]);
      return;
    }
    this.pendingLinks.set(linkKey(link.sourceSystem, link.sourceType, link.sourceId), link);
  }

  async patientChildren(
    tx: Db,
    rows: { addresses: AddressRow[]; contacts: ContactRow[]; identifiers: IdentifierRow[] },
  ): Promise<void> {
    if (this.mode === 'immediate') {
      await insertChildren(tx, rows.addresses, rows.contacts, rows.identifiers);
      return;
    }
    this.addresses.push(...rows.addresses);
    this.contacts.push(...rows.contacts);
    this.identifiers.push(...rows.identifiers);
    for (const i of rows.identifiers) {
      const key = idKey(i.system, i.value);
      this.owners.set(key, [...(this.owners.get(key) ?? []), i.patientId]);
    }
  }

  /**
   * Writes what was deferred, with `more` (the message log's rows), as one statement; then the
   * source records of people with review candidates, which need their source records' ids.
   */
  async flush(tx: Db, more: SQL[] = []): Promise<void> {
    await runAll(tx, await this.writes(tx, more));
  }

  /**
   * What was deferred, with `more`, as statements for one `runAll`, for the batch's last round
   * trip. The source records of people with review candidates need their ids back, so they are
   * written here, at once; the golden records they name must be written first, so those go
   * ahead of them, and only the rest is returned.
   */
  async writes(tx: Db, more: SQL[] = []): Promise<SQL[]> {
    const parents = [
      ...goldenInsertStatements(this.newPatients),
      ...goldenDetailInsertStatements('patientAddresses', this.addresses),
      ...goldenDetailInsertStatements('patientContactPoints', this.contacts),
      // An identifier taken meanwhile fails the batch, and the careful path skips it.
      ...goldenDetailInsertStatements('patientIdentifiers', this.identifiers),
    ];
    const statements = [
      ...this.clinical.insertStatements('encounters', this.newEncounters),
      ...importedAppointmentInsertStatements(this.newAppointments),
      ...this.clinical.insertStatements('serviceRequests', this.newRequests),
      ...sourceLinkStatements([...this.pendingLinks.values()]),
      ...touchpointStatements(this.touchpointRows),
      ...goldenUpdateStatements(this.patientUpdates),
      ...[...this.updates.values()].flatMap(({ table, orgId, rows }) =>
        this.clinical.updateStatements(table, orgId, rows),
      ),
      ...importedAppointmentUpdateStatements(this.appointmentUpdates),
      ...more,
    ];
    const later: { orgId: string; items: MatchedSource[] }[] = [];
    for (const orgId of new Set(this.sources.map((s) => s.orgId))) {
      const items = this.sources.filter((s) => s.orgId === orgId).map((s) => s.item);
      if (opensReviews(items)) later.push({ orgId, items });
      else statements.push(...sourceRecordStatements(orgId, items));
    }
    this.sources = [];
    this.newPatients = [];
    this.patientUpdates = [];
    this.newEncounters = [];
    this.newAppointments = [];
    this.appointmentUpdates = [];
    this.newRequests = [];
    this.pendingIds.clear();
    this.addresses = [];
    this.contacts = [];
    this.identifiers = [];
    this.pendingLinks.clear();
    this.touchpointRows = [];
    this.updates = new Map();
    if (later.length === 0) return [...parents, ...statements];
    await runAll(tx, parents);
    for (const { orgId, items } of later) await recordSources(tx, orgId, items);
    return statements;
  }
}

async function insertChildren(
  tx: Db,
  addresses: AddressRow[],
  contacts: ContactRow[],
  identifiers: IdentifierRow[],
): Promise<void> {
  await addAddresses(tx, addresses);
  await addContactPoints(tx, contacts);
  await addIdentifiers(tx, identifiers, { skipHeld: true });
}
