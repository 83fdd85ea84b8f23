import { readdir, readFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { getTableName, sql } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';
import { importOrder } from '../../packages/server/src/cli/import-fhir.js';
import { loadConfig } from '../../packages/server/src/config.js';
import { FieldCipher } from '../../packages/server/src/crypto/field-cipher.js';
import type { Database } from '../../packages/server/src/db/client.js';
import { rowsOf } from '../../packages/server/src/db/rows.js';
import { organizations } from '../../packages/server/src/modules/directory/schema.js';
import {
  addCounts,
  type ImportCounts,
  summarize,
} from '../../packages/server/src/modules/fhir/import/import-service.js';
import { TABLES } from '../../packages/server/src/modules/fhir/mapping/context.js';
import { fhirSourceRecords } from '../../packages/server/src/modules/fhir/schema.js';
import { startValidationWorkers } from '../../packages/server/src/modules/fhir/validation/pool.js';
import { loadFhirDefinitions } from '../../packages/server/src/modules/fhir/validation/validation.js';
import { organizationNamed } from '../../packages/server/src/modules/hl7/runtime.js';
import { sourceLinks } from '../../packages/server/src/modules/mpi/schema.js';
import { patients } from '../../packages/server/src/modules/patients/schema.js';
import { touchpoints } from '../../packages/server/src/modules/timeline/schema.js';
import { createServices, type Services } from '../../packages/server/src/services.js';
import { positiveInteger } from './args.js';
import { benchDatabase } from './databases.js';
import { finish, fmt, rssSampler, say } from './report.js';

/** The Synthea bundles beside the checkout (../shared/data, never copied into the repository). */
const DEFAULT_BUNDLES = fileURLToPath(
  new URL('../../../shared/data/synthea-fhir-r4/bundles', import.meta.url),
);

/**
 * Every table an import writes rows to, in foreign-key order: the mapped records (the order the
 * importer's writer uses), the raw resources, the source links, the timeline. The audit log is
 * left out of the baseline: its rows are hash-chained, one per patient and bundle (130 here).
 */
const DIRECTORY = ['externalOrganizations', 'locations', 'practitioners', 'serviceLines'];
const WRITTEN: readonly PgTable[] = [
  // Golden records go through their own writer, not the importer's tables: after the directory.
  ...DIRECTORY.map((key) => TABLES[key as keyof typeof TABLES]),
  patients,
  ...Object.entries(TABLES)
    .filter(([key]) => !DIRECTORY.includes(key))
    .map(([, table]) => table),
  fhirSourceRecords,
  sourceLinks,
  touchpoints,
];

interface ImportRun {
  resources: number;
  seconds: number;
  /** CPU time of this process (all its threads; PGlite's database included, PostgreSQL's not). */
  cpuSeconds: number;
  /** CPU time of the importing thread alone (the validation workers left out); null before Node 23.9. */
  mainThreadCpuSeconds: number | null;
  perSecond: number;
  counts: ImportCounts;
  refused: string[];
}

/** Imports every bundle through the real path, one transaction each, as `careloop import fhir` does. */
async function importAll(
  services: Services,
  orgId: string,
  texts: readonly { file: string; text: string }[],
): Promise<ImportRun> {
  const actor = {
    orgId,
    userId: null,
    email: 'careloop-bench',
    role: 'system',
    ip: null,
    userAgent: 'bench fhir',
  };
  const counts: ImportCounts = {};
  const refused: string[] = [];
  let resources = 0;
  let lastLog = performance.now();
  const cpu = process.cpuUsage();
  const mainCpu = threadCpu();
  const started = performance.now();
  // As `careloop import fhir` does: while a bundle is written, the next one is read and
  // validated, unless the last one changed nothing (a re-import).
  let next: unknown = JSON.parse(texts[0]?.text ?? 'null');
  let changing = true;
  for (const [i, { file }] of texts.entries()) {
    const body = next;
    const pending = services.fhir.imports.importBundle(orgId, actor, body);
    const following = texts[i + 1];
    next = following ? JSON.parse(following.text) : null;
    if (following && changing) services.fhir.imports.prevalidate(next);
    const result = await pending;
    changing = Object.values(result.counts).some((c) => c.created + c.updated + c.rejected > 0);
    resources += result.entries.length;
    addCounts(counts, result.counts);
    if (result.failure) {
      refused.push(`${path.basename(file)}: ${result.failure.outcome.issue?.[0]?.diagnostics}`);
    }
    if (performance.now() - lastLog > 5_000) {
      lastLog = performance.now();
      say(`  ${i + 1}/${texts.length} bundles, ${fmt(resources)} resources`);
    }
  }
  const seconds = (performance.now() - started) / 1000;
  return {
    resources,
    seconds,
    cpuSeconds: cpuSecondsSince(cpu),
    mainThreadCpuSeconds: mainCpu === null ? null : (threadCpu() ?? mainCpu) - mainCpu,
    perSecond: resources / seconds,
    counts,
    refused,
  };
}

/** CPU seconds this thread has used, where Node can tell (23.9 and later). */
function threadCpu(): number | null {
  if (typeof process.threadCpuUsage !== 'function') return null;
  const used = process.threadCpuUsage();
  return (used.user + used.system) / 1e6;
}

function cpuSecondsSince(start: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1e6;
}

interface TableRows {
  table: PgTable;
  columns: string[];
  /** The rows as JSON arrays of at most `batch` rows, ready to bind. */
  chunks: string[];
  rows: number;
}

/** What the import left in the organization's tables, table by table, as JSON chunks. */
async function capture(database: Database, orgId: string, batch: number): Promise<TableRows[]> {
  const out: TableRows[] = [];
  for (const table of WRITTEN) {
    const name = getTableName(table);
    const rows = rowsOf<{ row: string }>(
      await database.db.execute(
        sql`select row_to_json(t)::text as row from ${sql.identifier(name)} t where t.org_id = ${orgId}`,
      ),
    ).map((r) => r.row);
    if (rows.length === 0) continue;
    const generated = rowsOf<{ attname: string }>(
      await database.db.execute(
        sql`select attname from pg_attribute where attrelid = ${name}::regclass and attgenerated <> ''`,
      ),
    ).map((r) => r.attname);
    const first = JSON.parse(rows[0] ?? '{}') as Record<string, unknown>;
    const columns = Object.keys(first).filter((c) => !generated.includes(c));
    const chunks: string[] = [];
    for (let i = 0; i < rows.length; i += batch) {
      chunks.push(`[${rows.slice(i, i + batch).join(',')}]`);
    }
    out.push({ table, columns, chunks, rows: rows.length });
  }
  return out;
}

/**
 * The baseline: the same rows inserted into a fresh database, table by table in foreign-key
 * order, `batch` rows per statement (`insert … select from json_populate_recordset`, the
 * importer's own bulk form), as the application role under the organization's row-level
 * security, in one transaction. No validation, no lookups, no mapping.
 */
async function plainInsert(
  database: Database,
  org: typeof organizations.$inferSelect,
  tables: TableRows[],
): Promise<{
  rows: number;
  seconds: number;
  cpuSeconds: number;
  statements: number;
  tables: Record<string, { rows: number; ms: number }>;
}> {
  await database.db.insert(organizations).values(org);
  let rows = 0;
  let statements = 0;
  const perTable: Record<string, { rows: number; ms: number }> = {};
  const cpu = process.cpuUsage();
  const started = performance.now();
  await database.withTenant(org.id, async (tx) => {
    for (const { table, columns, chunks, rows: n } of tables) {
      const tableStarted = performance.now();
      const name = sql.identifier(getTableName(table));
      const list = sql.join(
        columns.map((c) => sql.identifier(c)),
        sql`, `,
      );
      for (const chunk of chunks) {
        await tx.execute(
          sql`insert into ${name} (${list}) select ${list} from json_populate_recordset(null::${name}, ${chunk}::json)`,
        );
        statements += 1;
      }
      rows += n;
      perTable[getTableName(table)] = {
        rows: n,
        ms: Math.round(performance.now() - tableStarted),
      };
    }
  });
  return {
    rows,
    seconds: (performance.now() - started) / 1000,
    cpuSeconds: cpuSecondsSince(cpu),
    statements,
    tables: perTable,
  };
}

const roundedOrNull = (n: number | null) => (n === null ? null : Number(n.toFixed(2)));

const mainThread = (run: ImportRun) =>
  run.mainThreadCpuSeconds === null
    ? ''
    : `, ${fmt(run.mainThreadCpuSeconds, 1)} s of it on the importing thread`;

/**
 * `bench fhir [--bundles DIR] [--batch B] [--json]`: imports the Synthea bundles (64 patients
 * and the shared Organization and Practitioner bundles, 13,396 resources) through the real
 * import path — validation, reference resolution, master patient index matching, mapping, raw
 * records, touchpoints, audit — into a fresh database, then again (every resource unchanged);
 * then, in the same run, inserts the rows the first import wrote into another fresh database
 * with plain batched inserts, the baseline. Reports resources/s and the ratio to the baseline.
 */
export async function benchFhir(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      bundles: { type: 'string', default: DEFAULT_BUNDLES },
      batch: { type: 'string', default: '1000' },
      json: { type: 'boolean', default: false },
    },
  });
  const batch = positiveInteger(values.batch, 'batch');
  const dir = path.resolve(values.bundles);
  const files = importOrder(
    (await readdir(dir)).filter((f) => f.endsWith('.json')).map((f) => path.join(dir, f)),
  );
  if (files.length === 0) throw new Error(`no .json bundles in ${dir}`);
  const texts = await Promise.all(
    files.map(async (file) => ({ file, text: await readFile(file, 'utf8') })),
  );
  const megabytes = texts.reduce((n, t) => n + Buffer.byteLength(t.text), 0) / 1_048_576;
  const loadBefore = loadavg();

  const bench = await benchDatabase({ fresh: true });
  const database = await bench.open();
  const copy = await benchDatabase({ fresh: true });
  const copyDatabase = await copy.open();
  try {
    await database.migrate();
    await copyDatabase.migrate();
    const services = createServices(
      loadConfig({ LOG_LEVEL: 'silent' }),
      database,
      FieldCipher.random(),
    );
    const { id: orgId } = await organizationNamed(services, 'FHIR Bench');
    const definitionsStarted = performance.now();
    loadFhirDefinitions();
    await startValidationWorkers();
    const definitionsSeconds = (performance.now() - definitionsStarted) / 1000;
    say(
      `FHIR import on ${bench.kind}: ${files.length} bundles, ${fmt(megabytes, 1)} MB from ${dir} (R4 definitions and validation workers loaded in ${fmt(definitionsSeconds, 2)} s, not timed)`,
    );

    const memory = rssSampler();
    say('first import');
    const first = await importAll(services, orgId, texts);
    say(
      `  ${fmt(first.resources)} resources in ${fmt(first.seconds, 1)} s: ${summarize(first.counts)}`,
    );
    say('re-import (same bundles)');
    const again = await importAll(services, orgId, texts);
    say(
      `  ${fmt(again.resources)} resources in ${fmt(again.seconds, 1)} s: ${summarize(again.counts)}`,
    );
    const { peakMb } = memory.stop();
    for (const r of [...first.refused, ...again.refused]) say(`  refused: ${r}`);

    say('baseline: the same rows, plain batched inserts into a fresh database');
    const tables = await capture(database, orgId, batch);
    const [org] = await database.db.select().from(organizations).where(sql`id = ${orgId}`);
    if (!org) throw new Error('bench organization vanished');
    const baseline = await plainInsert(copyDatabase, org, tables);
    const baselinePerSecond = first.resources / baseline.seconds;
    say(
      `  ${Object.entries(baseline.tables)
        .sort((a, b) => b[1].ms - a[1].ms)
        .map(([name, t]) => `${name} ${fmt(t.rows)} rows ${fmt(t.ms)} ms`)
        .join(', ')}`,
    );
    const loadAfter = loadavg();

    const ratio = first.perSecond / baselinePerSecond;
    const result = {
      benchmark: 'fhir',
      database: bench.kind,
      bundles: files.length,
      megabytes: Number(megabytes.toFixed(1)),
      firstImport: {
        resources: first.resources,
        seconds: Number(first.seconds.toFixed(2)),
        cpuSeconds: Number(first.cpuSeconds.toFixed(2)),
        mainThreadCpuSeconds: roundedOrNull(first.mainThreadCpuSeconds),
        resourcesPerSecond: Math.round(first.perSecond),
        summary: summarize(first.counts),
      },
      reimport: {
        resources: again.resources,
        seconds: Number(again.seconds.toFixed(2)),
        cpuSeconds: Number(again.cpuSeconds.toFixed(2)),
        mainThreadCpuSeconds: roundedOrNull(again.mainThreadCpuSeconds),
        resourcesPerSecond: Math.round(again.perSecond),
        summary: summarize(again.counts),
      },
      baseline: {
        rows: baseline.rows,
        statements: baseline.statements,
        batch,
        seconds: Number(baseline.seconds.toFixed(2)),
        cpuSeconds: Number(baseline.cpuSeconds.toFixed(2)),
        rowsPerSecond: Math.round(baseline.rows / baseline.seconds),
        resourcesPerSecond: Math.round(baselinePerSecond),
        tables: baseline.tables,
      },
      ratio: Number(ratio.toFixed(3)),
      goals: { resourcesPerSecond: 5000, ratio: 0.25 },
      refused: first.refused.length + again.refused.length,
      peakRssMb: Math.round(peakMb),
      loadAverage: {
        before: Number((loadBefore[0] ?? 0).toFixed(2)),
        after: Number((loadAfter[0] ?? 0).toFixed(2)),
      },
    };
    finish(values.json, result, [
      `fhir import on ${bench.kind}: ${fmt(first.resources)} resources (${files.length} Synthea bundles, ${fmt(megabytes, 1)} MB)`,
      `  first import: ${fmt(first.seconds, 1)} s = ${fmt(first.perSecond)} resources/s (goal ≥ 5,000); ${fmt(first.cpuSeconds, 1)} s CPU in this process${mainThread(first)}`,
      `  re-import (unchanged): ${fmt(again.seconds, 1)} s = ${fmt(again.perSecond)} resources/s; ${fmt(again.cpuSeconds, 1)} s CPU`,
      `  baseline, the ${fmt(baseline.rows)} rows the import wrote as plain inserts of ${fmt(batch)}: ${fmt(baseline.seconds, 2)} s = ${fmt(baselinePerSecond)} resources/s (${fmt(baseline.rows / baseline.seconds)} rows/s); ${fmt(baseline.cpuSeconds, 1)} s CPU`,
      `  ratio first import / baseline: ${result.ratio} (goal ≥ 0.25)`,
      `  peak RSS ${fmt(peakMb)} MB; load average ${fmt(loadBefore[0] ?? 0, 2)} before, ${fmt(loadAfter[0] ?? 0, 2)} after`,
    ]);
  } finally {
    await database.close();
    await copyDatabase.close();
    await bench.dispose();
    await copy.dispose();
  }
}
