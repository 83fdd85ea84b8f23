import type { PatientListChange, PatientListItem, PatientListMembers } from '@careloop/core';
import { eq, sql } from 'drizzle-orm';
import { expect, it } from 'vitest';
import { rowsOf } from '../../db/rows.js';
import { TestTenant } from '../../test/app.js';
import { describeEachDatabase } from '../../test/databases.js';
import { adt, merge } from '../../test/hl7/messages.js';
import { appointments } from '../scheduling/schema.js';
import { tasks } from '../tasks/schema.js';
import { systemActor } from './runtime.js';
import { useJourneyApp } from './test/journey-app.js';

const DAY = 86_400_000;
const HOUR = 3_600_000;

/**
 * Issue 11 (h11l): patient lists kept by staff through their routes, a journey that starts on
 * entry into a list, and the preventive screening recall run end to end on a test clock: its
 * texts read back from the local SMS gateway, its list_remove and goal, its call task.
 */
describeEachDatabase('patient lists and the screening recall', (kind) => {
  const j = useJourneyApp(kind);
  const { clock } = j;

  /** The `list.entered` jobs announced for the organization, oldest first. */
  const announced = async () =>
    rowsOf<{ listId: string; patientId: string }>(
      await j.app.database.system((tx) =>
        tx.execute(
          sql`select data->>'listId' as "listId", data->>'patientId' as "patientId"
              from pgboss.job where name = 'list.entered' and data->>'orgId' = ${j.tenant.orgId}
              order by created_on`,
        ),
      ),
    );

  /** Runs the announced entries not yet handled, as the worker would. */
  let handled = 0;
  const deliverEntries = async () => {
    const jobs = await announced();
    for (const job of jobs.slice(handled))
      await j.runtime().onListEntered({ orgId: j.tenant.orgId, ...job });
    handled = jobs.length;
  };

  const book = async (patientId: string, inMs: number) => {
    const start = new Date(clock.now().getTime() + inMs);
    const [appointment] = await j.app.database.system((tx) =>
      tx
        .insert(appointments)
        .values({
          orgId: j.tenant.orgId,
          patientId,
          status: 'booked',
          startAt: start,
          endAt: new Date(start.getTime() + 30 * 60_000),
        })
        .returning({ id: appointments.id }),
    );
    if (!appointment) throw new Error('no appointment');
    await j.runtime().onAppointmentChanged({
      orgId: j.tenant.orgId,
      appointmentId: appointment.id,
      event: 'booked',
    });
  };

  /** The recall list, as a care coordinator sees it in the console. */
  const recallList = async () => {
    const coordinator = await j.tenant.signIn('care-coordinator');
    const res = await coordinator.get('/api/lists');
    expect(res.statusCode, res.body).toBe(200);
    const list = res
      .json<PatientListItem[]>()
      .find((l) => l.key === 'due-for-preventive-screening');
    if (!list) throw new Error('no recall list');
    return list;
  };

  it('staff add and remove members through the routes: once per patient, one list.entered per addition, restricted patients guarded', async () => {
    await j.enable('screening-recall');
    handled = (await announced()).length;
    const list = await recallList();
    expect(list).toMatchObject({ name: 'Due for preventive screening', size: 0 });
    const ana = await j.smsPatient('Ana', 'en');
    const coordinator = await j.tenant.signIn('care-coordinator');
    const add = (patientId: string) =>
      coordinator.post(`/api/lists/${list.id}/members`, { patientId });

    const first = await add(ana.id);
    expect(first.statusCode, first.body).toBe(200);
    expect(first.json<PatientListChange>()).toEqual({ changed: true });
    // Added again (a double click): nothing changes, nothing is announced again.
    expect((await add(ana.id)).json<PatientListChange>()).toEqual({ changed: false });
    expect(await announced()).toEqual([{ listId: list.id, patientId: ana.id }]);

    const members = await coordinator.get(`/api/lists/${list.id}/members`);
    expect(members.statusCode, members.body).toBe(200);
    expect(members.json<PatientListMembers>().items).toMatchObject([
      { patientId: ana.id, givenName: 'Ana', restricted: false },
    ]);
    expect((await recallList()).size).toBe(1);

    // An id that names no patient of this organization: a 4xx naming the field.
    const unknown = await add('00000000-0000-4000-8000-000000000000');
    expect(unknown.statusCode).toBe(422);
    expect(unknown.json<{ path: string }>().path).toBe('/body/patientId');
    // Another organization's list is not found.
    const other = await TestTenant.create(j.app);
    const outsider = await other.signIn('care-coordinator');
    const foreign = await outsider.post(`/api/lists/${list.id}/members`, {
      patientId: (await other.createPatient()).id,
    });
    expect(foreign.statusCode).toBe(404);
    // A marketer reads no list.
    expect((await (await j.tenant.signIn('marketer')).get('/api/lists')).statusCode).toBe(403);

    // A VIP outside the front desk's care team: refused, and audited as a refusal.
    const vip = await j.smsPatient('Victor', 'en');
    const admin = await j.tenant.signIn('admin');
    const marked = await admin.request('PUT', `/api/patients/${vip.id}/restriction`, {
      kind: 'vip',
    });
    expect(marked.statusCode, marked.body).toBe(200);
    const frontDesk = await j.tenant.signIn('front-desk');
    const refused = await frontDesk.post(`/api/lists/${list.id}/members`, { patientId: vip.id });
    expect(refused.statusCode).toBe(403);

    const removed = await coordinator.request('DELETE', `/api/lists/${list.id}/members/${ana.id}`);
    expect(removed.statusCode, removed.body).toBe(200);
    expect(removed.json<PatientListChange>()).toEqual({ changed: true });
    const again = await coordinator.request('DELETE', `/api/lists/${list.id}/members/${ana.id}`);
    expect(again.json<PatientListChange>()).toEqual({ changed: false });
    expect((await recallList()).size).toBe(0);
    // Entered and left before the worker ran: no enrolment.
    await deliverEntries();
    expect(await j.enrolments(ana.id)).toEqual([]);
  });

  it('a journey naming a list the organization does not have cannot be published: a 4xx naming the field', async () => {
    const editor = { orgId: j.tenant.orgId, userId: null };
    const id = await j.app.services.journeys.saveDraft(editor, {
      key: 'on-a-list',
      name: 'On a list',
      trigger: { kind: 'list', list: 'no-such-list' },
      reentry: 'never',
      entry: 'done',
      nodes: [{ id: 'done', type: 'exit' }],
    });
    const admin = await j.tenant.signIn('admin');
    const refused = await admin.post(`/api/journeys/${id}/publish`, {});
    expect(refused.statusCode).toBe(422);
    expect(refused.json<{ path: string }>().path).toBe('/body/definition/trigger/list');
  });

  it('screening recall: entering the list enrols; booked within 14 days leaves the list and reaches the goal; else a second reminder, then a call task', async () => {
    await j.enable('screening-recall');
    handled = (await announced()).length;
    const list = await recallList();
    const tom = await j.smsPatient('Tom', 'en');
    const rosa = await j.smsPatient('Rosa', 'es');
    const coordinator = await j.tenant.signIn('care-coordinator');
    for (const who of [tom, rosa]) {
      const res = await coordinator.post(`/api/lists/${list.id}/members`, { patientId: who.id });
      expect(res.statusCode, res.body).toBe(200);
    }
    await deliverEntries();
    await j.settle(tom.id);
    await j.settle(rosa.id);
    const [tomRecall] = await j.phoneOf(tom);
    expect(tomRecall).toMatch(/^.+: Tom, you are due for a preventive visit\. Book a time: http/);
    const [rosaRecall] = await j.phoneOf(rosa);
    expect(rosaRecall).toMatch(
      /^.+: Rosa, le toca una consulta preventiva\. Reserve su cita: http/,
    );

    // Tom books 3 days later: off the list, the goal.
    clock.advance(3 * DAY);
    await book(tom.id, 10 * DAY);
    await j.settle(tom.id);
    const [tomEnrolment] = await j.enrolments(tom.id);
    expect(tomEnrolment).toMatchObject({ status: 'completed', currentNode: 'booked' });
    expect(tomEnrolment?.contextKey).toBe(`list:${list.id}`);
    expect(tomEnrolment?.convertedAt).not.toBeNull();
    expect(await j.stepsOf(tom.id)).toContain('off-list:list_removed');
    // Sessions expire as the clock moves: signed in again.
    const members = await (await j.tenant.signIn('care-coordinator')).get(
      `/api/lists/${list.id}/members`,
    );
    expect(members.statusCode, members.body).toBe(200);
    expect(members.json<PatientListMembers>().items.map((m) => m.patientId)).toEqual([rosa.id]);

    // Rosa books nothing: the second reminder after 14 days, the call task 14 days later.
    clock.advance(11 * DAY + HOUR);
    await j.settle(rosa.id);
    const rosaTexts = await j.phoneOf(rosa);
    expect(rosaTexts).toHaveLength(2);
    expect(rosaTexts.join('\n')).toContain(
      'Rosa, le recordamos que aún le toca una consulta preventiva',
    );
    clock.advance(14 * DAY);
    await j.settle(rosa.id);
    const [rosaEnrolment] = await j.enrolments(rosa.id);
    expect(rosaEnrolment).toMatchObject({ status: 'completed', currentNode: 'handed-over' });
    expect(rosaEnrolment?.convertedAt).toBeNull();
    const calls = await j.app.database.system((tx) =>
      tx.select({ team: tasks.team }).from(tasks).where(eq(tasks.patientId, rosa.id)),
    );
    expect(calls).toEqual([{ team: 'care-coordination' }]);

    // Tom due again a year on: back on the list, a new enrolment (re-entry after exit).
    clock.advance(DAY);
    const back = await (await j.tenant.signIn('care-coordinator')).post(
      `/api/lists/${list.id}/members`,
      { patientId: tom.id },
    );
    expect(back.json<PatientListChange>()).toEqual({ changed: true });
    await deliverEntries();
    expect((await j.enrolments(tom.id)).map((e) => e.status)).toEqual(['completed', 'active']);
  });

  it('screening recall: a patient staff take off the list before the second reminder gets none; the enrolment exits as left-list, a booking later changes nothing', async () => {
    await j.enable('screening-recall');
    handled = (await announced()).length;
    const list = await recallList();
    const lena = await j.smsPatient('Lena', 'en');
    const coordinator = await j.tenant.signIn('care-coordinator');
    const added = await coordinator.post(`/api/lists/${list.id}/members`, { patientId: lena.id });
    expect(added.statusCode, added.body).toBe(200);
    await deliverEntries();
    await j.settle(lena.id);
    expect(await j.phoneOf(lena)).toHaveLength(1);

    // Ten days on (the second reminder is due at 14), staff learn she was screened elsewhere.
    clock.advance(10 * DAY);
    const removed = await (await j.tenant.signIn('care-coordinator')).request(
      'DELETE',
      `/api/lists/${list.id}/members/${lena.id}`,
    );
    expect(removed.statusCode, removed.body).toBe(200);
    const [enrolment] = await j.enrolments(lena.id);
    expect(enrolment).toMatchObject({ status: 'exited', currentNode: 'wait-booked', wakeAt: null });
    expect(enrolment?.state).toMatchObject({ status: 'exited', endReason: 'left-list' });
    expect(enrolment?.convertedAt).toBeNull();

    // The wake the second reminder was scheduled for runs, and the call task's: nothing moves.
    clock.advance(5 * DAY);
    if (!enrolment) throw new Error('no enrolment');
    expect(await j.runtime().runStep(j.tenant.orgId, enrolment.id)).toBe('idle');
    clock.advance(14 * DAY);
    expect(await j.runtime().runStep(j.tenant.orgId, enrolment.id)).toBe('idle');
    expect(await j.phoneOf(lena)).toHaveLength(1);
    expect(await j.stepsOf(lena.id)).not.toContain('reminder:queued');
    // A booking reaches no ended enrolment.
    await book(lena.id, 3 * DAY);
    expect((await j.enrolments(lena.id)).map((e) => e.status)).toEqual(['exited']);
    const calls = await j.app.database.system((tx) =>
      tx.select({ id: tasks.id }).from(tasks).where(eq(tasks.patientId, lena.id)),
    );
    expect(calls).toEqual([]);
    // The exit is in the audit log, with its reason.
    const audited = rowsOf<{ reason: string | null }>(
      await j.app.database.system((tx) =>
        tx.execute(
          sql`select reason from audit_events where record_type = 'journey-enrolment'
              and record_id = ${enrolment.id}`,
        ),
      ),
    );
    expect(audited).toEqual([{ reason: 'left-list' }]);
  });

  it('screening recall across a merge: the merged record’s place on the list goes to the survivor; when both were on it, one recall goes on (the oldest), the other exits as left-list', async () => {
    await j.enable('screening-recall');
    handled = (await announced()).length;
    const list = await recallList();
    const coordinator = await j.tenant.signIn('care-coordinator');
    const add = async (patientId: string) => {
      const res = await coordinator.post(`/api/lists/${list.id}/members`, { patientId });
      expect(res.statusCode, res.body).toBe(200);
      await deliverEntries();
    };
    const merge = async (survivorId: string, mergedId: string) => {
      const res = await coordinator.post(`/api/patients/${survivorId}/merge`, { mergedId });
      expect(res.statusCode, res.body).toBe(200);
    };
    const members = async () =>
      (await coordinator.get(`/api/lists/${list.id}/members`))
        .json<PatientListMembers>()
        .items.map((m) => m.patientId);

    // Both records on the list, each with a running recall: one person, one recall.
    const sam = await j.smsPatient('Sam', 'en');
    const samDuplicate = await j.smsPatient('Samuel', 'en');
    await add(sam.id);
    clock.advance(60_000);
    await add(samDuplicate.id);
    const [samRecall] = await j.enrolments(sam.id);
    const [duplicateRecall] = await j.enrolments(samDuplicate.id);
    await merge(sam.id, samDuplicate.id);
    const after = await j.enrolments(sam.id);
    expect(after.map((e) => [e.id, e.status])).toEqual([
      [samRecall?.id, 'active'],
      [duplicateRecall?.id, 'exited'],
    ]);
    expect(after[1]?.state).toMatchObject({ endReason: 'left-list' });

    // Only the merged record on the list: the survivor takes its place, the recall goes on.
    const pat = await j.smsPatient('Pat', 'en');
    const patDuplicate = await j.smsPatient('Patricia', 'en');
    await add(patDuplicate.id);
    const [patRecall] = await j.enrolments(patDuplicate.id);
    await merge(pat.id, patDuplicate.id);
    expect((await j.enrolments(pat.id)).map((e) => [e.id, e.status])).toEqual([
      [patRecall?.id, 'active'],
    ]);
    const onList = await members();
    expect(onList).toContain(pat.id);
    expect(onList).toContain(sam.id);
    expect(onList).not.toContain(patDuplicate.id);
    expect(onList).not.toContain(samDuplicate.id);
  });

  it('screening recall across an HL7 A40 merge: the survivor takes the merged record’s place on the list and its recall goes on', async () => {
    await j.enable('screening-recall');
    handled = (await announced()).length;
    const list = await recallList();
    const actor = { ...systemActor(j.tenant.orgId), role: 'cli', userAgent: 'test' };
    const feed = async (text: string) => {
      const receipt = await j.app.services.hl7.receive(j.tenant.orgId, text, {
        channel: 'file',
        actor,
      });
      expect(receipt.messages.map((m) => m.ackCode)).toEqual(['AA']);
    };
    const admin = await j.tenant.signIn('admin');
    const patientIdOf = async (mrn: string): Promise<string> => {
      const [patient] = (await admin.get(`/api/patients?q=${mrn}`)).json<{
        items: { id: string }[];
      }>().items;
      if (!patient) throw new Error(`no patient ${mrn}`);
      return patient.id;
    };
    const suffix = j.tenant.orgId.slice(0, 6);
    await feed(
      adt(
        'A04',
        `r-1-${suffix}`,
        { mrn: `SR-1-${suffix}`, family: 'Ito', given: 'Ken' },
        { visit: `SV-1-${suffix}` },
      ),
    );
    await feed(
      adt(
        'A04',
        `r-2-${suffix}`,
        { mrn: `SR-2-${suffix}`, family: 'Ito', given: 'Kenji' },
        { visit: `SV-2-${suffix}` },
      ),
    );
    const survivor = await patientIdOf(`SR-1-${suffix}`);
    const merged = await patientIdOf(`SR-2-${suffix}`);
    const added = await admin.post(`/api/lists/${list.id}/members`, { patientId: merged });
    expect(added.statusCode, added.body).toBe(200);
    await deliverEntries();
    const [recall] = await j.enrolments(merged);
    await feed(
      merge(
        `r-3-${suffix}`,
        { mrn: `SR-1-${suffix}`, family: 'Ito', given: 'Ken' },
        `SR-2-${suffix}`,
      ),
    );
    const members = (await admin.get(`/api/lists/${list.id}/members`)).json<PatientListMembers>();
    expect(members.items.map((m) => m.patientId)).toEqual([survivor]);
    expect((await j.enrolments(survivor)).map((e) => [e.id, e.status])).toEqual([
      [recall?.id, 'active'],
    ]);
  });

  it('screening recall: a second reminder already queued when staff remove the patient is withdrawn, never sent', async () => {
    await j.enable('screening-recall');
    handled = (await announced()).length;
    const list = await recallList();
    const omar = await j.smsPatient('Omar', 'en');
    const coordinator = await j.tenant.signIn('care-coordinator');
    await coordinator.post(`/api/lists/${list.id}/members`, { patientId: omar.id });
    await deliverEntries();
    await j.settle(omar.id);
    expect(await j.phoneOf(omar)).toHaveLength(1);
    // The second reminder is queued (the step ran) but not yet delivered.
    clock.advance(14 * DAY + HOUR);
    await j.settle(omar.id);
    expect(await j.stepsOf(omar.id)).toContain('reminder:queued');
    const removed = await (await j.tenant.signIn('care-coordinator')).request(
      'DELETE',
      `/api/lists/${list.id}/members/${omar.id}`,
    );
    expect(removed.statusCode, removed.body).toBe(200);
    expect(await j.phoneOf(omar)).toHaveLength(1);
    const [enrolment] = await j.enrolments(omar.id);
    expect(enrolment?.state).toMatchObject({ status: 'exited', endReason: 'left-list' });
  });
});
