import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { describe } from 'vitest';
import { Database, type DatabaseKind, MIGRATIONS, PGLITE_EXTENSIONS } from '../db/client.js';

/**
 * What a migrated database depends on: every migration file, and the PGlite build. Test
 * databases are copied from a template migrated once per machine (PGlite) or once per cluster
 * (PostgreSQL) under this name, so a changed migration builds a new template by itself.
 */
const schemaVersion: string = (() => {
  const hash = createHash('sha256');
  const files = readdirSync(MIGRATIONS, { recursive: true, encoding: 'utf8' }).sort();
  for (const file of files) {
    if (!file.endsWith('.sql') && !file.endsWith('.json')) continue;
    hash.update(file).update(readFileSync(join(MIGRATIONS, file)));
  }
  hash.update(pglitePackageJson());
  return hash.digest('hex').slice(0, 16);
})();

/** PGlite's package.json (its exports hide it from `require`): found above its entry point. */
function pglitePackageJson(): Buffer {
  let dir = dirname(createRequire(import.meta.url).resolve('@electric-sql/pglite'));
  for (;;) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      const text = readFileSync(file);
      if (
        (JSON.parse(text.toString('utf8')) as { name?: unknown }).name === '@electric-sql/pglite'
      ) {
        return text;
      }
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error('@electric-sql/pglite: package.json not found');
    dir = parent;
  }
}

let template: Promise<Blob> | null = null;

/**
 * A migrated PGlite data directory, copied per database. Migrating PGlite from nothing costs
 * 8–20 s of one core; vitest runs each test file in its own process, so the dump is kept in
 * the temporary folder and shared by every file and worker (written to a temporary name and
 * renamed, so a reader never sees half a file; two workers may both build it at first).
 */
function pgliteTemplate(): Promise<Blob> {
  template ??= (async () => {
    const path = join(tmpdir(), `careloop-pglite-template-${schemaVersion}.tar`);
    const cached = await readFile(path).catch(() => null);
    if (cached) return new Blob([cached]);
    const pglite = await PGlite.create({ extensions: PGLITE_EXTENSIONS });
    const database = await Database.open({ databaseUrl: null, pglite });
    await database.migrate();
    const dump = await pglite.dumpDataDir('none');
    await pglite.close();
    const partial = `${path}.${process.pid}.${randomBytes(4).toString('hex')}`;
    await writeFile(partial, new Uint8Array(await dump.arrayBuffer()));
    await rename(partial, path);
    return dump;
  })();
  return template;
}

export const APP_LOGIN_ROLE = 'careloop_api';

/**
 * A fresh, migrated database of its own for one test file. On PostgreSQL the application
 * connects as `careloop_api`, a login role that owns nothing (member of careloop_app), and
 * migrations run as the owner, as in a production install.
 */
export async function openTestDatabase(kind: DatabaseKind): Promise<Database> {
  if (kind === 'pglite') {
    const pglite = await PGlite.create({
      loadDataDir: await pgliteTemplate(),
      extensions: PGLITE_EXTENSIONS,
    });
    return Database.open({ databaseUrl: null, pglite });
  }
  const adminUrl = process.env.DATABASE_URL_TEST;
  if (!adminUrl) throw new Error('DATABASE_URL_TEST is not set');
  const name = `careloop_t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query('select pg_advisory_lock(4242)');
    await admin.query(`
      do $$ begin
        if not exists (select 1 from pg_roles where rolname = 'careloop_app') then
          create role careloop_app nologin;
        end if;
        if not exists (select 1 from pg_roles where rolname = '${APP_LOGIN_ROLE}') then
          create role ${APP_LOGIN_ROLE} login password '${APP_LOGIN_ROLE}' in role careloop_app;
        end if;
      end $$`);
    await ensurePostgresTemplate(admin, adminUrl);
    await admin.query('select pg_advisory_unlock(4242)');
    await admin.query(`create database ${name} template ${postgresTemplateName}`);
  } finally {
    await admin.end();
  }
  const ownerUrl = new URL(adminUrl);
  ownerUrl.pathname = `/${name}`;
  const appUrl = new URL(ownerUrl);
  appUrl.username = APP_LOGIN_ROLE;
  appUrl.password = APP_LOGIN_ROLE;
  const database = await Database.open({
    databaseUrl: appUrl.toString(),
    ownerUrl: ownerUrl.toString(),
  });
  await database.migrate();
  const close = database.close.bind(database);
  Object.assign(database, {
    close: async () => {
      await close();
      const dropper = new pg.Client({ connectionString: adminUrl });
      await dropper.connect();
      await dropper.query(`drop database if exists ${name} with (force)`);
      await dropper.end();
    },
  });
  return database;
}

const postgresTemplateName = `careloop_tpl_${schemaVersion}`;

/**
 * Migrates a template database once per cluster and schema version (under the caller's
 * advisory lock), so each test file's database is a copy instead of 30-odd migrations. The
 * copy is still migrated by its test (a no-op that checks the journal).
 */
async function ensurePostgresTemplate(admin: pg.Client, adminUrl: string): Promise<void> {
  const found = await admin.query('select 1 from pg_database where datname = $1', [
    postgresTemplateName,
  ]);
  if (found.rowCount) return;
  const building = `${postgresTemplateName}_build`;
  await admin.query(`drop database if exists ${building} with (force)`);
  await admin.query(`create database ${building}`);
  const ownerUrl = new URL(adminUrl);
  ownerUrl.pathname = `/${building}`;
  const appUrl = new URL(ownerUrl);
  appUrl.username = APP_LOGIN_ROLE;
  appUrl.password = APP_LOGIN_ROLE;
  const database = await Database.open({
    databaseUrl: appUrl.toString(),
    ownerUrl: ownerUrl.toString(),
  });
  try {
    await database.migrate();
  } finally {
    await database.close();
  }
  // Renamed only once complete, so a crash mid-build never leaves a half-migrated template.
  await admin.query(`alter database ${building} rename to ${postgresTemplateName}`);
}

/** The databases to run integration tests on: PGlite always, PostgreSQL when configured. */
export function testDatabaseKinds(): DatabaseKind[] {
  if (process.env.DATABASE_URL_TEST) return ['pglite', 'postgres'];
  if (process.env.CI === 'true') {
    throw new Error(
      'DATABASE_URL_TEST must be set under CI=true: integration tests need PostgreSQL',
    );
  }
  return ['pglite'];
}

let warned = false;
/** `describe` once per database kind; says so when PostgreSQL is skipped. */
export function describeEachDatabase(title: string, fn: (kind: DatabaseKind) => void): void {
  const kinds = testDatabaseKinds();
  if (!kinds.includes('postgres') && !warned) {
    warned = true;
    console.warn('DATABASE_URL_TEST is unset: PostgreSQL integration tests are skipped');
  }
  for (const kind of kinds) {
    describe(`${title} [${kind}]`, () => fn(kind));
  }
}
