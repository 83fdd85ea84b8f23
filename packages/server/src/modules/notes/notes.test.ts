import { randomBytes } from 'node:crypto';
import type { Note, Patient360 } from '@careloop/core';
import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { UNREADABLE } from '../../crypto/field-cipher.js';
import { rowsOf } from '../../db/rows.js';
import { createTestApp, type Session, type TestApp, TestTenant } from '../../test/app.js';
import { describeEachDatabase } from '../../test/databases.js';
import { sealV1 } from '../../test/legacy-cipher.js';
import { auditEvents } from '../audit/schema.js';
import { touchpoints } from '../timeline/schema.js';

const SECRET = 'Daughter Ana translates; prefers calls after 5pm re: HIV follow-up';
const KEY = randomBytes(32);

describeEachDatabase('notes', (kind) => {
  let app: TestApp;
  let tenant: TestTenant;
  let clinician: Session;
  let patientId: string;

  beforeAll(async () => {
    app = await createTestApp(kind, { CARELOOP_ENCRYPTION_KEY: KEY.toString('base64') });
    tenant = await TestTenant.create(app);
    clinician = await tenant.signIn('clinician');
    patientId = (await tenant.createPatient()).id;
  });
  afterAll(() => app.close());

  const addNote = async (session: Session, body = SECRET, category?: string) => {
    const res = await session.post(`/api/patients/${patientId}/notes`, { body, category });
    expect(res.statusCode).toBe(200);
    return res.json<Note>();
  };

  it('refuses the front desk a note marked clinical, naming the category, and hides it from them', async () => {
    const frontDesk = await tenant.signIn('front-desk');
    const refused = await frontDesk.post(`/api/patients/${patientId}/notes`, {
      body: 'Suspected relapse',
      category: 'clinical',
    });
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toMatchObject({ path: '/body/category' });
    const clinical = await addNote(clinician, 'Suspected relapse, see labs', 'clinical');
    const own = await addNote(frontDesk, 'Prefers morning calls', 'scheduling');
    const seen = (await frontDesk.get(`/api/patients/${patientId}`)).json<Patient360>();
    expect(seen.notes?.map((n) => n.id)).toContain(own.id);
    expect(seen.notes?.map((n) => n.id)).not.toContain(clinical.id);
    const edit = await frontDesk.patch(`/api/notes/${own.id}`, { category: 'clinical' });
    expect(edit.statusCode).toBe(403);
  });

  it('adds a note and returns it decrypted, with author and default category', async () => {
    const note = await addNote(clinician);
    expect(note).toMatchObject({ body: SECRET, category: 'general', authorName: 'Test clinician' });
    expect(note.createdAt).toBe(note.updatedAt);
    expect(new Date(note.createdAt).toISOString()).toBe(note.createdAt);
  });

  it('never stores the note body in the clear', async () => {
    const note = await addNote(clinician);
    const [row] = rowsOf<Record<string, unknown>>(
      await app.database.system((tx) => tx.execute(sql`select * from notes where id = ${note.id}`)),
    );
    expect(row?.body_encrypted).toMatch(/^v2\.[A-Za-z0-9_-]+\./);
    // Whole phrases: three letters can turn up by chance in random base64 ciphertext.
    expect(JSON.stringify(row)).not.toContain('Daughter Ana');
    expect(JSON.stringify(row)).not.toContain('HIV follow-up');
  });

  it("does not show a body copied from another organization's note, and the rest still reads", async () => {
    const theirs = await TestTenant.create(app);
    const theirPatient = (await theirs.createPatient()).id;
    const theirClinician = await theirs.signIn('clinician');
    const mine = await addNote(clinician);
    const victim = (
      await theirClinician.post(`/api/patients/${theirPatient}/notes`, { body: 'Their own note' })
    ).json<Note>();
    await theirClinician.post(`/api/patients/${theirPatient}/notes`, { body: 'Another of theirs' });
    // As the owner role, past row-level security: what a database insider could do.
    await app.database.system((tx) =>
      tx.execute(sql`update notes set body_encrypted =
        (select body_encrypted from notes where id = ${mine.id}) where id = ${victim.id}`),
    );
    const view = await theirClinician.get(`/api/patients/${theirPatient}`);
    expect(view.statusCode).toBe(200);
    expect(view.body).not.toContain('Daughter Ana');
    expect(view.json<Patient360>().notes?.map((n) => n.body)).toEqual([
      'Another of theirs',
      UNREADABLE,
    ]);
    const changed = await theirClinician.patch(`/api/notes/${victim.id}`, { category: 'x' });
    expect(changed.statusCode).toBe(200);
    expect(changed.json<Note>().body).toBe(UNREADABLE);
    // Within one organization too: a body moved to another note of the same tenant.
    const second = await addNote(clinician, 'Second note');
    await app.database.system((tx) =>
      tx.execute(sql`update notes set body_encrypted =
        (select body_encrypted from notes where id = ${mine.id}) where id = ${second.id}`),
    );
    const moved = await clinician.patch(`/api/notes/${second.id}`, { category: 'y' });
    expect(moved.json<Note>().body).toBe(UNREADABLE);
  });

  it('still reads a note stored in the first format (v1, no associated data)', async () => {
    const note = await addNote(clinician, 'to be replaced');
    await app.database.system((tx) =>
      tx.execute(
        sql`update notes set body_encrypted = ${sealV1(KEY, 'Written by an older Careloop')} where id = ${note.id}`,
      ),
    );
    const res = await clinician.patch(`/api/notes/${note.id}`, { category: 'legacy' });
    expect(res.json<Note>().body).toBe('Written by an older Careloop');
  });

  it('audits the write and adds a touchpoint that does not repeat the note', async () => {
    const note = await addNote(clinician);
    const events = await app.database.system((tx) =>
      tx
        .select()
        .from(auditEvents)
        .where(and(eq(auditEvents.recordType, 'note'), eq(auditEvents.recordId, note.id))),
    );
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      action: 'create',
      patientId,
      actorId: clinician.userId,
      outcome: 'success',
    });
    const [tp] = await app.database.system((tx) =>
      tx.select().from(touchpoints).where(eq(touchpoints.subjectId, note.id)),
    );
    expect(tp).toMatchObject({
      patientId,
      channel: 'system',
      direction: 'internal',
      stage: 'follow-up',
      type: 'note.added',
      summary: 'Care-team note added',
      subjectType: 'note',
    });
    expect(JSON.stringify([events, tp])).not.toContain('Daughter');
  });

  it('shows notes in the 360 view, newest first', async () => {
    const p = (await tenant.createPatient()).id;
    for (const body of ['first', 'second', 'third']) {
      await clinician.post(`/api/patients/${p}/notes`, { body });
    }
    const view = (await clinician.get(`/api/patients/${p}`)).json<Patient360>();
    expect(view.notes?.map((n) => n.body)).toEqual(['third', 'second', 'first']);
  });

  it('lets the author change the body and category, and audits the change', async () => {
    const note = await addNote(clinician);
    const res = await clinician.patch(`/api/notes/${note.id}`, {
      body: 'Prefers mornings now',
      category: 'preferences',
    });
    expect(res.statusCode).toBe(200);
    const changed = res.json<Note>();
    expect(changed).toMatchObject({ body: 'Prefers mornings now', category: 'preferences' });
    expect(Date.parse(changed.updatedAt)).toBeGreaterThanOrEqual(Date.parse(note.updatedAt));
    const actions = await app.database.system((tx) =>
      tx
        .select({ action: auditEvents.action })
        .from(auditEvents)
        .where(eq(auditEvents.recordId, note.id))
        .orderBy(auditEvents.seq),
    );
    expect(actions.map((a) => a.action)).toEqual(['create', 'update']);
  });

  it('lets an admin change any note but refuses other staff with 403', async () => {
    const note = await addNote(clinician);
    const colleague = await tenant.signIn('care-coordinator');
    const denied = await colleague.patch(`/api/notes/${note.id}`, { body: 'overwritten' });
    expect(denied.statusCode).toBe(403);
    expect(denied.json()).toMatchObject({ code: 'forbidden' });
    const admin = await tenant.signIn('admin');
    const allowed = await admin.patch(`/api/notes/${note.id}`, { category: 'admin-reviewed' });
    expect(allowed.statusCode).toBe(200);
    expect(allowed.json<Note>()).toMatchObject({ body: SECRET, category: 'admin-reviewed' });
  });

  it('validates the request with the path of the offending field', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{}, '/body/body'],
      [{ body: '' }, '/body/body'],
      [{ body: '   ' }, '/body/body'],
      [{ body: 'x'.repeat(20_001) }, '/body/body'],
      [{ body: 'ok', category: 'c'.repeat(51) }, '/body/category'],
    ];
    for (const [body, path] of cases) {
      const res = await clinician.post(`/api/patients/${patientId}/notes`, body);
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ path });
    }
    const badId = await clinician.post('/api/patients/not-a-uuid/notes', { body: 'x' });
    expect(badId.statusCode).toBe(400);
    expect(badId.json()).toMatchObject({ path: '/params/id' });
  });

  it("answers 404 for another organization's patient or note", async () => {
    const other = await TestTenant.create(app);
    const theirPatient = await other.createPatient();
    const stranger = await other.signIn('clinician');
    const theirNote = (
      await stranger.post(`/api/patients/${theirPatient.id}/notes`, { body: 'theirs' })
    ).json<Note>();
    const onTheirPatient = await clinician.post(`/api/patients/${theirPatient.id}/notes`, {
      body: 'x',
    });
    expect(onTheirPatient.statusCode).toBe(404);
    const admin = await tenant.signIn('admin');
    const onTheirNote = await admin.patch(`/api/notes/${theirNote.id}`, { body: 'mine now' });
    expect(onTheirNote.statusCode).toBe(404);
    const unknown = await clinician.post(
      '/api/patients/00000000-0000-4000-8000-000000000000/notes',
      { body: 'x' },
    );
    expect(unknown.statusCode).toBe(404);
  });

  it('refuses marketers, anonymous callers and writes without the CSRF token', async () => {
    const marketer = await tenant.signIn('marketer');
    const denied = await marketer.post(`/api/patients/${patientId}/notes`, { body: 'x' });
    expect(denied.statusCode).toBe(403);
    const anonymous = await app.app.inject({
      method: 'POST',
      url: `/api/patients/${patientId}/notes`,
      payload: { body: 'x' },
    });
    expect(anonymous.statusCode).toBe(401);
    const noCsrf = await app.app.inject({
      method: 'POST',
      url: `/api/patients/${patientId}/notes`,
      headers: { cookie: clinician.cookie, 'content-type': 'application/json' },
      payload: JSON.stringify({ body: 'x' }),
    });
    expect(noCsrf.statusCode).toBe(403);
    expect(noCsrf.json()).toMatchObject({ code: 'csrf_failed' });
  });
});
