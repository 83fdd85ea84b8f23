import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestApp, type TestApp, TestTenant } from '../../../test/app.js';
import { describeEachDatabase } from '../../../test/databases.js';
import { patients } from '../../patients/schema.js';
import { inBatchTransaction } from './tx.js';

describeEachDatabase('HL7 batch transaction', (kind) => {
  let t: TestApp;
  let tenant: TestTenant;
  let patientId: string;
  beforeAll(async () => {
    t = await createTestApp(kind);
    tenant = await TestTenant.create(t);
    patientId = (await tenant.createPatient({ givenName: 'Ines' })).id;
  });
  afterAll(() => t.close());

  const language = async () => {
    const [row] = await t.database.withTenant(tenant.orgId, (tx) =>
      tx
        .select({ language: patients.preferredLanguage })
        .from(patients)
        .where(eq(patients.id, patientId)),
    );
    return row?.language;
  };
  const setLanguage = (language: string) =>
    sql`update patients set preferred_language = ${language} where id = ${patientId}`;

  it('reads as the tenant, writes in the last round trip and commits', async () => {
    const rows = await inBatchTransaction(t.database, tenant.orgId, true, async (bt) => {
      const read = await bt.first<{ org: string }>(
        sql`select current_setting('app.org_id') as org`,
      );
      await bt.last([setLanguage('pt')], []);
      return read;
    });
    expect(rows).toEqual([{ org: tenant.orgId }]);
    expect(await language()).toBe('pt');
  });

  it('rolls everything back when the batch fails after its first read, and the next one works', async () => {
    await expect(
      inBatchTransaction(t.database, tenant.orgId, true, async (bt) => {
        await bt.first(sql`select 1`);
        await bt.tx.execute(setLanguage('de'));
        throw new Error('a handler failed');
      }),
    ).rejects.toThrow('a handler failed');
    expect(await language()).toBe('pt');
    await inBatchTransaction(t.database, tenant.orgId, true, async (bt) => {
      await bt.first(sql`select 1`);
      await bt.last([setLanguage('es')], []);
    });
    expect(await language()).toBe('es');
  });

  it.runIf(kind === 'postgres')(
    'refuses a nested transaction on the few-round-trip path, which would commit the batch halfway',
    async () => {
      await expect(
        inBatchTransaction(t.database, tenant.orgId, true, async (bt) => {
          await bt.first(sql`select 1`);
          await bt.tx.execute(setLanguage('fr'));
          await bt.tx.transaction(async () => {});
        }),
      ).rejects.toThrow(/no nested transaction/);
      expect(await language()).toBe('es');
    },
  );
});
