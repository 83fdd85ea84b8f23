import type { MergeSummary, ReviewItem, ReviewPerson } from '@careloop/core';
import { describe, expect, it } from 'vitest';
import { formatDateTime } from '../ui/format';
import {
  decisionText,
  describeMoved,
  MERGE_KEEPS_TEXT,
  mergedPair,
  mergeOfReview,
  otherParty,
  personName,
  readableName,
  reviewReasonText,
  sortMerges,
} from './labels';

const A = '00000000-0000-4000-8000-00000000000a';
const B = '00000000-0000-4000-8000-00000000000b';

const person = (patientId: string, status: string): ReviewPerson => ({
  patientId,
  status,
  givenName: 'Ana',
  middleName: null,
  familyName: 'Silva',
  birthDate: '1990-01-01',
  administrativeSex: 'female',
  address: null,
  phones: [],
  emails: [],
  identifiers: [],
  createdAt: '2026-01-01T00:00:00.000Z',
  sources: [],
});

const review = (
  status: ReviewItem['status'],
  incoming: ReviewPerson,
  candidate: ReviewPerson,
  overrides: Partial<ReviewItem> = {},
): ReviewItem => ({
  id: '00000000-0000-4000-8000-0000000000ff',
  status,
  score: 8,
  reason: 'score',
  createdAt: '2026-01-01T00:00:00.000Z',
  decidedAt: null,
  decidedBy: null,
  decisionReason: null,
  mergeId: null,
  survivorId: null,
  incoming,
  candidate,
  fields: [],
  ...overrides,
});

const merge = (overrides: Partial<MergeSummary>): MergeSummary => ({
  id: '00000000-0000-4000-8000-000000000001',
  survivorId: A,
  mergedId: B,
  origin: 'review',
  reason: null,
  mergedAt: '2026-02-01T10:00:00.000Z',
  mergedBy: 'Front Desk',
  survivorName: 'Ann Example (1980-01-01)',
  mergedName: 'Anne Example (1980-01-01)',
  unmergedAt: null,
  unmergedBy: null,
  moved: {},
  ...overrides,
});

describe('reviewReasonText', () => {
  it('explains the twins guard in plain words', () => {
    expect(reviewReasonText('twins')).toBe('Same birth date and address, different given names');
  });

  it('shows a reason code it does not know as it came', () => {
    expect(reviewReasonText('new-guard')).toBe('new-guard');
  });
});

describe('reviewReasonText for the registration and identifier holds', () => {
  it('explains a staff registration held for its resemblance and an identifier conflict', () => {
    expect(reviewReasonText('strong-match')).toBe(
      'Registered by staff, strongly resembling an existing patient',
    );
    expect(reviewReasonText('identifier-conflict')).toBe(
      'Much alike, but the same system gave them different identifiers',
    );
  });

  it('has words for every reason the index gives', () => {
    for (const reason of [
      'score',
      'twins',
      'self-registration',
      'strong-match',
      'identifier-conflict',
      'birth-date-conflict',
      'name-conflict',
      'sparse',
      'identifier',
    ]) {
      expect(reviewReasonText(reason)).not.toBe(reason);
    }
  });
});

const MERGE_ID = '00000000-0000-4000-8000-0000000000ee';
const DECIDED_AT = '2026-02-01T10:00:00.000Z';

const merged = (survivorId: string | null, mergeId: string | null = MERGE_ID) =>
  review(
    'merged',
    { ...person(A, 'active'), givenName: 'Kathryn' },
    { ...person(B, 'active'), givenName: 'Katherine' },
    { survivorId, mergeId, decidedAt: DECIDED_AT, decidedBy: 'Front Desk' },
  );

describe('mergedPair', () => {
  it('takes the survivor the server names, whichever side it is, even when both stand', () => {
    // Both records active (as after a refetch race): the server's survivorId still decides.
    expect(mergedPair(merged(B))).toMatchObject({
      survivor: { patientId: B, givenName: 'Katherine' },
      merged: { patientId: A, givenName: 'Kathryn' },
    });
    expect(mergedPair(merged(A))).toMatchObject({
      survivor: { patientId: A },
      merged: { patientId: B },
    });
  });

  it('is unknown while open, for different people, or when the server names no survivor', () => {
    expect(mergedPair(review('open', person(A, 'active'), person(B, 'active')))).toBeNull();
    expect(
      mergedPair(review('distinct', person(A, 'active'), person(B, 'active'), { survivorId: A })),
    ).toBeNull();
    expect(mergedPair(merged(null))).toBeNull();
    expect(mergedPair(merged('00000000-0000-4000-8000-00000000000c'))).toBeNull();
  });
});

