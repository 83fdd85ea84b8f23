import { randomUUID } from 'node:crypto';
import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { rowsOf } from '../../db/rows.js';
import {
  createTestApp,
  type Session,
  samplePatient,
  type TestApp,
  TestTenant,
} from '../../test/app.js';
import { TestClock } from '../../test/clock.js';
import { describeEachDatabase } from '../../test/databases.js';
import { SmtpSink } from '../../test/smtp-sink.js';
import { auditEvents } from '../audit/schema.js';
import { appointments } from '../scheduling/schema.js';
import { ensureTemplates, READY_TEMPLATES } from '../templates/service.js';
import { touchpoints } from '../timeline/schema.js';
import { outboundMessages } from './schema.js';
import type { TemplateSend } from './send-template.js';

describeEachDatabase('patient messages checked at send time', (kind) => {
  let app: TestApp;
  let sink: SmtpSink;
  let tenant: TestTenant;
  let admin: Session;
  const clock = new TestClock();
  const setClock = (iso: string) => clock.advance(Date.parse(iso) - clock.now().getTime());

  beforeAll(async () => {
    sink = await SmtpSink.start();
    app = await createTestApp(
      kind,
      { SMTP_URL: sink.url, MAIL_FROM: 'Clinic <no-reply@clinic.example>' },
      { clock },
    );
    await app.services.jobs.start();
    tenant = await TestTenant.create(app);
    admin = await tenant.signIn('admin');
    const created = await admin.post('/api/templates', {
      key: 'visit-reminder',
      name: 'Visit reminder',
      purpose: 'treatment',
    });
    expect(created.statusCode).toBe(200);
    const id = created.json<{ id: string }>().id;
    for (const [language, subject, text] of [
      ['en', 'Your visit', 'Hi {{patient.firstName}}, see you {{appointment.start}}.'],
      ['es', 'Su cita', 'Hola {{patient.firstName}}, le esperamos el {{appointment.start}}.'],
    ] as const) {
      const saved = await admin.request('PUT', `/api/templates/${id}/versions/email/${language}`, {
        subject,
        text,
      });
      expect(saved.statusCode).toBe(200);
    }
  }, 120_000);

  afterAll(async () => {
    await app.close();
    await sink.close();
  });

  /**
   * A patient in New York who reads Spanish and prefers SMS (the sample), with an email, created
   * by an admin signed in at the clock's current time (tests move the clock by days).
   */
  async function patient() {
    admin = await tenant.signIn('admin');
    const res = await admin.post('/api/patients', {
      ...samplePatient(),
      timeZone: 'America/New_York',
    });
    if (res.statusCode !== 200) throw new Error(`create patient: ${res.statusCode}`);
    const id = res.json<{ patient: { id: string } }>().patient.id;
    const [row] = rowsOf<{ value: string }>(
      await app.database.withTenant(tenant.orgId, (tx) =>
        tx.execute(
          sql`select value from patient_contact_points where patient_id = ${id} and system = 'email'`,
        ),
      ),
    );
    if (!row) throw new Error('no email');
    return { id, email: row.value };
  }

  async function send(patientId: string, overrides: Partial<TemplateSend> = {}) {
    const result = await app.database.withTenant(tenant.orgId, (tx) =>
      app.services.messaging.sendTemplate(tx, {
        orgId: tenant.orgId,
        patientId,
        templateKey: 'visit-reminder',
        channel: 'email',
        idempotencyKey: randomUUID(),
        ...overrides,
      }),
    );
    if (!result.queued) throw new Error(`not queued: ${JSON.stringify(result)}`);
    return result.messageId;
  }

  const deliver = (messageId: string) =>
    app.services.outbox.deliver({ orgId: tenant.orgId, messageId });

  const message = async (id: string) => {
    const [row] = await app.database.withTenant(tenant.orgId, (tx) =>
      tx.select().from(outboundMessages).where(eq(outboundMessages.id, id)),
    );
    if (!row) throw new Error('no such message');
    return row;
  };

  it('delivers a message due at 22:30 local at 08:00 local the next day', async () => {
    // Monday 7 December 2026, 22:30 in New York (EST, UTC-5).
    setClock('2026-12-08T03:30:00Z');
    const p = await patient();
    const id = await send(p.id);
    expect(await deliver(id)).toBe('deferred');
    expect(sink.to(p.email)).toHaveLength(0);
    expect(await message(id)).toMatchObject({ status: 'queued', admittedAt: null });
    const jobs = rowsOf<{ start_after: Date | string }>(
      await app.database.ownerDb.execute(
        sql`select start_after from pgboss.job where name = 'outbox.send' and data->>'messageId' = ${id} order by created_on`,
      ),
    );
    expect(jobs).toHaveLength(2);
    expect(new Date(jobs[1]?.start_after ?? 0).toISOString()).toBe('2026-12-08T13:00:00.000Z');
    // 07:59: still quiet; 08:00: sent.
    setClock('2026-12-08T12:59:00Z');
    expect(await deliver(id)).toBe('deferred');
    setClock('2026-12-08T13:00:00Z');
    expect(await deliver(id)).toBe('sent');
    expect(sink.to(p.email)).toHaveLength(1);
  });

  it('renders in the patient’s language and zone, and falls back from SMS to email when there is no SMS version', async () => {
    setClock('2026-12-08T15:00:00Z');
    const p = await patient();
    const [appointment] = await app.database.system((tx) =>
      tx
        .insert(appointments)
        .values({
          orgId: tenant.orgId,
          patientId: p.id,
          status: 'booked',
          startAt: new Date('2026-12-10T14:30:00Z'),
          endAt: new Date('2026-12-10T15:00:00Z'),
        })
        .returning({ id: appointments.id }),
    );
    const result = await app.database.withTenant(tenant.orgId, (tx) =>
      app.services.messaging.sendTemplate(tx, {
        orgId: tenant.orgId,
        patientId: p.id,
        templateKey: 'visit-reminder',
        channel: 'preferred',
        context: { appointmentId: appointment?.id },
        idempotencyKey: randomUUID(),
      }),
    );
    expect(result).toMatchObject({ queued: true, channel: 'email', language: 'es' });
    if (!result.queued) return;
    expect(await deliver(result.messageId)).toBe('sent');
    const got = sink.to(p.email);
    expect(got).toHaveLength(1);
    expect(got[0]?.subject).toBe('Su cita');
    expect(got[0]?.raw).toContain(
      'Hola Maria, le esperamos el jueves, 10 de diciembre a las 9:30.',
    );
  });

  it('gives an opted-out patient nothing, and records the suppression on the timeline and for admins', async () => {
    setClock('2026-12-08T16:00:00Z');
    const p = await patient();
    // Queued while allowed; the patient opts out before it goes.
    const id = await send(p.id);
    const optOut = await admin.patch(`/api/patients/${p.id}/preferences`, {
      consents: [{ channel: 'email', purpose: 'treatment-reminders', status: 'denied' }],
    });
    expect(optOut.statusCode).toBe(200);
    expect(await deliver(id)).toBe('suppressed');
    expect(await deliver(id)).toBe('skipped');
    expect(sink.to(p.email)).toHaveLength(0);
    expect(await message(id)).toMatchObject({ status: 'suppressed', suppressionReason: 'consent' });
    const timeline = await app.database.withTenant(tenant.orgId, (tx) =>
      tx
        .select()
        .from(touchpoints)
        .where(
          and(eq(touchpoints.patientId, p.id), eq(touchpoints.type, 'communication.suppressed')),
        ),
    );
    expect(timeline).toHaveLength(1);
    expect(timeline[0]).toMatchObject({ channel: 'email', outcome: 'consent', subjectId: id });
    expect(timeline[0]?.summary).not.toContain('le esperamos');
    // A later send while opted out is queued (so its refusal is recorded) and suppressed too.
    const again = await send(p.id);
    expect(await deliver(again)).toBe('suppressed');
    const view = await (await tenant.signIn('admin')).get('/api/messaging/suppressed');
    expect(view.statusCode).toBe(200);
    const items = view.json<{ items: { id: string; reason: string }[] }>().items;
    expect(items.filter((i) => i.id === id || i.id === again).map((i) => i.reason)).toEqual([
      'consent',
      'consent',
    ]);
    const frontDesk = await tenant.signIn('front-desk');
    expect((await frontDesk.get('/api/messaging/suppressed')).statusCode).toBe(403);
  });

  it('suppresses the fourth treatment reminder in a week, and the second in a day', async () => {
    const p = await patient();
    const outcomes: string[] = [];
    for (const day of ['14', '15', '16', '17']) {
      setClock(`2026-12-${day}T15:00:00Z`);
      outcomes.push(await deliver(await send(p.id)));
    }
    expect(outcomes).toEqual(['sent', 'sent', 'sent', 'suppressed']);
    const [fourth] = await app.database.withTenant(tenant.orgId, (tx) =>
      tx
        .select()
        .from(outboundMessages)
        .where(
          and(eq(outboundMessages.patientId, p.id), eq(outboundMessages.status, 'suppressed')),
        ),
    );
    expect(fourth?.suppressionReason).toBe('frequency-cap');
    expect(sink.to(p.email)).toHaveLength(3);

    // Eight reminders for one patient taken by eight workers at once: one goes, seven are
    // suppressed (each worker counts under the patient's lock).
    const q = await patient();
    setClock('2026-12-21T15:00:00Z');
    const ids: string[] = [];
    for (let i = 0; i < 8; i++) ids.push(await send(q.id));
    // Open eight connections first, so that the workers really run side by side.
    await Promise.all(
      ids.map(() =>
        app.database.withTenant(tenant.orgId, (tx) => tx.execute(sql`select pg_sleep(0.05)`)),
      ),
    );
    const all = await Promise.all(ids.map((id) => deliver(id)));
    expect(all.filter((o) => o === 'sent')).toHaveLength(1);
    expect(all.filter((o) => o === 'suppressed')).toHaveLength(7);
    expect(sink.to(q.email)).toHaveLength(1);
  });

  // Issue 11 at scale: the worker takes its jobs in batches (docs/adr/0033).
  it('counts the cap across one batch and across two batches at once', async () => {
    const p = await patient();
    setClock('2026-12-28T15:00:00Z');
    const ids: string[] = [];
    for (let i = 0; i < 8; i++) ids.push(await send(p.id));
    const one = await app.services.outbox.deliverBatch(
      ids.map((messageId) => ({ orgId: tenant.orgId, messageId })),
    );
    expect(one.filter((o) => o === 'sent')).toHaveLength(1);
    expect(one.filter((o) => o === 'suppressed')).toHaveLength(7);
    expect(sink.to(p.email)).toHaveLength(1);

    const q = await patient();
    const more: string[] = [];
    for (let i = 0; i < 8; i++) more.push(await send(q.id));
    const payloads = more.map((messageId) => ({ orgId: tenant.orgId, messageId }));
    const [a, b] = await Promise.all([
      app.services.outbox.deliverBatch(payloads.slice(0, 4)),
      app.services.outbox.deliverBatch(payloads.slice(4)),
    ]);
    const both = [...(a ?? []), ...(b ?? [])];
    expect(both.filter((o) => o === 'sent')).toHaveLength(1);
    expect(both.filter((o) => o === 'suppressed')).toHaveLength(7);
    expect(sink.to(q.email)).toHaveLength(1);
  });

  it('sends account messages (password reset) at any hour, whatever the patient’s consent', async () => {
    setClock('2026-12-22T04:00:00Z');
    const to = `owner-${randomUUID().slice(0, 8)}@example.org`;
    const id = await app.database.withTenant(tenant.orgId, (tx) =>
      app.services.outbox.queueEmail(tx, {
        orgId: tenant.orgId,
        purpose: 'account',
        to,
        subject: 'Reset your password',
        text: 'A link',
        idempotencyKey: randomUUID(),
      }),
    );
    if (!id) throw new Error('not queued');
    expect(await deliver(id)).toBe('sent');
  });

  it('refuses clinical fields at save time, lets only marketing and admins edit, and audits a preview', async () => {
    const marketer = await tenant.signIn('marketer');
    const frontDesk = await tenant.signIn('front-desk');
    expect(
      (await frontDesk.post('/api/templates', { key: 'nope', name: 'x', purpose: 'marketing' }))
        .statusCode,
    ).toBe(403);
    expect((await frontDesk.get('/api/templates')).statusCode).toBe(200);
    const created = await marketer.post('/api/templates', {
      key: 'flu-clinic',
      name: 'Flu clinic',
      purpose: 'marketing',
    });
    expect(created.statusCode).toBe(200);
    const id = created.json<{ id: string }>().id;
    const clinical = await marketer.request('PUT', `/api/templates/${id}/versions/sms/en`, {
      text: 'About your {{patient.conditions}}',
    });
    expect(clinical.statusCode).toBe(400);
    expect(clinical.json()).toMatchObject({ path: '/body/text' });
    const unknown = await marketer.request('PUT', `/api/templates/${id}/versions/sms/en`, {
      text: 'Hi {{patient.ssn}}',
    });
    expect(unknown.statusCode).toBe(400);
    const saved = await marketer.request('PUT', `/api/templates/${id}/versions/sms/en`, {
      text: 'Hi {{patient.firstName}}, flu shots this week. Your test results are not in this text.',
    });
    expect(saved.statusCode).toBe(200);
    expect(saved.json<{ warnings: { word: string }[] }>().warnings.map((w) => w.word)).toEqual([
      'results',
    ]);
    const p = await patient();
    const preview = await marketer.post(`/api/templates/${id}/preview`, {
      channel: 'sms',
      patientId: p.id,
      body: { text: 'Hola {{patient.firstName}} — {{organization.name}}' },
    });
    expect(preview.statusCode).toBe(200);
    expect(preview.json()).toMatchObject({
      text: `Hola Maria — ${tenant.name}`,
      language: 'es',
      timeZone: 'America/New_York',
      segments: { encoding: 'UCS-2', segments: 1 },
    });
    const audited = await app.database.system((tx) =>
      tx
        .select()
        .from(auditEvents)
        .where(
          and(eq(auditEvents.patientId, p.id), eq(auditEvents.recordType, 'template-preview')),
        ),
    );
    expect(audited).toHaveLength(1);
  });

  it('takes each organization’s caps and quiet hours, set by admins', async () => {
    setClock('2026-12-28T15:00:00Z');
    const owner = await tenant.signIn('admin');
    const policy = {
      defaultLanguage: 'en',
      quietStartMinute: 9 * 60,
      quietEndMinute: 20 * 60,
      frequencyCaps: {
        treatment: { perDay: 2, perWeek: 4 },
        operations: { perDay: 2, perWeek: 5 },
        marketing: { perDay: 1, perWeek: 2 },
      },
    };
    const bad = await owner.request('PUT', '/api/messaging/policy', {
      ...policy,
      quietEndMinute: 8 * 60,
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ path: '/body/quietEndMinute' });
    const frontDesk = await tenant.signIn('front-desk');
    expect((await frontDesk.request('PUT', '/api/messaging/policy', policy)).statusCode).toBe(403);
    const series = await owner.request('PUT', '/api/messaging/policy', {
      ...policy,
      frequencyCaps: { ...policy.frequencyCaps, 'requested-series': { perDay: 2, perWeek: 1 } },
    });
    expect(series.statusCode).toBe(400);
    expect(series.json()).toMatchObject({ path: '/body/frequencyCaps/requested-series/perWeek' });
    const set = await owner.request('PUT', '/api/messaging/policy', policy);
    expect(set.statusCode).toBe(200);
    // A client that leaves out the requested-series bucket keeps its default (1 a day, 7 a week).
    expect((await frontDesk.get('/api/messaging/policy')).json()).toEqual({
      ...policy,
      frequencyCaps: { ...policy.frequencyCaps, 'requested-series': { perDay: 1, perWeek: 7 } },
    });

    const p = await patient();
    // Two a day now: both go; a third that day is suppressed.
    const outcomes = [];
    for (let i = 0; i < 3; i++) outcomes.push(await deliver(await send(p.id)));
    expect(outcomes).toEqual(['sent', 'sent', 'suppressed']);
    // 08:30 local is quiet under this organization's 09:00 start.
    setClock('2026-12-29T13:30:00Z');
    const early = await send(p.id);
    expect(await deliver(early)).toBe('deferred');
  });

  // docs/adr/0043: a series the patient asked for has a cap bucket of its own.
  it('sends a daily medication reminder for 14 days beside the day’s visit reminder, and suppresses a second one a day', async () => {
    await app.database.withTenant(tenant.orgId, (tx) =>
      ensureTemplates(
        tx,
        tenant.orgId,
        READY_TEMPLATES.filter((t) => t.key === 'medication-reminder'),
        clock.now(),
      ),
    );
    const p = await patient();
    const outcomes: string[] = [];
    for (let day = 0; day < 14; day++) {
      // 09:00 in New York, Monday 4 January 2027 and the 13 days after.
      setClock(new Date(Date.UTC(2027, 0, 4 + day, 14)).toISOString());
      outcomes.push(await deliver(await send(p.id, { templateKey: 'medication-reminder' })));
    }
    expect(outcomes).toEqual(Array.from({ length: 14 }, () => 'sent'));
    // The 14th day: the visit reminder still goes (the treatment bucket is untouched) ...
    setClock('2027-01-17T16:00:00Z');
    expect(await deliver(await send(p.id))).toBe('sent');
    // ... and a second medication message that day is over its bucket's 1 a day.
    const again = await send(p.id, { templateKey: 'medication-reminder' });
    expect(await deliver(again)).toBe('suppressed');
    expect(await message(again)).toMatchObject({
      suppressionReason: 'frequency-cap',
      capBucket: 'requested-series',
    });
    expect(sink.to(p.email)).toHaveLength(15);

    // Marked so on the template, shown where its purpose is; never a marketing template.
    admin = await tenant.signIn('admin');
    const templates = await admin.get('/api/templates');
    const items = templates.json<{ items: { key: string; capBucket: string }[] }>().items;
    expect(items.find((t) => t.key === 'medication-reminder')?.capBucket).toBe('requested-series');
    expect(items.find((t) => t.key === 'visit-reminder')?.capBucket).toBe('purpose');
    const marketing = await admin.post('/api/templates', {
      key: 'spring-campaign',
      name: 'Spring campaign',
      purpose: 'marketing',
      capBucket: 'requested-series',
    });
    expect(marketing.statusCode).toBe(400);
    expect(marketing.json()).toMatchObject({ path: '/body/capBucket' });
  });
});
