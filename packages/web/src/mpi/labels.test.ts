import type { MergeSummary, ReviewItem, ReviewPerson } from '@careloop/core';
import { describe, expect, it } from 'vitest';
import { describeMoved, otherParty, reviewReasonText, sortMerges, survivorOf } from './labels';

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

describe('survivorOf', () => {
  it('is the record of a merged pair that was not itself merged, whichever side it is', () => {
    expect(survivorOf(review('merged', person(A, 'merged'), person(B, 'active')))).toBe(B);
    expect(survivorOf(review('merged', person(A, 'active'), person(B, 'merged')))).toBe(A);
  });

  it('is unknown while open, for different people, and once the merge was undone', () => {
    expect(survivorOf(review('open', person(A, 'active'), person(B, 'active')))).toBeNull();
    expect(survivorOf(review('distinct', person(A, 'active'), person(B, 'active')))).toBeNull();
    expect(survivorOf(review('merged', person(A, 'active'), person(B, 'active')))).toBeNull();
  });
});

describe('merge history', () => {
  it('names the other record and its part, seen from either record', () => {
    const m = merge({});
    expect(otherParty(m, A)).toEqual({ id: B, role: 'merged' });
    expect(otherParty(m, B)).toEqual({ id: A, role: 'survivor' });
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
