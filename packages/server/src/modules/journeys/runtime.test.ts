import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { rowsOf } from '../../db/rows.js';
import { createTestApp, type TestApp, TestTenant } from '../../test/app.js';
import { TestClock } from '../../test/clock.js';
import { describeEachDatabase } from '../../test/databases.js';
import { outboundMessages } from '../messaging/schema.js';
import { appointments } from '../scheduling/schema.js';
import { tasks } from '../tasks/schema.js';
import { journeyEnrolments, journeySteps, journeyVersions } from './schema.js';

const DAY = 86_400_000;
const HOUR = 3_600_000;

describeEachDatabase('journeys run durably', (kind) => {
  let app: TestApp;
  let tenant: TestTenant;
  const clock = new TestClock('2026-12-01T17:00:00Z');
  let reminders: string;
  /** Made before the clock moves (sessions expire as it does). */
  const patients: string[] = [];

  beforeAll(async () => {
    app = await createTestApp(kind, {}, { clock });
    await app.services.jobs.start();
    tenant = await TestTenant.create(app);
    reminders = await app.services.journeys.enableReady(
      { orgId: tenant.orgId, userId: null },
      'appointment-reminders',
    );
    for (let i = 0; i < 12; i++) patients.push((await tenant.createPatient()).id);
  }, 120_000);

  afterAll(async () => {
    await app?.close();
  });

  const runtime = () => app.services.journeys.runtime;

  /** A patient with an email and an appointment `inMs` from now, booked through the job. */
  const book = async (inMs: number) => {
    const patient = { id: patients.shift() ?? '' };
    const start = new Date(clock.now().getTime() + inMs);
    const [appointment] = await app.database.system((tx) =>
      tx
        .insert(appointments)
        .values({
          orgId: tenant.orgId,
          patientId: patient.id,
          status: 'booked',
          startAt: start,
          endAt: new Date(start.getTime() + 30 * 60_000),
        })
        .returning({ id: appointments.id }),
    );
    if (!appointment) throw new Error('no appointment');
    await runtime().onAppointmentChanged({
      orgId: tenant.orgId,
      appointmentId: appointment.id,
      event: 'booked',
    });
    const [enrolment] = await app.database.system((tx) =>
      tx
        .select()
        .from(journeyEnrolments)
        .where(eq(journeyEnrolments.appointmentId, appointment.id)),
    );
    if (!enrolment) throw new Error('not enrolled');
    return { patientId: patient.id, appointmentId: appointment.id, enrolmentId: enrolment.id };
  };

  const step = (enrolmentId: string) => runtime().runStep(tenant.orgId, enrolmentId);

  const enrolment = async (id: string) => {
    const [row] = await app.database.system((tx) =>
      tx.select().from(journeyEnrolments).where(eq(journeyEnrolments.id, id)),
    );
    if (!row) throw new Error('no enrolment');
    return row;
  };

  const messages = (patientId: string) =>
    app.database.system((tx) =>
      tx
        .select()
        .from(outboundMessages)
        .where(eq(outboundMessages.patientId, patientId))
        .orderBy(outboundMessages.createdAt),
    );

  const deliverAll = async (patientId: string) => {
    const outcomes: string[] = [];
    for (const m of await messages(patientId)) {
      outcomes.push(await app.services.outbox.deliver({ orgId: tenant.orgId, messageId: m.id }));
    }
    return outcomes;
  };

  it('sends the 7-day, 2-day and 2-hour reminders once each, and confirms on "C"', async () => {
    const b = await book(10 * DAY);
    expect(await step(b.enrolmentId)).toBe('advanced');
    expect(await enrolment(b.enrolmentId)).toMatchObject({
      currentNode: 'wait-7d',
      status: 'active',
    });
    // A wake before its time (a stale or duplicated job) does nothing.
    expect(await step(b.enrolmentId)).toBe('idle');

    clock.advance(3 * DAY);
    expect(await step(b.enrolmentId)).toBe('advanced');
    expect(await step(b.enrolmentId)).toBe('idle');
    const [first] = await messages(b.patientId);
    expect(first).toMatchObject({
      status: 'queued',
      idempotencyKey: `journey:${b.enrolmentId}:email-7d:1`,
    });
    expect(first?.validUntil?.toISOString()).toBe(
      new Date(clock.now().getTime() + 5 * DAY).toISOString(),
    );
    expect(await deliverAll(b.patientId)).toEqual(['delivered']);

    clock.advance(5 * DAY);
    await step(b.enrolmentId);
    expect((await enrolment(b.enrolmentId)).currentNode).toBe('reply');
    expect(await runtime().onMessageReceived(tenant.orgId, b.patientId, ' c ')).toBe(1);
    const confirmed = await enrolment(b.enrolmentId);
    expect(confirmed).toMatchObject({ currentNode: 'wait-2h', status: 'active' });
    expect(confirmed.convertedAt?.toISOString()).toBe(clock.now().toISOString());

    clock.advance(2 * DAY - 2 * HOUR);
    await step(b.enrolmentId);
    expect(await enrolment(b.enrolmentId)).toMatchObject({
      status: 'completed',
      currentNode: 'done',
    });
    const sent = await messages(b.patientId);
    expect(sent.map((m) => m.idempotencyKey.split(':')[2])).toEqual([
      'email-7d',
      'sms-2d',
      'message-2h',
    ]);
    const steps = await app.database.system((tx) =>
      tx.select().from(journeySteps).where(eq(journeySteps.enrolmentId, b.enrolmentId)),
    );
    // "C" confirmed the appointment through the scheduling module, once, on the timeline.
    expect(steps.find((s) => s.nodeId === 'confirm')?.outcome).toBe('confirmed');
    const [booked] = await app.database.system((tx) =>
      tx.select().from(appointments).where(eq(appointments.id, b.appointmentId)),
    );
    expect(booked?.confirmedAt?.toISOString()).toBe(confirmed.convertedAt?.toISOString());
    clock.advance(DAY);
  });

  it('expires a message past its window instead of sending it late', async () => {
    const b = await book(3 * DAY);
    await step(b.enrolmentId);
    clock.advance(DAY);
    await step(b.enrolmentId);
    const [sms] = await messages(b.patientId);
    expect(sms?.idempotencyKey).toContain(':sms-2d:1');
    // The worker was down until after the window (2 hours before the appointment).
    clock.advance(2 * DAY - HOUR);
    expect(await deliverAll(b.patientId)).toEqual(['expired']);
    expect((await messages(b.patientId))[0]).toMatchObject({ status: 'expired', sentAt: null });
    clock.advance(DAY);
  });

  it('withdraws pending reminders of a cancelled appointment at once, and exits', async () => {
    const b = await book(3 * DAY);
    await step(b.enrolmentId);
    clock.advance(DAY);
    await step(b.enrolmentId);
    await app.database.system((tx) =>
      tx
        .update(appointments)
        .set({ status: 'cancelled' })
        .where(eq(appointments.id, b.appointmentId)),
    );
    await runtime().onAppointmentChanged({
      orgId: tenant.orgId,
      appointmentId: b.appointmentId,
      event: 'cancelled',
    });
    expect((await messages(b.patientId)).map((m) => m.status)).toEqual(['withdrawn']);
    expect(await deliverAll(b.patientId)).toEqual(['skipped']);
    expect(await enrolment(b.enrolmentId)).toMatchObject({ status: 'exited', wakeAt: null });
    clock.advance(DAY);
  });

  it('moves the waits of a rescheduled appointment', async () => {
    const b = await book(10 * DAY);
    await step(b.enrolmentId);
    const later = new Date(clock.now().getTime() + 20 * DAY);
    await app.database.system((tx) =>
      tx.update(appointments).set({ startAt: later }).where(eq(appointments.id, b.appointmentId)),
    );
    await runtime().onAppointmentChanged({
      orgId: tenant.orgId,
      appointmentId: b.appointmentId,
      event: 'rescheduled',
    });
    expect((await enrolment(b.enrolmentId)).wakeAt?.toISOString()).toBe(
      new Date(later.getTime() - 7 * DAY).toISOString(),
    );
    clock.advance(3 * DAY);
    expect(await step(b.enrolmentId)).toBe('idle');
    expect(await messages(b.patientId)).toEqual([]);
  });

  it('creates a front-desk task on "R"', async () => {
    const b = await book(3 * DAY);
    await step(b.enrolmentId);
    clock.advance(DAY);
    await step(b.enrolmentId);
    await runtime().onMessageReceived(tenant.orgId, b.patientId, 'R please');
    expect(await enrolment(b.enrolmentId)).toMatchObject({
      status: 'completed',
      currentNode: 'rescheduling',
    });
    const raised = await app.database.system((tx) =>
      tx.select().from(tasks).where(eq(tasks.patientId, b.patientId)),
    );
    expect(raised).toEqual([
      expect.objectContaining({
        team: 'front-desk',
        status: 'open',
        nonClinicalTitle: expect.stringContaining('reschedule'),
      }),
    ]);
    clock.advance(DAY);
  });

  it('sends nothing while paused, and once on resume, never twice', async () => {
    const editor = { orgId: tenant.orgId, userId: null };
    const b = await book(10 * DAY);
    await step(b.enrolmentId);
    await app.services.journeys.pause(editor, reminders);
    clock.advance(3 * DAY + HOUR);
    expect(await step(b.enrolmentId)).toBe('idle');
    expect(await messages(b.patientId)).toEqual([]);
    expect(await app.services.journeys.resume(editor, reminders)).toBeGreaterThanOrEqual(1);
    await step(b.enrolmentId);
    await step(b.enrolmentId);
    await app.services.journeys.pause(editor, reminders);
    await app.services.journeys.resume(editor, reminders);
    await step(b.enrolmentId);
    expect((await messages(b.patientId)).map((m) => m.idempotencyKey.split(':')[2])).toEqual([
      'email-7d',
    ]);
    clock.advance(10 * DAY);
  });

  it('keeps a running enrolment on the version it started; new ones take the new version', async () => {
    const editor = { orgId: tenant.orgId, userId: null };
    const before = await book(10 * DAY);
    const detail = await app.services.journeys.detail(tenant.orgId, reminders);
    const draft = {
      ...(detail.draft as Record<string, unknown>),
      name: 'Appointment reminders v2',
    };
    await app.services.journeys.updateDraft(editor, reminders, draft);
    const version = await app.services.journeys.publish(editor, reminders);
    const after = await book(10 * DAY);
    const versionOf = async (id: string) => {
      const [row] = await app.database.system((tx) =>
        tx
          .select({ version: journeyVersions.version })
          .from(journeyEnrolments)
          .innerJoin(journeyVersions, eq(journeyVersions.id, journeyEnrolments.versionId))
          .where(eq(journeyEnrolments.id, id)),
      );
      return row?.version;
    };
    expect(await versionOf(before.enrolmentId)).toBe(version - 1);
    expect(await versionOf(after.enrolmentId)).toBe(version);
  });

  it('enrols a patient by hand through the API, once (re-entry never), audited', async () => {
    const editor = { orgId: tenant.orgId, userId: null };
    const manual = await app.services.journeys.saveDraft(editor, {
      key: 'manual-check-in',
      name: 'Manual check-in',
      trigger: { kind: 'manual' },
      reentry: 'never',
      entry: 'hello',
      nodes: [
        {
          id: 'hello',
          type: 'action',
          action: {
            kind: 'send',
            channel: 'email',
            template: 'discharge-check-in',
            purpose: 'treatment',
            validFor: { kind: 'duration', minutes: 60 },
          },
          next: 'done',
        },
        { id: 'done', type: 'exit' },
      ],
    });
    const admin = await tenant.signIn('admin');
    const patientId = patients.shift() ?? '';
    const url = `/api/journeys/${manual}/enrolments`;
    expect((await admin.post(url, { patientId })).statusCode).toBe(409);
    await app.services.journeys.publish(editor, manual);
    const first = await admin.post(url, { patientId });
    expect(first.statusCode).toBe(200);
    const id = first.json<{ id: string }>().id;
    expect((await admin.post(url, { patientId })).statusCode).toBe(409);
    const stranger = await admin.post(url, { patientId: '00000000-0000-4000-8000-000000000000' });
    expect(stranger.statusCode).toBe(422);
    expect((await admin.post(url, { patientId: 'nope' })).statusCode).toBe(400);
    const frontDesk = await tenant.signIn('front-desk');
    expect((await frontDesk.post(url, { patientId })).statusCode).toBe(403);
    expect(await step(id)).toBe('advanced');
    expect((await messages(patientId)).map((m) => m.idempotencyKey)).toEqual([
      `journey:${id}:hello:1`,
    ]);
  });

  it('puts an enrolment whose step keeps failing in the dead letters, and retries it', async () => {
    const b = await book(10 * DAY);
    // A version row that is not a valid journey (written by hand, or by another version).
    const broken = await app.database.system(async (tx) => {
      const [v] = await tx
        .insert(journeyVersions)
        .values({
          orgId: tenant.orgId,
          journeyId: reminders,
          version: 999,
          definition: { key: 'broken' },
          publishedAt: clock.now(),
        })
        .returning({ id: journeyVersions.id });
      const [good] = await tx
        .select({ versionId: journeyEnrolments.versionId })
        .from(journeyEnrolments)
        .where(eq(journeyEnrolments.id, b.enrolmentId));
      await tx
        .update(journeyEnrolments)
        .set({ versionId: v?.id })
        .where(eq(journeyEnrolments.id, b.enrolmentId));
      return good?.versionId;
    });
    const payload = { orgId: tenant.orgId, enrolmentId: b.enrolmentId };
    await expect(
      runtime().handleStepJob(payload, { retryCount: 0, retryLimit: 4 }),
    ).rejects.toThrow();
    await runtime().handleStepJob(payload, { retryCount: 4, retryLimit: 4 });
    expect(await enrolment(b.enrolmentId)).toMatchObject({ status: 'failed', lastError: 'Error' });
    const admin = await tenant.signIn('admin');
    // (Signed in now: the clock has moved past the first session's life.)
    const list = await admin.get('/api/journeys/dead-letters');
    expect(list.statusCode).toBe(200);
    expect(list.json<{ enrolmentId: string }[]>().map((d) => d.enrolmentId)).toContain(
      b.enrolmentId,
    );
    await app.database.system((tx) =>
      tx
        .update(journeyEnrolments)
        .set({ versionId: broken })
        .where(eq(journeyEnrolments.id, b.enrolmentId)),
    );
    expect(
      (await admin.post(`/api/journeys/enrolments/${b.enrolmentId}/retry`, {})).statusCode,
    ).toBe(204);
    expect(await step(b.enrolmentId)).toBe('advanced');
    expect(await enrolment(b.enrolmentId)).toMatchObject({ status: 'active', lastError: null });
    const audited = rowsOf<{ n: number }>(
      await app.database.ownerDb.execute(
        sql`select count(*)::int as n from audit_events where record_type = 'journey-enrolment' and record_id = ${b.enrolmentId}`,
      ),
    );
    expect(Number(audited[0]?.n)).toBeGreaterThanOrEqual(2);
  });
});
