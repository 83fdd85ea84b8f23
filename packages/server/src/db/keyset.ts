import {
  type CursorKey,
  type CursorValues,
  decodeKeysetCursor,
  encodeCursor,
} from '@careloop/core';
import { type SQL, sql } from 'drizzle-orm';

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Decodes a keyset cursor whose values have the given kinds (the last is usually the row's
 * `uuid`). A cursor that does not have that shape is the client's mistake (400 naming
 * `cursor`), never a database error.
 */
export function decodeKeyset(cursor: string, kinds: readonly CursorKey[]): string[] {
  return decodeKeysetCursor(cursor, kinds);
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

/**
 * The strings that start with `prefix` as a range, `lower ≤ s < upper` in the byte order of the
 * `text_pattern_ops` indexes (`~>=~`, `~<~`): `upper` is the prefix with its last character
 * incremented. Null when there is no such simple bound (an empty prefix, or one ending near the
 * surrogate range).
 */
export function prefixBounds(prefix: string): { lower: string; upper: string } | null {
  const last = prefix.codePointAt(prefix.length - 1);
  if (prefix === '' || last === undefined || last >= 0xd7ff) return null;
  return { lower: prefix, upper: `${prefix.slice(0, -1)}${String.fromCodePoint(last + 1)}` };
}

/**
 * `column` starts with `prefix`, as a range the `text_pattern_ops` indexes answer
 * (`prefixBounds`). PGlite's planner does not turn `like 'abc%'` into an index range, so a
 * prefix `like` scans the table there; the range is the same condition, and uses the index on
 * both databases.
 */
export function startsWith(column: SQL, prefix: string): SQL {
  const bounds = prefixBounds(prefix);
  if (!bounds) return sql`${column} like ${`${escapeLike(prefix)}%`}`;
  return sql`(${column} ~>=~ ${bounds.lower} and ${column} ~<~ ${bounds.upper})`;
}
