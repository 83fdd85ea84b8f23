import { CareloopError } from '../errors/problem.js';

/**
 * Keyset pagination cursors: the sort key values of the last row of a page, as base64url
 * JSON. Opaque to clients; a malformed cursor is a 400, never a 500.
 */
export type CursorValues = (string | number | null)[];

const toBase64Url = (s: string) =>
  btoa(String.fromCharCode(...new TextEncoder().encode(s)))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');

const fromBase64Url = (s: string) => {
  const bin = atob(s.replace(/-/g, '+').replace(/_/g, '/'));
  return new TextDecoder().decode(Uint8Array.from(bin, (c) => c.charCodeAt(0)));
};

export function encodeCursor(values: CursorValues): string {
  return toBase64Url(JSON.stringify(values));
}

export function decodeCursor(cursor: string, expectedLength: number): CursorValues {
  let parsed: unknown;
  try {
    parsed = JSON.parse(fromBase64Url(cursor));
  } catch {
    throw new CareloopError('bad_request', 'The cursor is not valid', '/query/cursor');
  }
  const ok =
    Array.isArray(parsed) &&
    parsed.length === expectedLength &&
    parsed.every((v) => v === null || typeof v === 'string' || typeof v === 'number');
  if (!ok) {
    throw new CareloopError('bad_request', 'The cursor is not valid', '/query/cursor');
  }
  return parsed as CursorValues;
}
