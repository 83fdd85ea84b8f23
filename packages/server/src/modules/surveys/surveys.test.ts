import { randomUUID } from 'node:crypto';
import type {
  KpiReport,
  MailboxPage,
  StaffSurveyResponses,
  SurveyInvitation,
} from '@careloop/core';
import { and, eq } from 'drizzle-orm';
import { beforeEach, expect, it } from 'vitest';
import { type Session, TestTenant } from '../../test/app.js';
import { describeEachDatabase } from '../../test/databases.js';
import { auditEvents } from '../audit/schema.js';
import { onSurveyAnswered } from '../journeys/surveys.js';
import { useJourneyApp } from '../journeys/test/journey-app.js';
import { outboundMessages } from '../messaging/schema.js';
import { appointments } from '../scheduling/schema.js';
import { tasks } from '../tasks/schema.js';
import { touchpoints } from '../timeline/schema.js';
import { SurveyLinks } from './links.js';
import { surveyResponses } from './schema.js';

const DAY = 86_400_000;
const HOUR = 3_600_000;

/**
 * The post-visit survey end to end (issue 11, h11v): the ready journey invites by email with the
 * visit's own signed link, the link opens and answers the survey once, the answer reaches the
 * timeline, the NPS KPI, webhooks' event list and journeys (a detractor gets a call-back task),
 * and staff read the comment only where the policy allows.
 */
