import {
  type AdministrativeSex,
  type Appointment,
  type Channel,
  can,
  consentGrid,
  mayRead,
  type Patient360,
  type Patient360Full,
  type PatientSummary,
  type Role,
  type StoredTouchpoint,
} from '@careloop/core';
import { sql } from 'drizzle-orm';
import { noteBodyAad } from '../../crypto/encrypted-fields.js';
import { type FieldCipher, openForView } from '../../crypto/field-cipher.js';
import { type Db, sqlLiteral } from '../../db/client.js';
import { rowsOf } from '../../db/rows.js';
import { appointmentReason } from '../scheduling/service.js';
import { taskDescription } from '../tasks/service.js';

/**
 * Which sections of the 360 view a role may see; the others are not even queried. Clinical
 * sections and notes follow the minimum-necessary policy, which then redacts field by field
 * (`redact360`); tasks follow their route permission.
 */
export interface SectionAccess {
  clinical: boolean;
  notes: boolean;
  tasks: boolean;
}

export const sectionAccess = (role: Role): SectionAccess => ({
  clinical: mayRead(role, 'condition', 'record') || mayRead(role, 'encounter', 'record'),
  notes: mayRead(role, 'note', 'body') || mayRead(role, 'clinicalNote', 'body'),
  tasks: can(role, 'task:read'),
});

/** Any timestamp the drivers return (Date, or PostgreSQL/JSON text) as an ISO instant. */
export const toIso = (v: unknown): string => new Date(v as string | Date).toISOString();
const toIsoOrNull = (v: unknown): string | null => (v == null ? null : toIso(v));

export interface Row360 {
  patient: Record<string, unknown> | null;
  addresses: Patient360['addresses'];
  contact_points: Patient360['contactPoints'];
  identifiers: Patient360['identifiers'];
  consents: {
    channel: string;
    purpose: string;
    status: string;
    recordedAt: string;
    source: string;
  }[];
  coverage: Patient360['coverage'];
  conditions: Patient360['conditions'];
  encounters: (Omit<NonNullable<Patient360['encounters']>[number], 'startAt' | 'endAt'> & {
    startAt: string;
    endAt: string | null;
  })[];
  upcoming: Row360Appointment[];
  past: Row360Appointment[];
  tasks: (NonNullable<Patient360['openTasks']>[number] & { descriptionEncrypted: string | null })[];
  notes: {
    id: string;
    body: string;
    category: string;
    authorName: string;
    createdAt: string;
    updatedAt: string;
  }[];
  care_team: Patient360['careTeam'];
  touchpoints: StoredTouchpoint[];
}

/**
 * The 360 view in one statement: the SQL function careloop_patient_360 (migration
 * 0006_patient_360.sql) builds it as JSON, with its plan cached per connection. It reads the
 * tables of several modules; it is the patient read model, not a writer. Sections the role may
 * not see are not even read.
 */
export async function load360(
  tx: Db,
  patientId: string,
  options: { access: SectionAccess; cipher: FieldCipher; orgId: string },
): Promise<Patient360Full | null> {
  const { clinical, notes, tasks } = options.access;
  const result = await tx.execute(
    sql`select careloop_patient_360(${patientId}, ${clinical}, ${notes}, ${tasks}) as view,
      ${sql.raw(taskTitlesColumn(sqlLiteral(patientId), tasks))}`,
  );
  return from360Row(rowsOf<Result360>(result)[0], options);
}

/** What the 360 statements return: the function's view, and the open tasks' non-clinical titles. */
export interface Result360 {
  view: Row360 | null;
  task_titles: Record<string, string | null> | string | null;
}

/**
 * The open tasks' non-clinical titles (docs/adr/0011, "Tasks"), beside the 360 function rather
 * than in it: one subquery in the same statement, and the function, which other changes also
 * redefine, stays as it is.
 */
function taskTitlesColumn(patientLiteral: string, tasks: boolean): string {
  if (!tasks) return 'null::json as task_titles';
  return `(select json_object_agg(t.id, t.non_clinical_title) from tasks t
      where t.patient_id = ${patientLiteral}::uuid and t.status in ('open', 'in-progress'))
      as task_titles`;
}

/** The 360 view of one statement's row, its open tasks given their non-clinical titles. */
export function from360Row(
  row: Result360 | undefined,
  options: { access: SectionAccess; cipher: FieldCipher; orgId: string },
): Patient360Full | null {
  const full = shape360(row?.view ?? null, options);
  if (!full?.openTasks) return full;
  const raw = row?.task_titles ?? null;
  const titles: Record<string, string | null> =
    typeof raw === 'string' ? JSON.parse(raw) : (raw ?? {});
  return {
    ...full,
    openTasks: full.openTasks.map((t) => ({ ...t, nonClinicalTitle: titles[t.id] ?? null })),
  };
}

/**
 * The same read for `Database.tenantRead`, which sends it without parameters in the round trip
 * that also sets the organization: every value is a literal.
 */
