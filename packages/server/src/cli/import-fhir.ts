import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.js';
import { FieldCipher } from '../crypto/field-cipher.js';
import type { AuditActor } from '../modules/audit/service.js';
import { addCounts, type ImportCounts, type TypeCounts } from '../modules/fhir/import-service.js';
import { FhirRequestError } from '../modules/fhir/outcome.js';
import { startValidationWorkers } from '../modules/fhir/validation-pool.js';
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

/** A file's content as the bundles to import. */
export function bundlesOf(file: string, text: string): unknown[] {
  if (/\.ndjson$/i.test(file)) {
    const resources = text
      .split(/\r?\n/)
      .filter((line) => line.trim())
      .map((line) => JSON.parse(line) as unknown);
    const out: unknown[] = [];
    for (let i = 0; i < resources.length; i += NDJSON_BATCH) {
      out.push(asBatch(resources.slice(i, i + NDJSON_BATCH)));
    }
    return out;
  }
  const body = JSON.parse(text.replace(/^\uFEFF/, '')) as unknown;
  if (!isObject(body) || body.resourceType !== 'Bundle') return [asBatch([body])];
  if (body.type === 'transaction' || body.type === 'batch') return [body];
  const entries = Array.isArray(body.entry) ? body.entry : [];
  return [asBatch(entries.filter(isObject).map((e) => e.resource))];
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
  try {
    await database.migrate();
    // The import encrypts nothing: without a configured key a throwaway one will do.
    const cipher = await loadFieldCipher(config, database).catch(() => FieldCipher.random());
    const services = createServices(config, database, cipher);
    const org = await organizationNamed(services, orgName);
    const actor = cliActor(org.id);
    const counts: ImportCounts = {};
    const failures: FileFailure[] = [];
    const started = performance.now();
    let resources = 0;
    const read = async (file: string): Promise<unknown[] | string> => {
      try {
        return bundlesOf(file, await readFile(file, 'utf8'));
      } catch (error) {
        return `not readable as FHIR JSON: ${error instanceof Error ? error.message : String(error)}`;
      }
    };
    // The bundles in order, each with its file; the next file is read while one is imported.
    const queue: { file: string; bundle: unknown; unreadable?: string }[] = [];
    let nextFile = 0;
    const refill = async () => {
      while (queue.length === 0 && nextFile < files.length) {
        const file = files[nextFile] ?? '';
        bar.update(nextFile, files.length);
        nextFile += 1;
        const bundles = await read(file);
        if (typeof bundles === 'string') queue.push({ file, bundle: null, unreadable: bundles });
        // One at a time: an NDJSON file holds more resources than a call takes arguments.
        else for (const bundle of bundles) queue.push({ file, bundle });
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
    await database.close();
  }
}
