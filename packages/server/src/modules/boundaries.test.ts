import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * Module boundaries (docs/adr/0016-module-boundaries.md), read from the source with regular
 * expressions (TypeScript 7 has no compiler API):
 *
 * 1. A table belongs to the module whose `schema.ts` defines it, and only that module writes it
 *    (Drizzle `insert/update/delete(table)`, the bulk `insertStatements/updateStatements(table)`,
 *    a batch's `update(tx, table, …)`, SQL text `insert into/update/delete from <table>`, and
 *    the tables the FHIR importer writes generically through `TABLES`). The golden record
 *    (`patients`) is written by one file only, `patients/golden-record.ts`.
 * 2. A module imports from another only its `service.ts`, its `schema.ts` (to read and to
 *    reference), or an entry point named in ENTRY_POINTS.
 *
 * The test fails on a breach not listed in EXCEPTIONS (empty since issue 10) and on a listed one
 * that no longer happens, so the list can only shrink.
 */

const MODULES = dirname(fileURLToPath(import.meta.url));

/** Files other modules may import besides `service.ts` and `schema.ts`, each for a reason. */
const ENTRY_POINTS: Readonly<Record<string, string>> = {
  'patients/golden-record.ts': 'the one writer of the golden record, for every source',
  'mpi/match.ts': "the master patient index's decision, which every source asks",
  'mpi/sources.ts': 'the source records every source leaves with the master patient index',
  'mpi/source-links.ts': 'the links from source records to Careloop records, for the importers',
  'patients/names.ts':
    'display names of patients for logs that store ids only (the audit log page)',
  'messaging/outbox.ts':
    'the outbox service: a message is queued in the transaction that causes it',
  'jobs/runner.ts': 'the job runner: a job is sent in the transaction that causes it',
  'messaging/send-template.ts':
    'the one send API for patient messages (templates, channel choice), for journeys',
  'jobs/names.ts': "the job runner's typed job names and payloads",
  'integrations/webhooks/events.ts':
    'the domain-event sink (a type): an owner tells subscribed webhooks in its own transaction',
  // Issue 11: it writes an organization's account templates through the templates service, so
  // the service cannot re-export it without an import circle.
  'templates/account-emails.ts':
    'the account emails (email verification, password reset) from editable templates, for auth',
};

/** Files that may write `patients`: the golden-record writer alone. */
const GOLDEN_WRITERS = new Set(['patients/golden-record.ts']);

/**
 * Breaches allowed, each `write <file> <table>` or `import <file> <target>` with its reason. None
 * today (issue 10 removed the last): a new one needs a reason a reviewer accepts, or an owner.
 */
const EXCEPTIONS = new Set<string>([]);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'test' ? [] : sourceFiles(path);
    return name.endsWith('.ts') && !name.endsWith('.test.ts') ? [path] : [];
  });
}

const moduleOf = (file: string) => file.split('/')[0] ?? '';

interface Source {
  /** Relative to modules/, with forward slashes. */
  file: string;
  text: string;
}

const SOURCES: Source[] = sourceFiles(MODULES).map((path) => ({
  file: relative(MODULES, path).split('\\').join('/'),
  text: readFileSync(path, 'utf8'),
}));

/** Each module's tables: the Drizzle name and the SQL name, from its `schema.ts`. */
function tablesByModule(
  sources: readonly Source[],
): Map<string, { name: string; sql: string; module: string }> {
  const tables = new Map<string, { name: string; sql: string; module: string }>();
  for (const { file, text } of sources) {
    if (!file.endsWith('/schema.ts')) continue;
    for (const m of text.matchAll(/export const (\w+) = pgTable\(\s*'(\w+)'/g)) {
      const [, name, sql] = m;
      if (name && sql)
        tables.set(`${moduleOf(file)}:${name}`, { name, sql, module: moduleOf(file) });
    }
  }
  return tables;
}

interface Import {
  names: { imported: string; local: string }[];
  /** The imported file, relative to modules/; null outside modules/. */
  target: string | null;
}

function importsOf({ file, text }: Source): Import[] {
  const out: Import[] = [];
  for (const m of text.matchAll(/import\s+(type\s+)?(\{[^}]*\}|[\w*\s]+)\s+from\s+'([^']+)'/g)) {
    const [, , clause = '', from = ''] = m;
    if (!from.startsWith('.')) continue;
    const absolute = resolve(MODULES, dirname(file), from).replace(/\.js$/, '.ts');
    const rel = relative(MODULES, absolute).split('\\').join('/');
    const names = clause.startsWith('{')
      ? clause
          .slice(1, -1)
          .split(',')
          .map((part) => part.trim().replace(/^type\s+/, ''))
          .filter(Boolean)
          .map((part) => {
            const [imported = '', local = imported] = part.split(/\s+as\s+/);
            return { imported, local };
          })
      : [];
    out.push({ names, target: rel.startsWith('..') ? null : rel });
  }
  return out;
}

