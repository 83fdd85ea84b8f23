import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import {
  CareloopError,
  type CsvImportRequest,
  type CsvImportResult,
  CsvSyntaxError,
  DATE_ORDERS,
  type DateOrder,
  DELIMITERS,
  type Delimiter,
  IMPORT_TYPES,
  type ImportType,
  MAX_IMPORT_BYTES,
  parseMappingSpec,
  readCsvFile,
  sheetToCsv,
  suggestMapping,
} from '@careloop/core';
import { loadConfig } from '../config.js';
import type { AuditActor } from '../modules/audit/service.js';
import type { PreparedImport } from '../modules/csv-import/prepare.js';
import { DEMO_ORGANIZATION } from '../seed/reference/staff.js';
import { loadFieldCipher, openDatabase } from '../server.js';
import { createServices, type Services } from '../services.js';
import { stringOption } from './command.js';
import { type CliIO, CommandError, EXIT, formatCount, Output, UsageError } from './output.js';
import { progress } from './progress.js';

export const IMPORT_CSV_SUMMARY = 'Import patients or appointments from a CSV, TSV or .xlsx file';

export const IMPORT_CSV_HELP = `careloop import csv --type patients|appointments [--map "column=field,…"] [--org NAME] [--dry-run] [--json] <file>

  Imports one delimited text file (comma, semicolon, tab or pipe; detected) or one sheet of an
  .xlsx workbook. Patients go
  through the master patient index: a row is linked to the patient it describes, or creates
  one, or creates one next to a possible duplicate for review. Appointments find their patient
  by MRN or by the source id of an earlier patient import, and their service, practitioner and
  location by name. Importing the same file again changes nothing. Fields and rules:
  docs/csv-import.md. Exits 1 when a row was rejected.

  --type T           patients or appointments
  --map "c=f,…"      which column feeds which field (e.g. "DOB=birthDate,Last Name=familyName,
                     Chart=identifier:urn:acme:mrn"); suggested from the headers when omitted
  --org NAME         the organization (default "${DEMO_ORGANIZATION}"), created when missing
  --dry-run          validate and match every row, write nothing
  --date-order O     mdy (default: 03/04/1980 is March 4) or dmy (April 3)
  --delimiter D      , ; tab or | (detected when omitted)
  --header-line N    the line of the header row (detected when omitted)
  --sheet NAME       for an .xlsx workbook: the sheet to import (needed when it has several)`;

