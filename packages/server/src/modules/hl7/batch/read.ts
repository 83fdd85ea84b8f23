import type { SourceDemographics, SourceKind } from '@careloop/core';
import { type SQL, sql } from 'drizzle-orm';
import { byKey } from '../../../db/lookup.js';
import type { StoredCopy } from '../log/message-log.js';

/**
 * The batch's first statement (docs/adr/0006): everything its messages will look up, read at
 * once as JSON aggregates. BatchState.prefetch keeps what it returns.
 */

/** A source link as the batch keeps it. */
export type StoredLink = { recordType: string; recordId: string; patientId: string | null };

/** A JSON value as the driver returns it: parsed (node-postgres, PGlite) or, for safety, text. */
export type Json<T> = T | string;
export const json = <T>(value: Json<T>): T =>
  typeof value === 'string' ? (JSON.parse(value) as T) : value;

const textArray = (values: string[]) => sql`${sql.param(values)}::text[]`;
export const uuidArray = (values: string[]) => sql`${sql.param(values)}::uuid[]`;

/** A patient's record as `snapshotQuery` returns it. */
export interface SnapshotRow {
  id: string;
  given_name: string;
  middle_name: string | null;
  family_name: string;
  birth_date: string;
  administrative_sex: string;
  preferred_language: string;
  deceased_at: string | Date | null;
  flags: Json<string[]> | null;
  status: string;
  addresses: Json<string[]> | null;
  contacts: Json<string[]> | null;
  identifiers: Json<string[]> | null;
  /** The master patient index's source records of the patient, for survivorship. */
  sources: Json<
    {
      id: string;
      kind: SourceKind;
      system: string;
      sourceId: string;
      receivedAt: string;
      demographics: SourceDemographics;
    }[]
  > | null;
}

/**
 * The records with these ids (an SQL uuid array) and what they hold, locked for update. Each
 * record is read by its primary key (see `byKey`), whatever the planner's statistics.
 */
export const snapshotQuery = (ids: SQL) => sql`
  select p.id, p.given_name, p.middle_name, p.family_name, p.birth_date::text as birth_date,
    p.administrative_sex, p.preferred_language, p.deceased_at, p.flags, p.status,
    (select array_agg(a.line1 || '|' || a.postal_code)
      from patient_addresses a where a.patient_id = p.id) as addresses,
    (select array_agg(c.system || '|' || c.value)
      from patient_contact_points c where c.patient_id = p.id) as contacts,
    (select array_agg(i.system || '|' || i.value)
      from patient_identifiers i where i.patient_id = p.id) as identifiers,
    (select json_agg(json_build_object('id', s.id, 'kind', s.kind, 'system', s.source_system,
        'sourceId', s.source_id, 'receivedAt', s.received_at, 'demographics', s.demographics))
      from patient_source_records s where s.patient_id = p.id) as sources
  from (select distinct id from unnest(${ids}) as k(id)) k
  cross join lateral (${byKey(sql`select * from patients where id = k.id`)} for update) p`;

/** The one row `batchReadQuery` returns. */
export interface BatchReadRow {
  owners: Json<{ patient_id: string; system: string; value: string }[]>;
  links: Json<(StoredLink & { source_system: string; source_type: string; source_id: string })[]>;
  snapshots: Json<SnapshotRow[]>;
  priors: Json<StoredCopy[]>;
  time_zone: string | null;
}

/**
 * The owners of identifier `values`, the source links with these whole keys (system, type, id:
 * the unique index's order), the records either leads to (locked for update), the stored
 * messages with these control ids (oldest first) and the organization's time zone.
 */
export function batchReadQuery(
  orgId: string,
  values: string[],
  keys: [string, string, string][],
  controlIds: string[],
): SQL {
  return sql`
    with owners as (
      select i.patient_id, i.system, i.value from unnest(${textArray(values)}) as k(value)
      cross join lateral (${byKey(sql`select patient_id, system, value from patient_identifiers
        where value = k.value`)}) i
    ), links as (
      select l.* from unnest(${textArray(keys.map((k) => k[0]))},
        ${textArray(keys.map((k) => k[1]))}, ${textArray(keys.map((k) => k[2]))})
        as k(source_system, source_type, source_id)
      cross join lateral (${byKey(sql`select source_system, source_type, source_id,
        record_type as "recordType", record_id as "recordId", patient_id as "patientId"
        from source_links where source_system = k.source_system
          and source_type = k.source_type and source_id = k.source_id`)}) l
    ), snapshots as (
      ${snapshotQuery(sql`array(select patient_id from owners
        union select "recordId" from links where "recordType" = 'patient')`)}
    ), priors as (
      select id, status, patient_id, control_id, content_hash, sending_application,
        sending_facility, seq
      from hl7_messages where control_id = any(${textArray(controlIds)})
    )
    select
      (select coalesce(json_agg(o), '[]') from owners o) as owners,
      (select coalesce(json_agg(l), '[]') from links l) as links,
      (select coalesce(json_agg(s), '[]') from snapshots s) as snapshots,
      (select coalesce(json_agg(p order by p.seq), '[]') from priors p) as priors,
      (select time_zone from organizations where id = ${orgId}) as time_zone`;
}
