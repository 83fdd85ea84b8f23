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

/**
 * `p` is none of `hidden` (restricted patients the reader may not open): a search or filter on
 * a field their list row masks must not match them, or the match would tell the masked value.
 */
export function notHidden(hidden: readonly string[]): SQL {
  if (hidden.length === 0) return sql`true`;
  return sql`p.id <> all(${`{${hidden.join(',')}}`}::uuid[])`;
}

/**
 * Whether a list query searches, filters or sorts by a field a masked row hides: only then
 * does it need the hidden patients (`RestrictionGuard.hiddenPatients`), so the usual search by
 * name costs nothing more.
 */
export function readsMaskedFields(query: PatientListQuery): boolean {
  const kind = parsePatientSearch(query.q).kind;
  const masked = SORTS[query.sort ?? 'name'].masked;
  return (
    masked ||
    !(kind === 'all' || kind === 'name') ||
    Boolean(query.sex ?? query.locationId ?? query.language)
  );
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
  hidden: SQL,
): SQL {
  const identifier = searchableIdentifier(insuranceIds);
  // Only a name search may find a masked row: its list row shows the name.
  const condition = byField(search, identifier);
  return search.kind === 'all' || search.kind === 'name'
    ? condition
    : sql`(${condition} and ${hidden})`;
}

