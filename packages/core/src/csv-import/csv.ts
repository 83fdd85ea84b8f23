import { CsvError, parse } from 'csv-parse/browser/esm/sync';

/** Field separators a clinic's export may use, in the order detection prefers them on a tie. */
export const DELIMITERS = [',', ';', '\t', '|'] as const;
export type Delimiter = (typeof DELIMITERS)[number];

/** One record of the file: its cells and the line it starts on (1-based, as an editor counts). */
export interface CsvRecord {
  line: number;
  cells: string[];
}

/** The file is not readable as delimited text; `line` is where reading stopped. */
export class CsvSyntaxError extends Error {
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(message);
    this.name = 'CsvSyntaxError';
  }
}

/** The text without a leading UTF-8 byte-order mark (Excel writes one on "CSV UTF-8"). */
export const stripBom = (text: string): string =>
  text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;

/** Line ends a record may use, mixed in one file: CRLF, LF or a lone CR. */
const LINE_END = /\r\n|\r|\n/g;

const lineEnds = (text: string) => text.match(LINE_END)?.length ?? 0;

/** A record as csv-parse hands it over with `raw: true`: its cells and its text. */
function rawRecord(row: unknown): { cells: string[]; raw: string } {
  if (
    typeof row === 'object' &&
    row !== null &&
    'record' in row &&
    'raw' in row &&
    Array.isArray(row.record) &&
    typeof row.raw === 'string'
  ) {
    return { cells: row.record.map(String), raw: row.raw };
  }
  throw new TypeError('csv-parse handed over a record without its text');
}

/**
 * Reads RFC 4180 text with csv-parse (its synchronous build, which runs in the browser for the
 * console's preview as well as on the server): fields in double quotes may hold the delimiter,
 * line breaks and `""` for a quote; records end in CRLF, LF or a lone CR. A quote inside an
 * unquoted field is kept as a character (real exports do this). Cells are trimmed outside
 * quotes, so a quoted field may follow a space (FEBRL writes one after every comma). Rows may
 * be ragged. Blank lines are skipped. `limit` stops after that many records, for sniffing a
 * large file. Each record carries the line it starts on.
 */
export function parseCsv(
  input: string,
  delimiter: Delimiter,
  options: { limit?: number } = {},
): CsvRecord[] {
  const records: CsvRecord[] = [];
  // The line the next record starts on, counted from each record's text: csv-parse's own
  // `info.lines` counts a CRLF inside quotes as two lines.
  let nextLine = 1;
  try {
    parse(stripBom(input), {
      delimiter,
      record_delimiter: ['\r\n', '\n', '\r'],
      relax_quotes: true,
      relax_column_count: true,
      trim: true,
      raw: true,
      ...(options.limit === undefined ? {} : { to: options.limit }),
      on_record: (row: unknown) => {
        const { cells, raw } = rawRecord(row);
        const line = nextLine;
        nextLine += lineEnds(raw);
        if (!(cells.length === 1 && cells[0] === '')) records.push({ line, cells });
        return null;
      },
    });
  } catch (error) {
    if (!(error instanceof CsvError)) throw error;
    if (error.code === 'CSV_QUOTE_NOT_CLOSED') {
      throw new CsvSyntaxError(
        `A quoted field in the record on line ${nextLine} is never closed`,
        nextLine,
      );
    }
    throw new CsvSyntaxError(`The file cannot be read near line ${nextLine}`, nextLine);
  }
  return records;
}

/** Lines read to guess the delimiter and the header row. */
const SNIFF_RECORDS = 25;

/**
 * The delimiter that splits the first lines into the same number of fields most often (at
 * least two); a comma when nothing splits (a one-column file).
 */
export function detectDelimiter(text: string): Delimiter {
  let best: { delimiter: Delimiter; score: number } = { delimiter: ',', score: 0 };
  for (const delimiter of DELIMITERS) {
    let records: CsvRecord[];
    try {
      records = parseCsv(text, delimiter, { limit: SNIFF_RECORDS });
    } catch {
      continue;
    }
    const counts = new Map<number, number>();
    for (const r of records) counts.set(r.cells.length, (counts.get(r.cells.length) ?? 0) + 1);
    let score = 0;
    for (const [width, times] of counts) {
      if (width > 1) score = Math.max(score, times * 1000 + width);
    }
    if (score > best.score) best = { delimiter, score };
  }
  return best.delimiter;
}

/**
 * Column names from a header row: trimmed; a blank one becomes `Column N`; a repeated one gets
 * ` (2)`, ` (3)`… so that every column has a name a mapping can refer to.
 */
export function columnNames(header: readonly string[], width = header.length): string[] {
  const seen = new Map<string, number>();
  const names: string[] = [];
  for (let i = 0; i < Math.max(width, header.length); i++) {
    const base = header[i]?.trim() || `Column ${i + 1}`;
    const times = (seen.get(base.toLowerCase()) ?? 0) + 1;
    seen.set(base.toLowerCase(), times);
    names.push(times === 1 ? base : `${base} (${times})`);
  }
  return names;
}

/** A delimited file read into named columns and data rows. */
export interface CsvTable {
  delimiter: Delimiter;
  /** Index in `records` of the header row (title lines above it are ignored). */
  headerIndex: number;
  columns: string[];
  /** Data rows, below the header. */
  rows: CsvRecord[];
}

/** Splits parsed records at the header row into column names and data rows. */
export function tableOf(
  records: readonly CsvRecord[],
  delimiter: Delimiter,
  headerIndex: number,
): CsvTable {
  const header = records[headerIndex];
  if (!header) throw new CsvSyntaxError('The file has no header row', 1);
  const rows = records.slice(headerIndex + 1);
  // A loop, not Math.max(...rows): spreading a file's rows as arguments overflows the stack.
  let width = header.cells.length;
  for (const r of rows) if (r.cells.length > width) width = r.cells.length;
  return { delimiter, headerIndex, columns: columnNames(header.cells, width), rows };
}

/** How many leading records may be titles or notes above the header row. */
export const HEADER_SEARCH_RECORDS = 10;

/**
 * The header row among the first records: the one whose cells name the most known fields
 * (`knownFields` counts them); when none names any, the first row filled at least as widely as
 * half the widest row (titles such as "Patient export, 2026-01-01" are narrower).
 */
export function detectHeaderRow(
  records: readonly CsvRecord[],
  knownFields: (cells: readonly string[]) => number,
): number {
  const head = records.slice(0, HEADER_SEARCH_RECORDS);
  let best = { index: -1, known: 0 };
  head.forEach((r, index) => {
    const known = knownFields(r.cells);
    if (known > best.known) best = { index, known };
  });
  if (best.index >= 0) return best.index;
  const filled = (r: CsvRecord) => r.cells.filter((c) => c.trim() !== '').length;
  const widest = Math.max(0, ...head.map(filled));
  const index = head.findIndex((r) => filled(r) * 2 >= widest && filled(r) > 0);
  return Math.max(index, 0);
}
