import {
  DEFAULT_PARAMETERS,
  MATCH_FIELDS,
  type MatchReason,
  type PreparedRecord,
  prepareRecord,
  type SourceDemographics,
  type SourceKind,
  scorePrepared,
  weightTable,
} from '@careloop/core';
import { sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { rowsOf } from '../../db/rows.js';
import {
  blockedCandidates,
  type CandidateRow,
  demographicsOfRow,
  NO_SYSTEM,
  parseJson,
} from './candidates.js';

/** The candidates' bulk read and the no-system marker, for the feeds that match in batches. */
export { blockedCandidatesOfMany, type CandidateRow, NO_SYSTEM } from './candidates.js';

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

const WEIGHTS = weightTable(DEFAULT_PARAMETERS);
/** Review candidates kept per incoming person, best first. */
const MAX_REVIEW = 5;

/** The golden record, described for the matcher as a source would describe it. */
const candidateRecord = (row: CandidateRow): PreparedRecord =>
  prepareRecord(demographicsOfRow(row));

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
