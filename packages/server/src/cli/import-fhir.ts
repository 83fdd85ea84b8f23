import { createReadStream } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.js';
import type { AuditActor } from '../modules/audit/service.js';
import {
  addCounts,
  type ImportCounts,
  type TypeCounts,
} from '../modules/fhir/import/import-service.js';
import { FhirRequestError } from '../modules/fhir/outcome.js';
import { startValidationWorkers, stopValidationWorkers } from '../modules/fhir/validation/pool.js';
import { DEMO_ORGANIZATION } from '../seed/reference/staff.js';
import { loadFieldCipher, openDatabase } from '../server.js';
import { createServices, type Services } from '../services.js';
import { stringOption } from './command.js';
import { type CliIO, CommandError, EXIT, formatCount, Output, UsageError } from './output.js';
import { progress } from './progress.js';

export const IMPORT_FHIR_HELP = `careloop import fhir <files or folders…> [--org NAME] [--source NAME] [--json]

  Imports FHIR R4 JSON: transaction or batch Bundles, other Bundles (collection, searchset…)
  entry by entry as a batch, single resources, and NDJSON (one resource a line). Folders are
  read recursively (*.json, *.ndjson); Synthea's hospitalInformation* and
  practitionerInformation* files go first. Re-importing the same data changes nothing.
  Progress goes to stderr. Exits 1 when a file or an entry was rejected.

  --org NAME      the organization (default "${DEMO_ORGANIZATION}"), created when missing
  --source NAME   the sending system, which scopes resource ids (default: Bundle.meta.source,
                  else "fhir")`;

/** NDJSON resources go in batches of this many. */
const NDJSON_BATCH = 1000;

