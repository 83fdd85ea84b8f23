import { describe, expect, it } from 'vitest';
import { nysiis } from './phonetic.js';

describe('nysiis', () => {
  it('gives names that sound alike one code', () => {
    expect(nysiis('MacDonald')).toBe(nysiis('McDonald'));
    expect(nysiis('Phillips')).toBe(nysiis('Filips'));
    expect(nysiis('Johnson')).toBe(nysiis('Jonson'));
    expect(nysiis('Brown')).toBe(nysiis('Braun'));
    expect(nysiis('Sarah')).toBe(nysiis('Sara'));
  });

  it('gives the codes of the published algorithm', () => {
    expect(nysiis('Knight')).toBe('NAGT');
    expect(nysiis('Schmidt')).toBe('SNAD');
    expect(nysiis('Harrington')).toBe('HARANG');
  });

  it('keeps different names apart and ignores accents and punctuation', () => {
    expect(nysiis('Smith')).not.toBe(nysiis('Jones'));
    expect(nysiis("O'Brien")).toBe(nysiis('OBrien'));
    expect(nysiis('Müller')).toBe(nysiis('Muller'));
    expect(nysiis('  ')).toBe('');
  });
});