function byField(search: ReturnType<typeof parsePatientSearch>, identifier: SQL): SQL {
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
interface Sort {
  column: SQL;
  desc: boolean;
  kind: 'text' | 'date' | 'instant';
  /** The column is masked in a restricted row: such rows sort as if it were unknown. */
  masked: boolean;
}
const SORTS: Record<SortKey, Sort> = {
  name: { column: sql`p.search_name`, desc: false, kind: 'text', masked: false },
  '-name': { column: sql`p.search_name`, desc: true, kind: 'text', masked: false },
  birthDate: { column: sql`p.birth_date`, desc: false, kind: 'date', masked: true },
  '-birthDate': { column: sql`p.birth_date`, desc: true, kind: 'date', masked: true },
  createdAt: { column: sql`p.created_at`, desc: false, kind: 'instant', masked: false },
  '-createdAt': { column: sql`p.created_at`, desc: true, kind: 'instant', masked: false },
};

/**
 * The sort value a masked row takes instead of its birth date: after every real date, where
 * PostgreSQL puts an unknown one (last ascending, first descending); its order among other
 * masked rows is its id's. The API, the CSV import and HL7 refuse a future birth date; one the
 * FHIR import let in would only share the value, ordered among masked rows by id.
 */
export const MASKED_DATE = '9999-12-31';

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

/**
 * Patient list: search, filters, sort, keyset pagination on (sort value, id). `hidden`: the
 * restricted patients the reader may not open, whose list rows are masked afterwards
 * (`RestrictionGuard.maskPatients`); here they match no search or filter on a masked field,
 * and sort by a masked field as if it were unknown (`MASKED_DATE`).
 */
export async function searchPatients(
  tx: Db,
  query: PatientListQuery,
  options: { insuranceIds: boolean; hidden: readonly string[]; exactTotalUpTo?: number },
): Promise<{
  items: PatientSummary[];
  nextCursor: string | null;
  total: PatientTotal | null;
  fuzzy: boolean;
}> {
  const limit = query.limit ?? 25;
  const sort = SORTS[query.sort ?? 'name'];
  const visible = notHidden(options.hidden);
  const search = parsePatientSearch(query.q);
  const filters: SQL[] = [];
  if (query.sex) filters.push(sql`p.administrative_sex = ${query.sex}`, visible);
  if (query.locationId) filters.push(sql`p.primary_location_id = ${query.locationId}`, visible);
  if (query.language) filters.push(sql`p.preferred_language = ${query.language}`, visible);
  filters.push(sql`p.status <> 'merged'`);
  let conditions = [searchCondition(search, options.insuranceIds, visible), ...filters];
  // Nothing begins with the name typed: look for the nearest spellings instead. Decided the
  // same way on every page, so a cursor goes on through the same list.
  const fuzzy = search.kind === 'name' && !(await anyPatient(tx, conditions));
  if (fuzzy && search.kind === 'name') conditions = [nameNearby(search.tokens), ...filters];
  const where = sql.join(conditions, sql` and `);
  const cursor = query.cursor ? cursorPair(query.cursor, sort.kind) : null;
  const rows =
    sort.masked && options.hidden.length > 0
      ? await maskedSortRows(tx, sort, conditions, options.hidden, cursor, limit)
      : await summaryRows(
          tx,
          sort,
          sort.column,
          [...conditions, after(sort, sort.column, cursor)],
          limit,
        );
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  const cursorValue = (r: SummaryRow) =>
    sort.kind === 'text'
      ? String(r.sort_value)
      : sort.kind === 'date'
        ? dateOnly(r.sort_value)
        : toIso(r.sort_value);
  return {
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
    total: query.cursor
      ? null
      : await countPatients(tx, where, options.exactTotalUpTo ?? EXACT_TOTAL_LIMIT),
    fuzzy,
  };
}

/** `(value, id)` after the cursor in the sort's direction (`true` without a cursor). */
function after(sort: Sort, value: SQL, cursor: [string, string] | null): SQL {
  if (!cursor) return sql`true`;
  const [at, id] = cursor;
  const cast =
    sort.kind === 'text'
      ? sql`${at}::text`
      : sort.kind === 'date'
        ? sql`${at}::date`
        : sql`${at}::timestamptz`;
  return sort.desc
    ? sql`(${value}, p.id) < (${cast}, ${id}::uuid)`
    : sql`(${value}, p.id) > (${cast}, ${id}::uuid)`;
}

/** One page's rows ordered by `value`, the sort value returned as `sort_value`. */
async function summaryRows(
  tx: Db,
  sort: Sort,
  value: SQL,
  conditions: SQL[],
  limit: number,
): Promise<SummaryRow[]> {
  const direction = sort.desc ? sql`desc` : sql`asc`;
  const result = await tx.execute(sql`
    select p.id, p.given_name, p.family_name, p.preferred_name, p.birth_date,
      p.administrative_sex, p.preferred_language, p.preferred_channel, p.created_at,
      l.name as location_name, ${value} as sort_value,
      (select display from patient_contact_points c
        where c.patient_id = p.id and c.system = 'phone' order by c.is_primary desc limit 1) as phone,
      (select value from patient_contact_points c
        where c.patient_id = p.id and c.system = 'email' order by c.is_primary desc limit 1) as email,
      (select value from patient_identifiers i
        where i.patient_id = p.id and i.type = 'MR' limit 1) as mrn
    from patients p left join locations l on l.id = p.primary_location_id
    where ${sql.join(conditions, sql` and `)}
    order by ${value} ${direction}, p.id ${direction}
    limit ${limit + 1}`);
  return rowsOf<SummaryRow>(result);
}

/**
 * A page sorted by a masked field when some rows are hidden: the other rows in the column's
 * order (its index still serves them) and the hidden ones at `MASKED_DATE`, each part cut to
 * the page, merged here. One `order by case …` over both would sort every matching row.
 */
async function maskedSortRows(
  tx: Db,
  sort: Sort,
  conditions: SQL[],
  hidden: readonly string[],
  cursor: [string, string] | null,
  limit: number,
): Promise<SummaryRow[]> {
  const masked = sql`${MASKED_DATE}::date`;
  const among = sql`p.id = any(${`{${hidden.join(',')}}`}::uuid[])`;
  const [open, closed] = [
    await summaryRows(
      tx,
      sort,
      sort.column,
      [...conditions, notHidden(hidden), after(sort, sort.column, cursor)],
      limit,
    ),
    await summaryRows(tx, sort, masked, [...conditions, among, after(sort, masked, cursor)], limit),
  ];
  const key = (r: SummaryRow) => `${dateOnly(r.sort_value)} ${r.id}`;
  const merged = [...open, ...closed].sort((a, b) =>
    sort.desc ? key(b).localeCompare(key(a)) : key(a).localeCompare(key(b)),
  );
  return merged.slice(0, limit + 1);
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
