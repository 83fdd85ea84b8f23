import { describe, expect, it } from 'vitest';
import { pathOfNul } from './nul.js';

describe('pathOfNul', () => {
  it('names the first string holding a NUL character as a JSON pointer', () => {
    expect(pathOfNul({ a: 'ok', b: [{ c: 'x' }, { 'd/e': 'y\u0000' }] })).toBe('/b/1/d~1e');
    expect(pathOfNul({ first: 'a\u0000', second: 'b\u0000' })).toBe('/first');
    expect(pathOfNul('\u0000')).toBe('');
    expect(pathOfNul({ 'k\u0000': 1 })).toBe('/k');
  });

  it('finds none in clean values of any depth', () => {
    let deep: unknown = 'leaf';
    for (let i = 0; i < 100_000; i += 1) deep = [deep];
    expect(pathOfNul(deep)).toBeNull();
    expect(pathOfNul({ n: 1, b: true, z: null })).toBeNull();
  });
});
