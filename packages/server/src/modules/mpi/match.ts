import {
  DEFAULT_PARAMETERS,
  MATCH_FIELDS,
  type MatchReason,
  type PreparedRecord,
  prepareRecord,
  type SourceDemographics,
  type SourceKind,
  scorePrepared,
  searchableName,
  weightTable,
} from '@careloop/core';
import { type SQL, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { prefixBounds } from '../../db/keyset.js';
import { byKey } from '../../db/lookup.js';
import { rowsOf } from '../../db/rows.js';

/** A person arriving from a source, before the index decides who they are. */
export interface SourcePerson {
  kind: SourceKind;
  /** The sending system: an HL7 sender, a FHIR source, `csv:<file>`, `careloop:staff`. */
  system: string;
  /** The source's own id for this person (MRN, Patient id, row key). */
  sourceId: string;
  /** When the source sent this description; now when omitted. */
  receivedAt?: Date;
  demographics: SourceDemographics;
}

/** An existing golden record the incoming person resembles, not enough to link automatically. */
export interface MatchCandidate {
  patientId: string;
  score: number;
  /**
   * The score's reason, or why a score high enough to link did not: `strong-match` (the caller
   * does not link by score: staff and portal registration) or `identifier-conflict` (both hold
   * identifiers of one system with different values: the source keeps them apart).
   */
  reason: MatchReason | 'strong-match' | 'self-registration' | 'identifier-conflict';
  comparison: { field: string; level: string; weight: number }[];
}

/**
 * Who the person is:
 * - `existing`: a golden record, by this source's earlier link, a shared identifier, or a score
 *   above the link threshold with no guard against it;
 * - `new`: nobody known; `candidates` (possibly empty) are golden records to put in the review
 *   queue next to the new record once it exists.
 */
export type MatchDecision =
  | {
      kind: 'existing';
      patientId: string;
      method: 'source' | 'identifier' | 'score';
      score: number | null;
    }
  | { kind: 'new'; candidates: MatchCandidate[] };

/** Two golden records claim the person's identifiers, or an identifier names someone else. */
export class MpiConflictError extends Error {
  constructor(
    message: string,
    readonly path: 'identifier',
  ) {
    super(message);
    this.name = 'MpiConflictError';
  }
}

/** Identifiers sent without a system: kept, but never used to match people. */
export const NO_SYSTEM = 'urn:careloop:fhir:no-system';

const WEIGHTS = weightTable(DEFAULT_PARAMETERS);
/** Candidates scored per incoming person at most: blocking keeps the real number far lower. */
const MAX_CANDIDATES = 200;
/** Review candidates kept per incoming person, best first. */
const MAX_REVIEW = 5;

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

const parseJson = <T>(value: T | string | null): T | null =>
  typeof value === 'string' ? (JSON.parse(value) as T) : value;

/** The golden record, described for the matcher as a source would describe it. */
const candidateRecord = (row: CandidateRow): PreparedRecord =>
  prepareRecord(demographicsOfRow(row));

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
async function blockedCandidates(
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
  const rows = await goldenRows<CandidateRow & { ks: number[] | string }>(
    tx,
    sql`with people as (
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
    sql`p.status <> 'merged' limit ${MAX_CANDIDATES * people.length}`,
    sql`, (select json_agg(distinct k) from keyed where keyed.id = p.id) as ks`,
    sql`(select distinct id from keyed) kk
      cross join lateral (${byKey(sql`select * from patients where id = kk.id`)}) p`,
  );
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
  prelude: SQL,
  where: SQL,
  extraColumns: SQL = sql``,
  /** The FROM item that yields the records as `p`. */
  records: SQL = sql`patients p`,
): Promise<R[]> {
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

/** The golden record a source record of this system and id is linked to, following merges. */
async function linkedBySource(tx: Db, person: SourcePerson): Promise<string | null> {
  const rows = rowsOf<{ patient_id: string; status: string }>(
    await tx.execute(sql`
      select r.patient_id, p.status from patient_source_records r
      join patients p on p.id = r.patient_id
      where r.source_system = ${person.system} and r.source_id = ${person.sourceId}`),
  );
  const [row] = rows;
  return row && row.status !== 'merged' ? row.patient_id : null;
}

/** Golden records that hold one of the person's identifiers (same system and value). */
export async function identifierOwners(
  tx: Db,
  identifiers: readonly { system: string; value: string }[],
): Promise<{ patientId: string; system: string; value: string }[]> {
  const usable = identifiers.filter((i) => i.system !== NO_SYSTEM);
  if (usable.length === 0) return [];
  const rows = rowsOf<{ patient_id: string; system: string; value: string }>(
    await tx.execute(sql`
      select i.patient_id, i.system, i.value from patient_identifiers i
      join patients p on p.id = i.patient_id and p.status <> 'merged'
      where i.value in (${sql.join(
        usable.map((i) => sql`${i.value}`),
        sql`, `,
      )})`),
  );
  return rows
    .filter((r) => usable.some((i) => i.system === r.system && i.value === r.value))
    .map((r) => ({ patientId: r.patient_id, system: r.system, value: r.value }));
}

/**
 * The master patient index's decision for one incoming person, the same for every source
 * (FHIR, HL7 v2, CSV, staff and portal registration):
 * 1. the link this source's earlier description of the person made;
 * 2. deterministic: an identifier with the same system and value (two owners: a conflict);
 * 3. probabilistic: Fellegi–Sunter scores against the golden records that share a blocking key.
 *    The best `link` outcome links; `review` outcomes become candidates for the review queue.
 * Portal self-registration never links by score (see `allowScoreLink`): a stranger must not
 * gain someone else's chart by typing their name and birth date.
 */
export async function matchPerson(
  tx: Db,
  person: SourcePerson,
  options: {
    allowScoreLink?: boolean;
    /** The review reason for a score that would have linked when `allowScoreLink` is false. */
    holdReason?: 'strong-match' | 'self-registration';
    /**
     * The caller has already looked for this source's earlier link and for the identifiers'
     * owners and found none (the HL7 listener does, from its batch's bulk reads): only the
     * probabilistic step is left, one query instead of three.
     */
    deterministicDone?: boolean;
    /** With `deterministicDone`: the person's blocked candidates, read already in bulk. */
    candidates?: CandidateRow[];
  } = {},
): Promise<MatchDecision> {
  const linked = options.deterministicDone ? null : await linkedBySource(tx, person);
  if (linked) return { kind: 'existing', patientId: linked, method: 'source', score: null };

  const owners = options.deterministicDone
    ? []
    : await identifierOwners(tx, person.demographics.identifiers ?? []);
  const distinct = [...new Set(owners.map((o) => o.patientId))];
  if (distinct.length > 1) {
    throw new MpiConflictError(
      `The identifiers of this person belong to ${distinct.length} different patients; merge the duplicates first`,
      'identifier',
    );
  }

  const prepared = prepareRecord(person.demographics);
  const rows =
    options.deterministicDone && options.candidates
      ? options.candidates
      : await blockedCandidates(tx, person.demographics);
  const allowScoreLink = options.allowScoreLink ?? true;
  const [owner] = distinct;
  if (owner) {
    const row = rows.find((r) => r.id === owner);
    const scored = row
      ? scorePrepared(prepared, candidateRecord(row), DEFAULT_PARAMETERS, WEIGHTS)
      : null;
    if (scored && scored.reason === 'name-conflict') {
      throw new MpiConflictError(
        'An identifier of this person belongs to a patient with a different name; check the identifier',
        'identifier',
      );
    }
    return {
      kind: 'existing',
      patientId: owner,
      method: 'identifier',
      score: scored?.score ?? null,
    };
  }

  let best: { patientId: string; score: number } | null = null;
  const review: MatchCandidate[] = [];
  const own = (person.demographics.identifiers ?? []).filter((i) => i.system !== NO_SYSTEM);
  for (const row of rows) {
    const scored = scorePrepared(prepared, candidateRecord(row), DEFAULT_PARAMETERS, WEIGHTS);
    const theirs = parseJson(row.identifiers) ?? [];
    const kept = own.some(
      (i) =>
        theirs.some((t) => t.system === i.system && t.value !== i.value) &&
        !theirs.some((t) => t.system === i.system && t.value === i.value),
    );
    if (scored.outcome === 'link' && allowScoreLink && !kept) {
      if (!best || scored.score > best.score) best = { patientId: row.id, score: scored.score };
    } else if (scored.outcome !== 'new') {
      review.push({
        patientId: row.id,
        score: scored.score,
        reason:
          scored.outcome !== 'link'
            ? scored.reason
            : kept
              ? 'identifier-conflict'
              : (options.holdReason ?? 'strong-match'),
        comparison: MATCH_FIELDS.map((field) => ({
          field,
          level: scored.comparison[field],
          weight: Math.round(scored.fieldWeights[field] * 100) / 100,
        })),
      });
    }
  }
  if (best)
    return { kind: 'existing', patientId: best.patientId, method: 'score', score: best.score };
  review.sort((a, b) => b.score - a.score);
  return { kind: 'new', candidates: review.slice(0, MAX_REVIEW) };
}
