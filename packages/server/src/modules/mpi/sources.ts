import {
  type SourceDemographics,
  type SourceKind,
  type SurvivorshipSource,
  searchableName,
  survivingValues,
} from '@careloop/core';
import { eq, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { rowsOf } from '../../db/rows.js';
import { patients } from '../patients/schema.js';
import type { MatchDecision, SourcePerson } from './match.js';
import { mpiReviewItems, patientSourceRecords } from './schema.js';

/** The link method a decision records on the source record. */
const methodOf = (decision: MatchDecision) =>
  decision.kind === 'existing' ? decision.method : 'new';

/** Demographics as stored: empty strings dropped, identifiers always an array. */
function storedDemographics(d: SourceDemographics): SourceDemographics {
  const out: SourceDemographics = { identifiers: d.identifiers ?? [] };
  for (const [key, value] of Object.entries(d)) {
    if (key === 'identifiers') continue;
    if (typeof value === 'string' && value.trim() !== '') {
      (out as Record<string, unknown>)[key] = value.trim();
    }
  }
  return out;
}

export interface RecordedSource {
  sourceRecordId: string;
  /** Review items opened for this person (possible duplicates). */
  reviewItems: number;
  /** Golden-record fields survivorship changed. */
  changed: string[];
}

/**
 * Remembers how a source described a person and which golden record they were linked to,
 * opens review items for the decision's candidates (a pair someone already judged distinct is
 * not asked again), then lets survivorship decide the golden record's fields.
 */
export async function recordSource(
  tx: Db,
  orgId: string,
  patientId: string,
  person: SourcePerson,
  decision: MatchDecision,
): Promise<RecordedSource> {
  const receivedAt = person.receivedAt ?? new Date();
  const demographics = storedDemographics(person.demographics);
  const score = decision.kind === 'existing' ? decision.score : null;
  const [row] = await tx
    .insert(patientSourceRecords)
    .values({
      orgId,
      patientId,
      kind: person.kind,
      sourceSystem: person.system,
      sourceId: person.sourceId,
      demographics,
      linkMethod: methodOf(decision),
      linkScore: score,
      receivedAt,
    })
    .onConflictDoUpdate({
      target: [
        patientSourceRecords.orgId,
        patientSourceRecords.sourceSystem,
        patientSourceRecords.sourceId,
      ],
      set: {
        patientId,
        kind: person.kind,
        demographics,
        receivedAt,
        // A record re-sent by its source keeps the method that first linked it.
        linkMethod: sql`case when ${patientSourceRecords.patientId} = ${patientId}
          then ${patientSourceRecords.linkMethod} else ${methodOf(decision)} end`,
        linkScore: sql`case when ${patientSourceRecords.patientId} = ${patientId}
          then ${patientSourceRecords.linkScore} else ${score}::double precision end`,
      },
    })
    .returning({ id: patientSourceRecords.id });
  if (!row) throw new Error('source record upsert returned nothing');

  let reviewItems = 0;
  if (decision.kind === 'new') {
    for (const candidate of decision.candidates) {
      if (candidate.patientId === patientId) continue;
      const inserted = await tx
        .insert(mpiReviewItems)
        .values({
          orgId,
          incomingId: patientId,
          candidateId: candidate.patientId,
          sourceRecordId: row.id,
          score: candidate.score,
          reason: candidate.reason,
          comparison: candidate.comparison,
        })
        .onConflictDoNothing()
        .returning({ id: mpiReviewItems.id });
      reviewItems += inserted.length;
    }
  }
  const changed = await applySurvivorship(tx, patientId);
  return { sourceRecordId: row.id, reviewItems, changed };
}

interface SourceRow {
  id: string;
  kind: SourceKind;
  receivedAt: Date;
  demographics: SourceDemographics;
}

/** The source records linked to a golden record, as survivorship reads them. */
export async function sourcesOf(tx: Db, patientId: string): Promise<SurvivorshipSource[]> {
  const rows: SourceRow[] = await tx
    .select({
      id: patientSourceRecords.id,
      kind: patientSourceRecords.kind,
      receivedAt: patientSourceRecords.receivedAt,
      demographics: patientSourceRecords.demographics,
    })
    .from(patientSourceRecords)
    .where(eq(patientSourceRecords.patientId, patientId));
  return rows;
}

/**
 * Sets the golden record's fields to what survivorship decides from its source records (see
 * `survivingValues` in core). Fields no source speaks to keep their value. Returns the names of
 * the fields that changed.
 */
export async function applySurvivorship(tx: Db, patientId: string): Promise<string[]> {
  const sources = await sourcesOf(tx, patientId);
  if (sources.length === 0) return [];
  const [current] = await tx
    .select({
      givenName: patients.givenName,
      middleName: patients.middleName,
      familyName: patients.familyName,
      birthDate: patients.birthDate,
      administrativeSex: patients.administrativeSex,
      preferredLanguage: patients.preferredLanguage,
      deceasedAt: patients.deceasedAt,
    })
    .from(patients)
    .where(eq(patients.id, patientId));
  if (!current) return [];
  const winners = survivingValues(sources);
  const changes: Partial<typeof patients.$inferInsert> = {};
  const changed: string[] = [];
  const text = (
    field:
      | 'givenName'
      | 'middleName'
      | 'familyName'
      | 'birthDate'
      | 'administrativeSex'
      | 'preferredLanguage',
  ) => {
    const value = winners[field]?.value;
    if (value !== undefined && value !== current[field]) {
      changes[field] = value;
      changed.push(field);
    }
  };
  text('givenName');
  text('middleName');
  text('familyName');
  text('birthDate');
  text('administrativeSex');
  text('preferredLanguage');
  const deceased = winners.deceasedAt?.value;
  if (deceased) {
    const at = new Date(deceased);
    if (!Number.isNaN(at.getTime()) && at.getTime() !== current.deceasedAt?.getTime()) {
      changes.deceasedAt = at;
      changed.push('deceasedAt');
    }
  }
  if (changed.length === 0) return [];
  const given = changes.givenName ?? current.givenName;
  const family = changes.familyName ?? current.familyName;
  await tx
    .update(patients)
    .set({
      ...changes,
      searchName: searchableName(family, given),
      searchGiven: searchableName(given),
      updatedAt: new Date(),
    })
    .where(eq(patients.id, patientId));
  return changed;
}

/** Rows that remember a source's description of a person, for writers that batch their rows. */
export interface SourceRecordWrites {
  sourceRecord:
    | { op: 'insert'; values: typeof patientSourceRecords.$inferInsert & { id: string } }
    | { op: 'update'; id: string; values: Partial<typeof patientSourceRecords.$inferInsert> };
  reviewItems: (typeof mpiReviewItems.$inferInsert & { id: string })[];
}

/**
 * What `recordSource` would write, as rows for a batching writer (the FHIR importer) to apply
 * after the golden record itself. Survivorship is not re-run: such writers are sources of the
 * highest trust for identity and write their demographics through, which is what survivorship
 * would choose for the most recent of them.
 */
export async function sourceRecordWrites(
  tx: Db,
  orgId: string,
  patientId: string,
  person: SourcePerson,
  decision: MatchDecision,
): Promise<SourceRecordWrites> {
  const demographics = storedDemographics(person.demographics);
  const receivedAt = person.receivedAt ?? new Date();
  const [existing] = await tx
    .select({ id: patientSourceRecords.id, patientId: patientSourceRecords.patientId })
    .from(patientSourceRecords)
    .where(
      sql`${patientSourceRecords.sourceSystem} = ${person.system} and ${patientSourceRecords.sourceId} = ${person.sourceId}`,
    );
  const score = decision.kind === 'existing' ? decision.score : null;
  const sourceRecord: SourceRecordWrites['sourceRecord'] = existing
    ? {
        op: 'update',
        id: existing.id,
        values: {
          patientId,
          demographics,
          receivedAt,
          ...(existing.patientId !== patientId && {
            linkMethod: methodOf(decision),
            linkScore: score,
          }),
        },
      }
    : {
        op: 'insert',
        values: {
          id: crypto.randomUUID(),
          orgId,
          patientId,
          kind: person.kind,
          sourceSystem: person.system,
          sourceId: person.sourceId,
          demographics,
          linkMethod: methodOf(decision),
          linkScore: score,
          receivedAt,
        },
      };
  const sourceRecordId = sourceRecord.op === 'insert' ? sourceRecord.values.id : sourceRecord.id;
  const reviewItems =
    decision.kind === 'new'
      ? decision.candidates
          .filter((c) => c.patientId !== patientId)
          .map((c) => ({
            id: crypto.randomUUID(),
            orgId,
            incomingId: patientId,
            candidateId: c.patientId,
            sourceRecordId,
            score: c.score,
            reason: c.reason,
            comparison: c.comparison,
          }))
      : [];
  return { sourceRecord, reviewItems };
}

/** One person a batching writer matched, to remember in bulk (see `recordSources`). */
export interface MatchedSource {
  patientId: string;
  person: SourcePerson;
  decision: MatchDecision;
}

/**
 * `recordSource` for many people at once, for writers that batch (the HL7 listener): one upsert
 * of the source records and one insert of the review items. Survivorship is not re-run, as for
 * `sourceRecordWrites`. The golden records must already be written.
 */
export async function recordSources(tx: Db, orgId: string, items: MatchedSource[]): Promise<void> {
  if (items.length === 0) return;
  const byKey = new Map<string, MatchedSource>();
  for (const item of items) byKey.set(`${item.person.system}\u0000${item.person.sourceId}`, item);
  const unique = [...byKey.values()];
  const rows = await tx
    .insert(patientSourceRecords)
    .values(
      unique.map(({ patientId, person, decision }) => ({
        orgId,
        patientId,
        kind: person.kind,
        sourceSystem: person.system,
        sourceId: person.sourceId,
        demographics: storedDemographics(person.demographics),
        linkMethod: methodOf(decision),
        linkScore: decision.kind === 'existing' ? decision.score : null,
        receivedAt: person.receivedAt ?? new Date(),
      })),
    )
    .onConflictDoUpdate({
      target: [
        patientSourceRecords.orgId,
        patientSourceRecords.sourceSystem,
        patientSourceRecords.sourceId,
      ],
      set: {
        demographics: sql`excluded.demographics`,
        receivedAt: sql`excluded.received_at`,
        linkMethod: sql`case when ${patientSourceRecords.patientId} = excluded.patient_id
          then ${patientSourceRecords.linkMethod} else excluded.link_method end`,
        linkScore: sql`case when ${patientSourceRecords.patientId} = excluded.patient_id
          then ${patientSourceRecords.linkScore} else excluded.link_score end`,
        patientId: sql`excluded.patient_id`,
      },
    })
    .returning({
      id: patientSourceRecords.id,
      system: patientSourceRecords.sourceSystem,
      sourceId: patientSourceRecords.sourceId,
    });
  const ids = new Map(rows.map((r) => [`${r.system}\u0000${r.sourceId}`, r.id]));
  const reviews = unique.flatMap(({ patientId, person, decision }) =>
    decision.kind === 'new'
      ? decision.candidates
          .filter((c) => c.patientId !== patientId)
          .map((c) => ({
            orgId,
            incomingId: patientId,
            candidateId: c.patientId,
            sourceRecordId: ids.get(`${person.system}\u0000${person.sourceId}`) ?? null,
            score: c.score,
            reason: c.reason,
            comparison: c.comparison,
          }))
      : [],
  );
  if (reviews.length) await tx.insert(mpiReviewItems).values(reviews).onConflictDoNothing();
}

/** The golden record as it stands, described as a source would describe it. */
export async function goldenDemographics(tx: Db, patientId: string): Promise<SourceDemographics> {
  const [row] = rowsOf<{
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
  }>(
    await tx.execute(sql`
      select p.given_name, p.middle_name, p.family_name, p.birth_date::text as birth_date,
        p.administrative_sex, p.preferred_language, p.deceased_at,
        a.line1, a.city, a.state, a.postal_code,
        (select c.value from patient_contact_points c where c.patient_id = p.id and c.system = 'phone'
          order by c.is_primary desc, c.id limit 1) as phone,
        (select c.value from patient_contact_points c where c.patient_id = p.id and c.system = 'email'
          order by c.is_primary desc, c.id limit 1) as email,
        (select coalesce(json_agg(json_build_object('system', i.system, 'value', i.value)), '[]'::json)
          from patient_identifiers i where i.patient_id = p.id) as identifiers
      from patients p
      left join lateral (select line1, city, state, postal_code from patient_addresses pa
        where pa.patient_id = p.id order by pa.position, pa.id limit 1) a on true
      where p.id = ${patientId}`),
  );
  if (!row) throw new Error('golden record not found');
  const identifiers =
    typeof row.identifiers === 'string' ? JSON.parse(row.identifiers) : (row.identifiers ?? []);
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
    identifiers,
  };
}

/** Staff registration and edits are one source per golden record: `careloop:staff`. */
export const STAFF_SOURCE = 'careloop:staff';
