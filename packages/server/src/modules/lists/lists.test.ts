import type { PatientListItem, PatientListMembers } from '@careloop/core';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestApp, type Session, type TestApp, TestTenant } from '../../test/app.js';
import { TestClock } from '../../test/clock.js';
import { describeEachDatabase } from '../../test/databases.js';
import { auditEvents } from '../audit/schema.js';

/**
 * Issue 11 (h11l): the lists page's API: a list made by hand, who made each list and added each
 * member, members a page at a time.
 */
describeEachDatabase('patient lists in the console', (kind) => {
  let app: TestApp;
  let tenant: TestTenant;
  let coordinator: Session;
  let marketer: Session;
  let frontDesk: Session;

  beforeAll(async () => {
    // Each read of the clock a second later: every member is added at an instant of its own.
    app = await createTestApp(
      kind,
      {},
      { clock: new TestClock('2026-12-01T17:00:00Z', { tickMs: 1000 }) },
    );
    await app.services.jobs.start();
    tenant = await TestTenant.create(app);
    coordinator = await tenant.signIn('care-coordinator');
    marketer = await tenant.signIn('marketer');
    frontDesk = await tenant.signIn('front-desk');
  }, 400_000);

  afterAll(async () => {
    await app?.close();
  });

  it('staff make a list by hand: empty, theirs, audited; a blank name is a 400 naming the field', async () => {
    const made = await frontDesk.post('/api/lists', { name: '  Flu shot callbacks ' });
    expect(made.statusCode, made.body).toBe(201);
    const list = made.json<PatientListItem>();
    expect(list).toMatchObject({
      name: 'Flu shot callbacks',
      key: null,
      source: 'staff',
      size: 0,
      createdBy: 'Test front-desk',
    });
    const all = (await coordinator.get('/api/lists')).json<PatientListItem[]>();
    expect(all.find((l) => l.id === list.id)).toEqual(list);
    const audited = await app.database.system((tx) =>
      tx
        .select({ action: auditEvents.action })
        .from(auditEvents)
        .where(and(eq(auditEvents.recordType, 'patient-list'), eq(auditEvents.recordId, list.id))),
    );
    expect(audited).toEqual([{ action: 'create' }]);

    for (const body of [{ name: '   ' }, { name: '' }, {}]) {
      const refused = await frontDesk.post('/api/lists', body);
      expect(refused.statusCode, refused.body).toBe(400);
      expect(refused.json<{ path: string }>().path).toBe('/body/name');
    }
    expect((await marketer.post('/api/lists', { name: 'Mine' })).statusCode).toBe(403);
  });

  it('members come a page at a time, newest first, each with who added them; a garbled cursor is a 400', async () => {
    const list = (
      await coordinator.post('/api/lists', { name: 'Diabetes outreach' })
    ).json<PatientListItem>();
    const names = ['Ana', 'Ben', 'Cleo'];
    const ids: string[] = [];
    for (const givenName of names) {
      const { id } = await tenant.createPatient({ givenName });
      ids.push(id);
      const added = await coordinator.post(`/api/lists/${list.id}/members`, { patientId: id });
      expect(added.statusCode, added.body).toBe(200);
    }
    const first = await coordinator.get(`/api/lists/${list.id}/members?limit=2`);
    expect(first.statusCode, first.body).toBe(200);
    const page1 = first.json<PatientListMembers>();
    expect(page1.list).toMatchObject({ size: 3, createdBy: 'Test care-coordinator' });
    expect(page1.items.map((m) => m.givenName)).toEqual(['Cleo', 'Ben']);
    expect(page1.items[0]).toMatchObject({ source: 'staff', addedBy: 'Test care-coordinator' });
    expect(page1.nextCursor).not.toBeNull();
    const second = await coordinator.get(
      `/api/lists/${list.id}/members?limit=2&cursor=${page1.nextCursor}`,
    );
    const page2 = second.json<PatientListMembers>();
    expect(page2.items.map((m) => m.givenName)).toEqual(['Ana']);
    expect(page2.nextCursor).toBeNull();

    const garbled = await coordinator.get(`/api/lists/${list.id}/members?cursor=not-a-cursor`);
    expect(garbled.statusCode).toBe(400);
    expect(garbled.json<{ path: string }>().path).toBe('/query/cursor');
    // Each member shown is an audited read.
    const reads = await app.database.system((tx) =>
      tx
        .select({ patientId: auditEvents.patientId })
        .from(auditEvents)
        .where(
          and(
            eq(auditEvents.recordType, 'patient-list-member'),
            eq(auditEvents.recordId, list.id),
            eq(auditEvents.action, 'read'),
          ),
        ),
    );
    expect(reads.map((r) => r.patientId).sort()).toEqual([...ids].sort());
  });

  it('a list saved from the journey map shows its source and who saved it for each member', async () => {
    const { id } = await tenant.createPatient({ givenName: 'Dora' });
    const saved = await coordinator.post('/api/journey-map/lists', {
      name: 'No-shows in November',
      patientIds: [id],
    });
    expect(saved.statusCode, saved.body).toBeLessThan(300);
    const { id: listId } = saved.json<{ id: string }>();
    const members = (
      await coordinator.get(`/api/lists/${listId}/members`)
    ).json<PatientListMembers>();
    expect(members.list).toMatchObject({
      source: 'journey-map',
      createdBy: 'Test care-coordinator',
    });
    expect(members.items).toMatchObject([
      { givenName: 'Dora', source: 'journey-map', addedBy: 'Test care-coordinator' },
    ]);
  });
});
