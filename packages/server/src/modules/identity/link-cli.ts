import { parseArgs } from 'node:util';
import {
  type ClusterResult,
  clusterPairs,
  DEFAULT_FULL_BLOCK_SIZE,
  DEFAULT_PARAMETERS,
  DEFAULT_WINDOW,
  dedupeRecords,
  type LinkageResult,
  linkRecords,
  type MatchRecord,
  type PreparedRecord,
  prepareRecord,
  type ScoredPair,
} from '@careloop/core';
import { CommandError, Output, UsageError } from '../../cli/output.js';
import { readCsv, writeCsv } from './csv.js';

export const MPI_LINK_SUMMARY = 'Find the same person in CSV files (deduplicate or link)';

export const MPI_LINK_HELP = `Usage: careloop mpi link --input FILE [--input FILE] --id COLUMN --map "column=field,…" --output FILE

Finds records that are the same person, without importing anything. With one --input it
deduplicates the file; with two it links the first to the second. The output CSV has one row
per matched pair: id_a,id_b,score (for one file, every pair within each group of duplicates).

Options:
  --input FILE          a CSV file with a header row (once or twice)
  --id COLUMN           the column that identifies a row (reported in the output)
  --map "col=field,…"   which columns hold which fields; fields: given, family, birthDate
                        (ISO or YYYYMMDD), sex, line, city, state, postalCode, phone, email,
                        identifier:<system>. A field mapped from several columns joins them
                        with spaces: "street_number=line,address_1=line".
  --output FILE         where to write the matched pairs
  --review FILE         also write the pairs a person should review (same columns)
  --no-learn            score with the default weights instead of learning them from the data
  --link-threshold N    score at or above which a pair is matched (default ${DEFAULT_PARAMETERS.thresholds.link})
  --review-threshold N  score at or above which a pair is sent to review (default ${DEFAULT_PARAMETERS.thresholds.review})
  --block-size N        compare every pair in blocks up to N records (default ${DEFAULT_FULL_BLOCK_SIZE});
                        larger blocks compare each record with its --window nearest by name
  --window N            (default ${DEFAULT_WINDOW})
  --json                print the counts as one JSON object

Scores are log2 likelihood ratios: +10 means about a thousand times likelier one person than
two. See docs/mpi.md.`;

type SimpleField = Exclude<keyof MatchRecord, 'identifiers'>;

const FIELDS: readonly SimpleField[] = [
  'given',
  'family',
  'birthDate',
  'sex',
  'line',
  'city',
  'state',
  'postalCode',
  'phone',
  'email',
];

/** Where a CSV column goes: a field of the record, or an identifier of a system. */
export type ColumnTarget =
  | { kind: 'field'; field: SimpleField }
  | { kind: 'identifier'; system: string };

export interface ColumnMapping {
  column: string;
  target: ColumnTarget;
}

/** Reads `--map "col=field,…"`; throws a UsageError naming the entry that is wrong. */
export function parseColumnMap(text: string): ColumnMapping[] {
  const mappings: ColumnMapping[] = [];
  for (const entry of text.split(',')) {
    if (entry.trim() === '') continue;
    const eq = entry.lastIndexOf('=');
    const column = entry.slice(0, eq).trim();
    const target = entry.slice(eq + 1).trim();
    if (eq < 0 || column === '' || target === '') {
      throw new UsageError(`--map entry "${entry.trim()}" is not column=field`);
    }
    if (target.startsWith('identifier:')) {
      const system = target.slice('identifier:'.length).trim();
      if (system === '') throw new UsageError(`--map entry "${entry.trim()}" names no system`);
      mappings.push({ column, target: { kind: 'identifier', system } });
      continue;
    }
    const field = FIELDS.find((f) => f === target);
    if (!field) {
      throw new UsageError(
        `--map entry "${entry.trim()}": unknown field "${target}" (fields: ${FIELDS.join(', ')}, identifier:<system>)`,
      );
    }
    mappings.push({ column, target: { kind: 'field', field } });
  }
  if (mappings.length === 0) throw new UsageError('--map maps no column');
  return mappings;
}

/** Builds a record from a row, given each mapping's column position. */
function recordOf(cells: readonly string[], mappings: readonly (ColumnMapping & { at: number })[]) {
  const values = new Map<string, string>();
  for (const { target, at } of mappings) {
    const value = cells[at] ?? '';
    if (value === '') continue;
    const key = target.kind === 'field' ? target.field : `identifier:${target.system}`;
    const before = values.get(key);
    values.set(key, before === undefined ? value : `${before} ${value}`);
  }
  const record: MatchRecord = { identifiers: [] };
  const identifiers: { system: string; value: string }[] = [];
  for (const [key, value] of values) {
    if (key.startsWith('identifier:')) identifiers.push({ system: key.slice(11), value });
    else {
      const field = FIELDS.find((f) => f === key);
      if (field) record[field] = value;
    }
  }
  record.identifiers = identifiers;
  return record;
}