export function statement360(patientId: string, access: SectionAccess): string {
  const args = [patientId, access.clinical, access.notes, access.tasks].map(sqlLiteral);
  return `select careloop_patient_360(${args[0]}::uuid, ${args.slice(1).join(', ')}) as view,
    ${taskTitlesColumn(sqlLiteral(patientId), access.tasks)}`;
}

/**
 * The function's JSON as the API's view: ISO instants, consent grid, decrypted notes. Not yet
 * redacted field by field: every reader passes it through `redact360` on the way out.
 */
export function shape360(
  row: Row360 | null,
  options: { access: SectionAccess; cipher: FieldCipher; orgId: string },
): Patient360Full | null {
  if (!row?.patient) return null;
  const { clinical, notes: withNotes, tasks: withTasks } = options.access;
  const p = row.patient;
  return {
    patient: {
      id: String(p.id),
      givenName: String(p.givenName),
      middleName: (p.middleName as string | null) ?? null,
      familyName: String(p.familyName),
      preferredName: (p.preferredName as string | null) ?? null,
      birthDate: String(p.birthDate),
      administrativeSex: p.administrativeSex as AdministrativeSex,
      genderIdentity: (p.genderIdentity as string | null) ?? null,
      preferredLanguage: String(p.preferredLanguage),
      preferredChannel: (p.preferredChannel as Channel | null) ?? null,
      timeZone: (p.timeZone as string | null) ?? null,
      deceasedAt: toIsoOrNull(p.deceasedAt),
      primaryLocation: (p.primaryLocation as { id: string; name: string } | null) ?? null,
      flags: (p.flags as string[] | null) ?? [],
      status: String(p.status),
      createdAt: toIso(p.createdAt),
      updatedAt: toIso(p.updatedAt),
    },
    addresses: row.addresses,
    contactPoints: row.contact_points,
    identifiers: row.identifiers,
    consents: consentsView(row.consents),
    coverage: row.coverage,
    conditions: clinical ? row.conditions : null,
    encounters: clinical
      ? row.encounters.map((e) => ({
          ...e,
          startAt: toIso(e.startAt),
          endAt: toIsoOrNull(e.endAt),
        }))
      : null,
    appointments: {
      upcoming: row.upcoming.map((a) => appointmentView(a, options.cipher, options.orgId)),
      past: row.past.map((a) => appointmentView(a, options.cipher, options.orgId)),
    },
    openTasks: withTasks
      ? row.tasks.map(({ descriptionEncrypted, ...t }) => ({
          ...t,
          description: taskDescription(
            { id: t.id, description: t.description, descriptionEncrypted },
            options.cipher,
            options.orgId,
          ),
          dueAt: toIsoOrNull(t.dueAt),
          createdAt: toIso(t.createdAt),
          completedAt: toIsoOrNull(t.completedAt),
        }))
      : null,
    notes: withNotes
      ? row.notes.map((n) => ({
          ...n,
          body: openForView(options.cipher, n.body, noteBodyAad(n.id, options.orgId)),
          createdAt: toIso(n.createdAt),
          updatedAt: toIso(n.updatedAt),
        }))
      : null,
    careTeam: row.care_team,
    recentTouchpoints: row.touchpoints.map(touchpointView),
    redacted: [
      ...(clinical ? [] : ['conditions', 'encounters']),
      ...(withNotes ? [] : ['notes']),
      ...(withTasks ? [] : ['openTasks']),
    ],
  };
}

/** An appointment as the 360 function returns it: the reason sealed (or plain, if older). */
type Row360Appointment = Appointment & { reasonEncrypted?: string | null };

export function appointmentView(
  { reasonEncrypted, ...a }: Row360Appointment,
  cipher: FieldCipher,
  orgId: string,
): Appointment {
  const reason = appointmentReason(
    { id: a.id, reason: a.reason, reasonEncrypted: reasonEncrypted ?? null },
    cipher,
    orgId,
  );
  return { ...a, reason, startAt: toIso(a.startAt), endAt: toIso(a.endAt) };
}

export function touchpointView(t: StoredTouchpoint): StoredTouchpoint {
  return { ...t, occurredAt: toIso(t.occurredAt) };
}

/** The full channel × purpose grid, with when and where each explicit decision was made. */
export function consentsView(stored: Row360['consents']): Patient360['consents'] {
  const decisions = stored.map((c) => ({
    channel: c.channel as Channel,
    purpose: c.purpose as Patient360['consents'][number]['purpose'],
    status: c.status as 'granted' | 'denied',
  }));
  return consentGrid(decisions).map((cell) => {
    const record = stored.find((c) => c.channel === cell.channel && c.purpose === cell.purpose);
    return {
      ...cell,
      recordedAt: record ? toIso(record.recordedAt) : null,
      source: record?.source ?? null,
    };
  });
}

export type { PatientSummary };
