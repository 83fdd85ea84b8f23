import {
  type AdministrativeSex,
  type Channel,
  type CursorKey,
  encodeCursor,
  INSURANCE_IDENTIFIER_TYPES,
  type PatientListQuery,
  type PatientSummary,
  type PatientTotal,
  parsePatientSearch,
  type StoredTouchpoint,
  type TimelineQuery,
} from '@careloop/core';
import { type SQL, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { decodeKeyset, startsWith } from '../../db/keyset.js';
import { rowsOf } from '../../db/rows.js';
import { toIso, touchpointView } from './read-model.js';

/** A (sort value, id) cursor: the value of the sort's kind, the id a UUID; else a 400. */
function cursorPair(cursor: string, kind: CursorKey): [string, string] {
  const [value = '', id = ''] = decodeKeyset(cursor, [kind, 'uuid']);
  return [value, id];
}

/**
 * Identifiers a search may match: all of them, or, for a role that may not read insurance ids
 * (minimum necessary), all but those, so that a search cannot confirm a member number either.
 */
export function searchableIdentifier(insuranceIds: boolean): SQL {
  if (insuranceIds) return sql`true`;
  const types = sql.join(
    INSURANCE_IDENTIFIER_TYPES.map((t) => sql`${t}`),
    sql`, `,
  );
  return sql`(type is null or upper(type) not in (${types}))`;
}

/** A name search: the stored key begins with what was typed ("abdu", "kelly abd"). */
function namePrefix(tokens: string[]): SQL {
  const [first, ...rest] = tokens;
  if (!first) return sql`true`;
  if (rest.length === 0) {
    return sql`(${startsWith(sql`p.search_name`, first)} or ${startsWith(sql`p.search_given`, first)})`;
  }
  // "family given" (the stored key's order), or "given family" with the family name
  // possibly cut short ("lina feath" finds Lina Featherstonehaugh).
  const forward = tokens.join(' ');
  return sql`(${startsWith(sql`p.search_name`, forward)}
    or (${startsWith(sql`p.search_given`, first)} and ${startsWith(sql`p.search_name`, rest.join(' '))}))`;
}

/**
 * A misspelt name: the words typed, in any order, are close to a stretch of the stored key
 * (pg_trgm word similarity, at least 0.6 by default; the GIN index of migration 0020).
 */
function nameNearby(tokens: string[]): SQL {
  return sql`${tokens.join(' ')} <% p.search_name`;
}

function searchCondition(
  search: ReturnType<typeof parsePatientSearch>,
  insuranceIds: boolean,
): SQL {
  const identifier = searchableIdentifier(insuranceIds);
  switch (search.kind) {
    case 'all':
      return sql`true`;
    case 'birthDate':
      return sql`p.birth_date = ${search.date}`;
    case 'email':
      return sql`p.id in (select patient_id from patient_contact_points
                 where org_id = p.org_id and value = ${search.email})`;
    case 'phone':
      return sql`p.id in (select patient_id from patient_contact_points
                   where org_id = p.org_id and value = ${search.e164}
                 union select patient_id from patient_identifiers
                   where org_id = p.org_id and value = ${search.raw} and ${identifier})`;
    case 'identifier':
      return sql`p.id in (select patient_id from patient_identifiers
                 where org_id = p.org_id and upper(value) = upper(${search.value}) and ${identifier})`;
    case 'name':
      return namePrefix(search.tokens);
  }
}

/** Up to this many patients the list counts exactly; above, it shows the planner's estimate. */
export const EXACT_TOTAL_LIMIT = 10_000;

/**
 * How many patients `where` finds: `count(*)` over at most `EXACT_TOTAL_LIMIT + 1` rows, so the
 * count costs no more than reading that many index entries; past it, the planner's estimate
 * (never below the limit, which is known to be passed).
 */
async function countPatients(tx: Db, where: SQL, exactUpTo: number): Promise<PatientTotal> {
  const [counted] = rowsOf<{ n: number | string }>(
    await tx.execute(sql`select count(*) as n from (
      select 1 from patients p where ${where} limit ${exactUpTo + 1}) capped`),
  );
  const count = Number(counted?.n ?? 0);
  if (count <= exactUpTo) return { count, exact: true };
  const [plan] = rowsOf<{ 'QUERY PLAN': unknown }>(
    await tx.execute(sql`explain (format json) select 1 from patients p where ${where}`),
  );
  return { count: Math.max(plannedRows(plan?.['QUERY PLAN']), count), exact: false };
}

/** The top node's row estimate of an `EXPLAIN (FORMAT JSON)` (parsed or text, by driver). */
function plannedRows(plan: unknown): number {
  const parsed: unknown = typeof plan === 'string' ? JSON.parse(plan) : plan;
  const top = Array.isArray(parsed) ? (parsed[0] as { Plan?: { 'Plan Rows'?: unknown } }) : null;
  const rows = top?.Plan?.['Plan Rows'];
  return typeof rows === 'number' && Number.isFinite(rows) ? Math.round(rows) : 0;
}

type SortKey = NonNullable<PatientListQuery['sort']>;
const SORTS: Record<SortKey, { column: SQL; desc: boolean; kind: 'text' | 'date' | 'instant' }> = {
  name: { column: sql`p.search_name`, desc: false, kind: 'text' },
  '-name': { column: sql`p.search_name`, desc: true, kind: 'text' },
  birthDate: { column: sql`p.birth_date`, desc: false, kind: 'date' },
  '-birthDate': { column: sql`p.birth_date`, desc: true, kind: 'date' },
  createdAt: { column: sql`p.created_at`, desc: false, kind: 'instant' },
  '-createdAt': { column: sql`p.created_at`, desc: true, kind: 'instant' },
};

interface SummaryRow {
  id: string;
  given_name: string;
  family_name: string;
  preferred_name: string | null;
  birth_date: string | Date;
  administrative_sex: string;
  preferred_language: string;
  preferred_channel: string | null;
  created_at: string | Date;
  location_name: string | null;
  sort_value: string | Date;
  phone: string | null;
  email: string | null;
  mrn: string | null;
}

const dateOnly = (v: string | Date) =>
  typeof v === 'string' ? v.slice(0, 10) : v.toISOString().slice(0, 10);

async function anyPatient(tx: Db, conditions: SQL[]): Promise<boolean> {
  const [row] = rowsOf<{ found: boolean }>(
    await tx.execute(sql`select exists (select 1 from patients p
      where ${sql.join(conditions, sql` and `)}) as found`),
  );
  return row?.found === true;
}

/** Patient list: search, filters, sort, keyset pagination on (sort value, id). */
export async function searchPatients(
  tx: Db,
  query: PatientListQuery,
  options: { insuranceIds: boolean; exactTotalUpTo?: number },
): Promise<{
  items: PatientSummary[];
  nextCursor: string | null;
  total: PatientTotal | null;
  fuzzy: boolean;
}> {
  const limit = query.limit ?? 25;
  const sort = SORTS[query.sort ?? 'name'];
  const search = parsePatientSearch(query.q);
  const filters: SQL[] = [];
  if (query.sex) filters.push(sql`p.administrative_sex = ${query.sex}`);
  if (query.locationId) filters.push(sql`p.primary_location_id = ${query.locationId}`);
  if (query.language) filters.push(sql`p.preferred_language = ${query.language}`);
  filters.push(sql`p.status <> 'merged'`);
  let matching = [searchCondition(search, options.insuranceIds), ...filters];
  // Nothing begins with the name typed: look for the nearest spellings instead. Decided the
  // same way on every page, so a cursor goes on through the same list.
  const fuzzy = search.kind === 'name' && !(await anyPatient(tx, matching));
  if (fuzzy && search.kind === 'name') matching = [nameNearby(search.tokens), ...filters];
  const where = sql.join(matching, sql` and `);
  const conditions = [...matching];
  if (query.cursor) {
    const [value, id] = cursorPair(query.cursor, sort.kind);
    const cast =
      sort.kind === 'text'
        ? sql`${value}::text`
        : sort.kind === 'date'
          ? sql`${value}::date`
          : sql`${value}::timestamptz`;
    conditions.push(
      sort.desc
        ? sql`(${sort.column}, p.id) < (${cast}, ${id}::uuid)`
        : sql`(${sort.column}, p.id) > (${cast}, ${id}::uuid)`,
    );
  }
  const direction = sort.desc ? sql`desc` : sql`asc`;
  const result = await tx.execute(sql`
    select p.id, p.given_name, p.family_name, p.preferred_name, p.birth_date,
      p.administrative_sex, p.preferred_language, p.preferred_channel, p.created_at,
      l.name as location_name, ${sort.column} as sort_value,
      (select display from patient_contact_points c
        where c.patient_id = p.id and c.system = 'phone' order by c.is_primary desc limit 1) as phone,
      (select value from patient_contact_points c
        where c.patient_id = p.id and c.system = 'email' order by c.is_primary desc limit 1) as email,
      (select value from patient_identifiers i
        where i.patient_id = p.id and i.type = 'MR' limit 1) as mrn
    from patients p left join locations l on l.id = p.primary_location_id
    where ${sql.join(conditions, sql` and `)}
    order by ${sort.column} ${direction}, p.id ${direction}
    limit ${limit + 1}`);
  const rows = rowsOf<SummaryRow>(result);
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  const cursorValue = (r: SummaryRow) =>
    sort.kind === 'text'
      ? String(r.sort_value)
      : sort.kind === 'date'
        ? dateOnly(r.sort_value)
        : toIso(r.sort_value);
  return {
    total: query.cursor
      ? null
      : await countPatients(tx, where, options.exactTotalUpTo ?? EXACT_TOTAL_LIMIT),
    fuzzy,
    items: page.map((r) => ({
      id: r.id,
      givenName: r.given_name,
      familyName: r.family_name,
      restricted: false,
      preferredName: r.preferred_name,
      birthDate: dateOnly(r.birth_date),
      administrativeSex: r.administrative_sex as AdministrativeSex,
      phone: r.phone,
      email: r.email,
      mrn: r.mrn,
      preferredLanguage: r.preferred_language,
      preferredChannel: r.preferred_channel as Channel | null,
      primaryLocation: r.location_name,
      createdAt: toIso(r.created_at),
    })),
    nextCursor: rows.length > limit && last ? encodeCursor([cursorValue(last), last.id]) : null,
  };
}

/** A patient's touchpoints, newest first, keyset-paginated on (occurred_at, id). */
export async function timelinePage(
  tx: Db,
  patientId: string,
  query: TimelineQuery,
): Promise<{ items: StoredTouchpoint[]; nextCursor: string | null }> {
  const limit = query.limit ?? 25;
  const conditions: SQL[] = [sql`t.patient_id = ${patientId}`];
  if (query.channel) conditions.push(sql`t.channel = ${query.channel}`);
  if (query.stage) conditions.push(sql`t.stage = ${query.stage}`);
  if (query.cursor) {
    const [at, id] = cursorPair(query.cursor, 'instant');
    conditions.push(sql`(t.occurred_at, t.id) < (${at}::timestamptz, ${id}::uuid)`);
  }
  const result = await tx.execute(sql`
    select json_build_object(
      'id', t.id, 'occurredAt', t.occurred_at, 'channel', t.channel, 'direction', t.direction,
      'type', t.type, 'stage', t.stage, 'sourceSystem', t.source_system, 'outcome', t.outcome,
      'summary', t.summary, 'nonClinicalSummary', t.non_clinical_summary,
      'subjectType', t.subject_type, 'subjectId', t.subject_id) as j
    from touchpoints t
    where ${sql.join(conditions, sql` and `)}
    order by t.occurred_at desc, t.id desc
    limit ${limit + 1}`);
  const rows = rowsOf<{ j: StoredTouchpoint }>(result).map((r) => touchpointView(r.j));
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    items: page,
    nextCursor: rows.length > limit && last ? encodeCursor([last.occurredAt, last.id]) : null,
  };
}
