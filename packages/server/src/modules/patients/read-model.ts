import {
  type AdministrativeSex,
  type Appointment,
  type Channel,
  can,
  consentGrid,
  type Patient360,
  type PatientSummary,
  type Role,
  type Touchpoint,
} from '@careloop/core';
import { sql } from 'drizzle-orm';
import type { FieldCipher } from '../../crypto/field-cipher.js';
import type { Db } from '../../db/client.js';
import { rowsOf } from '../../db/rows.js';

const RECENT_TOUCHPOINTS = 20;

/** Which sections of the 360 view a role may see; the others are not even queried. */
export interface SectionAccess {
  clinical: boolean;
  notes: boolean;
  tasks: boolean;
}

export const sectionAccess = (role: Role): SectionAccess => ({
  clinical: can(role, 'clinical:read'),
  notes: can(role, 'note:read'),
  tasks: can(role, 'task:read'),
});
const PAST_APPOINTMENTS = 20;

/** Any timestamp the drivers return (Date, or PostgreSQL/JSON text) as an ISO instant. */
export const toIso = (v: unknown): string => new Date(v as string | Date).toISOString();
const toIsoOrNull = (v: unknown): string | null => (v == null ? null : toIso(v));

interface Row360 {
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
  upcoming: Appointment[];
  past: Appointment[];
  tasks: NonNullable<Patient360['openTasks']>;
  notes: {
    id: string;
    body: string;
    category: string;
    authorName: string;
    createdAt: string;
    updatedAt: string;
  }[];
  care_team: Patient360['careTeam'];
  touchpoints: Touchpoint[];
}

const appointmentJson = sql.raw(`json_build_object(
  'id', a.id, 'status', a.status, 'service', s.name,
  'practitioner', nullif(concat_ws(' ', pr.prefix, pr.given_name, pr.family_name), ''),
  'location', l.name, 'startAt', a.start_at, 'endAt', a.end_at,
  'telehealth', a.telehealth, 'reason', a.reason)`);
const appointmentJoins = sql.raw(`from appointments a
  left join service_lines s on s.id = a.service_line_id
  left join practitioners pr on pr.id = a.practitioner_id
  left join locations l on l.id = a.location_id`);
const touchpointJson = sql.raw(`json_build_object(
  'id', t.id, 'occurredAt', t.occurred_at, 'channel', t.channel, 'direction', t.direction,
  'type', t.type, 'stage', t.stage, 'sourceSystem', t.source_system, 'outcome', t.outcome,
  'summary', t.summary, 'subjectType', t.subject_type, 'subjectId', t.subject_id)`);

/**
 * The 360 view in one statement: one round trip to the database whatever the number of
 * sections. It reads the tables of several modules; it is the patient read model, not a writer.
 * Clinical sections are left out of the statement entirely when `clinical` is false.
 */
