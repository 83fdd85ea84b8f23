import type { SQL } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import pg from 'pg';

const dialect = new PgDialect();

/** An array as PostgreSQL's text form (`{a,"b c",NULL}`), as node-postgres sends arrays. */
function arrayText(values: readonly unknown[]): string {
  const items = values.map((v) => {
    if (v === null || v === undefined) return 'NULL';
    if (Array.isArray(v)) return arrayText(v);
    const text = v instanceof Date ? v.toISOString() : String(v);
    return `"${text.replace(/(["\\])/g, '\\$1')}"`;
  });
  return `{${items.join(',')}}`;
}

/**
 * A string as an SQL literal. Long ones (a bulk write's JSON) are dollar-quoted with a tag they
 * do not contain, which needs one search instead of escaping every character.
 */
function quote(text: string): string {
  if (text.length < 256) return pg.escapeLiteral(text);
  for (let n = 0; ; n += 1) {
    const tag = `$q${n}$`;
    // The first tag in text-and-closing-tag must be the closing one: a text ending in `$q0`
    // would otherwise close early on its own last characters.
    if ((text + tag).indexOf(tag) === text.length) return ` ${tag}${text}${tag}`;
  }
}

/** A parameter as an SQL literal, in the text form node-postgres would have sent it. */
function literal(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'boolean') return value ? "'true'" : "'false'";
  if (typeof value === 'number' || typeof value === 'bigint') {
    if (typeof value === 'number' && !Number.isFinite(value)) {
      throw new Error('inlineSql: a number that is not finite');
    }
    return `'${String(value)}'`;
  }
  if (value instanceof Date) return quote(value.toISOString());
  if (Array.isArray(value)) return quote(arrayText(value));
  if (typeof value === 'string') return quote(value);
  return quote(JSON.stringify(value));
}

/**
 * A statement with its parameters written in as literals (node-postgres's `escapeLiteral`), for
 * the simple query protocol, which takes several statements in one round trip but no
 * parameters. Numbers and booleans are quoted too, so a literal always takes the type its
 * context gives it, as a parameter would. The statement's own text must not contain `$n`
 * outside parameters: it is built by Careloop with drizzle's `sql`, whose values are always
 * parameters.
 */
export function inlineSql(query: SQL): string {
  const { sql: text, params } = dialect.sqlToQuery(query);
  return text.replace(/\$(\d+)/g, (whole, n: string) => {
    const index = Number(n) - 1;
    if (index < 0 || index >= params.length) throw new Error(`inlineSql: no parameter ${whole}`);
    return literal(params[index]);
  });
}
