import type {
  LinkMethod,
  MergeSummary,
  ReviewItem,
  ReviewStatus,
  SourceKind,
  SurvivingField,
} from '@careloop/core';

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

/**
 * The record that survived a merged review item: the one of the pair not itself merged. Null
 * while open, for different people, or when the pair no longer tells (a later unmerge).
 */
export function survivorOf(item: ReviewItem): string | null {
  if (item.status !== 'merged') return null;
  const standing = [item.incoming, item.candidate].filter((p) => p.status !== 'merged');
  return standing.length === 1 ? (standing[0]?.patientId ?? null) : null;
}

/** Rows moved to the survivor by table, as `3 appointments, 1 contact points`; empty ones left out. */
export function describeMoved(moved: Record<string, number>): string {
  const parts = Object.entries(moved)
    .filter(([, count]) => count > 0)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([table, count]) => `${count} ${table.replace(/^patient_/, '').replaceAll('_', ' ')}`);
  return parts.length ? parts.join(', ') : 'nothing';
}

/** The other record of a merge, seen from `patientId`, and whether that one is the survivor. */
export function otherParty(
  merge: MergeSummary,
  patientId: string,
): { id: string; role: 'survivor' | 'merged' } {
  return merge.survivorId === patientId
    ? { id: merge.mergedId, role: 'merged' }
    : { id: merge.survivorId, role: 'survivor' };
}

/** Newest first; a merge still in force before one that was undone at the same moment. */
export function sortMerges(merges: readonly MergeSummary[]): MergeSummary[] {
  return [...merges].sort(
    (a, b) =>
      b.mergedAt.localeCompare(a.mergedAt) ||
      Number(a.unmergedAt !== null) - Number(b.unmergedAt !== null),
  );
}
