import { getTableColumns, getTableName, type SQL, sql } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';
import type { Db } from './client.js';

/**
 * Bulk writes as few statements as possible, for the writers that batch (the FHIR importer, the
 * HL7 listener): rows travel as one JSON parameter expanded by `json_populate_recordset`, a few
 * bind parameters instead of thousands, and the statements of a flush run as one statement
 * (`runAll`), one round trip whatever the number of tables.
 */

/** Rows per statement: a JSON parameter of a few megabytes at most. */
const CHUNK = 2000;

function chunks<T>(rows: T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += size) out.push(rows.slice(i, i + size));
  return out;
}

/** Groups rows by their set of keys, so each statement lists the columns every row has. */
function byShape(rows: Record<string, unknown>[]): Record<string, unknown>[][] {
  const groups = new Map<string, Record<string, unknown>[]>();
  for (const row of rows) {
    const shape = Object.keys(row).sort().join(',');
    const group = groups.get(shape) ?? [];
    group.push(row);
    groups.set(shape, group);
  }
  return [...groups.values()];
}

/** A schema name as an SQL identifier. */
const quoted = (identifier: string) => `"${identifier.replace(/"/g, '""')}"`;

/**
 * A value that is JSON text already (a raw FHIR resource as canonical JSON): it goes into the
 * statement's JSON as it is, rather than parsed and written again.
 */
export class JsonText {
  constructor(readonly text: string) {}
}

/** One row as JSON, its values of JsonText (in the columns `raw`) written as they are. */
function rowJson(row: Record<string, unknown>, raw: readonly string[]): string {
  const rest: Record<string, unknown> = {};
  const tail: string[] = [];
  for (const key of Object.keys(row)) {
    const value = row[key];
    if (raw.includes(key)) {
      tail.push(
        `${JSON.stringify(key)}:${value instanceof JsonText ? value.text : (JSON.stringify(value) ?? 'null')}`,
      );
    } else rest[key] = value;
  }
  if (tail.length === 0) return JSON.stringify(rest);
  const head = JSON.stringify(rest).slice(0, -1); // without its closing brace
  return `${head}${head.length > 1 ? ',' : ''}${tail.join(',')}}`;
}

/** The column names of rows of one shape, and the rows re-keyed by them, as the JSON parameter. */
function payloadOf(table: PgTable, rows: Record<string, unknown>[]) {
  const columns = getTableColumns(table);
  const first = rows[0] ?? {};
  const keys = Object.keys(first);
  const names = keys.map((key) => {
    const column = columns[key];
    if (!column) throw new Error(`${getTableName(table)} has no column ${key}`);
    return column.name;
  });
  // Rows of one shape (see byShape): the same keys, renamed to column names in one loop.
  const payload = rows.map((row) => {
    const out: Record<string, unknown> = {};
    for (let i = 0; i < keys.length; i += 1) out[names[i] ?? ''] = row[keys[i] ?? ''];
    return out;
  });
  const raw = names.filter((_, i) => first[keys[i] ?? ''] instanceof JsonText);
  const json =
    raw.length === 0
      ? JSON.stringify(payload)
      : `[${payload.map((row) => rowJson(row, raw)).join(',')}]`;
  return { names, json };
}

/** The rows by shape and chunk, each part with its column names and JSON parameter. */
function partsOf(table: PgTable, rows: Record<string, unknown>[]) {
  return byShape(rows).flatMap((shape) =>
    chunks(shape).map((part) => ({ ...payloadOf(table, part), rows: part })),
  );
}

/**
 * INSERT statements for rows of one table, one per shape of row and chunk: `insert … select
 * from json_populate_recordset(null::table, $1)`. Every row of a shape lists the same keys; a
 * key present with `undefined` or `null` inserts NULL (not the column's default).
 */
export function insertStatements(
  table: PgTable,
  rows: Record<string, unknown>[],
  onConflict: SQL = sql``,
): SQL[] {
  const name = quoted(getTableName(table));
  return partsOf(table, rows).map(({ names, json }) => {
    const list = names.map(quoted).join(', ');
    // The table and column names are the schema's own: written as text, one chunk instead of a
    // fragment each (building a statement from fragments costs more than running it).
    return sql`${sql.raw(`insert into ${name} (${list}) select ${list} from json_populate_recordset(null::${name}, `)}${json}${sql.raw('::json) ')}${onConflict}`;
  });
}

/**
 * UPDATE statements setting, for each row, the columns it carries on the row with its `id` (a
 * uuid primary key):
 * `update table set c = v.c … from json_populate_recordset(null::table, $1) v where table.id =
 * v.id`. One statement per shape of row and chunk; each id at most once per statement.
 */
export function updateStatements(
  table: PgTable,
  rows: ({ id: string } & Record<string, unknown>)[],
): SQL[] {
  const name = quoted(getTableName(table));
  const statements: SQL[] = [];
  for (const { names, json, rows: part } of partsOf(table, rows)) {
    const set = names
      .filter((n) => n !== 'id')
      .map((n) => `${quoted(n)} = v.${quoted(n)}`)
      .join(', ');
    if (!set) continue;
    // The ids again as an array, so the planner reads each row by primary key: it cannot count
    // the rows of json_populate_recordset and takes a hundred, enough for it to scan a small
    // table whole.
    const ids = part.map((row) => row.id);
    statements.push(
      sql`${sql.raw(`update ${name} set ${set} from json_populate_recordset(null::${name}, `)}${json}${sql.raw(`::json) v where ${name}.id = v.id and ${name}.id = any(`)}${sql.param(ids)}${sql.raw('::uuid[])')}`,
    );
  }
  return statements;
}

/**
 * Runs data-modifying statements as one statement, each a WITH clause: one round trip whatever
 * their number. PostgreSQL runs every clause to completion and checks foreign keys at the end
 * of the statement, when all the rows are in, so rows may refer to rows of another clause. No
 * clause sees what another writes, and no two may change the same row: callers write rows whose
 * ids they know, and update only rows that were there before.
 */
export async function runAll(tx: Db, statements: SQL[]): Promise<void> {
  const statement = combined(statements);
  if (statement) await tx.execute(statement);
}

/** The statements as one (see `runAll`), or null when there are none. */
export function combined(statements: SQL[]): SQL | null {
  const [only] = statements;
  if (!only) return null;
  if (statements.length === 1) return only;
  const clauses = statements.map((statement, i) => sql`${sql.raw(`w${i}`)} as (${statement})`);
  return sql`with ${sql.join(clauses, sql`, `)} select 1`;
}
