import { randomBytes } from 'node:crypto';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { describe } from 'vitest';
import { Database, type DatabaseKind, PGLITE_EXTENSIONS } from '../db/client.js';

let template: Promise<Blob> | null = null;

/** A migrated PGlite data directory, built once per test worker and copied per database. */
function pgliteTemplate(): Promise<Blob> {
  template ??= (async () => {
    const pglite = await PGlite.create({ extensions: PGLITE_EXTENSIONS });
    const database = await Database.open({ databaseUrl: null, pglite });
    await database.migrate();
    const dump = await pglite.dumpDataDir('none');
    await pglite.close();
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
    await admin.query('select pg_advisory_unlock(4242)');
    await admin.query(`create database ${name}`);
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
