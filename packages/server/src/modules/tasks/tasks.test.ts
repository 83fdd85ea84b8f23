import type { Patient360, Task } from '@careloop/core';
import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UNREADABLE } from '../../crypto/field-cipher.js';
import { rowsOf } from '../../db/rows.js';
import { createTestApp, type Session, type TestApp, TestTenant } from '../../test/app.js';
import { describeEachDatabase } from '../../test/databases.js';
import { auditEvents } from '../audit/schema.js';
import { touchpoints } from '../timeline/schema.js';

interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

const RANK = { urgent: 0, high: 1, normal: 2, low: 3 } as const;

/** The order the API promises, computed independently: nulls last, ties broken by id. */
function expectedOrder(items: Task[], sort: string): string[] {
  const due = (t: Task) => (t.dueAt === null ? null : Date.parse(t.dueAt));
  const byDue = (a: Task, b: Task, desc: boolean) => {
    const x = due(a);
    const y = due(b);
    if (x === y) return 0;
    if (x === null) return 1;
    if (y === null) return -1;
    return desc ? y - x : x - y;
  };
  const byId = (a: Task, b: Task) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  const compare: Record<string, (a: Task, b: Task) => number> = {
    dueAt: (a, b) => byDue(a, b, false) || byId(a, b),
    '-dueAt': (a, b) => byDue(a, b, true) || byId(b, a),
    priority: (a, b) => RANK[a.priority] - RANK[b.priority] || byDue(a, b, false) || byId(a, b),
    createdAt: (a, b) => Date.parse(a.createdAt) - Date.parse(b.createdAt) || byId(a, b),
    '-createdAt': (a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt) || byId(b, a),
  };
  const fn = compare[sort];
  if (!fn) throw new Error(sort);
  return [...items].sort(fn).map((t) => t.id);
}

