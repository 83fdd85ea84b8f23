/**
 * Canonical JSON: object keys sorted (UTF-16 code unit order, never the locale's), so equal
 * content always gives equal text, whatever order its keys were written or stored in (jsonb
 * does not keep it). The one canonical form of Careloop: content hashes of FHIR resources, and
 * comparisons of stored and incoming source records.
 */

/**
 * How deep a resource's JSON may nest. Real resources reach about twenty levels (contained
 * resources, extensions in extensions, Questionnaire items in items); everything that walks a
 * resource (this, the validator, the mappers) recurses, so one nested thousands deep would
 * overflow the stack instead of being refused.
 */
export const MAX_JSON_DEPTH = 100;

/** A value nested deeper than MAX_JSON_DEPTH: refused, not hashed. */
export class JsonTooDeep extends Error {
  override readonly name = 'JsonTooDeep';
  constructor() {
    super(`The resource nests objects and arrays more than ${MAX_JSON_DEPTH} deep`);
  }
}

/**
 * JSON with object keys sorted, so equal content always gives equal text. Throws JsonTooDeep
 * for a value nested deeper than MAX_JSON_DEPTH.
 */
export function canonicalJson(value: unknown): string {
  // The importer hashes every resource it receives, so this runs over every byte of every
  // bundle: a copy with its keys in order, written by JSON.stringify, is faster than appending
  // the text piece by piece (a third, on the Synthea bundles), and gives the same text. Objects whose key order a copy
  // cannot keep (integer-like keys, which JavaScript enumerates first; `__proto__`) are
  // written piece by piece.
  const copy = sortedCopy(value);
  return copy === UNSORTABLE ? writeCanonical(value) : (JSON.stringify(copy) ?? 'null');
}

const UNSORTABLE: unique symbol = Symbol('unsortable');
const ARRAY_INDEX = /^(?:0|[1-9]\d{0,9})$/;

const isArrayIndex = (key: string) => ARRAY_INDEX.test(key) && Number(key) < 4_294_967_295;

/** A copy of `value` whose objects list their keys sorted; UNSORTABLE when one cannot. */
function sortedCopy(value: unknown, depth = 1): unknown {
  if (typeof value === 'function' || typeof value === 'symbol') return null;
  if (typeof value !== 'object' || value === null) return value;
  if (depth > MAX_JSON_DEPTH) throw new JsonTooDeep();
  if (Array.isArray(value)) {
    const out: unknown[] = new Array(value.length);
    for (let i = 0; i < value.length; i += 1) {
      const item = sortedCopy(value[i], depth + 1);
      if (item === UNSORTABLE) return UNSORTABLE;
      out[i] = item;
    }
    return out;
  }
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record);
  // Integer-like keys come first when present, whatever the order they were added in.
  if (keys.length > 0 && isArrayIndex(keys[0] ?? '')) return UNSORTABLE;
  keys.sort();
  const out: Record<string, unknown> = {};
  for (const key of keys) {
    if (key === '__proto__') return UNSORTABLE;
    const v = record[key];
    if (v === undefined) continue;
    const item = sortedCopy(v, depth + 1);
    if (item === UNSORTABLE) return UNSORTABLE;
    out[key] = item;
  }
  return out;
}

/** `canonicalJson` written piece by piece: for any value, at about a third of the speed. */
function writeCanonical(value: unknown, depth = 1): string {
  if (typeof value !== 'object' || value === null) return JSON.stringify(value) ?? 'null';
  if (depth > MAX_JSON_DEPTH) throw new JsonTooDeep();
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i += 1) {
      if (i > 0) out += ',';
      out += writeCanonical(value[i], depth + 1);
    }
    return `${out}]`;
  }
  const record = value as Record<string, unknown>;
  // Keys in UTF-16 code unit order, as the default sort compares strings.
  const keys = Object.keys(record).sort();
  let out = '{';
  let first = true;
  for (const key of keys) {
    const v = record[key];
    if (v === undefined) continue;
    if (!first) out += ',';
    first = false;
    out += `${JSON.stringify(key)}:${writeCanonical(v, depth + 1)}`;
  }
  return `${out}}`;
}
