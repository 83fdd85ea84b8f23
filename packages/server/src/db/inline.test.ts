import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase, openTestDatabase } from '../test/databases.js';
import type { Database } from './client.js';
import { inlineSql } from './inline.js';
import { rowsOf } from './rows.js';

/** Values that have broken literal quoting elsewhere: quotes, backslashes, `$1`, braces, NUL-free unicode. */
const NASTY = [
  "O'Brien",
  "''; drop table patients; --",
  "back\\slash \\' and \\\\ two",
  '$1 $2 $10 not parameters',
  '{"a": [1, "b\\"c"]}',
  'Zoë 山田 \u2028 line',
  '',
  // Long enough to be dollar-quoted, and holding the first tags that quoting would try.
  `${'x'.repeat(300)} $q0$ $q1$ 'quoted' \\ $$ end`,
  // Ending in the start of a tag, so that the tag after it would close the quote early.
  `${'y'.repeat(300)} $q0`,
  `q0$ ${'z'.repeat(300)}$`,
];

describeEachDatabase('inlineSql', (kind) => {
  let database: Database;
  beforeAll(async () => {
    database = await openTestDatabase(kind);
  });
  afterAll(() => database.close());

  /** The same statement sent with parameters and with its values written in. */
  const both = async <T>(query: ReturnType<typeof sql>) => {
    const bound = rowsOf<T>(await database.db.execute(query));
    const inlined = rowsOf<T>(await database.db.execute(sql.raw(inlineSql(query))));
    return { bound, inlined };
  };

  it('writes strings in so they read back exactly as parameters do', async () => {
    for (const value of NASTY) {
      const { bound, inlined } = await both<{ v: string }>(sql`select ${value}::text as v`);
      expect(inlined).toEqual(bound);
      expect(inlined[0]?.v).toBe(value);
    }
  });

  it('writes arrays, JSON, numbers, dates, booleans and NULL in', async () => {
    const when = new Date('2024-03-01T13:15:00.000Z');
    const { bound, inlined } = await both<Record<string, unknown>>(sql`select
      ${sql.param(NASTY)}::text[] as texts,
      ${sql.param(['2d0b5b52-5a8f-4d38-9a1b-0c1de8d7a2f1'])}::uuid[] as ids,
      ${JSON.stringify({ q: NASTY })}::json as doc,
      ${42} + 1 as n,
      ${2.5}::numeric as x,
      ${when}::timestamptz as at,
      ${true}::boolean as yes,
      ${false} as untyped,
      ${null}::text as nothing`);
    expect(inlined).toEqual(bound);
    expect(inlined[0]).toMatchObject({
      texts: NASTY,
      n: 43,
      yes: true,
      untyped: 'false',
      nothing: null,
    });
  });

  it('refuses a placeholder it has no value for', () => {
    expect(() => inlineSql(sql.raw('select $1'))).toThrow(/no parameter/);
  });
});