const OPTIONS = {
  org: { type: 'string' },
  source: { type: 'string' },
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

/** Who imports from the command line, in the audit log. */
function cliActor(orgId: string): AuditActor {
  return {
    orgId,
    userId: null,
    email: 'careloop-cli',
    role: 'system',
    ip: null,
    userAgent: 'careloop import fhir',
  };
}

async function filesUnder(target: string): Promise<string[]> {
  const info = await stat(target).catch(() => null);
  if (!info) throw new CommandError(`No such file or folder: ${target}`);
  if (info.isFile()) return [target];
  const entries = await readdir(target, { withFileTypes: true, recursive: true });
  return entries
    .filter((e) => e.isFile() && /\.(json|ndjson)$/i.test(e.name))
    .map((e) => path.join(e.parentPath, e.name));
}

/** Shared directory bundles first (Synthea's convention), then by name. */
export function importOrder(files: string[]): string[] {
  const first = (f: string) =>
    /^(hospital|practitioner)Information/.test(path.basename(f)) ? 0 : 1;
  return [...new Set(files)].sort((a, b) => first(a) - first(b) || a.localeCompare(b));
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const asBatch = (resources: unknown[]): Json => ({
  resourceType: 'Bundle',
  type: 'batch',
  entry: resources.map((resource) => ({
    resource,
    request: {
      method: 'POST',
      url:
        isObject(resource) && typeof resource.resourceType === 'string'
          ? resource.resourceType
          : '',
    },
  })),
});

/** A JSON file's content as the bundles to import (NDJSON files are streamed: `itemsOf`). */
export function bundlesOf(text: string): unknown[] {
  const body = JSON.parse(text.replace(/^\uFEFF/, '')) as unknown;
  if (!isObject(body) || body.resourceType !== 'Bundle') return [asBatch([body])];
  if (body.type === 'transaction' || body.type === 'batch') return [body];
  const entries = Array.isArray(body.entry) ? body.entry : [];
  return [asBatch(entries.filter(isObject).map((e) => e.resource))];
}

/** A bundle to import from a file, or why part of the file could not be read. */
export type FileItem =
  | { file: string; bundle: unknown; unreadable?: undefined }
  | { file: string; bundle?: undefined; unreadable: string };

const reason = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * NDJSON lines as batch bundles of NDJSON_BATCH resources, read as they come: a bulk export of
 * gigabytes is never held in memory (nor in one string, which V8 caps at half a gigabyte). A
 * line that is not JSON is reported on its own, with its number, and the others are imported.
 */
export async function* ndjsonItems(
  file: string,
  lines: AsyncIterable<string>,
): AsyncGenerator<FileItem> {
  let batch: unknown[] = [];
  let number = 0;
  for await (const line of lines) {
    number += 1;
    if (!line.trim()) continue;
    try {
      batch.push(JSON.parse(number === 1 ? line.replace(/^\uFEFF/, '') : line));
    } catch (error) {
      yield { file, unreadable: `line ${number} is not JSON: ${reason(error)}` };
      continue;
    }
    if (batch.length === NDJSON_BATCH) {
      yield { file, bundle: asBatch(batch) };
      batch = [];
    }
  }
  if (batch.length > 0) yield { file, bundle: asBatch(batch) };
}

/** An NDJSON line may be as long as a bundle may be large. */
const MAX_LINE = 10 * 1024 * 1024;

/**
 * The lines of a text stream, read only as fast as they are taken: the stream's own iterator
 * pulls the next chunk when the last is used up (readline's iterator reads the whole file
 * ahead of a slow consumer, holding it all in memory).
 */
export async function* linesOf(chunks: AsyncIterable<string>): AsyncGenerator<string> {
  let rest = '';
  for await (const chunk of chunks) {
    rest += chunk;
    let start = 0;
    for (let end = rest.indexOf('\n'); end >= 0; end = rest.indexOf('\n', start)) {
      yield rest.slice(start, end > start && rest[end - 1] === '\r' ? end - 1 : end);
      start = end + 1;
    }
    rest = rest.slice(start);
    if (rest.length > MAX_LINE)
      throw new Error(`a line is longer than ${MAX_LINE / 1024 / 1024} MB`);
  }
  if (rest) yield rest;
}

/** What a file holds to import, in order. */
async function* itemsOf(file: string): AsyncGenerator<FileItem> {
  try {
    if (/\.ndjson$/i.test(file)) {
      yield* ndjsonItems(file, linesOf(createReadStream(file, { encoding: 'utf8' })));
      return;
    }
    for (const bundle of bundlesOf(await readFile(file, 'utf8'))) yield { file, bundle };
  } catch (error) {
    yield { file, unreadable: `not readable as FHIR JSON: ${reason(error)}` };
  }
}

const totalOf = (counts: ImportCounts): TypeCounts => {
  const total: TypeCounts = {
    created: 0,
    updated: 0,
    unchanged: 0,
    rejected: 0,
    storedNotMapped: 0,
  };
  for (const c of Object.values(counts)) {
    for (const key of Object.keys(total) as (keyof TypeCounts)[]) total[key] += c[key];
  }
  return total;
};

function countsTable(counts: ImportCounts): string {
  const rows: [string, ...number[]][] = Object.entries(counts)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([type, c]) => [type, c.created, c.updated, c.unchanged, c.rejected, c.storedNotMapped]);
  const t = totalOf(counts);
  rows.push(['total', t.created, t.updated, t.unchanged, t.rejected, t.storedNotMapped]);
  const width = Math.max(...rows.map((r) => r[0].length)) + 2;
  const header = ['created', 'updated', 'unchanged', 'rejected', 'not mapped'];
  return [
    `${''.padEnd(width)}${header.map((h) => h.padStart(12)).join('')}`,
    ...rows.map(
      ([type, ...n]) =>
        `${type.padEnd(width)}${n.map((v) => formatCount(v).padStart(12)).join('')}`,
    ),
  ].join('\n');
}

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

interface FileFailure {
  file: string;
  message: string;
}

/**
 * `careloop import fhir <files or folders…> [--org NAME] [--source NAME] [--json]`: `argv` is
 * what follows `import fhir`. Resolves to the exit code.
 */
export async function runImportFhir(argv: readonly string[], io: CliIO): Promise<number> {
  const args = argv[0] === 'import' && argv[1] === 'fhir' ? argv.slice(2) : [...argv];
  const out = new Output(io, args.includes('--json'));
  try {
    const parsed = parse(args);
    if (parsed.values.help) {
      io.stdout.write(`${IMPORT_FHIR_HELP}\n`);
      return EXIT.ok;
    }
    if (parsed.positionals.length === 0)
      throw new UsageError('name the files or folders to import');
    const orgName = stringOption(parsed.values, 'org')?.trim() || DEMO_ORGANIZATION;
    const source = stringOption(parsed.values, 'source')?.trim() || null;
    const files = importOrder((await Promise.all(parsed.positionals.map(filesUnder))).flat());
    if (files.length === 0) throw new CommandError('No .json or .ndjson files found');
    return await importFiles(io, out, files, orgName, source);
  } catch (error) {
    return out.fail(error);
  }
}

async function importFiles(
  io: CliIO,
  out: Output,
  files: string[],
  orgName: string,
  source: string | null,
): Promise<number> {
  const config = loadConfig(io.env);
  const database = await openDatabase(config, io.env);
  const bar = progress(io.stderr, 'Importing', 'files', { json: out.json });
  // The validation workers load the R4 definitions while the database migrates.
  void startValidationWorkers();
  let services: Services | null = null;
  try {
    await database.migrate();
    // Raw resources are stored encrypted: the configured key ring, as the server's.
    const cipher = await loadFieldCipher(config, database);
    services = createServices(config, database, cipher);
    // Imported appointments still to come start journeys: their jobs commit with the rows.
    await services.jobs.start();
    const org = await organizationNamed(services, orgName);
    const actor = cliActor(org.id);
    const counts: ImportCounts = {};
    const failures: FileFailure[] = [];
    const started = performance.now();
    let resources = 0;
    // The bundles in order, with their files: the next one is read while one is imported.
    const queue: FileItem[] = [];
    let nextFile = 0;
    let reading: AsyncGenerator<FileItem> | null = null;
    const refill = async () => {
      while (queue.length === 0) {
        if (!reading) {
          const file = files[nextFile];
          if (file === undefined) return;
          bar.update(nextFile, files.length);
          nextFile += 1;
          reading = itemsOf(file);
        }
        const next = await reading.next();
        if (next.done) reading = null;
        else queue.push(next.value);
      }
    };
    await refill();
    // While a bundle is written, the next is validated on the worker threads, unless the last
    // one changed nothing (a re-import, where validating ahead would be wasted).
    let changing = true;
    for (let item = queue.shift(); item; item = queue.shift()) {
      const { file, bundle, unreadable } = item;
      if (unreadable) {
        failures.push({ file, message: unreadable });
        await refill();
        continue;
      }
      const pending = services.fhir.imports
        .importBundle(org.id, actor, bundle, { sourceSystem: source })
        .then(
          (result) => ({ result, error: null }),
          (error: unknown) => ({ result: null, error }),
        );
      await refill();
      const following = queue[0];
      if (changing && following && !following.unreadable) {
        services.fhir.imports.prevalidate(following.bundle);
      }
      const { result, error } = await pending;
      if (result) {
        changing = Object.values(result.counts).some((c) => c.created + c.updated + c.rejected > 0);
        addCounts(counts, result.counts);
        resources += result.entries.length;
        if (result.failure) {
          const first = result.failure.outcome.issue?.[0];
          failures.push({
            file,
            message: `transaction refused: ${first?.diagnostics ?? 'invalid'}`,
          });
        }
      } else {
        if (!(error instanceof FhirRequestError)) throw error;
        failures.push({ file, message: error.message });
      }
    }
    bar.update(files.length, files.length);
    bar.stop();
    const seconds = (performance.now() - started) / 1000;
    const total = totalOf(counts);
    const perSecond = Math.round(resources / Math.max(seconds, 0.001));
    for (const f of failures) out.note(`${f.file}: ${f.message}`);
    out.result(
      {
        organization: { id: org.id, name: org.name, created: org.created },
        files: files.length,
        resources,
        counts,
        total,
        failedFiles: failures,
        seconds: Number(seconds.toFixed(2)),
        resourcesPerSecond: perSecond,
      },
      () =>
        [
          `Imported ${formatCount(resources)} resources from ${formatCount(files.length)} files into ${org.name}${org.created ? ' (created)' : ''} in ${seconds.toFixed(1)} s (${formatCount(perSecond)} resources/s).`,
          countsTable(counts),
          ...(failures.length
            ? [`${failures.length} file(s) had problems (listed on stderr).`]
            : []),
        ].join('\n'),
    );
    return failures.length > 0 || total.rejected > 0 ? EXIT.failure : EXIT.ok;
  } finally {
    bar.stop();
    await stopValidationWorkers();
    await services?.jobs.stop();
    await database.close();
  }
}
