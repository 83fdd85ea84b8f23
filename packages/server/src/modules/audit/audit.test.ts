import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { rowsOf } from '../../db/rows.js';
import { createTestApp, type TestApp, TestTenant } from '../../test/app.js';
import { describeEachDatabase } from '../../test/databases.js';
import { verifyAuditChains } from './service.js';

describeEachDatabase('audit chain', (kind) => {
  const nthEvent = async (n: number) =>
    rowsOf<{ seq: number | string }>(
      await t.database.system((tx) =>
        tx.execute(
          sql`select seq from audit_events where org_id = ${tenant.orgId} order by seq limit 1 offset ${n}`,
        ),
      ),
    )[0];

  let t: TestApp;
  let tenant: TestTenant;
  beforeAll(async () => {
    t = await createTestApp(kind);
    tenant = await TestTenant.create(t);
    const other = await TestTenant.create(t);
    const { id } = await tenant.createPatient();
    await other.createPatient();
    const reader = await tenant.signIn('front-desk');
    // Concurrent reads go through the group commit and must still form one unbroken chain.
    await Promise.all(Array.from({ length: 25 }, () => reader.get(`/api/patients/${id}`)));
  });
  afterAll(() => t.close());

  it('stores a read event with quotes, backslashes and semicolons verbatim, chain intact', async () => {
    const { id } = await tenant.createPatient();
    const agent = `O'Brien\\"; select 1; -- \u00e9 ''`;
    const res = await t.app.inject({
      method: 'GET',
      url: `/api/patients/${id}`,
      headers: { cookie: (await tenant.signIn('front-desk')).cookie, 'user-agent': agent },
    });
    expect(res.statusCode).toBe(200);
    const [row] = rowsOf<{ user_agent: string }>(
      await t.database.system((tx) =>
        tx.execute(
          sql`select user_agent from audit_events where record_id = ${id} and action = 'read'`,
        ),
      ),
    );
    expect(row?.user_agent).toBe(agent);
    expect((await verifyAuditChains(t.database.ownerDb)).breaks).toEqual([]);
  });

  it('verifies an untouched chain', async () => {
    const result = await verifyAuditChains(t.database.ownerDb);
    expect(result.breaks).toEqual([]);
    expect(result.checked).toBeGreaterThan(25);
    expect(result.organizations).toBe(2);
  });

  it('reports the event a superuser edited', async () => {
    const victim = await nthEvent(3);
    const seq = Number(victim?.seq);
    await t.database.system((tx) =>
      tx.execute(sql`update audit_events set reason = 'nothing to see' where seq = ${seq}`),
    );
    const result = await verifyAuditChains(t.database.ownerDb);
    expect(result.breaks).toContainEqual({ orgId: tenant.orgId, seq, problem: 'hash-mismatch' });
  });

  it('reports a deleted event as a break in the chain', async () => {
    const victim = await nthEvent(10);
    await t.database.system((tx) =>
      tx.execute(sql`delete from audit_events where seq = ${Number(victim?.seq)}`),
    );
    const result = await verifyAuditChains(t.database.ownerDb);
    expect(result.breaks.some((b) => b.problem === 'prev-hash-mismatch')).toBe(true);
  });
});
