import type { SmsGatewayPage } from '@careloop/core';
import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { rowsOf } from '../../db/rows.js';
import { createTestApp, type TestApp, TestTenant } from '../../test/app.js';
import { TestClock } from '../../test/clock.js';
import { describeEachDatabase } from '../../test/databases.js';
import { systemActor } from '../../test/fhir/fixtures.js';
import { outboundMessages } from '../messaging/schema.js';
import { appointments, visitTypes } from '../scheduling/schema.js';
import { tasks } from '../tasks/schema.js';
import { ensureTemplates, READY_TEMPLATES } from '../templates/service.js';
import { journeyEnrolments, journeySteps } from './schema.js';

const DAY = 86_400_000;
const HOUR = 3_600_000;

/**
 * The ready care journeys added for issue 11 (h11j), each run end to end: enabled as an
 * organization enables it, caused by its trigger, stepped on a test clock, its sends delivered
 * to the local SMS gateway and mailbox and read back there, its tasks read from the queue.
 */
describeEachDatabase('ready care journeys', (kind) => {
  let app: TestApp;
  let tenant: TestTenant;
  // Midday in Boston: quiet hours never defer a send the tests look for.
  const clock = new TestClock('2026-12-01T17:00:00Z');
  let phoneSeq = 0;

  beforeAll(async () => {
    app = await createTestApp(kind, {}, { clock });
    await app.services.jobs.start();
  }, 120_000);

  // Each test its own organization with the ready templates (sessions expire as the clock moves).
  beforeEach(async () => {
    tenant = await TestTenant.create(app);
    await app.database.withTenant(tenant.orgId, (tx) =>
      ensureTemplates(tx, tenant.orgId, READY_TEMPLATES, clock.now()),
    );
  });

  afterAll(async () => {
    await app?.close();
  });

  const runtime = () => app.services.journeys.runtime;
  const enable = (key: string) =>
    app.services.journeys.enableReady({ orgId: tenant.orgId, userId: null }, key);

  /** A patient reachable by SMS (their preferred channel) on a number of their own. */
  const patient = async (givenName: string, language: 'en' | 'es') => {
    phoneSeq += 1;
    const phone = `+1617555${String(2000 + phoneSeq + Math.floor(Math.random() * 7000))}`;
    const { id } = await tenant.createPatient({
      givenName,
      preferredLanguage: language,
      preferredChannel: 'sms',
      contactPoints: [
        { system: 'phone', value: phone, use: 'mobile' },
        { system: 'email', value: `${givenName.toLowerCase()}${phoneSeq}@example.org` },
      ],
    });
    return { id, phone };
  };

  const enrolments = (patientId: string) =>
    app.database.system((tx) =>
      tx
        .select()
        .from(journeyEnrolments)
        .where(eq(journeyEnrolments.patientId, patientId))
        .orderBy(journeyEnrolments.createdAt),
    );

  /** Steps every active enrolment of the patient until none moves (a worker's wakes, at once). */
  const settle = async (patientId: string) => {
    for (let round = 0; round < 10; round++) {
      let moved = false;
      for (const e of await enrolments(patientId)) {
        if (e.status !== 'active') continue;
        if ((await runtime().runStep(tenant.orgId, e.id)) === 'advanced') moved = true;
      }
      if (!moved) return;
    }
  };

  const stepsOf = async (patientId: string) => {
    const rows = await app.database.system((tx) =>
      tx
        .select({ nodeId: journeySteps.nodeId, outcome: journeySteps.outcome })
        .from(journeySteps)
        .innerJoin(journeyEnrolments, eq(journeyEnrolments.id, journeySteps.enrolmentId))
        .where(eq(journeyEnrolments.patientId, patientId))
        .orderBy(journeySteps.nodeId),
    );
    // Nodes one step enters share its instant: sorted, not in the order they ran.
    return rows.map((r) => `${r.nodeId}:${r.outcome}`).sort();
  };

  /** Delivers the patient's queued messages, then reads what their phone received. */
  const phoneOf = async (who: { id: string; phone: string }) => {
    const queued = await app.database.system((tx) =>
      tx
        .select({ id: outboundMessages.id })
        .from(outboundMessages)
        .where(eq(outboundMessages.patientId, who.id)),
    );
    for (const m of queued)
      await app.services.outbox.deliver({ orgId: tenant.orgId, messageId: m.id });
    const admin = await tenant.signIn('admin');
    const res = await admin.get(
      `/api/sms-gateway/messages?number=${encodeURIComponent(who.phone)}`,
    );
    expect(res.statusCode, res.body).toBe(200);
    return res
      .json<SmsGatewayPage>()
      .items.filter((m) => m.direction === 'outbound')
      .map((m) => m.body);
  };

  /** An appointment `inMs` from now for the service named (none: an EHR's), announced booked. */
  const book = async (patientId: string, inMs: number, service: string | null) => {
    const [type] = service
      ? await app.database.system((tx) =>
          tx
            .select({ id: visitTypes.id, modality: visitTypes.modality })
            .from(visitTypes)
            .where(and(eq(visitTypes.orgId, tenant.orgId), eq(visitTypes.name, service))),
        )
      : [];
    const start = new Date(clock.now().getTime() + inMs);
    const [appointment] = await app.database.system((tx) =>
      tx
        .insert(appointments)
        .values({
          orgId: tenant.orgId,
          patientId,
          status: 'booked',
          visitTypeId: type?.id ?? null,
          telehealth: type?.modality === 'telehealth',
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
    return appointment.id;
  };

  it('pre-visit instructions: 2 days before, the text of the service booked; at once when booked closer; none within 2 hours', async () => {
    await enable('pre-visit-instructions');
    await app.database.system((tx) =>
      tx.insert(visitTypes).values(
        [
          ['Annual physical', 'in-person'],
          ['New patient visit', 'in-person'],
          ['Video visit', 'telehealth'],
        ].map(([name = '', modality = '']) => ({
          orgId: tenant.orgId,
          name,
          modality,
          durationMinutes: 30,
        })),
      ),
    );
    const physical = await patient('Tom', 'en');
    const video = await patient('Ana', 'en');
    const imported = await patient('Rosa', 'es');
    const tooLate = await patient('Lee', 'en');

    await book(physical.id, 5 * DAY, 'Annual physical');
    await book(video.id, 3 * DAY, 'Video visit');
    await settle(physical.id);
    await settle(video.id);
    expect(await stepsOf(physical.id)).toEqual(['wait-2d:entered']);

    // Booked a day ahead with no service (an EHR feed's): the general text, at once, in Spanish.
    await book(imported.id, DAY, null);
    await settle(imported.id);
    expect(await stepsOf(imported.id)).toEqual([
      'by-service:entered',
      'done:entered',
      'send-general:queued',
      'wait-2d:entered',
    ]);
    const [rosa] = await phoneOf(imported);
    expect(rosa).toMatch(/^.+: Rosa, para su cita del .+: llegue 10 min antes; traiga su tarjeta/);

    // Booked an hour ahead: past the send's window (2 hours before), recorded, never sent.
    await book(tooLate.id, HOUR, 'Annual physical');
    await settle(tooLate.id);
    expect(await stepsOf(tooLate.id)).toContain('send-annual-physical:expired');
    expect(await phoneOf(tooLate)).toEqual([]);

    clock.advance(DAY + HOUR);
    await settle(video.id);
    const ana = await phoneOf(video);
    expect(ana).toHaveLength(1);
    expect(ana[0]).toContain('Ana, for your visit');
    expect(ana[0]).toContain('check camera and mic, join 5 min early: http');
    expect(await phoneOf(physical)).toEqual([]);

    clock.advance(2 * DAY);
    await settle(physical.id);
    const texts = await phoneOf(physical);
    expect(texts).toHaveLength(1);
    expect(texts[0]).toContain('Tom, for your visit');
    expect(texts[0]).toContain('come 10 min early in comfortable clothes');
    expect((await enrolments(physical.id)).map((e) => e.status)).toEqual(['completed']);
  });

  it('medication reminders: enrolled by hand, daily at 09:00 in the patient’s zone for 14 days, a late day dropped', async () => {
    const journeyId = await enable('medication-reminders');
    const admin = await tenant.signIn('admin');
    // Daily treatment texts need a cap above the default 3 a week (docs/journeys.md).
    const policy = await admin.request('PUT', '/api/messaging/policy', {
      defaultLanguage: 'en',
      quietStartMinute: 480,
      quietEndMinute: 1260,
      frequencyCaps: {
        treatment: { perDay: 2, perWeek: 14 },
        operations: { perDay: 2, perWeek: 5 },
        marketing: { perDay: 1, perWeek: 2 },
      },
    });
    expect(policy.statusCode, policy.body).toBe(200);
    const sam = await patient('Sam', 'en');
    // A care coordinator enrols (a marketer may not).
    const marketer = await tenant.signIn('marketer');
    const refused = await marketer.post(`/api/journeys/${journeyId}/enrolments`, {
      patientId: sam.id,
    });
    expect(refused.statusCode).toBe(403);
    const coordinator = await tenant.signIn('care-coordinator');
    const enrolled = await coordinator.post(`/api/journeys/${journeyId}/enrolments`, {
      patientId: sam.id,
    });
    expect(enrolled.statusCode, enrolled.body).toBe(200);
    await settle(sam.id);

    const wakeAt = async () => {
      const [row] = await enrolments(sam.id);
      return row?.wakeAt ?? null;
    };
    const zone = (await enrolments(sam.id))[0]?.context as { timeZone: string };
    const localTime = (at: Date) =>
      new Intl.DateTimeFormat('en-GB', {
        timeZone: zone.timeZone,
        hour: '2-digit',
        minute: '2-digit',
      }).format(at);
    for (let day = 1; day <= 14; day++) {
      const at = await wakeAt();
      if (!at) throw new Error(`no wake on day ${day}`);
      expect(localTime(at), `day ${day}`).toBe('09:00');
      // Day 2: the worker was down until 5 hours after 09:00, past the reminder's 4 hours.
      clock.advance(at.getTime() - clock.now().getTime() + (day === 2 ? 5 * HOUR : 0));
      await settle(sam.id);
      expect(await phoneOf(sam)).toHaveLength(day === 1 ? 1 : day - 1);
    }
    const texts = await phoneOf(sam);
    expect(texts).toHaveLength(13);
    for (const text of texts)
      expect(text).toMatch(/^.+: Sam, your daily reminder: it is time for your medicine/);
    expect(await stepsOf(sam.id)).toContain('remind-day-2:expired');
    expect((await enrolments(sam.id)).map((e) => [e.status, e.currentNode])).toEqual([
      ['completed', 'done'],
    ]);
  });

  it('referral follow-through: a new FHIR referral invites the patient; booked within 7 days is the goal, else a care-coordination task', async () => {
    await enable('referral-follow-through');
    // Patients the EHR sends (new to Careloop), reachable by SMS.
    const ehrPatient = (id: string, phone: string, family: string, birthDate: string) => ({
      resourceType: 'Patient' as const,
      id,
      name: [{ family, given: [id.slice(2)] }],
      birthDate,
      telecom: [{ system: 'phone' as const, value: phone, use: 'mobile' as const }],
    });
    const request = (
      id: string,
      subject: string,
      authoredOn: string,
      code: string,
      text: string,
    ) => ({
      resourceType: 'ServiceRequest' as const,
      id,
      status: 'active' as const,
      intent: 'order' as const,
      category: [{ coding: [{ system: 'http://snomed.info/sct', code, display: text }] }],
      subject: { reference: `urn:uuid:${subject}` },
      authoredOn,
    });
    const yesterday = new Date(clock.now().getTime() - DAY).toISOString();
    const body = {
      resourceType: 'Bundle' as const,
      type: 'transaction' as const,
      entry: [
        ehrPatient('p-ines', '+16175553101', 'Castillo', '1975-02-03'),
        ehrPatient('p-omar', '+16175553102', 'Haddad', '1988-11-20'),
        request('sr-ines', 'p-ines', yesterday, '3457005', 'Patient referral'),
        request('sr-omar', 'p-omar', yesterday, '306206005', 'Referral to service'),
        // History and a lab order: no journey.
        request('sr-old', 'p-omar', '2019-05-01T10:00:00Z', '3457005', 'Patient referral'),
        request('sr-lab', 'p-omar', yesterday, '108252007', 'Laboratory procedure'),
      ].map((resource) => ({
        fullUrl: `urn:uuid:${resource.id}`,
        resource,
        request: { method: 'POST' as const, url: resource.resourceType },
      })),
    };
    const actor = systemActor(tenant.orgId);
    const imported = await app.services.fhir.imports.importBundle(tenant.orgId, actor, body, {
      sourceSystem: 'ehr',
      asOf: clock.now(),
    });
    expect(imported.entries.map((e) => e.outcome)).not.toContain('error');
    // Announced once per new referral, in the import's transaction; again: nothing new.
    await app.services.fhir.imports.importBundle(tenant.orgId, actor, body, {
      sourceSystem: 'ehr',
      asOf: clock.now(),
    });
    const jobs = rowsOf<{ id: string }>(
      await app.database.system((tx) =>
        tx.execute(
          sql`select data->>'serviceRequestId' as id from pgboss.job
              where name = 'referral.created' and data->>'orgId' = ${tenant.orgId}`,
        ),
      ),
    );
    expect(jobs).toHaveLength(2);
    for (const job of jobs)
      await runtime().onReferralCreated({ orgId: tenant.orgId, serviceRequestId: job.id });

    // The patients the EHR's records became (matched to ours, or new ones).
    const patientOf = async (sourceId: string) => {
      const [row] = rowsOf<{ patientId: string }>(
        await app.database.system((tx) =>
          tx.execute(
            sql`select patient_id as "patientId" from source_links
                where org_id = ${tenant.orgId} and source_type = 'ServiceRequest' and source_id = ${sourceId}`,
          ),
        ),
      );
      if (!row) throw new Error(`no ${sourceId}`);
      return row.patientId;
    };
    const ines = await patientOf('sr-ines');
    const omar = await patientOf('sr-omar');
    await settle(ines);
    await settle(omar);
    expect(await stepsOf(ines)).toEqual(['invite:queued', 'wait-booked:entered']);
    const [invite] = await phoneOf({ id: ines, phone: '+16175553101' });
    expect(invite).toContain('asked us to book a visit for you. Choose a time: http');

    clock.advance(3 * DAY);
    await book(ines, 5 * DAY, null);
    await settle(ines);
    const [inesEnrolment] = (await enrolments(ines)).filter((e) =>
      e.contextKey.startsWith('referral:'),
    );
    expect(inesEnrolment).toMatchObject({ status: 'completed', currentNode: 'scheduled' });
    expect(inesEnrolment?.convertedAt).not.toBeNull();

    clock.advance(4 * DAY + HOUR);
    await settle(omar);
    const [omarEnrolment] = await enrolments(omar);
    expect(omarEnrolment).toMatchObject({ status: 'completed', currentNode: 'handed-over' });
    const open = await app.database.system((tx) =>
      tx
        .select({ title: tasks.title, team: tasks.team })
        .from(tasks)
        .where(eq(tasks.patientId, omar)),
    );
    expect(open).toEqual([
      {
        title: 'Referral not scheduled within 7 days: help the patient book',
        team: 'care-coordination',
      },
    ]);
    expect(await stepsOf(omar)).toContain('invite:queued');
  });
});
