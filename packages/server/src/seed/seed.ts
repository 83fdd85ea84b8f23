import type { Team } from '@careloop/core';
import { sql } from 'drizzle-orm';
import { taskDescriptionAad } from '../crypto/encrypted-fields.js';
import type { FieldCipher } from '../crypto/field-cipher.js';
import type { Database, Db } from '../db/client.js';
import { rowsOf } from '../db/rows.js';
import {
  appointments,
  careTeamMembers,
  coverages,
  patientAddresses,
  patientConsents,
  patientContactPoints,
  patientIdentifiers,
  patients,
  tasks,
  touchpoints,
} from '../db/schema.js';
import { appendAudit } from '../modules/audit/service.js';
import { hashPassword } from '../modules/auth/passwords.js';
import { ClinicalService, type NewClinicalRecord } from '../modules/clinical/service.js';
import { sealedCancelReason, sealedReason } from '../modules/scheduling/reason.js';
// Issue 11: ready message templates.
import { ensureTemplates, READY_TEMPLATES } from '../modules/templates/service.js';
import { insertMany } from './bulk.js';
import { DAY_MS, dayNumber } from './calendar.js';
import { DEMO_THREADS, type DemoInboxReport, demoPatients, seedDemoInbox } from './demo-inbox.js';
import {
  DEMO_WAITLIST_ENTRIES,
  type DemoWaitlistReport,
  seedDemoWaitlist,
} from './demo-waitlist.js';
import { ensureDemoPatientLogin, ensureDemoStaff, ensureDirectory } from './directory.js';
import type { GeneratorContext, PatientBundle } from './generate/context.js';
import { generatePatient } from './generate/patient.js';
import { MRN_BASE, MRN_SYSTEM } from './generate/person.js';
import { hash32 } from './random.js';
import { DEMO_ORGANIZATION, DEMO_PASSWORD } from './reference/staff.js';
import { ensureDemoSchedule } from './schedule.js';

export interface SeedOptions {
  /** The key ring: task descriptions are stored encrypted, as the services store them. */
  cipher: FieldCipher;
  /** Created when missing. Default "Demo Health", which also gets the demo sign-ins. */
  organization?: string;
  patients: number;
  /** Same seed, organization and `asOf`: byte-identical patients. Default 1. */
  seed?: number;
  /** The day (UTC, `YYYY-MM-DD`) history runs up to and bookings start from. Default today. */
  asOf?: string;
  /** Patients per transaction. */
  batchSize?: number;
  /** Batches in flight at once: generation overlaps the server's inserts on PostgreSQL. */
  concurrency?: number;
  onProgress?: (done: number, total: number) => void;
}

export type SeededRows = Record<keyof PatientBundle, number>;

export interface SeedReport {
  orgId: string;
  organization: string;
  createdOrganization: boolean;
  patients: number;
  /** Index of the first patient of this run (runs into an existing organization continue). */
  firstIndex: number;
  rows: SeededRows;
  /** Issue 11: the demo organization's inbox and waitlist, on its first run (else null). */
  demo: { inbox: DemoInboxReport; waitlist: DemoWaitlistReport; seconds: number } | null;
  seconds: number;
}

/** The index after the highest seeded MRN: a second run adds patients instead of colliding. */
async function nextPatientIndex(tx: Db, orgId: string): Promise<number> {
  const [row] = rowsOf<{ mrn: string | null }>(
    await tx.execute(sql`select max(value) as mrn from patient_identifiers
      where org_id = ${orgId} and system = ${MRN_SYSTEM} and value ~ '^[1-9][0-9]{7}$'`),
  );
  return row?.mrn ? Number(row.mrn) - MRN_BASE + 1 : 0;
}

const SEEDED_TABLES = [
  'organizations',
  'locations',
  'practitioners',
  'service_lines',
  'users',
  'patients',
  'patient_addresses',
  'patient_contact_points',
  'patient_identifiers',
  'patient_consents',
  'coverages',
  'care_team_members',
  'conditions',
  'appointments',
  'encounters',
  'touchpoints',
  'tasks',
];

/** One batch's inserts, table by table in foreign key order. */
/** Task rows as stored: the description sealed to the task (docs/encryption.md). */
const sealedTasks = (rows: PatientBundle['tasks'], cipher: FieldCipher) =>
  rows.map(({ description, ...t }) => {
    if (!t.id) throw new Error('A generated task has no id');
    const sealed = description
      ? cipher.encrypt(description, taskDescriptionAad(t.id, t.orgId))
      : null;
    return { ...t, description: null, descriptionEncrypted: sealed };
  });

/** Appointment rows as stored: the reason and the cancellation reason sealed to the appointment. */
const sealedAppointments = (rows: PatientBundle['appointments'], cipher: FieldCipher) =>
  rows.map(({ reason, cancelReason, ...a }) => {
    if (!a.id) throw new Error('A generated appointment has no id');
    return {
      ...a,
      ...sealedReason(cipher, reason, a.id, a.orgId),
      ...sealedCancelReason(cipher, cancelReason, a.id, a.orgId),
    };
  });

