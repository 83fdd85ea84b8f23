import { describe, expect, it } from 'vitest';
import { describePatientTotal } from './total.js';

describe('the patient list total', () => {
  it('says an exact count as it is', () => {
    expect(describePatientTotal({ count: 0, exact: true })).toBe('0 patients');
    expect(describePatientTotal({ count: 1, exact: true })).toBe('1 patient');
    expect(describePatientTotal({ count: 1234, exact: true })).toBe('1,234 patients');
  });

  it('rounds an estimate to two significant figures and says it is one', () => {
    expect(describePatientTotal({ count: 123_456, exact: false })).toBe('about 120,000 patients');
    expect(describePatientTotal({ count: 10_001, exact: false })).toBe('about 10,000 patients');
    expect(describePatientTotal({ count: 9_960, exact: false })).toBe('about 10,000 patients');
  });
});
