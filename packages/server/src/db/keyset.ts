import { badRequest, type CursorValues, decodeCursor, encodeCursor } from '@careloop/core';

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Decodes a keyset cursor of `length` strings whose last value is a row id. A cursor that does
 * not have that shape is the client's mistake (400), never a database error.
 */
export function decodeKeyset(cursor: string, length: number): string[] {
  const values = decodeCursor(cursor, length);
  const strings = values.filter((v): v is string => typeof v === 'string');
  const id = strings[length - 1];
  if (strings.length !== length || !id || !UUID.test(id)) {
    throw badRequest('The cursor is not valid', '/query/cursor');
  }
  return strings;
}

/** Cuts a page from `limit + 1` fetched rows and encodes the last row's key as the next cursor. */
export function pageOf<R, T>(
  rows: R[],
  limit: number,
  key: (row: R) => CursorValues,
  toItem: (row: R) => T,
): { items: T[]; nextCursor: string | null } {
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    items: page.map(toItem),
    nextCursor: rows.length > limit && last ? encodeCursor(key(last)) : null,
  };
}

/** Escapes the user's own `%`, `_` and `\` for LIKE. */
export const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);
