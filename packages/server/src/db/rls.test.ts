import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { auditEvents } from '../modules/audit/schema.js';
import { patients } from '../modules/patients/schema.js';
import { createTestApp, type TestApp, TestTenant } from '../test/app.js';
import { describeEachDatabase } from '../test/databases.js';
import { rowsOf } from './rows.js';

describeEachDatabase('tenant isolation by row-level security', (kind) => {
  let t: TestApp;
  let a: TestTenant;
  let b: TestTenant;
  beforeAll(async () => {
    t = await createTestApp(kind);
    a = await TestTenant.create(t);
    b = await TestTenant.create(t);
    await a.createPatient({ familyName: 'OnlyInA' });
    await b.createPatient({ familyName: 'OnlyInB' });
  });
  afterAll(() => t.close());

  it('a query with no organization filter returns no foreign rows', async () => {
    const names = await t.database.withTenant(a.orgId, (tx) =>
      tx.select({ family: patients.familyName }).from(patients),
    );
    expect(names.map((n) => n.family)).toEqual(['OnlyInA']);
    const tables = [
      'patient_contact_points',
      'patient_identifiers',
      'touchpoints',
      'audit_events',
      'users',
      'sessions',
    ];
    for (const table of tables) {
      const rows = rowsOf<{ org_id: string }>(
        await t.database.withTenant(a.orgId, (tx) =>
          tx.execute(sql.raw(`select distinct org_id from ${table}`)),
        ),
      );
      expect(
        rows.map((r) => r.org_id),
        table,
      ).toEqual([a.orgId]);
    }
  });

  it('tenantRead confines its statement to one organization and leaves the connection as it was', async () => {
    const names = await t.database.tenantRead<{ family_name: string }>(
      a.orgId,
      'select family_name from patients',
    );
    expect(names.map((n) => n.family_name)).toEqual(['OnlyInA']);
    await expect(t.database.tenantRead(a.orgId, 'select 1/0')).rejects.toThrow();
    // Every pooled connection is back to the login role with no organization, after success
    // and after an error alike: the settings lived in the statement's implicit transaction.
    const after = await Promise.all(
      Array.from({ length: 12 }, () =>
        t.database.db.execute(
          sql`select current_user as role, coalesce(current_setting('app.org_id', true), '') as org`,
        ),
      ),
    );
    for (const result of after) {
      const [row] = rowsOf<{ role: string; org: string }>(result);
      expect(row?.role).not.toBe('careloop_app');
      expect(row?.org).toBe('');
    }
    await expect(t.database.tenantRead(a.orgId, 'select 1; select 2')).rejects.toThrow(
      /exactly one statement/,
    );
  });

  it('sees nothing at all when no organization is set', async () => {
    const rows = await t.database.db.transaction(async (tx) => {
      await tx.execute(sql`set local role careloop_app`);
      return tx.select().from(patients);
    });
    expect(rows).toEqual([]);
  });

  it('cannot write a row into another organization', async () => {
    await expect(
      t.database.withTenant(a.orgId, (tx) =>
        tx.insert(patients).values({
          orgId: b.orgId,
          givenName: 'Sneaky',
          familyName: 'Row',
          searchName: 'row sneaky',
          searchGiven: 'sneaky',
          birthDate: '2000-01-01',
          administrativeSex: 'unknown',
        }),
      ),
    ).rejects.toThrow();
  });

  it('every table with org_id has row-level security enabled, and the app role owns none', async () => {
    const rows = rowsOf<{ table_name: string; rls: boolean; owner: string }>(
      await t.database.db.execute(sql`
        select c.relname as table_name, c.relrowsecurity as rls, pg_get_userbyid(c.relowner) as owner
        from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = 'public' and c.relkind = 'r'
          and exists (select 1 from information_schema.columns col
                      where col.table_schema = 'public' and col.table_name = c.relname
                        and col.column_name = 'org_id')`),
    );
    expect(rows.length).toBeGreaterThan(15);
    expect(rows.filter((r) => !r.rls).map((r) => r.table_name)).toEqual([]);
    expect(rows.filter((r) => r.owner === 'careloop_app' || r.owner === 'careloop_api')).toEqual(
      [],
    );
  });

  it('the application role may not update or delete audit events', async () => {
    const failure = (p: Promise<unknown>) =>
      p.then(
        () => 'succeeded',
        (e: Error & { cause?: Error }) => e.cause?.message ?? e.message,
      );
    expect(
      await failure(
        t.database.withTenant(a.orgId, (tx) => tx.update(auditEvents).set({ reason: 'x' })),
      ),
    ).toMatch(/permission denied/);
    expect(await failure(t.database.withTenant(a.orgId, (tx) => tx.delete(auditEvents)))).toMatch(
      /permission denied/,
    );
  });
});
