import { prepareRecord, type SourceDemographics, searchableName } from '@careloop/core';
import { type SQL, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { prefixBounds } from '../../db/keyset.js';
import { byKey } from '../../db/lookup.js';
import { rowsOf } from '../../db/rows.js';

/**
 * The golden records the master patient index compares an incoming person with: found by
 * blocking keys (one statement for one person or a whole HL7 batch), and read as a source
 * would describe them (`goldenRows`).
 */

/** Identifiers sent without a system: kept, but never used to match people. */
export const NO_SYSTEM = 'urn:careloop:fhir:no-system';

/** Candidates scored per incoming person at most: blocking keeps the real number far lower. */
const MAX_CANDIDATES = 200;

export interface CandidateRow {
  id: string;
  given_name: string;
  middle_name: string | null;
  family_name: string;
  birth_date: string;
  administrative_sex: string;
  preferred_language: string | null;
  deceased_at: string | Date | null;
  line1: string | null;
  city: string | null;
  state: string | null;
  postal_code: string | null;
  phone: string | null;
  email: string | null;
  identifiers: { system: string; value: string }[] | string | null;
}

/** A JSON column as the driver returns it: parsed (node-postgres, PGlite) or, for safety, text. */
export const parseJson = <T>(value: T | string | null): T | null =>
  typeof value === 'string' ? (JSON.parse(value) as T) : value;

/** YYYY-MM-DD with day and month swapped, when that is a date too. */
function swappedDate(iso: string | null): string | null {
  if (!iso) return null;
  const [y, m, d] = iso.split('-');
  if (!y || !m || !d || m === d || Number(d) > 12) return null;
  return `${y}-${d}-${m}`;
}

const isoOf = (compact: string | null) =>
  compact && /^\d{8}$/.test(compact)
    ? `${compact.slice(0, 4)}-${compact.slice(4, 6)}-${compact.slice(6, 8)}`
    : null;

const validIso = (iso: string | null) => {
  if (!iso) return null;
  const d = new Date(`${iso}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().startsWith(iso) ? iso : null;
};

/** A person's blocking keys: the values that golden records sharing one are found by. */
interface BlockingKeys {
  birth: string | null;
  swapped: string | null;
  /** Family name and the given name's first letter, as a range of `search_name`. */
  name: { lower: string; upper: string } | null;
  contacts: string[];
  identifierValues: string[];
}

/**
 * The blocking keys of a person: the birth date (or its day/month swap), a phone or email, an
 * identifier value, or the family name with the first letter of the given name. Each key is an
 * index lookup, so the cost does not grow with the number of patients, only with how many share
 * a key.
 */
function blockingKeys(demographics: SourceDemographics): BlockingKeys {
  const person = prepareRecord(demographics);
  const birth = validIso(isoOf(person.birthDate));
  const family = demographics.family ? searchableName(demographics.family) : '';
  const givenInitial = demographics.given ? searchableName(demographics.given).slice(0, 1) : '';
  return {
    birth,
    swapped: validIso(swappedDate(birth)),
    name: family && givenInitial ? prefixBounds(`${family} ${givenInitial}`) : null,
    contacts: [person.phone, person.email].filter((v): v is string => v !== null),
    identifierValues: (demographics.identifiers ?? [])
      .filter((i) => i.system !== NO_SYSTEM)
      .map((i) => i.value),
  };
}

const intArray = (values: number[]) => sql`${sql.param(values)}::int[]`;
const textArray = (values: (string | null)[]) => sql`${sql.param(values)}::text[]`;
const dateArray = (values: (string | null)[]) => sql`${sql.param(values)}::date[]`;

/** Golden records that share a blocking key with the person, at most MAX_CANDIDATES. */
export async function blockedCandidates(
  tx: Db,
  demographics: SourceDemographics,
): Promise<CandidateRow[]> {
  const [rows] = await blockedCandidatesOfMany(tx, [demographics]);
  return rows ?? [];
}

/**
 * The candidates of several people in one statement, in the order given. The statement has the
 * same shape whatever the number of people or keys (each kind of key one array), so it costs
 * little to plan; every key, and then every record found, is read by its own index probe
 * (`byKey`), whatever the planner's statistics. One person's keys, written as a union of
 * queries per key, cost HL7 batches of 16 about 5 ms of planning.
 */
export async function blockedCandidatesOfMany(
  tx: Db,
  people: SourceDemographics[],
): Promise<CandidateRow[][]> {
  const out: CandidateRow[][] = people.map(() => []);
  const persons: {
    k: number;
    birth: string | null;
    swapped: string | null;
    lower: string | null;
    upper: string | null;
  }[] = [];
  const contacts: { k: number; value: string }[] = [];
  const identifiers: { k: number; value: string }[] = [];
  people.forEach((demographics, k) => {
    const keys = blockingKeys(demographics);
    if (keys.birth || keys.name) {
      persons.push({
        k,
        birth: keys.birth,
        swapped: keys.swapped,
        lower: keys.name?.lower ?? null,
        upper: keys.name?.upper ?? null,
      });
    }
    for (const value of keys.contacts) contacts.push({ k, value });
    for (const value of keys.identifierValues) identifiers.push({ k, value });
  });
  if (persons.length + contacts.length + identifiers.length === 0) return out;
  const rows = await goldenRows<CandidateRow & { ks: number[] | string }>(tx, {
    prelude: sql`with people as (
      select * from unnest(${intArray(persons.map((p) => p.k))},
        ${dateArray(persons.map((p) => p.birth))}, ${dateArray(persons.map((p) => p.swapped))},
        ${textArray(persons.map((p) => p.lower))}, ${textArray(persons.map((p) => p.upper))})
        as q(k, birth, swapped, lower, upper)
    ), contacts as (
      select * from unnest(${intArray(contacts.map((c) => c.k))},
        ${textArray(contacts.map((c) => c.value))}) as c(k, value)
    ), identifiers as (
      select * from unnest(${intArray(identifiers.map((i) => i.k))},
        ${textArray(identifiers.map((i) => i.value))}) as i(k, value)
    ), keyed as (
      select q.k, b.id from people q
        cross join lateral (${byKey(sql`select id from patients where birth_date = q.birth`)}) b
      union select q.k, b.id from people q
        cross join lateral (${byKey(sql`select id from patients where birth_date = q.swapped`)}) b
      union select q.k, b.id from people q
        cross join lateral (${byKey(
          sql`select id from patients where search_name ~>=~ q.lower and search_name ~<~ q.upper`,
        )}) b
      union select c.k, b.id from contacts c
        cross join lateral (${byKey(
          sql`select patient_id as id from patient_contact_points where value = c.value`,
        )}) b
      union select i.k, b.id from identifiers i
        cross join lateral (${byKey(
          sql`select patient_id as id from patient_identifiers where value = i.value`,
        )}) b
    )`,
    records: sql`(select distinct id from keyed) kk
      cross join lateral (${byKey(sql`select * from patients where id = kk.id`)}) p`,
    where: sql`p.status <> 'merged' limit ${MAX_CANDIDATES * people.length}`,
    extraColumns: sql`, (select json_agg(distinct k) from keyed where keyed.id = p.id) as ks`,
  });
  for (const { ks, ...row } of rows) {
    for (const k of parseJson(ks) ?? []) {
      const list = out[k];
      if (list && list.length < MAX_CANDIDATES) list.push(row);
    }
  }
  return out;
}

/**
 * Golden records as a source would describe them, one row each: demographics, the first
 * address, the primary phone and email, every identifier. What the matcher compares incoming
 * people with, and what a staff source records.
 */
export async function goldenRows<R extends CandidateRow = CandidateRow>(
  tx: Db,
  query: {
    where: SQL;
    /** A WITH clause the rest of the query reads. */
    prelude?: SQL;
    /** The FROM item that yields the records as `p`; all patients by default. */
    records?: SQL;
    /** More columns, each written `, expression as name`. */
    extraColumns?: SQL;
  },
): Promise<R[]> {
  const { where, prelude = sql``, records = sql`patients p`, extraColumns = sql`` } = query;
  return rowsOf<R>(
    await tx.execute(sql`
      ${prelude}
      select p.id, p.given_name, p.middle_name, p.family_name, p.birth_date::text as birth_date,
        p.administrative_sex, p.preferred_language, p.deceased_at,
        a.line1, a.city, a.state, a.postal_code,
        (select c.value from patient_contact_points c where c.patient_id = p.id and c.system = 'phone'
          order by c.is_primary desc, c.id limit 1) as phone,
        (select c.value from patient_contact_points c where c.patient_id = p.id and c.system = 'email'
          order by c.is_primary desc, c.id limit 1) as email,
        (select coalesce(json_agg(json_build_object('system', i.system, 'value', i.value)), '[]'::json)
          from patient_identifiers i where i.patient_id = p.id) as identifiers
        ${extraColumns}
      from ${records}
      left join lateral (select line1, city, state, postal_code from patient_addresses pa
        where pa.patient_id = p.id order by pa.position, pa.id limit 1) a on true
      where ${where}`),
  );
}

/** A golden record's row (see `goldenRows`) as a source's demographics. */
export function demographicsOfRow(row: CandidateRow): SourceDemographics {
  return {
    given: row.given_name,
    middle: row.middle_name,
    family: row.family_name,
    birthDate: row.birth_date,
    sex: row.administrative_sex,
    language: row.preferred_language,
    deceasedAt: row.deceased_at ? new Date(row.deceased_at).toISOString() : null,
    line: row.line1,
    city: row.city,
    state: row.state,
    postalCode: row.postal_code,
    phone: row.phone,
    email: row.email,
    identifiers: parseJson(row.identifiers) ?? [],
  };
}
