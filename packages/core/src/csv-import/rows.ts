import type { CsvRecord } from './csv.js';
import type { DateOrder } from './dates.js';
import { type ImportType, importFieldOf } from './fields.js';
import type { ColumnMapping } from './mapping.js';

/** What is wrong with one row, pointing at the column and field so the UI can show it inline. */
export interface RowError {
  /** The line of the file the row starts on (1-based). */
  row: number;
  column: string | null;
  field: string | null;
  message: string;
}

/** Choices that change how values are read, the same for every row of one import. */
export interface ReadOptions {
  dateOrder: DateOrder;
}

/** One row's values per field; cells mapped to one field are kept in column order. */
export interface MappedRow {
  row: number;
  values: Map<string, { column: string; value: string }[]>;
  /** The columns mapped to each field, empty cells included, for pointing at errors. */
  columns: ReadonlyMap<string, string>;
}

/** Picks each mapped column's cell out of a record (trimmed; empty cells left out). */
export function mapRow(
  type: ImportType,
  columns: readonly string[],
  mapping: readonly ColumnMapping[],
  record: CsvRecord,
): MappedRow {
  const values = new Map<string, { column: string; value: string }[]>();
  const fieldColumns = new Map<string, string>();
  for (const { column, field } of mapping) {
    const at = columns.indexOf(column);
    if (at < 0 || !importFieldOf(type, field)) continue;
    if (!fieldColumns.has(field)) fieldColumns.set(field, column);
    const value = (record.cells[at] ?? '').trim();
    if (value === '') continue;
    values.set(field, [...(values.get(field) ?? []), { column, value }]);
  }
  return { row: record.line, values, columns: fieldColumns };
}

/** Reads fields of one mapped row, collecting errors instead of stopping at the first. */
export class RowReader {
  readonly errors: RowError[] = [];

  constructor(readonly mapped: MappedRow) {}

  /** The field's text: one column's cell, or the cells joined by spaces; null when empty. */
  text(field: string, maxLength = 200): string | null {
    const cells = this.mapped.values.get(field);
    if (!cells || cells.length === 0) return null;
    const value = cells.map((c) => c.value).join(' ');
    if (value.length > maxLength) {
      this.fail(field, `is longer than ${maxLength} characters`);
      return null;
    }
    return value;
  }

  /** Every cell of a `list` field, each with its column. */
  list(field: string): { column: string; value: string }[] {
    return this.mapped.values.get(field) ?? [];
  }

  /** A required field's text; an error when it is empty. */
  required(field: string, label: string, maxLength = 200): string | null {
    const value = this.text(field, maxLength);
    if (value === null && !this.errors.some((e) => e.field === field)) {
      this.errors.push({
        row: this.mapped.row,
        column: this.columnOf(field),
        field,
        message: `${label} is empty`,
      });
    }
    return value;
  }

  /** Reads a field with `parse`; an error names the column when it fails. */
  parsed<T>(
    field: string,
    parse: (value: string) => { ok: true; value: T } | { ok: false; message: string },
  ): T | null {
    const value = this.text(field);
    if (value === null) return null;
    const result = parse(value);
    if (result.ok) return result.value;
    this.errors.push({
      row: this.mapped.row,
      column: this.columnOf(field),
      field,
      message: result.message,
    });
    return null;
  }

  fail(field: string, message: string, column = this.columnOf(field)): void {
    const label = importFieldLabel(field);
    this.errors.push({
      row: this.mapped.row,
      column,
      field,
      message: message.startsWith('is ') ? `${label} ${message}` : message,
    });
  }

  has(field: string): boolean {
    return (this.mapped.values.get(field)?.length ?? 0) > 0;
  }

  columnOf(field: string): string | null {
    return this.mapped.values.get(field)?.[0]?.column ?? this.mapped.columns.get(field) ?? null;
  }
}

function importFieldLabel(field: string): string {
  return (
    importFieldOf('patients', field)?.label ?? importFieldOf('appointments', field)?.label ?? field
  );
}

/** Either the row as Careloop will store it, or why it cannot be. */
export type RowResult<T> =
  | { ok: true; row: number; value: T }
  | { ok: false; row: number; errors: RowError[] };