/** Encounter rows as stored: the reason sealed to the encounter. */
/**
 * Clinical records through their writer, the clinical service, which seals an encounter's
 * reason as every source's are sealed.
 */
async function insertClinical<K extends 'conditions' | 'encounters'>(
  tx: Db,
  clinical: ClinicalService,
  table: K,
  rows: readonly PatientBundle[K][number][],
): Promise<number> {
  const records = rows.map(({ id, ...row }) => {
    if (!id) throw new Error(`A generated record of ${table} has no id`);
    return { ...row, id } as NewClinicalRecord<K>;
  });
  await clinical.insert(tx, table, records);
  return records.length;
}

function batchInserts(bundles: readonly PatientBundle[], cipher: FieldCipher) {
  const clinical = new ClinicalService(cipher);
  const all = <K extends Exclude<keyof PatientBundle, 'patient'>>(key: K) =>
    bundles.flatMap<PatientBundle[K][number]>((b) => b[key]);
  return [
    [
      'patient',
      (tx: Db) =>
        insertMany(
          tx,
          patients,
          bundles.map((b) => b.patient),
        ),
    ],
    ['addresses', (tx: Db) => insertMany(tx, patientAddresses, all('addresses'))],
    ['contactPoints', (tx: Db) => insertMany(tx, patientContactPoints, all('contactPoints'))],
    ['identifiers', (tx: Db) => insertMany(tx, patientIdentifiers, all('identifiers'))],
    ['consents', (tx: Db) => insertMany(tx, patientConsents, all('consents'))],
    ['coverages', (tx: Db) => insertMany(tx, coverages, all('coverages'))],
    ['careTeam', (tx: Db) => insertMany(tx, careTeamMembers, all('careTeam'))],
    ['conditions', (tx: Db) => insertClinical(tx, clinical, 'conditions', all('conditions'))],
    [
      'appointments',
      (tx: Db) => insertMany(tx, appointments, sealedAppointments(all('appointments'), cipher)),
    ],
    ['encounters', (tx: Db) => insertClinical(tx, clinical, 'encounters', all('encounters'))],
    ['touchpoints', (tx: Db) => insertMany(tx, touchpoints, all('touchpoints'))],
    ['tasks', (tx: Db) => insertMany(tx, tasks, sealedTasks(all('tasks'), cipher))],
  ] as const;
}

/** The demo sign-in who works each team's queue, so that every task role has tasks of its own. */
function taskAssignees(staff: Map<string, string>): Record<Team, string> | null {
  const frontDesk = staff.get('front-desk');
  const coordinator = staff.get('care-coordinator');
  const clinician = staff.get('clinician');
  if (!frontDesk || !coordinator || !clinician) return null;
  return { 'front-desk': frontDesk, 'care-coordination': coordinator, clinical: clinician };
}

async function insertBatch(
  database: Database,
  bundles: readonly PatientBundle[],
  rows: SeededRows,
  cipher: FieldCipher,
) {
  await database.system(async (tx) => {
    // A crash loses at most the last batches, never consistency; commits stop waiting on fsync.
    await tx.execute(sql`set local synchronous_commit = off`);
    for (const [key, insert] of batchInserts(bundles, cipher)) {
      // Read the count after the await: another batch may have added to it meanwhile.
      const inserted = await insert(tx);
      rows[key] += inserted;
    }
  });
}

/**
 * Generates and inserts `patients` patients with their history into an organization, in
 * batches of a transaction each, straight into the tables (a bulk generator, not a client of
 * the services). Memory stays flat: only the batches in flight are held. Ends with one audit
 * event for the run.
 */