describe('mergeOfReview', () => {
  it('is the merge the review made, named like the merge history names its records', () => {
    expect(mergeOfReview(merged(B))).toEqual({
      id: MERGE_ID,
      survivorId: B,
      mergedId: A,
      survivorName: 'Katherine Silva (1990-01-01)',
      mergedName: 'Kathryn Silva (1990-01-01)',
      mergedAt: DECIDED_AT,
    });
  });

  it('offers nothing to undo without a merge id, or once the pair is different people', () => {
    expect(mergeOfReview(merged(B, null))).toBeNull();
    // After an unmerge the server turns the item into `distinct`.
    expect(
      mergeOfReview(
        review('distinct', person(A, 'active'), person(B, 'active'), { mergeId: MERGE_ID }),
      ),
    ).toBeNull();
  });
});

describe('decisionText', () => {
  it('says who decided, when, and why', () => {
    const item = merged(B);
    const decided = { ...item, decisionReason: ' Same insurance card ' };
    expect(decisionText(decided)).toBe(
      `Decided by Front Desk on ${formatDateTime(DECIDED_AT)}: Same insurance card`,
    );
  });

  it('leaves out a reason that was not given', () => {
    expect(decisionText(merged(B))).toBe(`Decided by Front Desk on ${formatDateTime(DECIDED_AT)}`);
    expect(decisionText({ ...merged(B), decisionReason: '  ' })).toBe(decisionText(merged(B)));
  });

  it('still reads when the decider is no longer known', () => {
    expect(decisionText({ ...merged(B), decidedBy: null, decisionReason: 'unmerged' })).toBe(
      `Decided by someone on ${formatDateTime(DECIDED_AT)}: unmerged`,
    );
  });
});

describe('record names', () => {
  it('names a review person as merge summaries do', () => {
    expect(personName(person(A, 'active'))).toBe('Ana Silva (1990-01-01)');
  });

  it('reads a summary name with its birth date in words, and anything else as it came', () => {
    expect(readableName('Ann Example (1980-01-04)')).toBe('Ann Example (born Jan 4, 1980)');
    expect(readableName('Mary Ann (Molly) Example (1980-01-04)')).toBe(
      'Mary Ann (Molly) Example (born Jan 4, 1980)',
    );
    expect(readableName('Ann Example')).toBe('Ann Example');
  });
});

describe('MERGE_KEEPS_TEXT', () => {
  it('says the kept record keeps its name, birth date and sex, and that a merge can be undone', () => {
    expect(MERGE_KEEPS_TEXT).toContain('keeps its name, birth date and sex');
    expect(MERGE_KEEPS_TEXT).toContain('undo this merge');
  });
});

describe('merge history', () => {
  it('names the other record and its part, seen from either record, from the summary alone', () => {
    const m = merge({});
    expect(otherParty(m, A)).toEqual({ id: B, name: 'Anne Example (1980-01-01)', role: 'merged' });
    expect(otherParty(m, B)).toEqual({ id: A, name: 'Ann Example (1980-01-01)', role: 'survivor' });
  });

  it('lists what moved without the empty tables', () => {
    expect(describeMoved({ notes: 2, appointments: 1, tasks: 0, patient_contact_points: 3 })).toBe(
      '1 appointments, 2 notes, 3 contact points',
    );
    expect(describeMoved({ tasks: 0 })).toBe('nothing');
  });

  it('lists the newest merge first', () => {
    const older = merge({ id: 'older', mergedAt: '2026-01-01T00:00:00.000Z' });
    const newer = merge({ id: 'newer', mergedAt: '2026-03-01T00:00:00.000Z' });
    expect(sortMerges([older, newer]).map((m) => m.id)).toEqual(['newer', 'older']);
  });
});
