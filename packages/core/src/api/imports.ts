import { type Static, Type } from 'typebox';
import { DELIMITERS } from '../csv-import/csv.js';
import { DATE_ORDERS } from '../csv-import/dates.js';
import { IMPORT_TYPES } from '../csv-import/fields.js';
import { Nullable, ProblemSchema, Uuid } from './common.js';

const literals = <const T extends readonly string[]>(values: T) =>
  Type.Unsafe<T[number]>({ type: 'string', enum: [...values] });

/** Largest file the import takes, in bytes of text; larger files are split. */
export const MAX_IMPORT_BYTES = 20 * 1024 * 1024;

export const ImportTypeSchema = literals(IMPORT_TYPES);
export const DelimiterSchema = literals(DELIMITERS);
export const DateOrderSchema = literals(DATE_ORDERS);

export const ColumnMappingSchema = Type.Object({
  column: Type.String({ minLength: 1, maxLength: 200 }),
  field: Type.String({
    minLength: 1,
    maxLength: 300,
    description: 'A field key of the type (see docs/csv-import.md), or identifier:<system>',
  }),
});

/** POST /api/imports/csv/preview and /commit: the file and how to read it. */
export const CsvImportRequest = Type.Object({
  type: ImportTypeSchema,
  fileName: Type.String({
    minLength: 1,
    maxLength: 200,
    description: 'Scopes source ids: the source system is csv:<fileName>',
  }),
  text: Type.String({ description: 'The file as UTF-8 text (a byte-order mark is ignored)' }),
  delimiter: Type.Optional(DelimiterSchema),
  headerLine: Type.Optional(
    Type.Integer({ minimum: 1, description: 'Line of the header row; detected when omitted' }),
  ),
  mapping: Type.Array(ColumnMappingSchema, { minItems: 1, maxItems: 200 }),
  dateOrder: Type.Optional(DateOrderSchema),
});

export const RowErrorSchema = Type.Object({
  row: Type.Integer({ description: 'Line of the file the row starts on' }),
  column: Nullable(Type.String()),
  field: Nullable(Type.String()),
  message: Type.String(),
});

/** What became (or, in a dry run, would become) of one row. */
export const ROW_OUTCOMES = ['create', 'update', 'unchanged', 'review', 'rejected'] as const;
export const RowOutcomeSchema = literals(ROW_OUTCOMES);

export const RowOutcome = Type.Object({
  row: Type.Integer(),
  outcome: RowOutcomeSchema,
  /** The patient or appointment; for a created record in a dry run, null (nothing was kept). */
  recordId: Nullable(Uuid),
  /** Possible duplicates sent to the review queue (patients). */
  candidates: Type.Array(Uuid),
  errors: Type.Array(RowErrorSchema),
});

export const ImportCounts = Type.Object({
  created: Type.Integer(),
  updated: Type.Integer(),
  unchanged: Type.Integer(),
  /** New patients created next to a possible duplicate, waiting in the review queue. */
  review: Type.Integer(),
  rejected: Type.Integer(),
});

export const CsvImportResult = Type.Object({
  dryRun: Type.Boolean(),
  type: ImportTypeSchema,
  fileName: Type.String(),
  sourceSystem: Type.String(),
  delimiter: DelimiterSchema,
  headerLine: Type.Integer(),
  rows: Type.Integer(),
  counts: ImportCounts,
  /** Every rejected or review row, then other rows, up to `MAX_LISTED_OUTCOMES`. */
  outcomes: Type.Array(RowOutcome),
  outcomesTruncated: Type.Boolean(),
  seconds: Type.Number(),
});

/** One line of the NDJSON stream the preview and commit routes answer with. */
export const CsvImportEvent = Type.Union([
  Type.Object({
    type: Type.Literal('progress'),
    done: Type.Integer(),
    total: Type.Integer(),
  }),
  Type.Object({ type: Type.Literal('result'), result: CsvImportResult }),
  Type.Object({ type: Type.Literal('error'), problem: ProblemSchema }),
]);

/** Row outcomes listed in a result at most; counts always cover every row. */
export const MAX_LISTED_OUTCOMES = 5000;

export type ImportTypeName = Static<typeof ImportTypeSchema>;
export type CsvImportRequest = Static<typeof CsvImportRequest>;
export type RowOutcome = Static<typeof RowOutcome>;
export type RowOutcomeKind = (typeof ROW_OUTCOMES)[number];
export type ImportCounts = Static<typeof ImportCounts>;
export type CsvImportResult = Static<typeof CsvImportResult>;
export type CsvImportEvent = Static<typeof CsvImportEvent>;