interface LoadedFile {
  path: string;
  ids: string[];
  records: PreparedRecord[];
  /** Values present in the file that could not be read (a birth date in another format…). */
  unreadable: Record<'birthDate' | 'phone' | 'email', number>;
}

/** Streams one file into prepared records: the rows themselves are not kept. */
async function loadFile(
  path: string,
  idColumn: string,
  mappings: readonly ColumnMapping[],
): Promise<LoadedFile> {
  let csv: Awaited<ReturnType<typeof readCsv>>;
  try {
    csv = await readCsv(path);
  } catch (error) {
    throw new CommandError(`${path}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const { header, rows } = csv;
  const position = (column: string) => {
    const at = header.indexOf(column);
    if (at < 0) {
      throw new UsageError(`${path} has no column "${column}" (columns: ${header.join(', ')})`);
    }
    return at;
  };
  const idAt = position(idColumn);
  const located = mappings.map((m) => ({ ...m, at: position(m.column) }));
  const file: LoadedFile = {
    path,
    ids: [],
    records: [],
    unreadable: { birthDate: 0, phone: 0, email: 0 },
  };
  try {
    for await (const { cells, line } of rows) {
      const id = cells[idAt] ?? '';
      if (id === '')
        throw new CommandError(`${path} line ${line}: no value in id column "${idColumn}"`);
      const record = recordOf(cells, located);
      const prepared = prepareRecord(record);
      for (const field of ['birthDate', 'phone', 'email'] as const) {
        if (record[field] && prepared[field] === null) file.unreadable[field]++;
      }
      file.ids.push(id);
      file.records.push(prepared);
    }
  } catch (error) {
    if (error instanceof CommandError) throw error;
    throw new CommandError(`${path}: ${error instanceof Error ? error.message : String(error)}`);
  }
  return file;
}

function numberOption(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) {
    throw new UsageError(`--${name} must be a number, got "${value}"`);
  }
  return n;
}

interface LinkArguments {
  inputs: string[];
  id: string;
  mappings: ColumnMapping[];
  output: string;
  review: string | undefined;
  learn: boolean;
  thresholds: { link: number; review: number };
  fullBlockSize: number;
  window: number;
}

const OPTIONS = {
  input: { type: 'string', multiple: true },
  id: { type: 'string' },
  map: { type: 'string' },
  output: { type: 'string' },
  review: { type: 'string' },
  learn: { type: 'boolean', default: true },
  'link-threshold': { type: 'string' },
  'review-threshold': { type: 'string' },
  'block-size': { type: 'string' },
  window: { type: 'string' },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

function wholeOption(value: string | undefined, name: string, fallback: number, min: number) {
  const n = numberOption(value, name) ?? fallback;
  if (!Number.isSafeInteger(n) || n < min) {
    throw new UsageError(`--${name} must be a whole number of at least ${min}, got "${value}"`);
  }
  return n;
}

/** Reads the command line; null when it asks for help. Throws a UsageError when it is wrong. */
function parseLinkArguments(argv: readonly string[]): LinkArguments | null {
  let parsed: ReturnType<typeof parseArgs<{ options: typeof OPTIONS }>>;
  try {
    parsed = parseArgs({ args: [...argv], options: OPTIONS, allowNegative: true, strict: true });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const { values } = parsed;
  if (values.help) return null;
  const inputs = values.input ?? [];
  if (inputs.length < 1 || inputs.length > 2) {
    throw new UsageError('--input is required, once (deduplicate) or twice (link two files)');
  }
  const required = (name: 'id' | 'map' | 'output') => {
    const value = values[name];
    if (value === undefined || value.trim() === '') throw new UsageError(`--${name} is required`);
    return value;
  };
  const defaults = DEFAULT_PARAMETERS.thresholds;
  const thresholds = {
    link: numberOption(values['link-threshold'], 'link-threshold') ?? defaults.link,
    review: numberOption(values['review-threshold'], 'review-threshold') ?? defaults.review,
  };
  if (thresholds.review > thresholds.link) {
    throw new UsageError('--review-threshold must not be above --link-threshold');
  }
  return {
    inputs,
    id: required('id').trim(),
    mappings: parseColumnMap(required('map')),
    output: required('output'),
    review: values.review,
    learn: values.learn,
    thresholds,
    fullBlockSize: wholeOption(values['block-size'], 'block-size', DEFAULT_FULL_BLOCK_SIZE, 2),
    window: wholeOption(values.window, 'window', DEFAULT_WINDOW, 1),
  };
}

/** What `mpi link` reports: the counts under --json, the lines of text otherwise. */
interface LinkSummary {
  mode: 'dedupe' | 'link';
  records: number;
  inputs: { path: string; records: number; unreadable: LoadedFile['unreadable'] }[];
  candidatePairs: number;
  matchedPairs: number;
  directLinks: number;
  reviewPairs: number;
  clusters: number | null;
  largestCluster: number | null;
  refusedLinks: number;
  learned: boolean;
  matchProportion: number | null;
  windowedBlocks: number;
  largestBlock: number;
  output: string;
  seconds: number;
}

function* pairRows(
  pairs: readonly ScoredPair[],
  idsA: readonly string[],
  idsB: readonly string[],
): Generator<string[]> {
  yield ['id_a', 'id_b', 'score'];
  for (const p of pairs) yield [idsA[p.a] ?? '', idsB[p.b] ?? '', p.score.toFixed(2)];
}

/**
 * `careloop mpi link`: deduplicates one CSV file or links two, and writes the matched pairs.
 * Resolves to the exit code: 0 done, 1 failed (unreadable file), 2 called wrongly.
 */
export async function runMpiLink(
  argv: string[],
  io: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream },
): Promise<number> {
  const out = new Output({ env: {}, ...io }, argv.includes('--json'));
  try {
    const args = parseLinkArguments(argv);
    if (args === null) {
      io.stdout.write(`${MPI_LINK_HELP}\n`);
      return 0;
    }
    const started = performance.now();
    const files: LoadedFile[] = [];
    for (const path of args.inputs) {
      const file = await loadFile(path, args.id, args.mappings);
      out.note(`Read ${file.records.length.toLocaleString('en-US')} records from ${path}`);
      files.push(file);
    }
    const [left, right] = files;
    if (!left) throw new UsageError('--input is required');
    out.note(right ? 'Linking…' : 'Deduplicating…');
    const options = {
      learn: args.learn,
      fullBlockSize: args.fullBlockSize,
      window: args.window,
      parameters: { ...DEFAULT_PARAMETERS, thresholds: args.thresholds },
    };
    const result: LinkageResult = right
      ? linkRecords(left.records, right.records, options)
      : dedupeRecords(left.records, options);
    const grouped: ClusterResult | null = right
      ? null
      : clusterPairs(left.records, result.links, result.parameters);
    const matched = grouped ? grouped.pairs : result.links;
    const idsB = right ? right.ids : left.ids;
    await writeCsv(args.output, pairRows(matched, left.ids, idsB));
    if (args.review) await writeCsv(args.review, pairRows(result.reviews, left.ids, idsB));
    const seconds = (performance.now() - started) / 1000;
    const summary: LinkSummary = {
      mode: right ? 'link' : 'dedupe',
      records: files.reduce((n, f) => n + f.records.length, 0),
      inputs: files.map((f) => ({
        path: f.path,
        records: f.records.length,
        unreadable: f.unreadable,
      })),
      candidatePairs: result.candidatePairs,
      matchedPairs: matched.length,
      directLinks: result.links.length,
      reviewPairs: result.reviews.length,
      clusters: grouped ? grouped.clusters.length : null,
      largestCluster: grouped ? grouped.clusters.reduce((n, c) => Math.max(n, c.length), 0) : null,
      refusedLinks: grouped ? grouped.refused : 0,
      learned: result.estimate !== null,
      matchProportion: result.estimate ? Number(result.estimate.matchProportion.toFixed(4)) : null,
      windowedBlocks: result.blocking.windowedBlocks,
      largestBlock: result.blocking.largestBlock,
      output: args.output,
      seconds: Number(seconds.toFixed(3)),
    };
    out.result({ ...summary }, () => renderSummary(summary, files));
    return 0;
  } catch (error) {
    return out.fail(error);
  }
}

function renderSummary(s: LinkSummary, files: readonly LoadedFile[]): string {
  const lines = [
    `${s.mode === 'dedupe' ? 'Deduplicated' : 'Linked'} ${s.records.toLocaleString('en-US')} records in ${s.seconds.toFixed(1)} s`,
    `  ${s.candidatePairs.toLocaleString('en-US')} candidate pairs compared`,
    `  ${s.matchedPairs.toLocaleString('en-US')} matched pairs${s.clusters === null ? '' : ` in ${s.clusters.toLocaleString('en-US')} groups`} → ${s.output}`,
    `  ${s.reviewPairs.toLocaleString('en-US')} pairs to review`,
  ];
  if (s.refusedLinks > 0) {
    lines.push(
      `  ${s.refusedLinks} links not followed: they would join twins or conflicting records`,
    );
  }
  for (const f of files) {
    for (const [field, n] of Object.entries(f.unreadable)) {
      if (n > 0) lines.push(`  ${f.path}: ${n} ${field} values could not be read and were ignored`);
    }
  }
  return lines.join('\n');
}
