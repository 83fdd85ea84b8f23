import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { Database } from './client.js';

const adminUrl = process.env.DATABASE_URL_TEST;

/**
 * Roles belong to the cluster, not to a database: the migrations of several databases of one
 * cluster running at once (parallel test files, two installs on one server) once failed with
 * `duplicate key value violates unique constraint "pg_auth_members_role_member_index"`, because
 * the migration lock is per database.
 */
describe.runIf(adminUrl)('role setup on a PostgreSQL cluster', () => {
  it('migrates six new databases of a new owner at once, and grants the role once', async () => {
    const admin = new pg.Client({ connectionString: adminUrl });
    admin.on('error', () => {});
    await admin.connect();
    const owner = `careloop_owner_${randomBytes(4).toString('hex')}`;
    const names = Array.from({ length: 6 }, (_, i) => `${owner}_db${i}`);
    try {
      await admin.query(`create role ${owner} login createdb createrole password '${owner}'`);
      for (const name of names) await admin.query(`create database ${name} owner ${owner}`);
      const urlOf = (name: string) => {
        const url = new URL(adminUrl ?? '');
        url.username = owner;
        url.password = owner;
        url.pathname = `/${name}`;
        return url.toString();
      };
      const databases = await Promise.all(
        names.map((name) => Database.open({ databaseUrl: urlOf(name) })),
      );
      try {
        const results = await Promise.allSettled(databases.map((d) => d.migrate()));
        const failures = results.flatMap((r) =>
          r.status === 'rejected' ? [String(r.reason)] : [],
        );
        expect(failures).toEqual([]);
      } finally {
        await Promise.all(databases.map((d) => d.close()));
      }
      const grants = await admin.query<{ n: number }>(
        `select count(*)::int as n from pg_auth_members m
           join pg_roles r on r.oid = m.roleid join pg_roles u on u.oid = m.member
          where r.rolname = 'careloop_app' and u.rolname = $1`,
        [owner],
      );
      expect(grants.rows[0]?.n).toBe(1);
    } finally {
      for (const name of names) await admin.query(`drop database if exists ${name} with (force)`);
      await admin.query(`drop owned by ${owner}`).catch(() => {});
      await admin.query(`drop role if exists ${owner}`);
      await admin.end();
    }
  });
});