export async function load360(
  tx: Db,
  patientId: string,
  options: { access: SectionAccess; cipher: FieldCipher },
): Promise<Patient360 | null> {
  const { clinical, notes: withNotes, tasks: withTasks } = options.access;
  const result = await tx.execute(sql`
    select
      (select json_build_object(
         'id', p.id, 'givenName', p.given_name, 'middleName', p.middle_name,
         'familyName', p.family_name, 'preferredName', p.preferred_name,
         'birthDate', p.birth_date, 'administrativeSex', p.administrative_sex,
         'genderIdentity', p.gender_identity, 'preferredLanguage', p.preferred_language,
         'preferredChannel', p.preferred_channel, 'timeZone', p.time_zone,
         'deceasedAt', p.deceased_at, 'flags', p.flags, 'status', p.status,
         'createdAt', p.created_at, 'updatedAt', p.updated_at,
         'primaryLocation', case when l.id is null then null
                            else json_build_object('id', l.id, 'name', l.name) end)
       from patients p left join locations l on l.id = p.primary_location_id
       where p.id = ${patientId}) as patient,
      (select coalesce(json_agg(json_build_object('id', id, 'use', use, 'line1', line1,
         'line2', line2, 'city', city, 'state', state, 'postalCode', postal_code,
         'country', country) order by position), '[]')
       from patient_addresses where patient_id = ${patientId}) as addresses,
      (select coalesce(json_agg(json_build_object('id', id, 'system', system, 'value', value,
         'display', display, 'use', use, 'isPrimary', is_primary)
         order by system, is_primary desc), '[]')
       from patient_contact_points where patient_id = ${patientId}) as contact_points,
      (select coalesce(json_agg(json_build_object('id', id, 'system', system, 'value', value,
         'type', type, 'source', source) order by system), '[]')
       from patient_identifiers where patient_id = ${patientId}) as identifiers,
      (select coalesce(json_agg(json_build_object('channel', channel, 'purpose', purpose,
         'status', status, 'recordedAt', recorded_at, 'source', source)), '[]')
       from patient_consents where patient_id = ${patientId}) as consents,
      (select coalesce(json_agg(json_build_object('id', id, 'payer', payer, 'plan', plan,
         'memberId', member_id, 'groupNumber', group_number, 'priority', priority,
         'status', status, 'startDate', start_date, 'endDate', end_date) order by priority), '[]')
       from coverages where patient_id = ${patientId}) as coverage,
      ${
        clinical
          ? sql`(select coalesce(json_agg(json_build_object('id', id, 'codeSystem', code_system,
               'code', code, 'display', display, 'clinicalStatus', clinical_status,
               'onsetDate', onset_date) order by onset_date desc nulls last), '[]')
             from conditions where patient_id = ${patientId})`
          : sql`null`
      } as conditions,
      ${
        clinical
          ? sql`(select coalesce(json_agg(e order by e."startAt" desc), '[]') from (
               select en.id, en.class, en.type, en.status, en.start_at as "startAt",
                 en.end_at as "endAt", lo.name as location,
                 nullif(concat_ws(' ', pr.prefix, pr.given_name, pr.family_name), '') as practitioner
               from encounters en
               left join locations lo on lo.id = en.location_id
               left join practitioners pr on pr.id = en.practitioner_id
               where en.patient_id = ${patientId}
               order by en.start_at desc limit 20) e)`
          : sql`null`
      } as encounters,
      (select coalesce(json_agg(x.j order by x.start_at), '[]') from (
         select ${appointmentJson} as j, a.start_at ${appointmentJoins}
         where a.patient_id = ${patientId} and a.start_at >= now()
         order by a.start_at limit 50) x) as upcoming,
      (select coalesce(json_agg(x.j order by x.start_at desc), '[]') from (
         select ${appointmentJson} as j, a.start_at ${appointmentJoins}
         where a.patient_id = ${patientId} and a.start_at < now()
         order by a.start_at desc limit ${PAST_APPOINTMENTS}) x) as past,
      ${
        withTasks
          ? sql`(select coalesce(json_agg(json_build_object('id', t.id, 'patientId', t.patient_id,
         'patientName', null, 'title', t.title, 'description', t.description,
         'assigneeId', t.assignee_id, 'assigneeName', u.display_name, 'dueAt', t.due_at,
         'status', t.status, 'priority', t.priority, 'createdAt', t.created_at,
         'completedAt', t.completed_at) order by t.due_at nulls last), '[]')
       from tasks t left join users u on u.id = t.assignee_id
       where t.patient_id = ${patientId} and t.status in ('open', 'in-progress'))`
          : sql`null`
      } as tasks,
      ${
        withNotes
          ? sql`(select coalesce(json_agg(n order by n."createdAt" desc), '[]') from (
               select id, body_encrypted as body, category, author_name as "authorName",
                 created_at as "createdAt", updated_at as "updatedAt"
               from notes where patient_id = ${patientId}
               order by created_at desc limit 50) n)`
          : sql`null`
      } as notes,
      (select coalesce(json_agg(json_build_object('id', id, 'name', name, 'role', role,
         'practitionerId', practitioner_id, 'since', since)), '[]')
       from care_team_members where patient_id = ${patientId}) as care_team,
      (select coalesce(json_agg(x.j order by x.occurred_at desc, x.id desc), '[]') from (
         select ${touchpointJson} as j, t.occurred_at, t.id from touchpoints t
         where t.patient_id = ${patientId}
         order by t.occurred_at desc, t.id desc limit ${RECENT_TOUCHPOINTS}) x) as touchpoints
  `);
  const [row] = rowsOf<Row360>(result);
  if (!row?.patient) return null;
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
      upcoming: row.upcoming.map(appointmentView),
      past: row.past.map(appointmentView),
    },
    openTasks: withTasks
      ? row.tasks.map((t) => ({
          ...t,
          dueAt: toIsoOrNull(t.dueAt),
          createdAt: toIso(t.createdAt),
          completedAt: toIsoOrNull(t.completedAt),
        }))
      : null,
    notes: withNotes
      ? row.notes.map((n) => ({
          ...n,
          body: options.cipher.decrypt(n.body),
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

export function appointmentView(a: Appointment): Appointment {
  return { ...a, startAt: toIso(a.startAt), endAt: toIso(a.endAt) };
}

export function touchpointView(t: Touchpoint): Touchpoint {
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