const OPTIONS = {
  type: { type: 'string' },
  map: { type: 'string' },
  org: { type: 'string' },
  'dry-run': { type: 'boolean' },
  'date-order': { type: 'string' },
  delimiter: { type: 'string' },
  'header-line': { type: 'string' },
  sheet: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

function parse(args: string[]) {
  try {
    return parseArgs({ args, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

function oneOf<T extends string>(values: readonly T[], value: string, name: string): T {
  const found = values.find((v) => v === value);
  if (!found) throw new UsageError(`--${name} must be one of ${values.join(', ')}, got "${value}"`);
  return found;
}

type Values = ReturnType<typeof parse>['values'];

function readingOptions(values: Values) {
  const delimiterText = stringOption(values, 'delimiter');
  const headerText = stringOption(values, 'header-line');
  const headerLine = headerText === undefined ? undefined : Number(headerText);
  if (headerLine !== undefined && (!Number.isSafeInteger(headerLine) || headerLine < 1)) {
    throw new UsageError(`--header-line must be a line number, got "${headerText}"`);
  }
  const delimiter: Delimiter | undefined =
    delimiterText === undefined
      ? undefined
      : oneOf(DELIMITERS, delimiterText === 'tab' ? '\t' : delimiterText, 'delimiter');
  const dateOrder: DateOrder = oneOf(
    DATE_ORDERS,
    stringOption(values, 'date-order') ?? 'mdy',
    'date-order',
  );
  return { delimiter, headerLine, dateOrder };
}

/** Who imports from the command line, in the audit log. */
const cliActor = (orgId: string): AuditActor => ({
  orgId,
  userId: null,
  email: 'careloop-cli',
  role: 'system',
  ip: null,
  userAgent: 'careloop import csv',
});

async function organizationNamed(services: Services, name: string) {
  const found = await services.directory.findOrganizationByName(name);
  if (found) return { ...found, created: false };
  try {
    return { ...(await services.directory.createOrganization(name)), created: true };
  } catch (error) {
    const again = await services.directory.findOrganizationByName(name);
    if (again) return { ...again, created: false };
    throw error;
  }
}

/**
 * `careloop import csv --type T [--map …] [--org NAME] [--dry-run] [--json] <file>`: `argv` is
 * what follows `import csv`. Resolves to the exit code.
 */
export async function runImportCsv(argv: readonly string[], io: CliIO): Promise<number> {
  const args = argv[0] === 'import' && argv[1] === 'csv' ? argv.slice(2) : [...argv];
  const out = new Output(io, args.includes('--json'));
  try {
    const { values, positionals } = parse(args);
    if (values.help) {
      io.stdout.write(`${IMPORT_CSV_HELP}\n`);
      return EXIT.ok;
    }
    const typeText = stringOption(values, 'type');
    if (!typeText) throw new UsageError('--type is required (patients or appointments)');
    const type = oneOf(IMPORT_TYPES, typeText, 'type');
    if (positionals.length !== 1) throw new UsageError('name exactly one file to import');
    const file = positionals[0] ?? '';
    const info = await stat(file).catch(() => null);
    if (!info?.isFile()) throw new CommandError(`No such file: ${file}`);
    if (info.size > MAX_IMPORT_BYTES) {
      throw new CommandError(`${file} is larger than 20 MB; split it into smaller files`);
    }
    const { text, fileName } = await fileText(file, stringOption(values, 'sheet'));
    const reading = readingOptions(values);
    const request: CsvImportRequest = {
      type,
      fileName,
      text,
      mapping: mappingFor(out, type, text, stringOption(values, 'map'), reading),
      dateOrder: reading.dateOrder,
      ...(reading.delimiter ? { delimiter: reading.delimiter } : {}),
      ...(reading.headerLine ? { headerLine: reading.headerLine } : {}),
    };
    const orgName = stringOption(values, 'org')?.trim() || DEMO_ORGANIZATION;
    return await importFile(io, out, request, orgName, values['dry-run'] === true);
  } catch (error) {
    return out.fail(error);
  }
}

/**
 * The file's text; for an .xlsx workbook, the sheet as CSV (named by `--sheet`, required when
 * the workbook has more than one) with the sheet in the file name, so each sheet is its own
 * source of records.
 */
async function fileText(file: string, sheetName: string | undefined) {
  const fileName = path.basename(file);
  if (!/\.xlsx$/i.test(file)) {
    if (sheetName !== undefined) throw new UsageError('--sheet is for .xlsx workbooks');
    return { text: await readFile(file, 'utf8'), fileName };
  }
  const { default: readXlsxFile } = await import('read-excel-file/node');
  let sheets: Awaited<ReturnType<typeof readXlsxFile>>;
  try {
    sheets = (await readXlsxFile(await readFile(file))).filter((s) => s.data.length > 0);
  } catch (error) {
    throw new CommandError(
      `${file} is not a readable .xlsx workbook: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  const names = sheets.map((s) => `"${s.sheet}"`).join(', ');
  const chosen =
    sheetName === undefined && sheets.length === 1
      ? sheets[0]
      : sheets.find((s) => s.sheet === sheetName);
  if (!chosen) {
    throw new UsageError(
      sheetName === undefined
        ? `${fileName} has several sheets: name one with --sheet (${names})`
        : `${fileName} has no sheet "${sheetName}" with data (sheets: ${names || 'none'})`,
    );
  }
  return { text: sheetToCsv(chosen.data), fileName: `${fileName}#${chosen.sheet}` };
}

/** The mapping from `--map`, or suggested from the headers (and said on stderr). */
function mappingFor(
  out: Output,
  type: ImportType,
  text: string,
  spec: string | undefined,
  reading: { delimiter: Delimiter | undefined; headerLine: number | undefined },
) {
  if (spec !== undefined) {
    const { mapping, issues } = parseMappingSpec(spec);
    if (issues.length > 0) throw new UsageError(`--map: ${issues.join('; ')}`);
    return mapping;
  }
  let table: ReturnType<typeof readCsvFile>['table'];
  try {
    ({ table } = readCsvFile(text, {
      type,
      ...(reading.delimiter ? { delimiter: reading.delimiter } : {}),
      ...(reading.headerLine ? { headerLine: reading.headerLine } : {}),
    }));
  } catch (error) {
    if (error instanceof CsvSyntaxError) throw new CommandError(error.message);
    throw error;
  }
  const mapping = suggestMapping(type, table.columns);
  out.note(
    `No --map given; mapping from the headers: ${mapping.map((m) => `${m.column}=${m.field}`).join(',') || '(none)'}`,
  );
  return mapping;
}

async function importFile(
  io: CliIO,
  out: Output,
  request: CsvImportRequest,
  orgName: string,
  dryRun: boolean,
): Promise<number> {
  const config = loadConfig(io.env);
  const database = await openDatabase(config, io.env);
  const bar = progress(io.stderr, dryRun ? 'Checking' : 'Importing', 'rows', { json: out.json });
  let services: Services | null = null;
  try {
    await database.migrate();
    // Appointment reasons are stored encrypted: the configured key ring, as the server's.
    const cipher = await loadFieldCipher(config, database);
    services = createServices(config, database, cipher);
    // Imported appointments still to come start journeys: their jobs commit with the rows.
    await services.jobs.start();
    let prepared: PreparedImport;
    try {
      prepared = await services.csvImport.prepare(request);
    } catch (error) {
      // The same checks the API answers 4xx for: the operator's to fix, not a crash.
      if (error instanceof CareloopError) {
        const inMapping = error.problem.path?.startsWith('/body/mapping') ?? false;
        throw inMapping
          ? new UsageError(`--map: ${error.message}`)
          : new CommandError(error.message);
      }
      throw error;
    }
    const org = await organizationNamed(services, orgName);
    const result = await services.csvImport.run(cliActor(org.id), prepared, {
      dryRun,
      onProgress: (done, total) => bar.update(done, total),
    });
    bar.stop();
    report(out, result, org);
    return result.counts.rejected > 0 ? EXIT.failure : EXIT.ok;
  } finally {
    bar.stop();
    await services?.jobs.stop();
    await database.close();
  }
}

/** Row errors printed in text mode at most; --json lists every listed outcome's errors. */
const PRINTED_ERRORS = 50;

function report(
  out: Output,
  result: CsvImportResult,
  org: { id: string; name: string; created: boolean },
): void {
  const rejected = result.outcomes.filter((o) => o.outcome === 'rejected');
  const errors = rejected.flatMap((o) => o.errors);
  for (const e of errors.slice(0, out.json ? 0 : PRINTED_ERRORS)) {
    out.note(`line ${e.row}${e.column ? ` (${e.column})` : ''}: ${e.message}`);
  }
  if (!out.json && errors.length > PRINTED_ERRORS) {
    out.note(`… and ${errors.length - PRINTED_ERRORS} more row errors (--json lists them)`);
  }
  const perSecond = Math.round(result.rows / Math.max(result.seconds, 0.001));
  const c = result.counts;
  out.result(
    {
      organization: org,
      dryRun: result.dryRun,
      type: result.type,
      file: result.fileName,
      sourceSystem: result.sourceSystem,
      delimiter: result.delimiter,
      headerLine: result.headerLine,
      rows: result.rows,
      counts: c,
      rejected: rejected.map((o) => ({ row: o.row, errors: o.errors })),
      seconds: result.seconds,
      rowsPerSecond: perSecond,
    },
    () =>
      [
        `${result.dryRun ? 'Dry run (nothing written): ' : ''}${formatCount(result.rows)} ${result.type} rows from ${result.fileName} into ${org.name}${org.created ? ' (created)' : ''} in ${result.seconds.toFixed(1)} s (${formatCount(perSecond)} rows/s).`,
        `  ${result.dryRun ? 'would create' : 'created'} ${formatCount(c.created)}, ${result.dryRun ? 'would update' : 'updated'} ${formatCount(c.updated)}, unchanged ${formatCount(c.unchanged)}, possible duplicates to review ${formatCount(c.review)}, rejected ${formatCount(c.rejected)}`,
      ].join('\n'),
  );
}
