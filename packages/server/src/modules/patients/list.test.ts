import type { PatientSummary } from '@careloop/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type Session, type TestApp, TestTenant } from '../../test/app.js';
import { describeEachDatabase } from '../../test/databases.js';
import { searchPatients } from './search.js';

interface ListReply {
  items: PatientSummary[];
  nextCursor: string | null;
  total: { count: number; exact: boolean } | null;
  fuzzy: boolean;
}

describeEachDatabase('the patient list', (kind) => {
  let t: TestApp;
  let tenant: TestTenant;
  let desk: Session;

  beforeAll(async () => {
    t = await createTestApp(kind);
    tenant = await TestTenant.create(t);
    desk = await tenant.signIn('front-desk');
    for (const [givenName, familyName] of [
      ['Kelly', 'Abdullah'],
      ['Kellan', 'Abbott'],
      ['Omar', 'Abdul'],
      ['Lina', 'Featherstonehaugh'],
      ['Bea', 'Kowalski'],
    ] as const) {
      await tenant.createPatient({ givenName, familyName });
    }
    // Another organization's namesake is never counted nor found.
    await (await TestTenant.create(t)).createPatient({
      givenName: 'Kelly',
      familyName: 'Abdullah',
    });
  });
  afterAll(() => t.close());

  const list = async (query: string) => {
    const res = await desk.get(`/api/patients?${query}`);
    expect(res.statusCode, res.body).toBe(200);
    return res.json<ListReply>();
  };
  const names = (page: ListReply) => page.items.map((p) => `${p.givenName} ${p.familyName}`);

  describe('total', () => {
    it('counts what the search and filters find, exactly, on the first page', async () => {
      expect((await list('limit=2')).total).toEqual({ count: 5, exact: true });
      expect((await list('q=abd')).total).toEqual({ count: 2, exact: true });
      expect((await list('q=abd&sex=male')).total).toEqual({ count: 0, exact: true });
    });

    it('leaves the total out of the pages after the first', async () => {
      const first = await list('limit=2');
      expect(first.nextCursor).not.toBeNull();
      const second = await list(`limit=2&cursor=${encodeURIComponent(first.nextCursor ?? '')}`);
      expect(second.total).toBeNull();
      expect(second.items).toHaveLength(2);
    });

    it('estimates above the threshold, never below the count it knows is passed', async () => {
      const page = await t.database.withTenant(tenant.orgId, (tx) =>
        searchPatients(tx, {}, { insuranceIds: true, hidden: [], exactTotalUpTo: 3 }),
      );
      expect(page.total?.exact).toBe(false);
      expect(page.total?.count).toBeGreaterThanOrEqual(4);
    });
  });

  describe('typo-tolerant search', () => {
    it('finds Kelly Abdullah when "Kely Abdulah" begins no name', async () => {
      const page = await list(`q=${encodeURIComponent('Kely Abdulah')}`);
      expect(names(page)).toEqual(['Kelly Abdullah']);
      expect(page.fuzzy).toBe(true);
      expect(page.total).toEqual({ count: 1, exact: true });
    });

    it('finds a misspelt family name typed first, or alone', async () => {
      expect(names(await list('q=Abdulah%20Kelly'))).toEqual(['Kelly Abdullah']);
      expect(names(await list('q=Featherstonhaugh'))).toEqual(['Lina Featherstonehaugh']);
    });

    it('keeps to prefix matches while any name begins with what was typed', async () => {
      const page = await list('q=abd');
      expect(page.fuzzy).toBe(false);
      expect(names(page)).toEqual(['Omar Abdul', 'Kelly Abdullah']);
    });

    it('finds nothing for a name nothing resembles', async () => {
      const page = await list('q=Zyxwvut');
      expect(page.items).toEqual([]);
      expect(page.total).toEqual({ count: 0, exact: true });
    });
  });
});
