import { describe, expect, it } from 'vitest';
import { canonicalJson, JsonTooDeep, MAX_JSON_DEPTH } from './canonical.js';

describe('canonicalJson', () => {
  it('orders keys by UTF-16 code unit at every depth, never by locale', () => {
    // localeCompare would put "a" before "B" and "é" before "z"; code units put capitals first
    // and "é" (U+00E9) after "z".
    expect(canonicalJson({ z: 1, é: 2, a: { y: [3, { b: 1, A: 2 }], B: null } })).toBe(
      '{"a":{"B":null,"y":[3,{"A":2,"b":1}]},"z":1,"é":2}',
    );
  });

  it('gives equal text for equal content written in another key order', () => {
    expect(canonicalJson({ b: 1, a: [1, 2] })).toBe(canonicalJson({ a: [1, 2], b: 1 }));
  });

  it('keeps the order of integer-like keys, which objects enumerate first', () => {
    expect(canonicalJson({ b: 1, 10: 'x', 2: 'y' })).toBe('{"10":"x","2":"y","b":1}');
  });

  it('refuses a value nested deeper than the limit instead of overflowing the stack', () => {
    let deep: unknown = 1;
    for (let i = 0; i <= MAX_JSON_DEPTH; i += 1) deep = [deep];
    expect(() => canonicalJson(deep)).toThrow(JsonTooDeep);
  });
});
