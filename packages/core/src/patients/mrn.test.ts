import { describe, expect, it } from 'vitest';
import { DEFAULT_MRN_FORMAT, formatMrn, parseMrnFormat } from './mrn.js';

describe('MRN formats', () => {
  it('pads the sequence to the width the placeholder names', () => {
    expect(formatMrn(DEFAULT_MRN_FORMAT, 1)).toBe('CL-000001');
    expect(formatMrn('CL-{seq:6}', 1_234_567)).toBe('CL-1234567');
    expect(formatMrn('{seq}', 42)).toBe('42');
    expect(formatMrn('N{seq:3}/B', 7)).toBe('N007/B');
  });

  it('refuses a format without exactly one placeholder, or with other characters', () => {
    for (const bad of ['CL-', '{seq}{seq}', 'CL {seq}', '{seq:0}', '{seq:13}', '{SEQ}', 'é{seq}']) {
      expect(parseMrnFormat(bad), bad).toBeNull();
    }
    expect(parseMrnFormat(`${'A'.repeat(40)}{seq}`)).toBeNull();
  });

  it('refuses a sequence that is not a positive integer', () => {
    expect(() => formatMrn('{seq}', 0)).toThrow(RangeError);
    expect(() => formatMrn('{seq}', 1.5)).toThrow(RangeError);
  });
});
