import type { ReviewItem, ReviewPerson } from '@careloop/core';
import { describe, expect, it } from 'vitest';
import { comparisonRows, formatScore, formatWeight, rowLevel } from './comparison';

const person = (overrides: Partial<ReviewPerson>): ReviewPerson => ({
  patientId: '00000000-0000-4000-8000-000000000001',
  status: 'active',
  givenName: 'Katherine',
  middleName: null,
  familyName: 'Novak',
  birthDate: '1984-03-17',
  administrativeSex: 'female',
  address: '12 Elm St, Springfield, IL 62701',
  phones: [],
  emails: [],
  identifiers: [],
  createdAt: '2026-01-02T10:00:00.000Z',
  sources: [],
  ...overrides,
});

const item = (fields: ReviewItem['fields']): ReviewItem => ({
  id: '00000000-0000-4000-8000-0000000000aa',
  status: 'open',
  score: 9.37,
  reason: 'score',
  createdAt: '2026-01-03T10:00:00.000Z',
  decidedAt: null,
  decidedBy: null,
  decisionReason: null,
  mergeId: null,
  survivorId: null,
  incoming: person({ givenName: 'Catherine', phones: ['+12175550100'] }),
  candidate: person({ patientId: '00000000-0000-4000-8000-000000000002' }),
  fields,
});

describe('comparisonRows', () => {
  it('puts each compared field on its own row with both records’ values, in reading order', () => {
    const rows = comparisonRows(
      item([
        { field: 'phone', level: 'missing', weight: 0 },
        { field: 'given', level: 'similar', weight: 2.5 },
        { field: 'family', level: 'exact', weight: 6 },
        { field: 'birthDate', level: 'exact', weight: 9.1 },
      ]),
    );
    expect(rows.map((r) => r.label)).toEqual(['Given name', 'Family name', 'Birth date', 'Phone']);
    expect(rows[0]).toMatchObject({
      incoming: ['Catherine'],
      candidate: ['Katherine'],
      level: 'similar',
      weight: 2.5,
    });
    expect(rows[2]?.incoming).toEqual(['Mar 17, 1984']);
    expect(rows[3]).toMatchObject({ incoming: ['+12175550100'], candidate: [], level: 'missing' });
  });

  it('shows the four address parts in one row, as disagreeing when any part disagrees', () => {
    const rows = comparisonRows(
      item([
        { field: 'line', level: 'exact', weight: 3 },
        { field: 'city', level: 'exact', weight: 1 },
        { field: 'state', level: 'exact', weight: 0.5 },
        { field: 'postalCode', level: 'disagree', weight: -2 },
      ]),
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ key: 'address', level: 'disagree', weight: 2.5 });
    expect(rows[0]?.fields.map((f) => f.field)).toEqual(['line', 'city', 'state', 'postalCode']);
  });

  it('keeps a field this screen does not know, so the whole score stays explained', () => {
    const rows = comparisonRows(item([{ field: 'mothersMaidenName', level: 'exact', weight: 4 }]));
    expect(rows).toEqual([
      expect.objectContaining({ label: 'mothersMaidenName', level: 'exact', weight: 4 }),
    ]);
  });
});

describe('rowLevel', () => {
  it('is the least agreeing known level, and missing only when every part is missing', () => {
    expect(rowLevel(['exact', 'missing', 'similar'])).toBe('similar');
    expect(rowLevel(['exact', 'missing'])).toBe('exact');
    expect(rowLevel(['missing', 'missing'])).toBe('missing');
    expect(rowLevel(['exact', 'disagree'])).toBe('disagree');
  });
});

describe('formatWeight and formatScore', () => {
  it('signs weights as evidence for or against, with a real minus sign', () => {
    expect(formatWeight(4.24)).toBe('+4.2');
    expect(formatWeight(-3.06)).toBe('−3.1');
    expect(formatWeight(0.04)).toBe('0.0');
    expect(formatWeight(-0.04)).toBe('0.0');
  });

  it('shows a score to one decimal', () => {
    expect(formatScore(9.37)).toBe('9.4');
    expect(formatScore(-2)).toBe('-2.0');
  });
});