describeEachDatabase('tasks', (kind) => {
  let app: TestApp;
  let tenant: TestTenant;
  let coordinator: Session;
  let patientId: string;

  beforeAll(async () => {
    app = await createTestApp(kind);
    tenant = await TestTenant.create(app);
    coordinator = await tenant.signIn('care-coordinator');
    patientId = (await tenant.createPatient({ givenName: 'Maria', familyName: 'Lopez' })).id;
  });
  afterAll(() => app.close());

  const touchpointsOf = (taskId: string) =>
    app.database.system((tx) =>
      tx
        .select()
        .from(touchpoints)
        .where(and(eq(touchpoints.subjectType, 'task'), eq(touchpoints.subjectId, taskId)))
        .orderBy(touchpoints.occurredAt),
    );
  const auditOf = (taskId: string) =>
    app.database.system((tx) =>
      tx
        .select()
        .from(auditEvents)
        .where(and(eq(auditEvents.recordType, 'task'), eq(auditEvents.recordId, taskId)))
        .orderBy(auditEvents.seq),
    );

  it('creates a task about a patient, audited and on the timeline in one go', async () => {
    const dueAt = '2030-01-15T14:00:00.000Z';
    const res = await coordinator.post('/api/tasks', {
      patientId,
      title: '  Call about mammogram results ',
      assigneeId: coordinator.userId,
      dueAt,
      priority: 'high',
    });
    expect(res.statusCode).toBe(200);
    const task = res.json<Task>();
    expect(task).toMatchObject({
      patientId,
      patientName: 'Maria Lopez',
      title: 'Call about mammogram results',
      assigneeId: coordinator.userId,
      assigneeName: 'Test care-coordinator',
      dueAt,
      status: 'open',
      priority: 'high',
      completedAt: null,
    });
    expect(new Date(task.createdAt).toISOString()).toBe(task.createdAt);

    const events = await auditOf(task.id);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      action: 'create',
      patientId,
      actorId: coordinator.userId,
      userAgent: 'careloop-tests',
    });
    const [tp] = await touchpointsOf(task.id);
    expect(tp).toMatchObject({
      patientId,
      channel: 'system',
      direction: 'internal',
      stage: 'follow-up',
      type: 'task.created',
    });
  });

  it('shows the front desk a non-clinical title and no description, wherever the task is read', async () => {
    const desk = await tenant.signIn('front-desk');
    const clinician = await tenant.signIn('clinician');
    const titled = (
      await clinician.post('/api/tasks', {
        patientId,
        title: 'Review biopsy result',
        nonClinicalTitle: 'Call the patient back',
        description: 'Margins unclear; discuss excision',
      })
    ).json<Task>();
    const untitled = (
      await clinician.post('/api/tasks', { patientId, title: 'Adjust insulin dose' })
    ).json<Task>();
    const own = (
      await desk.post('/api/tasks', { patientId, title: 'Ask for the new insurance card' })
    ).json<Task>();
    expect(own).toMatchObject({
      title: 'Ask for the new insurance card',
      nonClinicalTitle: 'Ask for the new insurance card',
    });

    const seen = async (s: Session) => {
      const list = (await s.get(`/api/tasks?patientId=${patientId}&limit=200`)).json<Page<Task>>();
      const view = (await s.get(`/api/patients/${patientId}`)).json<Patient360>();
      const timeline = await s.get(`/api/patients/${patientId}/timeline?limit=200`);
      const find = (items: Task[] | null | undefined, id: string) =>
        items?.find((t) => t.id === id);
      return { list, view, timeline: timeline.body, find };
    };
    const asDesk = await seen(desk);
    for (const items of [asDesk.list.items, asDesk.view.openTasks]) {
      expect(asDesk.find(items, titled.id)).toMatchObject({
        title: 'Call the patient back',
        description: null,
      });
      expect(asDesk.find(items, untitled.id)).toMatchObject({
        title: 'Care team task',
        description: null,
      });
    }
    for (const text of ['biopsy', 'Margins', 'insulin']) {
      expect(JSON.stringify(asDesk.list), text).not.toContain(text);
      expect(JSON.stringify(asDesk.view), text).not.toContain(text);
      expect(asDesk.timeline, text).not.toContain(text);
    }
    expect(asDesk.timeline).toContain('Task: Call the patient back');
    // The task detail a write answers with is redacted the same way.
    const patched = await desk.patch(`/api/tasks/${titled.id}`, { priority: 'high' });
    expect(patched.json<Task>()).toMatchObject({
      title: 'Call the patient back',
      description: null,
    });

    const asClinician = await seen(clinician);
    expect(asClinician.find(asClinician.view.openTasks, titled.id)).toMatchObject({
      title: 'Review biopsy result',
      nonClinicalTitle: 'Call the patient back',
      description: 'Margins unclear; discuss excision',
    });
    expect(asClinician.timeline).toContain('Task: Review biopsy result');
  });

  it('refuses an empty non-clinical title, naming the field', async () => {
    const res = await coordinator.post('/api/tasks', { title: 'x', nonClinicalTitle: '   ' });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ path: '/body/nonClinicalTitle' });
  });

  it('stores the description encrypted, bound to its task, and still reads a plain one from before', async () => {
    const create = (description: string) =>
      coordinator.post('/api/tasks', { title: 'Follow up', patientId, description });
    const task = (await create('Recheck serum potassium 7.2 mmol/L')).json<Task>();
    expect(task.description).toBe('Recheck serum potassium 7.2 mmol/L');
    const other = (await create('Other task')).json<Task>();
    const stored = await app.database.system((tx) =>
      tx.execute(sql`select description, description_encrypted from tasks where id = ${task.id}`),
    );
    expect(JSON.stringify(rowsOf(stored))).not.toContain('potassium');
    expect(rowsOf<{ description: string | null }>(stored)[0]?.description).toBeNull();
    // Moved to another task as the owner role: unreadable there, and the list still answers.
    await app.database.system((tx) =>
      tx.execute(sql`update tasks set description_encrypted =
        (select description_encrypted from tasks where id = ${task.id}) where id = ${other.id}`),
    );
    const list = await coordinator.get(`/api/tasks?patientId=${patientId}&limit=100`);
    expect(list.statusCode).toBe(200);
    const shown = list.json<Page<Task>>().items;
    expect(shown.find((t) => t.id === other.id)?.description).toBe(UNREADABLE);
    expect(shown.find((t) => t.id === task.id)?.description).toContain('potassium');
    // A task written before encryption (plain column) reads until `careloop keys rotate`.
    await app.database.system((tx) =>
      tx.execute(sql`update tasks set description = 'Older plain text', description_encrypted = null
        where id = ${other.id}`),
    );
    const view = (await coordinator.get(`/api/patients/${patientId}`)).json<Patient360>();
    expect(view.openTasks?.find((t) => t.id === other.id)?.description).toBe('Older plain text');
    expect(view.openTasks?.find((t) => t.id === task.id)?.description).toContain('potassium');
  });

  it('creates a task about no patient without audit or touchpoint', async () => {
    const res = await coordinator.post('/api/tasks', { title: 'Restock brochures' });
    expect(res.statusCode).toBe(200);
    const task = res.json<Task>();
    expect(task).toMatchObject({
      patientId: null,
      patientName: null,
      assigneeName: null,
      priority: 'normal',
      dueAt: null,
    });
    expect(await auditOf(task.id)).toEqual([]);
    expect(await touchpointsOf(task.id)).toEqual([]);
  });

  it('completing a task stamps completedAt and adds one touchpoint; reopening clears it', async () => {
    const task = (
      await coordinator.post('/api/tasks', { patientId, title: 'Book follow-up' })
    ).json<Task>();
    const done = await coordinator.patch(`/api/tasks/${task.id}`, { status: 'done' });
    expect(done.statusCode).toBe(200);
    const completedAt = done.json<Task>().completedAt;
    expect(completedAt).not.toBeNull();
    // Done again is no new completion.
    const again = await coordinator.patch(`/api/tasks/${task.id}`, { status: 'done' });
    expect(again.json<Task>().completedAt).toBe(completedAt);
    expect((await touchpointsOf(task.id)).map((t) => t.type)).toEqual([
      'task.created',
      'task.completed',
    ]);
    const reopened = await coordinator.patch(`/api/tasks/${task.id}`, { status: 'open' });
    expect(reopened.json<Task>()).toMatchObject({ status: 'open', completedAt: null });
    const events = await auditOf(task.id);
    expect(events.map((e) => [e.action, e.reason])).toEqual([
      ['create', null],
      ['update', 'completed'],
      ['update', null],
      ['update', null],
    ]);
    expect(events.every((e) => e.patientId === patientId)).toBe(true);
  });

  it('changes title, assignee, due date and priority', async () => {
    const task = (await coordinator.post('/api/tasks', { title: 'Draft' })).json<Task>();
    const other = await tenant.signIn('clinician');
    const res = await coordinator.patch(`/api/tasks/${task.id}`, {
      title: 'Final',
      assigneeId: other.userId,
      dueAt: '2031-05-01T09:30:00.000Z',
      priority: 'urgent',
      description: 'Details',
    });
    expect(res.json<Task>()).toMatchObject({
      title: 'Final',
      assigneeId: other.userId,
      assigneeName: 'Test clinician',
      dueAt: '2031-05-01T09:30:00.000Z',
      priority: 'urgent',
      description: 'Details',
    });
    const cleared = await coordinator.patch(`/api/tasks/${task.id}`, {
      assigneeId: null,
      dueAt: null,
    });
    expect(cleared.json<Task>()).toMatchObject({ assigneeId: null, dueAt: null });
  });

  it('validates the request with the path of the offending field', async () => {
    const other = await TestTenant.create(app);
    const theirPatient = await other.createPatient();
    const theirUser = await other.signIn('clinician');
    const portalUser = await tenant.signIn('patient', { patientId });
    const cases: [Record<string, unknown>, string, number][] = [
      [{}, '/body/title', 400],
      [{ title: '   ' }, '/body/title', 400],
      [{ title: 'x', priority: 'asap' }, '/body/priority', 400],
      [{ title: 'x', dueAt: 'tomorrow' }, '/body/dueAt', 400],
      [{ title: 'x', patientId: 'nope' }, '/body/patientId', 400],
      // Another organization's patient reads as an unknown one: 422, the same for both.
      [{ title: 'x', patientId: theirPatient.id }, '/body/patientId', 422],
      [{ title: 'x', patientId: crypto.randomUUID() }, '/body/patientId', 422],
      [{ title: 'x', assigneeId: theirUser.userId }, '/body/assigneeId', 422],
      [{ title: 'x', assigneeId: portalUser.userId }, '/body/assigneeId', 400],
    ];
    for (const [body, path, status] of cases) {
      const res = await coordinator.post('/api/tasks', body);
      expect(res.statusCode, JSON.stringify(body)).toBe(status);
      expect(res.json()).toMatchObject({ path });
    }
    const task = (await coordinator.post('/api/tasks', { title: 'ok' })).json<Task>();
    const badStatus = await coordinator.patch(`/api/tasks/${task.id}`, { status: 'finished' });
    expect(badStatus.statusCode).toBe(400);
    expect(badStatus.json()).toMatchObject({ path: '/body/status' });
  });

  it('lists my tasks, filters by status and patient, and audits each patient shown', async () => {
    const t = await TestTenant.create(app);
    const me = await t.signIn('front-desk');
    const colleague = await t.signIn('clinician');
    const p1 = (await t.createPatient()).id;
    const p2 = (await t.createPatient()).id;
    const mine1 = (
      await me.post('/api/tasks', { title: 'a', patientId: p1, assigneeId: me.userId })
    ).json<Task>();
    const mine2 = (await me.post('/api/tasks', { title: 'b', assigneeId: me.userId })).json<Task>();
    await me.post('/api/tasks', { title: 'c', patientId: p2, assigneeId: colleague.userId });
    await me.patch(`/api/tasks/${mine2.id}`, { status: 'in-progress' });

    const mine = (await me.get('/api/tasks?mine=true')).json<Page<Task>>();
    expect(mine.items.map((x) => x.id).sort()).toEqual([mine1.id, mine2.id].sort());
    const inProgress = (await me.get('/api/tasks?status=in-progress')).json<Page<Task>>();
    expect(inProgress.items.map((x) => x.id)).toEqual([mine2.id]);
    const forP2 = (await me.get(`/api/tasks?patientId=${p2}`)).json<Page<Task>>();
    expect(forP2.items.map((x) => x.title)).toEqual(['c']);
    const conflicting = await me.get(`/api/tasks?mine=true&assigneeId=${colleague.userId}`);
    expect(conflicting.statusCode).toBe(400);
    expect(conflicting.json()).toMatchObject({ path: '/query/assigneeId' });

    const searches = await app.database.system((tx) =>
      tx
        .select()
        .from(auditEvents)
        .where(and(eq(auditEvents.orgId, t.orgId), eq(auditEvents.action, 'search')))
        .orderBy(auditEvents.seq),
    );
    const taskSearches = searches.filter((e) => e.recordType === 'task');
    // mine=true showed p1; the status filter showed no patient; the patient filter showed p2.
    expect(taskSearches.map((e) => e.patientId)).toEqual([p1, p2]);
    expect(taskSearches.every((e) => e.actorId === me.userId)).toBe(true);
  });

  it("queues a task for a team: each role sees its teams' queue, someone takes it", async () => {
    const t = await TestTenant.create(app);
    const desk = await t.signIn('front-desk');
    const nurse = await t.signIn('clinician');
    const admin = await t.signIn('admin');
    const marketer = await t.signIn('marketer');
    const p = (await t.createPatient()).id;
    const forDesk = (
      await nurse.post('/api/tasks', {
        title: 'Rebook missed visit',
        patientId: p,
        team: 'front-desk',
      })
    ).json<Task>();
    expect(forDesk).toMatchObject({ team: 'front-desk', assigneeId: null });
    const forNurses = (
      await desk.post('/api/tasks', { title: 'Call about medications', team: 'clinical' })
    ).json<Task>();
    await desk.post('/api/tasks', { title: 'Nobody’s queue' });

    const queue = async (session: Session, query = '') => {
      const res = await session.get(`/api/tasks?myTeams=true${query}`);
      expect(res.statusCode, res.body).toBe(200);
      return res.json<Page<Task>>().items.map((x) => x.title);
    };
    expect(await queue(desk)).toEqual(['Rebook missed visit']);
    expect(await queue(nurse)).toEqual(['Call about medications']);
    expect((await queue(admin)).sort()).toEqual(['Call about medications', 'Rebook missed visit']);
    expect(await queue(admin, '&team=clinical')).toEqual(['Call about medications']);
    const notMine = await desk.get('/api/tasks?myTeams=true&team=clinical');
    expect(notMine.statusCode).toBe(400);
    expect(notMine.json()).toMatchObject({ path: '/query/team' });
    expect((await marketer.get('/api/tasks?myTeams=true')).statusCode).toBe(403);
    const byTeam = (await desk.get('/api/tasks?team=clinical')).json<Page<Task>>();
    expect(byTeam.items.map((x) => x.id)).toEqual([forNurses.id]);

    // Taking it keeps the team: the queue shows who has it.
    const taken = await desk.patch(`/api/tasks/${forDesk.id}`, { assigneeId: desk.userId });
    expect(taken.json<Task>()).toMatchObject({ team: 'front-desk', assigneeId: desk.userId });
    const moved = await desk.patch(`/api/tasks/${forDesk.id}`, { team: 'care-coordination' });
    expect(moved.json<Task>().team).toBe('care-coordination');
    expect(await queue(desk)).toEqual([]);
    const unknown = await desk.post('/api/tasks', { title: 'x', team: 'nursing' });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json()).toMatchObject({ path: '/body/team' });
  });

  describe('sorting and paging', () => {
    let t: TestTenant;
    let user: Session;
    let all: Task[];

    beforeAll(async () => {
      t = await TestTenant.create(app);
      user = await t.signIn('clinician');
      const p = (await t.createPatient()).id;
      const specs = [
        { dueAt: '2030-03-01T10:00:00.000Z', priority: 'low' },
        { dueAt: null, priority: 'urgent' },
        { dueAt: '2030-01-01T10:00:00.000Z', priority: 'high' },
        { dueAt: '2030-03-01T10:00:00.000Z', priority: 'urgent' },
        { dueAt: null, priority: 'normal' },
        { dueAt: '2030-02-01T10:00:00.000Z', priority: 'high' },
        { dueAt: '2030-03-01T10:00:00.000Z', priority: 'normal' },
        { dueAt: null, priority: 'low' },
      ];
      all = [];
      for (const [i, spec] of specs.entries()) {
        const res = await user.post('/api/tasks', { ...spec, title: `t${i}`, patientId: p });
        all.push(res.json<Task>());
      }
    });

    for (const sort of ['dueAt', '-dueAt', 'priority', 'createdAt', '-createdAt']) {
      it(`pages by ${sort} without gaps or repeats`, async () => {
        const seen: string[] = [];
        let cursor: string | null = null;
        for (let pages = 0; pages < 10; pages += 1) {
          const qs: string = `sort=${sort}&limit=3${cursor ? `&cursor=${cursor}` : ''}`;
          const res = await user.get(`/api/tasks?${qs}`);
          expect(res.statusCode).toBe(200);
          const page = res.json<Page<Task>>();
          expect(page.items.length).toBeLessThanOrEqual(3);
          seen.push(...page.items.map((x) => x.id));
          cursor = page.nextCursor;
          if (!cursor) break;
        }
        expect(seen).toEqual(expectedOrder(all, sort));
      });
    }

    it('sorts by due date by default', async () => {
      const page = (await user.get('/api/tasks?limit=200')).json<Page<Task>>();
      expect(page.items.map((x) => x.id)).toEqual(expectedOrder(all, 'dueAt'));
      expect(page.nextCursor).toBeNull();
    });

    it('refuses a cursor made for another sort order, or tampered with', async () => {
      const first = (await user.get('/api/tasks?sort=dueAt&limit=2')).json<Page<Task>>();
      const wrongSort = await user.get(`/api/tasks?sort=createdAt&cursor=${first.nextCursor}`);
      expect(wrongSort.statusCode).toBe(400);
      expect(wrongSort.json()).toMatchObject({ path: '/query/cursor' });
      const forged = Buffer.from(JSON.stringify(['dueAt', 'yesterday', all[0]?.id])).toString(
        'base64url',
      );
      const tampered = await user.get(`/api/tasks?sort=dueAt&cursor=${forged}`);
      expect(tampered.statusCode).toBe(400);
    });

    it('gives the 360 view the open tasks of a patient, soonest due first', async () => {
      const p = all[0]?.patientId ?? '';
      const doneId = all[2]?.id ?? '';
      await user.patch(`/api/tasks/${doneId}`, { status: 'done' });
      const view = (await user.get(`/api/patients/${p}`)).json<Patient360>();
      const open = view.openTasks ?? [];
      const expected = all.filter((x) => x.patientId === p && x.id !== doneId).map((x) => x.id);
      expect(open.map((x) => x.id).sort()).toEqual([...expected].sort());
      const due = open.map((x) => (x.dueAt ? Date.parse(x.dueAt) : Number.POSITIVE_INFINITY));
      expect(due).toEqual([...due].sort((a, b) => a - b));
      expect(open.every((x) => x.status === 'open' || x.status === 'in-progress')).toBe(true);
    });
  });

  it("answers 404 for another organization's task and never lists it", async () => {
    const other = await TestTenant.create(app);
    const stranger = await other.signIn('clinician');
    const theirs = (await stranger.post('/api/tasks', { title: 'Private' })).json<Task>();
    const res = await coordinator.patch(`/api/tasks/${theirs.id}`, { status: 'done' });
    expect(res.statusCode).toBe(404);
    const list = (await coordinator.get('/api/tasks?limit=200')).json<Page<Task>>();
    expect(list.items.map((x) => x.id)).not.toContain(theirs.id);
  });

  it('refuses marketers, anonymous callers and writes without the CSRF token', async () => {
    const marketer = await tenant.signIn('marketer');
    expect((await marketer.post('/api/tasks', { title: 'Campaign' })).statusCode).toBe(403);
    expect((await marketer.get('/api/tasks')).statusCode).toBe(403);
    expect((await app.app.inject({ method: 'GET', url: '/api/tasks' })).statusCode).toBe(401);
    const noCsrf = await app.app.inject({
      method: 'POST',
      url: '/api/tasks',
      headers: { cookie: coordinator.cookie, 'content-type': 'application/json' },
      payload: JSON.stringify({ title: 'x' }),
    });
    expect(noCsrf.statusCode).toBe(403);
    expect(noCsrf.json()).toMatchObject({ code: 'csrf_failed' });
  });
});
