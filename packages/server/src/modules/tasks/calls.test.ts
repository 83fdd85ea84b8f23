import type { CallTask } from '@careloop/core';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestApp, type Session, type TestApp, TestTenant } from '../../test/app.js';
import { TestClock } from '../../test/clock.js';
import { describeEachDatabase } from '../../test/databases.js';
import { auditEvents } from '../audit/schema.js';
import { journeyEnrolments } from '../journeys/schema.js';
import { ensureTemplates } from '../templates/service.js';
import { touchpoints } from '../timeline/schema.js';
import { tasks } from './schema.js';

describeEachDatabase('call tasks', (kind) => {
  let app: TestApp;
  let tenant: TestTenant;
  let other: TestTenant;
  let frontDesk: Session;
  let marketer: Session;
  let otherFrontDesk: Session;
  let patientId: string;

  beforeAll(async () => {
    app = await createTestApp(
      kind,
      {},
      { clock: new TestClock('2026-12-01T17:00:00Z', { tickMs: 1000 }) },
    );
    await app.services.jobs.start();
    tenant = await TestTenant.create(app);
    other = await TestTenant.create(app);
    frontDesk = await tenant.signIn('front-desk');
    marketer = await tenant.signIn('marketer');
    otherFrontDesk = await other.signIn('front-desk');
    patientId = (await tenant.createPatient({ givenName: 'Rosa', preferredLanguage: 'en' })).id;
    await app.database.withTenant(tenant.orgId, (tx) =>
      ensureTemplates(
        tx,
        tenant.orgId,
        [
          {
            key: 'recall-call',
            name: 'Recall call script',
            purpose: 'treatment',
            versions: [
              {
                channel: 'sms',
                language: 'en',
                body: {
                  subject: null,
                  text: 'Hello {{patient.firstName}}, this is {{organization.name}} calling about your recall visit.',
                  html: null,
                },
              },
            ],
          },
        ],
        new Date('2026-12-01T12:00:00Z'),
      ),
    );
  }, 120_000);

  afterAll(async () => {
    await app.close();
  });

  const create = async (body: Record<string, unknown>) => {
    const res = await frontDesk.post('/api/calls', { patientId, ...body });
    expect(res.statusCode).toBe(201);
    return res.json<CallTask>();
  };

  it('creates a call task whose script is a template rendered for the patient', async () => {
    const call = await create({ templateKey: 'recall-call' });
    expect(call).toMatchObject({ status: 'open', outcome: null, attempts: 0 });
    expect(call.script).toBe(`Hello Rosa, this is ${tenant.name} calling about your recall visit.`);
    const queue = await frontDesk.get('/api/tasks?myTeams=true');
    expect(queue.json<{ items: { id: string; title: string }[] }>().items).toEqual(
      expect.arrayContaining([expect.objectContaining({ id: call.id, title: 'Call the patient' })]),
    );
  });

  it('keeps a call open after a voicemail, and completes it when the patient is reached', async () => {
    const call = await create({ script: 'Ask about the new inhaler.' });
    const voicemail = await frontDesk.post(`/api/calls/${call.id}/outcome`, {
      outcome: 'voicemail',
    });
    expect(voicemail.statusCode).toBe(200);
    expect(voicemail.json<CallTask>()).toMatchObject({
      status: 'in-progress',
      outcome: 'voicemail',
      attempts: 1,
    });
    const reached = await frontDesk.post(`/api/calls/${call.id}/outcome`, {
      outcome: 'reached',
      note: 'Using the inhaler twice a day, no wheeze',
    });
    expect(reached.json<CallTask>()).toMatchObject({
      status: 'done',
      outcome: 'reached',
      note: 'Using the inhaler twice a day, no wheeze',
      attempts: 2,
    });
    const again = await frontDesk.post(`/api/calls/${call.id}/outcome`, { outcome: 'reached' });
    expect(again.statusCode).toBe(400);

    // On the timeline as its outcome, never the note; the note sealed in the row; audited.
    const points = await app.database.withTenant(tenant.orgId, (tx) =>
      tx
        .select({ summary: touchpoints.summary, channel: touchpoints.channel })
        .from(touchpoints)
        .where(and(eq(touchpoints.subjectId, call.id), eq(touchpoints.type, 'call.completed'))),
    );
    expect(points.map((p) => p.summary).sort()).toEqual([
      'Call: Left a voicemail',
      'Call: Reached',
    ]);
    expect(points.every((p) => p.channel === 'phone')).toBe(true);
    const [row] = await app.database.withTenant(tenant.orgId, (tx) =>
      tx.select().from(tasks).where(eq(tasks.id, call.id)),
    );
    expect(row?.callNoteEncrypted).not.toContain('inhaler');
    const audits = await app.database.withTenant(tenant.orgId, (tx) =>
      tx
        .select({ reason: auditEvents.reason })
        .from(auditEvents)
        .where(and(eq(auditEvents.recordId, call.id), eq(auditEvents.action, 'update'))),
    );
    expect(audits.map((a) => a.reason)).toEqual(
      expect.arrayContaining(['call outcome: voicemail', 'call outcome: reached']),
    );
  });

  it('refuses an unknown outcome, another organization, and roles that do not work tasks', async () => {
    const call = await create({ script: 'Confirm the address.' });
    const bad = await frontDesk.post(`/api/calls/${call.id}/outcome`, { outcome: 'busy' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json<{ path: string }>().path).toBe('/body/outcome');
    expect((await otherFrontDesk.get(`/api/calls/${call.id}`)).statusCode).toBe(404);
    expect(
      (await otherFrontDesk.post(`/api/calls/${call.id}/outcome`, { outcome: 'reached' }))
        .statusCode,
    ).toBe(404);
    expect((await marketer.post('/api/calls', { patientId, script: 'x' })).statusCode).toBe(403);
    const neither = await frontDesk.post('/api/calls', { patientId });
    expect(neither.statusCode).toBe(400);
  });

  it("creates a call task from a journey's call node, and the outcome takes the journey's branch", async () => {
    const editor = { orgId: tenant.orgId, userId: null };
    const journey = await app.services.journeys.saveDraft(editor, {
      key: 'call-branch',
      name: 'Call and branch on the outcome',
      trigger: { kind: 'manual' },
      reentry: 'never',
      entry: 'call',
      nodes: [
        {
          id: 'call',
          type: 'action',
          action: { kind: 'call', script: 'Check in after the visit.', team: 'front-desk' },
          next: 'answer',
        },
        {
          id: 'answer',
          type: 'wait',
          wait: { kind: 'event', event: 'call.completed', timeoutMinutes: 4320, timeout: 'done' },
          next: 'route',
        },
        {
          id: 'route',
          type: 'condition',
          branches: [
            {
              when: { attribute: 'call.outcome', op: 'equals', values: ['declined'] },
              next: 'declined',
            },
          ],
          otherwise: 'done',
        },
        { id: 'declined', type: 'exit' },
        { id: 'done', type: 'exit' },
      ],
    });
    await app.services.journeys.publish(editor, journey);
    const admin = await tenant.signIn('admin');
    const enrolled = await admin.post(`/api/journeys/${journey}/enrolments`, { patientId });
    expect(enrolled.statusCode).toBe(200);
    const enrolmentId = enrolled.json<{ id: string }>().id;
    const runtime = app.services.journeys.runtime;
    expect(await runtime.runStep(tenant.orgId, enrolmentId)).toBe('advanced');
    const [raised] = await app.database.withTenant(tenant.orgId, (tx) =>
      tx
        .select({ id: tasks.id, script: tasks.callScript })
        .from(tasks)
        .where(and(eq(tasks.kind, 'call'), eq(tasks.callScript, 'Check in after the visit.'))),
    );
    if (!raised) throw new Error('the journey raised no call task');
    const state = async () => {
      const [row] = await app.database.withTenant(tenant.orgId, (tx) =>
        tx
          .select({ node: journeyEnrolments.currentNode, status: journeyEnrolments.status })
          .from(journeyEnrolments)
          .where(eq(journeyEnrolments.id, enrolmentId)),
      );
      return row;
    };
    expect(await state()).toMatchObject({ node: 'answer', status: 'active' });
    const res = await frontDesk.post(`/api/calls/${raised.id}/outcome`, { outcome: 'declined' });
    expect(res.statusCode).toBe(200);
    expect(await state()).toMatchObject({ node: 'declined' });
  });
});