export async function seedOrganization(
  database: Database,
  options: SeedOptions,
): Promise<SeedReport> {
  const started = performance.now();
  const organization = options.organization ?? DEMO_ORGANIZATION;
  const seed = options.seed ?? 1;
  const anchorDay = dayNumber(options.asOf ?? new Date().toISOString().slice(0, 10));
  const total = options.patients;
  const demo = organization === DEMO_ORGANIZATION;
  const passwordHash = demo ? await hashPassword(DEMO_PASSWORD) : null;

  const setup = await database.system(async (tx) => {
    const { directory, created } = await ensureDirectory(tx, organization, anchorDay - 2200);
    const staff = passwordHash ? await ensureDemoStaff(tx, directory, passwordHash) : null;
    // Issue 13: services and hours, so the demo has open slots.
    if (demo) await ensureDemoSchedule(tx, directory.orgId);
    const firstIndex = await nextPatientIndex(tx, directory.orgId);
    // Issue 11: the templates the ready journeys name (edits by staff are kept on a re-seed).
    await ensureTemplates(tx, directory.orgId, READY_TEMPLATES, new Date());
    return {
      directory,
      created,
      staff,
      taskAssignees: staff ? taskAssignees(staff) : null,
      firstIndex,
    };
  });
  const ctx: GeneratorContext = {
    directory: setup.directory,
    streamKey: `${seed}:${organization}`,
    tag: hash32(`${seed}:${organization}`) & 0xffff,
    anchorDay,
    taskAssignees: setup.taskAssignees,
  };

  const rows: SeededRows = {
    patient: 0,
    addresses: 0,
    contactPoints: 0,
    identifiers: 0,
    consents: 0,
    coverages: 0,
    careTeam: 0,
    conditions: 0,
    appointments: 0,
    encounters: 0,
    touchpoints: 0,
    tasks: 0,
  };
  const batchSize = options.batchSize ?? (database.kind === 'pglite' ? 500 : 1000);
  const concurrency = options.concurrency ?? (database.kind === 'pglite' ? 1 : 2);
  const inFlight: Promise<void>[] = [];
  let failure: unknown = null;
  let done = 0;
  let showcase: PatientBundle['patient'] | null = null;
  options.onProgress?.(0, total);
  for (let offset = 0; offset < total && failure === null; offset += batchSize) {
    const count = Math.min(batchSize, total - offset);
    const bundles: PatientBundle[] = [];
    for (let i = 0; i < count; i++)
      bundles.push(generatePatient(ctx, setup.firstIndex + offset + i));
    if (offset === 0 && setup.firstIndex === 0) showcase = bundles[0]?.patient ?? null;
    inFlight.push(
      insertBatch(database, bundles, rows, options.cipher).then(
        () => {
          done += count;
          options.onProgress?.(done, total);
        },
        (error: unknown) => {
          failure ??= error;
        },
      ),
    );
    if (inFlight.length >= concurrency) await inFlight.shift();
  }
  await Promise.all(inFlight);
  if (failure !== null) throw failure;

  const seedDemoData = async (tx: Db, staff: ReadonlyMap<string, string>) => {
    const began = performance.now();
    const people = await demoPatients(
      tx,
      setup.directory.orgId,
      DEMO_THREADS + DEMO_WAITLIST_ENTRIES + 6,
    );
    const inbox = await seedDemoInbox(tx, options.cipher, {
      orgId: setup.directory.orgId,
      staff,
      patients: people,
      anchorMs: anchorDay * DAY_MS,
      streamKey: ctx.streamKey,
      tag: ctx.tag,
    });
    const waitlist = await seedDemoWaitlist(tx, {
      directory: setup.directory,
      patients: people,
      anchorDay,
      streamKey: ctx.streamKey,
      tag: ctx.tag,
    });
    // A saved list to filter the journey map by and to work from: the patients who missed an
    // appointment in the year before the seed's day, as a coordinator would save it from the
    // map's no-show pain point.
    const yearBefore = new Date((anchorDay - 365) * DAY_MS).toISOString();
    const anchor = new Date(anchorDay * DAY_MS).toISOString();
    await tx.execute(sql`with list as (
        insert into patient_lists (org_id, name, source)
        values (${setup.directory.orgId}, 'Missed an appointment in the last year', 'journey-map:no-show')
        returning id, org_id)
      insert into patient_list_members (org_id, list_id, patient_id, source, added_at)
      select list.org_id, list.id, t.patient_id, 'journey-map:no-show', ${anchor}::timestamptz
      from list, (select distinct patient_id from touchpoints
        where org_id = ${setup.directory.orgId} and type = 'appointment.noshow'
          and occurred_at >= ${yearBefore}::timestamptz and occurred_at < ${anchor}::timestamptz) t`);
    return { inbox, waitlist, seconds: (performance.now() - began) / 1000 };
  };
  const demoData = await database.system(async (tx) => {
    if (passwordHash && showcase?.id) {
      await ensureDemoPatientLogin(
        tx,
        setup.directory.orgId,
        { id: showcase.id, givenName: showcase.givenName, familyName: showcase.familyName },
        passwordHash,
      );
    }
    // Issue 11: the demo's inbox and waitlist, once: a second run adds patients only. Before
    // the audit event, which holds the chain's lock from there to the commit.
    const demo = setup.staff && setup.firstIndex === 0 ? await seedDemoData(tx, setup.staff) : null;
    await appendAudit(tx, [
      {
        orgId: setup.directory.orgId,
        occurredAt: new Date(),
        actorId: null,
        actorEmail: null,
        actorRole: null,
        action: 'create',
        patientId: null,
        recordType: 'seed',
        recordId: null,
        ip: null,
        userAgent: 'careloop seed',
        outcome: 'success',
        reason: `seeded ${total} patients`,
      },
    ]);
    return demo;
  });
  // Fresh statistics, or the planner guesses from empty tables: PGlite never runs
  // autovacuum, and on PostgreSQL it would lag a bulk load by minutes.
  await database.ownerDb.execute(sql.raw(`analyze ${SEEDED_TABLES.join(', ')}`));
  return {
    orgId: setup.directory.orgId,
    organization,
    createdOrganization: setup.created,
    patients: total,
    firstIndex: setup.firstIndex,
    rows,
    demo: demoData,
    seconds: (performance.now() - started) / 1000,
  };
}
