import {
  type ColumnMapping,
  type CsvImportResult,
  CsvSyntaxError,
  type DateOrder,
  type Delimiter,
  type ImportType,
  type ReadFile,
  readCsvFile,
  suggestMapping,
} from '@careloop/core';

/** The wizard's steps, in order; the Stepper shows them as numbered steps. */
export const STEPS = ['upload', 'read', 'map', 'validate', 'import', 'summary'] as const;
export type Step = (typeof STEPS)[number];

export interface LoadedFile {
  name: string;
  size: number;
  text: string;
}

/** How the file is read; changing any of these re-reads it and resets the mapping. */
export interface Reading {
  type: ImportType;
  delimiter: Delimiter;
  headerLine: number;
  dateOrder: DateOrder;
}

export interface WizardState {
  step: Step;
  file: LoadedFile | null;
  reading: Reading | null;
  parsed: ReadFile | null;
  /** Why the file could not be read with the current settings. */
  readError: string | null;
  mapping: ColumnMapping[];
  preview: CsvImportResult | null;
  result: CsvImportResult | null;
}

export const initialState: WizardState = {
  step: 'upload',
  file: null,
  reading: null,
  parsed: null,
  readError: null,
  mapping: [],
  preview: null,
  result: null,
};

export type WizardAction =
  | { type: 'file-loaded'; file: LoadedFile; importType: ImportType }
  | { type: 'reading-changed'; reading: Partial<Reading> }
  | { type: 'mapping-changed'; column: string; field: string | null }
  | { type: 'go'; step: Step }
  | { type: 'previewed'; preview: CsvImportResult }
  | { type: 'imported'; result: CsvImportResult }
  | { type: 'restart' };

function parse(file: LoadedFile, reading: Partial<Reading> & { type: ImportType }) {
  try {
    const parsed = readCsvFile(file.text, reading);
    return { parsed, readError: null };
  } catch (error) {
    if (error instanceof CsvSyntaxError) return { parsed: null, readError: error.message };
    throw error;
  }
}

/** Reads the file with the settings and suggests a mapping from its headers. */
function read(
  state: WizardState,
  file: LoadedFile,
  reading: Partial<Reading> & { type: ImportType },
): WizardState {
  const { parsed, readError } = parse(file, reading);
  const settled: Reading | null = parsed
    ? {
        type: reading.type,
        delimiter: parsed.table.delimiter,
        headerLine: parsed.headerLine,
        dateOrder: reading.dateOrder ?? state.reading?.dateOrder ?? 'mdy',
      }
    : null;
  return {
    ...state,
    file,
    reading: settled ?? (state.reading ? { ...state.reading, ...reading } : null),
    parsed,
    readError,
    mapping: parsed ? suggestMapping(reading.type, parsed.table.columns) : [],
    preview: null,
    result: null,
  };
}

/** The wizard as explicit states: each action says what happened, the reducer what follows. */
export function wizardReducer(state: WizardState, action: WizardAction): WizardState {
  switch (action.type) {
    case 'file-loaded':
      return { ...read(initialState, action.file, { type: action.importType }), step: 'read' };
    case 'reading-changed': {
      if (!state.file || !state.reading) return state;
      const next = { ...state.reading, ...action.reading };
      if (action.reading.dateOrder && Object.keys(action.reading).length === 1) {
        return { ...state, reading: next, preview: null };
      }
      const { headerLine, ...rest } = next;
      // A new delimiter or type finds its own header row; a chosen header line is kept.
      return read(state, state.file, action.reading.headerLine ? next : rest);
    }
    case 'mapping-changed': {
      const others = state.mapping.filter((m) => m.column !== action.column);
      const mapping = action.field
        ? [...others, { column: action.column, field: action.field }]
        : others;
      const order = state.parsed?.table.columns ?? [];
      mapping.sort((a, b) => order.indexOf(a.column) - order.indexOf(b.column));
      return { ...state, mapping, preview: null };
    }
    case 'go':
      return { ...state, step: action.step };
    case 'previewed':
      return { ...state, preview: action.preview };
    case 'imported':
      return { ...state, result: action.result, step: 'summary' };
    case 'restart':
      return initialState;
  }
}
