import {
  FIELD_CATALOGS,
  IDENTIFIER_PREFIX,
  type ImportField,
  type ImportType,
  importFieldOf,
} from './fields.js';

/** Which column feeds which Careloop field. A column maps to at most one field. */
export interface ColumnMapping {
  column: string;
  field: string;
}

/** A mapping problem, for the column (or the field, when a required one is missing). */
export interface MappingIssue {
  column: string | null;
  field: string | null;
  message: string;
}

/** A header in a loose form: lower case, letters and digits, single spaces (`Date_of-Birth` → `date of birth`). */
export function headerKey(header: string): string {
  return header
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

/** Last words too vague to name a field alone: `Hospital ID` is not the source id. */
const GENERIC_TAILS = new Set(['id', 'no', 'number', 'name', 'date', 'time', 'type', 'code', 'st']);

/** Synonym lookups per import type, built once. */
const SYNONYMS = new Map<ImportType, Map<string, ImportField>>();

function synonymsOf(type: ImportType): Map<string, ImportField> {
  let table = SYNONYMS.get(type);
  if (!table) {
    table = new Map();
    for (const f of FIELD_CATALOGS[type]) {
      table.set(headerKey(f.key), f);
      table.set(headerKey(f.label), f);
      for (const s of f.synonyms) table.set(headerKey(s), f);
    }
    SYNONYMS.set(type, table);
  }
  return table;
}

/** The field a header names, by synonym (`DOB`, `Date of Birth`, `Surname`, `Zip`…); null when unknown. */
export function fieldForHeader(type: ImportType, header: string): ImportField | null {
  const key = headerKey(header);
  const table = synonymsOf(type);
  const exact = table.get(key);
  if (exact) return exact;
  // `Patient Last Name`, `Home Zip`: a known phrase at the end of the header.
  const words = key.split(' ');
  for (let start = 1; start < words.length; start++) {
    const phrase = words.slice(start).join(' ');
    const tail = GENERIC_TAILS.has(phrase) ? undefined : table.get(phrase);
    if (tail) return tail;
  }
  return null;
}

/** How many of a row's cells name a known field: how header-like the row is. */
export const knownFieldCount = (type: ImportType, cells: readonly string[]): number =>
  cells.filter((c) => c.trim() !== '' && fieldForHeader(type, c) !== null).length;

/**
 * A mapping suggested from the headers: each column whose name is a synonym of a field, except
 * that a `single` field takes only its first column.
 */
export function suggestMapping(type: ImportType, columns: readonly string[]): ColumnMapping[] {
  const taken = new Set<string>();
  const out: ColumnMapping[] = [];
  for (const column of columns) {
    const f = fieldForHeader(type, column);
    if (!f) continue;
    if (f.cardinality === 'single' && taken.has(f.key)) continue;
    taken.add(f.key);
    out.push({ column, field: f.key });
  }
  return out;
}

/**
 * Checks a mapping against the file's columns and the catalog: every column exists and is
 * mapped once, every field is known, `single` fields have one column, required fields are
 * mapped (for appointments: a start, and a way to find the patient).
 */
export function checkMapping(
  type: ImportType,
  columns: readonly string[],
  mapping: readonly ColumnMapping[],
): MappingIssue[] {
  const issues: MappingIssue[] = [];
  const byField = new Map<string, string[]>();
  const seenColumns = new Set<string>();
  for (const { column, field } of mapping) {
    if (!columns.includes(column)) {
      issues.push({ column, field, message: `The file has no column "${column}"` });
      continue;
    }
    if (seenColumns.has(column)) {
      issues.push({ column, field, message: `Column "${column}" is mapped twice` });
      continue;
    }
    seenColumns.add(column);
    const f = importFieldOf(type, field);
    if (!f) {
      const message =
        type === 'patients' && field.startsWith(IDENTIFIER_PREFIX)
          ? `Name the identifier system of column "${column}"`
          : `"${field}" is not a field of ${type}`;
      issues.push({ column, field, message });
      continue;
    }
    byField.set(f.key, [...(byField.get(f.key) ?? []), column]);
  }
  for (const [key, cols] of byField) {
    const f = importFieldOf(type, key);
    if (f?.cardinality === 'single' && cols.length > 1) {
      issues.push({
        column: cols[1] ?? null,
        field: key,
        message: `${f.label} can come from one column only (mapped from ${cols.map((c) => `"${c}"`).join(', ')})`,
      });
    }
  }
  const has = (key: string) => byField.has(key);
  for (const f of FIELD_CATALOGS[type]) {
    if (f.required && !has(f.key)) {
      issues.push({ column: null, field: f.key, message: `Map a column to ${f.label}` });
    }
  }
  if (type === 'appointments') {
    if (!has('start') && !(has('date') && has('time'))) {
      issues.push({
        column: null,
        field: 'start',
        message: 'Map a column to Start, or one to Date and one to Time',
      });
    }
    if (!has('patientMrn') && !has('patientSourceId')) {
      issues.push({
        column: null,
        field: 'patientMrn',
        message: 'Map a column to Patient MRN or Patient source id to find each patient',
      });
    }
  }
  return issues;
}

/** Reads the command line's `--map "column=field,…"`; a column name may itself hold `=`. */
export function parseMappingSpec(text: string): { mapping: ColumnMapping[]; issues: string[] } {
  const mapping: ColumnMapping[] = [];
  const issues: string[] = [];
  for (const entry of text.split(',')) {
    if (entry.trim() === '') continue;
    const eq = entry.lastIndexOf('=');
    const column = entry.slice(0, Math.max(eq, 0)).trim();
    const field = entry.slice(eq + 1).trim();
    if (eq < 0 || column === '' || field === '') {
      issues.push(`"${entry.trim()}" is not column=field`);
      continue;
    }
    mapping.push({ column, field });
  }
  if (mapping.length === 0 && issues.length === 0) issues.push('the mapping maps no column');
  return { mapping, issues };
}