describeEachDatabase('the post-visit survey', (kind) => {
  const j = useJourneyApp(kind, { grantsOnTestClock: true, setupTimeoutMs: 120_000 });
  const { clock } = j;
  let admin: Session;
  let seq = 0;

  beforeEach(async () => {
    admin = await j.tenant.signIn('admin');
  });

  const patient = async (givenName: string, language: 'en' | 'es') => {
    seq += 1;
    const email = `${givenName.toLowerCase()}${seq}-${randomUUID().slice(0, 8)}@example.org`;
    const { id } = await j.tenant.createPatient({
      givenName,
      preferredLanguage: language,
      preferredChannel: 'email',
      contactPoints: [{ system: 'email', value: email }],
    });
    return { id, email };
  };

  /** A visit that ended `agoMs` ago, marked completed (no journey told). */
  const visit = async (patientId: string, agoMs: number) => {
    const start = new Date(clock.now().getTime() - agoMs);
    const [row] = await j.app.database.system((tx) =>
      tx
        .insert(appointments)
        .values({
          orgId: j.tenant.orgId,
          patientId,
          status: 'completed',
          startAt: start,
          endAt: new Date(start.getTime() + 30 * 60_000),
        })
        .returning({ id: appointments.id }),
    );
    if (!row) throw new Error('no appointment');
    return { id: row.id, start };
  };

  const tokenFor = (patientId: string, v: { id: string; start: Date }) =>
    SurveyLinks.fromCipher(j.app.services.cipher).token({
      orgId: j.tenant.orgId,
      patientId,
      appointmentId: v.id,
      visitStart: v.start,
    });

  const post = (url: string, body: unknown) =>
    j.app.app.inject({
      method: 'POST',
      url,
      headers: { 'content-type': 'application/json', 'user-agent': 'careloop-tests' },
      payload: JSON.stringify(body),
    });

  const answeredJobs = async () => {
    const answers = await j.app.database.system((tx) =>
      tx
        .select({ id: surveyResponses.id })
        .from(surveyResponses)
        .where(eq(surveyResponses.orgId, j.tenant.orgId)),
    );
    return answers.map((a) => ({ orgId: j.tenant.orgId, surveyResponseId: a.id }));
  };

  it('invites with the visit’s link, answers once, and a detractor gets a call-back task', async () => {
    await j.enable('post-visit-survey');
    await j.enable('survey-detractor-follow-up');
    const rosa = await patient('Rosa', 'es');
    const seen = await visit(rosa.id, 2 * HOUR);
    await j.runtime().onAppointmentChanged({
      orgId: j.tenant.orgId,
      appointmentId: seen.id,
      event: 'completed',
    });
    await j.settle(rosa.id);
    clock.advance(DAY);
    await j.settle(rosa.id);

    // The invitation reaches the mailbox in Spanish with the visit's own link.
    const queued = await j.app.database.system((tx) =>
      tx
        .select({ id: outboundMessages.id })
        .from(outboundMessages)
        .where(eq(outboundMessages.patientId, rosa.id)),
    );
    expect(queued).toHaveLength(1);
    for (const m of queued)
      await j.app.services.outbox.deliver({ orgId: j.tenant.orgId, messageId: m.id });
    // A day on, the first session has expired.
    admin = await j.tenant.signIn('admin');
    const mailbox = await admin.get(`/api/mailbox/messages?to=${encodeURIComponent(rosa.email)}`);
    expect(mailbox.statusCode, mailbox.body).toBe(200);
    const [email] = mailbox.json<MailboxPage>().items;
    expect(email?.text).toContain('Gracias por visitar');
    const token = /\/portal\/surveys\?token=([A-Za-z0-9_-]{71})/.exec(email?.text ?? '')?.[1];
    expect(token).toBe(tokenFor(rosa.id, seen));

    // The link opens without signing in: the organization and the visit's day, no more.
    const opened = await post('/api/surveys/open', { token });
    expect(opened.statusCode, opened.body).toBe(200);
    expect(opened.json<SurveyInvitation>()).toEqual({
      appointmentId: seen.id,
      organization: j.tenant.name,
      visitDate: '2026-12-01',
      language: 'es',
      answered: false,
    });

    const answer = {
      token,
      nps: 3,
      communication: 'sometimes',
      scheduling: 'never',
      comment: '  Nadie me explicó los resultados.  ',
    };
    const first = await post('/api/surveys/answer', answer);
    expect(first.statusCode, first.body).toBe(201);
    expect(first.json()).toMatchObject({ category: 'detractor' });
    const second = await post('/api/surveys/answer', { ...answer, nps: 10 });
    expect(second.statusCode, second.body).toBe(409);
    expect(second.json()).toMatchObject({ code: 'conflict', path: '/body/token' });
    expect((await post('/api/surveys/open', { token })).json()).toMatchObject({ answered: true });

    // On the timeline for the NPS KPI and the journey map, about the visit; audited.
    const [touchpoint] = await j.app.database.system((tx) =>
      tx
        .select()
        .from(touchpoints)
        .where(and(eq(touchpoints.patientId, rosa.id), eq(touchpoints.type, 'survey.completed'))),
    );
    expect(touchpoint).toMatchObject({
      outcome: 'nps:3',
      subjectType: 'appointment',
      subjectId: seen.id,
      nonClinicalSummary: 'Survey: rated the visit 3/10 (detractor)',
    });
    expect(touchpoint?.summary).not.toContain('Nadie');
    const audited = await j.app.database.system((tx) =>
      tx
        .select({ action: auditEvents.action, role: auditEvents.actorRole })
        .from(auditEvents)
        .where(
          and(eq(auditEvents.patientId, rosa.id), eq(auditEvents.recordType, 'survey_response')),
        ),
    );
    expect(audited).toEqual([{ action: 'create', role: 'patient' }]);

    // survey.answered (sent in the answer's transaction) enrols the detractor follow-up.
    const [job] = await answeredJobs();
    if (!job) throw new Error('no answer');
    expect(await onSurveyAnswered(j.app.database, j.runtime(), job)).toHaveLength(1);
    await j.settle(rosa.id);
    const raised = await j.app.database.system((tx) =>
      tx
        .select({
          title: tasks.title,
          kind: tasks.kind,
          team: tasks.team,
          script: tasks.callScript,
        })
        .from(tasks)
        .where(eq(tasks.patientId, rosa.id)),
    );
    expect(raised).toEqual([
      {
        title: 'Call back: unhappy with visit',
        kind: 'call',
        team: 'care-coordination',
        script: expect.stringContaining('thank the patient'),
      },
    ]);
    // The same answer told twice enrols once.
    expect(await onSurveyAnswered(j.app.database, j.runtime(), job)).toEqual([]);

    // Staff: the care coordinator reads the comment, the marketer the scores only.
    const coordinator = await j.tenant.signIn('care-coordinator');
    const forCoordinator = await coordinator.get(`/api/patients/${rosa.id}/surveys`);
    expect(forCoordinator.statusCode, forCoordinator.body).toBe(200);
    expect(forCoordinator.json<StaffSurveyResponses>().items).toEqual([
      expect.objectContaining({
        nps: 3,
        category: 'detractor',
        communication: 'sometimes',
        scheduling: 'never',
        comment: 'Nadie me explicó los resultados.',
        commentWithheld: false,
      }),
    ]);
    const marketer = await j.tenant.signIn('marketer');
    const forMarketer = await marketer.get(`/api/patients/${rosa.id}/surveys`);
    expect(forMarketer.json<StaffSurveyResponses>().items).toEqual([
      expect.objectContaining({ nps: 3, comment: null, commentWithheld: true }),
    ]);
  });

  it('a promoter starts no follow-up, and the NPS KPI counts the answer', async () => {
    await j.enable('survey-detractor-follow-up');
    const tom = await patient('Tom', 'en');
    const seen = await visit(tom.id, DAY);
    const res = await post('/api/surveys/answer', { token: tokenFor(tom.id, seen), nps: 10 });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({ category: 'promoter' });
    const [job] = await answeredJobs();
    if (!job) throw new Error('no answer');
    await onSurveyAnswered(j.app.database, j.runtime(), job);
    await j.settle(tom.id);
    expect(
      await j.app.database.system((tx) =>
        tx.select().from(tasks).where(eq(tasks.patientId, tom.id)),
      ),
    ).toEqual([]);

    await j.app.services.kpis.refresh(j.tenant.orgId, { from: '2026-11-01', to: '2026-12-31' });
    const kpis = await admin.get('/api/kpis?from=2026-12-01&to=2026-12-31&grain=month');
    expect(kpis.statusCode, kpis.body).toBe(200);
    const nps = kpis.json<KpiReport>().tiles.find((t) => t.id === 'nps');
    expect(nps?.current.value).toBe(100);
  });

  it('refuses a forged, garbled, expired or other patient’s link with a 400 naming the token', async () => {
    const ana = await patient('Ana', 'en');
    const lee = await patient('Lee', 'en');
    const seen = await visit(ana.id, HOUR);
    const good = tokenFor(ana.id, seen);
    const forged = `${good.slice(0, 60)}${good.at(60) === 'A' ? 'B' : 'A'}${good.slice(61)}`;
    const otherPatient = tokenFor(lee.id, seen);
    for (const token of ['nonsense', forged, otherPatient, `${good}x`]) {
      const res = await post('/api/surveys/open', { token });
      expect(res.statusCode, token).toBe(400);
      expect(res.json()).toMatchObject({
        path: '/body/token',
        message: 'This survey link is not valid',
      });
    }
    // Another organization's tenant reads nothing of this visit.
    const other = await TestTenant.create(j.app);
    const foreign = SurveyLinks.fromCipher(j.app.services.cipher).token({
      orgId: other.orgId,
      patientId: ana.id,
      appointmentId: seen.id,
      visitStart: seen.start,
    });
    expect((await post('/api/surveys/open', { token: foreign })).statusCode).toBe(400);

    const old = await visit(ana.id, 31 * DAY);
    const expired = await post('/api/surveys/answer', { token: tokenFor(ana.id, old), nps: 9 });
    expect(expired.statusCode).toBe(400);
    expect(expired.json()).toMatchObject({
      path: '/body/token',
      message: 'This survey link has expired',
    });
  });

  it('refuses answers out of range with a 400 naming the field, and stores nothing', async () => {
    const kim = await patient('Kim', 'en');
    const seen = await visit(kim.id, HOUR);
    const token = tokenFor(kim.id, seen);
    for (const [body, field] of [
      [{ token, nps: 11 }, '/body/nps'],
      [{ token, nps: -1 }, '/body/nps'],
      [{ token, nps: 7.5 }, '/body/nps'],
      [{ token, nps: 8, communication: 'often' }, '/body/communication'],
      [{ token, nps: 8, comment: 'x'.repeat(2001) }, '/body/comment'],
      [{ token }, '/body/nps'],
    ] as const) {
      const res = await post('/api/surveys/answer', body);
      expect(res.statusCode, JSON.stringify(body).slice(0, 80)).toBe(400);
      expect(res.json<{ path?: string; errors?: { path: string }[] }>().path).toBe(field);
    }
    const stored = await j.app.database.system((tx) =>
      tx.select().from(surveyResponses).where(eq(surveyResponses.patientId, kim.id)),
    );
    expect(stored).toEqual([]);
  });

  it('answers from the signed-in portal: the open visits, once each, never another’s', async () => {
    const eva = await patient('Eva', 'en');
    const max = await patient('Max', 'en');
    const recent = await visit(eva.id, 3 * DAY);
    await visit(eva.id, 40 * DAY);
    const hers = await j.tenant.signIn('patient', { patientId: eva.id });
    const open = await hers.get('/api/portal/surveys');
    expect(open.statusCode, open.body).toBe(200);
    expect(open.json<{ items: SurveyInvitation[] }>().items.map((i) => i.appointmentId)).toEqual([
      recent.id,
    ]);
    const answered = await hers.post(`/api/portal/surveys/${recent.id}`, { nps: 8 });
    expect(answered.statusCode, answered.body).toBe(201);
    expect(answered.json()).toMatchObject({ category: 'passive' });
    expect((await hers.post(`/api/portal/surveys/${recent.id}`, { nps: 8 })).statusCode).toBe(409);
    expect((await hers.get('/api/portal/surveys')).json()).toEqual({ items: [] });

    const maxVisit = await visit(max.id, DAY);
    const notHers = await hers.post(`/api/portal/surveys/${maxVisit.id}`, { nps: 0 });
    expect(notHers.statusCode).toBe(404);
  });
});
