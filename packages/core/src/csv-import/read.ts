import { type AppointmentImportRow, readAppointmentRow } from './appointments.js';
import {
  type CsvRecord,
  CsvSyntaxError,
  type CsvTable,
  type Delimiter,
  detectDelimiter,
  detectHeaderRow,
  parseCsv,
  tableOf,
} from './csv.js';
import type { DateOrder } from './dates.js';
import type { ImportType } from './fields.js';
import { type ColumnMapping, checkMapping, knownFieldCount, type MappingIssue } from './mapping.js';
import { type PatientImportRow, readPatientRow } from './patients.js';
import { mapRow, type RowResult } from './rows.js';

/** How to read one file; what is omitted is detected. */
export interface ReadSettings {
  type: ImportType;
  delimiter?: Delimiter;
  /** The line (1-based) the header row is on. */
  headerLine?: number;
}

/** A file split into records, with the delimiter and header row used (given or detected). */
export interface ReadFile {
  table: CsvTable;
  headerLine: number;
  /** The records above the header, kept so a UI can offer them as the header instead. */
  records: CsvRecord[];
}

/** Parses a whole file into a table; throws `CsvSyntaxError` when it cannot be read. */
export function readCsvFile(text: string, settings: ReadSettings): ReadFile {
  const delimiter = settings.delimiter ?? detectDelimiter(text);
  const records = parseCsv(text, delimiter);
  let headerIndex: number;
  if (settings.headerLine !== undefined) {
    const line = settings.headerLine;
    // A blank line chosen as the header: the next record below it.
    headerIndex = records.findIndex((r) => r.line >= line);
    if (headerIndex < 0) {
      throw new CsvSyntaxError(`The file has no line ${line} to use as the header`, line);
    }
  } else {
    headerIndex = detectHeaderRow(records, (cells) => knownFieldCount(settings.type, cells));
  }
  const table = tableOf(records, delimiter, Math.max(headerIndex, 0));
  return {
    table,
    headerLine: records[table.headerIndex]?.line ?? 1,
    records: records.slice(0, table.headerIndex + 1),
  };
}

export interface ValidatedRows<T> {
  mappingIssues: MappingIssue[];
  results: RowResult<T>[];
}

/** Maps and validates every data row of a patient file. */
export function validatePatients(
  table: CsvTable,
  mapping: readonly ColumnMapping[],
  options: { dateOrder: DateOrder; asOf: Date },
): ValidatedRows<PatientImportRow> {
  const mappingIssues = checkMapping('patients', table.columns, mapping);
  if (mappingIssues.length > 0) return { mappingIssues, results: [] };
  return {
    mappingIssues,
    results: validatePatientRows(table, mapping, options, 0, table.rows.length),
  };
}

/**
 * Data rows `from` to `to` (exclusive) of a patient file, mapped and validated, for callers
 * that validate a large file a slice at a time; the mapping must have passed `checkMapping`.
 */
export function validatePatientRows(
  table: CsvTable,
  mapping: readonly ColumnMapping[],
  options: { dateOrder: DateOrder; asOf: Date },
  from: number,
  to: number,
): RowResult<PatientImportRow>[] {
  return table.rows
    .slice(from, to)
    .map((record) => readPatientRow(mapRow('patients', table.columns, mapping, record), options));
}

/** Maps and validates every data row of an appointment file. */
export function validateAppointments(
  table: CsvTable,
  mapping: readonly ColumnMapping[],
  options: { dateOrder: DateOrder },
): ValidatedRows<AppointmentImportRow> {
  const mappingIssues = checkMapping('appointments', table.columns, mapping);
  if (mappingIssues.length > 0) return { mappingIssues, results: [] };
  return {
    mappingIssues,
    results: validateAppointmentRows(table, mapping, options, 0, table.rows.length),
  };
}

/** `validatePatientRows` for an appointment file. */
export function validateAppointmentRows(
  table: CsvTable,
  mapping: readonly ColumnMapping[],
  options: { dateOrder: DateOrder },
  from: number,
  to: number,
): RowResult<AppointmentImportRow>[] {
  return table.rows
    .slice(from, to)
    .map((record) =>
      readAppointmentRow(mapRow('appointments', table.columns, mapping, record), options),
    );
}
