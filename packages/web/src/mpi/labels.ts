import type {
  LinkMethod,
  MergeSummary,
  ReviewItem,
  ReviewPerson,
  ReviewStatus,
  SourceKind,
  SurvivingField,
} from '@careloop/core';
import { formatDate, formatDateTime } from '../ui/format';

/** Why the index asked a person instead of linking: the server's reason code in plain words. */
const REASON_TEXT: Record<string, string> = {
  score: 'Similar, below the automatic link score',
  twins: 'Same birth date and address, different given names',
  'self-registration': 'Portal sign-up resembling an existing patient: check identity first',
  'strong-match': 'Registered by staff, strongly resembling an existing patient',
  'identifier-conflict': 'Much alike, but the same system gave them different identifiers',
  'birth-date-conflict': 'Much alike, but the birth dates differ',
  'name-conflict': 'Much alike, but given and family names both differ',
  sparse: 'Too little to tell: no birth date, phone or email in common',
  identifier: 'Shares an identifier, but other details argue against it',
};

export function reviewReasonText(reason: string): string {
  return REASON_TEXT[reason] ?? reason;
}

export const REVIEW_STATUS_LABELS: Record<ReviewStatus, string> = {
  open: 'Open',
  merged: 'Merged',
  distinct: 'Different people',
};

export const REVIEW_STATUS_COLORS: Record<ReviewStatus, string> = {
  open: 'blue',
  merged: 'teal',
  distinct: 'gray',
};

export const SOURCE_KIND_LABELS: Record<SourceKind, string> = {
  staff: 'Staff',
  portal: 'Portal',
  fhir: 'FHIR',
  hl7: 'HL7 v2',
  csv: 'CSV import',
};

export const LINK_METHOD_LABELS: Record<LinkMethod, string> = {
  new: 'First record',
  source: 'Same source id',
  identifier: 'Shared identifier',
  score: 'Matching score',
  review: 'Staff review',
  merge: 'Merge',
};

export const SURVIVING_FIELD_LABELS: Record<SurvivingField, string> = {
  givenName: 'Given name',
  middleName: 'Middle name',
  familyName: 'Family name',
  birthDate: 'Birth date',
  administrativeSex: 'Sex',
  preferredLanguage: 'Language',
  deceasedAt: 'Deceased',
};

export const MERGE_ORIGIN_LABELS: Record<MergeSummary['origin'], string> = {
  review: 'Duplicate review',
  staff: 'Staff merge',
  hl7: 'HL7 merge message',
};

/** A review person the way merge summaries name a record: `Given Family (YYYY-MM-DD)`. */
export function personName(person: ReviewPerson): string {
  return `${person.givenName} ${person.familyName} (${person.birthDate})`;
}

/**
 * A record's name as the server gives it in a merge summary (`Given Family (YYYY-MM-DD)`), for
 * reading: `Given Family (born Mar 4, 1980)`. Anything else is shown as it came.
 */
export function readableName(name: string): string {
  const match = /^(.*) \((\d{4}-\d{2}-\d{2})\)$/.exec(name);
  return match ? `${match[1]} (born ${formatDate(match[2])})` : name;
}

/**
 * The two records of a merged review item, as the server says: the survivor and the one merged
 * into it. Null while open, for different people (also after an unmerge), or when the server
 * does not name the survivor.
 */
export function mergedPair(
  item: ReviewItem,
): { survivor: ReviewPerson; merged: ReviewPerson } | null {
  if (item.status !== 'merged' || item.survivorId === null) return null;
  if (item.survivorId === item.candidate.patientId) {
    return { survivor: item.candidate, merged: item.incoming };
  }
  if (item.survivorId === item.incoming.patientId) {
    return { survivor: item.incoming, merged: item.candidate };
  }
  return null;
}

/** What an unmerge dialog needs to know about the merge it undoes. */
export type MergeToUndo = Pick<
  MergeSummary,
  'id' | 'survivorId' | 'mergedId' | 'survivorName' | 'mergedName' | 'mergedAt'
>;

/** The merge a merged review item made, to undo from the review; null when there is none. */
export function mergeOfReview(item: ReviewItem): MergeToUndo | null {
  const pair = mergedPair(item);
  if (!pair || item.mergeId === null) return null;
  return {
    id: item.mergeId,
    survivorId: pair.survivor.patientId,
    mergedId: pair.merged.patientId,
    survivorName: personName(pair.survivor),
    mergedName: personName(pair.merged),
    mergedAt: item.decidedAt ?? item.createdAt,
  };
}

/** Who decided a review item, when, and why: `Decided by Ann on Mar 4, 2026 9:00 AM: reason`. */
export function decisionText(item: ReviewItem): string {
  const who = item.decidedBy ?? 'someone';
  const when = item.decidedAt ? ` on ${formatDateTime(item.decidedAt)}` : '';
  const why = item.decisionReason?.trim() ? `: ${item.decisionReason.trim()}` : '';
  return `Decided by ${who}${when}${why}`;
}

/** What a merge keeps, said in every merge confirmation (the server keeps the chosen record's). */
export const MERGE_KEEPS_TEXT =
  'The record you keep keeps its name, birth date and sex; phones, emails, addresses, ' +
  'identifiers, appointments and notes of both are kept. You can undo this merge from the ' +
  'Sources tab.';

/** Rows moved to the survivor by table, as `3 appointments, 1 contact points`; empty ones left out. */
export function describeMoved(moved: Record<string, number>): string {
  const parts = Object.entries(moved)
    .filter(([, count]) => count > 0)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([table, count]) => `${count} ${table.replace(/^patient_/, '').replaceAll('_', ' ')}`);
  return parts.length ? parts.join(', ') : 'nothing';
}

/** The other record of a merge, seen from `patientId`: its id, its name, and its part. */
export function otherParty(
  merge: MergeSummary,
  patientId: string,
): { id: string; name: string; role: 'survivor' | 'merged' } {
  return merge.survivorId === patientId
    ? { id: merge.mergedId, name: merge.mergedName, role: 'merged' }
    : { id: merge.survivorId, name: merge.survivorName, role: 'survivor' };
}

/** Newest first; a merge still in force before one that was undone at the same moment. */
export function sortMerges(merges: readonly MergeSummary[]): MergeSummary[] {
  return [...merges].sort(
    (a, b) =>
      b.mergedAt.localeCompare(a.mergedAt) ||
      Number(a.unmergedAt !== null) - Number(b.unmergedAt !== null),
  );
}
