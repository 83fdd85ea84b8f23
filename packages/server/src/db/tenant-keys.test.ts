import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { tasks } from '../modules/tasks/schema.js';
import { createTestApp, type TestApp, TestTenant } from '../test/app.js';
import { describeEachDatabase } from '../test/databases.js';
import { sqlState, violatedReferenceField } from './errors.js';
import { rowsOf } from './rows.js';

interface ForeignKeyRow {
  name: string;
  source: string;
  target: string;
  /** Column pairs, `source_column=target_column`. */
  pairs: string[];
}

/** Every foreign key between two tables that both carry `org_id`, read from the catalog. */
async function tenantForeignKeys(t: TestApp): Promise<ForeignKeyRow[]> {
  return rowsOf<ForeignKeyRow>(
    await t.database.ownerDb.execute(sql`
      select c.conname as name, c.conrelid::regclass::text as source,
             c.confrelid::regclass::text as target,
             array(
               select sa.attname || '=' || ta.attname
               from unnest(c.conkey, c.confkey) as k(s, f)
               join pg_attribute sa on sa.attrelid = c.conrelid and sa.attnum = k.s
               join pg_attribute ta on ta.attrelid = c.confrelid and ta.attnum = k.f
             ) as pairs
      from pg_constraint c
      where c.contype = 'f'
        and exists (select 1 from pg_attribute a
                    where a.attrelid = c.conrelid and a.attname = 'org_id' and not a.attisdropped)
        and exists (select 1 from pg_attribute a
                    where a.attrelid = c.confrelid and a.attname = 'org_id' and not a.attisdropped)
      order by 1`),
  );
}

describeEachDatabase('references between tenant tables', (kind) => {
  let t: TestApp;
  let a: TestTenant;
  let b: TestTenant;
  beforeAll(async () => {
    t = await createTestApp(kind);
    a = await TestTenant.create(t);
    b = await TestTenant.create(t);
  });
  afterAll(() => t.close());

  it('every foreign key between tenant tables includes org_id on both sides', async () => {
    const keys = await tenantForeignKeys(t);
    // patients, tasks, appointments, the FHIR tables…: dozens, or the query is wrong.
    expect(keys.length).toBeGreaterThan(50);
    const withoutOrg = keys.filter((k) => !k.pairs.includes('org_id=org_id'));
    expect(withoutOrg.map((k) => `${k.source} → ${k.target} (${k.name})`)).toEqual([]);
  });

  it('the database refuses a row pointing at another organization’s row', async () => {
    const foreign = await b.createPatient();
    const own = await a.createPatient();
    const insert = (patientId: string) =>
      t.database.system((tx) =>
        tx.insert(tasks).values({ orgId: a.orgId, title: 'Call back', patientId }),
      );
    // As the owner, so neither row-level security nor a service stands in the way.
    const refused = await insert(foreign.id).then(
      () => null,
      (error: unknown) => error,
    );
    expect(sqlState(refused)).toBe('23503');
    // The constraint's name leads back to the field (the error handler's 422 names it).
    expect(violatedReferenceField(refused)).toBe('patientId');
    await expect(insert(own.id)).resolves.toBeDefined();
  });
});