/** Every table each file writes, by SQL name: `write <file> <table>`. */
function writes(sources: readonly Source[]): Set<string> {
  const tables = tablesByModule(sources);
  const bySql = new Map([...tables.values()].map((t) => [t.sql, t]));
  const found = new Set<string>();
  for (const source of sources) {
    const { file, text } = source;
    // Local names of imported tables → the table.
    const local = new Map<string, { sql: string; module: string }>();
    for (const { names, target } of importsOf(source)) {
      if (!target?.endsWith('/schema.ts')) continue;
      for (const { imported, local: as } of names) {
        const table = tables.get(`${moduleOf(target)}:${imported}`);
        if (table) local.set(as, table);
      }
    }
    const written = new Set<{ sql: string; module: string }>();
    const calls = [
      /\.(?:insert|update|delete)\(\s*(\w+)\s*\)/g,
      /\b(?:insertStatements|updateStatements)\(\s*(\w+)\s*,/g,
      /\.update\(\s*tx\s*,\s*(\w+)\s*,/g,
    ];
    for (const pattern of calls) {
      for (const m of text.matchAll(pattern)) {
        const table = m[1] ? local.get(m[1]) : undefined;
        if (table) written.add(table);
      }
    }
    // A table picked from an object of tables (`insertStatements(CLINICAL_TABLES[key], rows)`):
    // every table the object lists is written.
    const objects = new Map<string, string[]>();
    for (const m of text.matchAll(/const (\w+) = \{([^}]*)\}/g)) {
      if (m[1])
        objects.set(
          m[1],
          (m[2] ?? '').split(',').map((n) => n.trim()),
        );
    }
    const picked =
      /(?:\.(?:insert|update|delete)|\b(?:insertStatements|updateStatements))\(\s*(\w+)\[/g;
    for (const m of text.matchAll(picked)) {
      for (const name of (m[1] && objects.get(m[1])) || []) {
        const table = local.get(name);
        if (table) written.add(table);
      }
    }
    for (const m of text.matchAll(/\b(?:insert\s+into|update|delete\s+from)\s+([a-z_]+)\b/g)) {
      const table = m[1] ? bySql.get(m[1]) : undefined;
      if (table) written.add(table);
    }
    for (const table of written) {
      const own = table.module === moduleOf(file);
      const golden = table.sql === 'patients' ? GOLDEN_WRITERS.has(file) : own;
      if (!golden) found.add(`write ${file} ${table.sql}`);
    }
  }
  // The FHIR importer's writer writes itself every table named in WRITTEN_HERE; it hands the
  // others its mappings name to their owners.
  const context = sources.find((s) => s.file === 'fhir/mapping/context.ts');
  const block = /export const WRITTEN_HERE = \{([^}]*)\}/.exec(context?.text ?? '')?.[1] ?? '';
  const contextImports = context ? importsOf(context) : [];
  for (const name of block
    .split(',')
    .map((n) => n.trim())
    .filter(Boolean)) {
    const from = contextImports.find((i) => i.names.some((n) => n.local === name));
    const owner = from?.target ? moduleOf(from.target) : 'fhir';
    const table = tables.get(`${owner}:${name}`);
    if (table && owner !== 'fhir') found.add(`write fhir/import/writer.ts ${table.sql}`);
  }
  return found;
}

/** Imports of another module's internals: `import <file> <target>`. */
function internalImports(sources: readonly Source[]): Set<string> {
  const found = new Set<string>();
  for (const source of sources) {
    for (const { target } of importsOf(source)) {
      if (!target || moduleOf(target) === moduleOf(source.file)) continue;
      const base = target.slice(target.lastIndexOf('/') + 1);
      const publicFile = base === 'service.ts' || base === 'schema.ts' || base === 'index.ts';
      if (publicFile || ENTRY_POINTS[target]) continue;
      found.add(`import ${source.file} ${target}`);
    }
  }
  return found;
}

/** Every breach in `sources`: writes of other modules' tables and imports of their internals. */
const breaches = (sources: readonly Source[]) =>
  new Set([...writes(sources), ...internalImports(sources)]);

/**
 * Two made-up modules, `alpha` and `beta`, and the breaches the check must see in them: each
 * way of writing a table (Drizzle, bulk statements, SQL text, the FHIR writer's own list), an
 * import of internals, and a write of the golden record outside its writer.
 */
const FIXTURE: Source[] = [
  {
    file: 'alpha/schema.ts',
    text: "export const widgets = pgTable(\n  'widgets', {});\nexport const cogs = pgTable('cogs', {});",
  },
  { file: 'patients/schema.ts', text: "export const patients = pgTable('patients', {});" },
  {
    file: 'alpha/service.ts',
    text: "import { widgets } from './schema.js';\nawait tx.insert(widgets).values(row);",
  },
  {
    file: 'beta/drizzle.ts',
    text: "import { widgets as w } from '../alpha/schema.js';\nawait tx.update(w).set({});",
  },
  {
    file: 'beta/bulk.ts',
    text: "import { cogs } from '../alpha/schema.js';\nrun(insertStatements(cogs, rows));",
  },
  { file: 'beta/text.ts', text: 'await tx.execute(sql`delete from widgets where id = $1`);' },
  {
    file: 'beta/reads.ts',
    text: "import { widgets } from '../alpha/schema.js';\nawait tx.select().from(widgets);",
  },
  {
    file: 'beta/generic.ts',
    text: "import { cogs, widgets } from '../alpha/schema.js';\nconst OWN = { cogs, widgets } as const;\nrun(updateStatements(OWN[key], rows));",
  },
  {
    file: 'beta/peek.ts',
    text: "import { seal } from '../alpha/internal.js';\nimport { AlphaService } from '../alpha/service.js';",
  },
  {
    file: 'beta/golden.ts',
    text: "import { patients } from '../patients/schema.js';\nawait tx.insert(patients).values(p);",
  },
  {
    file: 'fhir/mapping/context.ts',
    text: "import { cogs } from '../../alpha/schema.js';\nexport const WRITTEN_HERE = { cogs } as const;",
  },
];

describe('module boundaries', () => {
  const found = breaches(SOURCES);

  it('sees every kind of breach in a fixture, and nothing where there is none', () => {
    expect([...breaches(FIXTURE)].sort()).toEqual([
      'import beta/peek.ts alpha/internal.ts',
      'write beta/bulk.ts cogs',
      'write beta/drizzle.ts widgets',
      'write beta/generic.ts cogs',
      'write beta/generic.ts widgets',
      'write beta/golden.ts patients',
      'write beta/text.ts widgets',
      'write fhir/import/writer.ts cogs',
    ]);
  });

  it('lets only the golden-record writer write patients, and only mpi write source_links', () => {
    const breaches = [...found].filter((f) => / (patients|source_links)$/.test(f));
    expect(breaches).toEqual([]);
  });

  it('finds no module writing another module’s tables or importing its internals, but the listed exceptions', () => {
    expect([...found].filter((f) => !EXCEPTIONS.has(f)).sort()).toEqual([]);
  });

  it('lists no exception that no longer happens (the list only shrinks)', () => {
    expect([...EXCEPTIONS].filter((e) => !found.has(e)).sort()).toEqual([]);
  });

  it('sees the writes it is looking for (a check that finds nothing proves nothing)', () => {
    // The clinical service, were it another module's file, writes every clinical table.
    const service = SOURCES.find((s) => s.file === 'clinical/service.ts');
    const moved = {
      file: 'fhir/clinical-copy.ts',
      text: (service?.text ?? '').replaceAll("from './", "from '../clinical/"),
    };
    const clinical = [...writes([...SOURCES, moved])].filter((f) => f.startsWith('write fhir/c'));
    expect(clinical.sort()).toEqual(
      [
        'allergies',
        'care_plans',
        'conditions',
        'encounters',
        'immunizations',
        'medication_requests',
        'observations',
        'procedures',
        'questionnaire_responses',
        'service_requests',
      ].map((table) => `write fhir/clinical-copy.ts ${table}`),
    );
    const golden = SOURCES.find((s) => s.file === 'patients/golden-record.ts');
    expect(golden?.text).toMatch(/\.insert\(patients\)/);
  });
});
