import { and, eq, sql } from 'drizzle-orm';
import { expect, it } from 'vitest';
import { rowsOf } from '../../db/rows.js';
import { TestTenant } from '../../test/app.js';
import { describeEachDatabase } from '../../test/databases.js';
import { systemActor } from '../../test/fhir/fixtures.js';
import type { JobPayload } from '../jobs/names.js';
import { appointments, visitTypes } from '../scheduling/schema.js';
import { tasks } from '../tasks/schema.js';
import { messageTemplates } from '../templates/schema.js';
import { ensureTemplates } from '../templates/service.js';
import { readyJourneys } from './ready.js';
import { journeyEnrolments } from './schema.js';
import { useJourneyApp } from './test/journey-app.js';

const DAY = 86_400_000;
const HOUR = 3_600_000;

/**
 * The ready care journeys added for issue 11 (h11j), each run end to end: enabled as an
 * organization enables it, caused by its trigger, stepped on a test clock, its sends delivered
 * to the local SMS gateway and mailbox and read back there, its tasks read from the queue.
 */
describeEachDatabase('ready care journeys', (kind) => {
  const j = useJourneyApp(kind, { setupTimeoutMs: 120_000 });
  const { clock } = j;

  const book = async (patientId: string, inMs: number, service: string | null) => {
    const [type] = service
      ? await j.app.database.system((tx) =>
          tx
            .select({ id: visitTypes.id, modality: visitTypes.modality })
            .from(visitTypes)
            .where(and(eq(visitTypes.orgId, j.tenant.orgId), eq(visitTypes.name, service))),
        )
      : [];
    const start = new Date(clock.now().getTime() + inMs);
    const [appointment] = await j.app.database.system((tx) =>
      tx
        .insert(appointments)
        .values({
          orgId: j.tenant.orgId,
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
    await j.runtime().onAppointmentChanged({
      orgId: j.tenant.orgId,
      appointmentId: appointment.id,
      event: 'booked',
    });
    return appointment.id;
  };

  it('pre-visit instructions: 2 days before, the text of the service booked; at once when booked closer; none within 2 hours', async () => {
    await j.enable('pre-visit-instructions');
    await j.app.database.system((tx) =>
      tx.insert(visitTypes).values(
        [
          ['Annual physical', 'in-person'],
          ['New patient visit', 'in-person'],
          ['Video visit', 'telehealth'],
        ].map(([name = '', modality = '']) => ({
          orgId: j.tenant.orgId,
          name,
          modality,
          durationMinutes: 30,
        })),
      ),
    );
    const physical = await j.smsPatient('Tom', 'en');
    const video = await j.smsPatient('Ana', 'en');
    const imported = await j.smsPatient('Rosa', 'es');
    const tooLate = await j.smsPatient('Lee', 'en');

    await book(physical.id, 5 * DAY, 'Annual physical');
    await book(video.id, 3 * DAY, 'Video visit');
    await j.settle(physical.id);
    await j.settle(video.id);
    expect(await j.stepsOf(physical.id)).toEqual(['wait-2d:entered']);

    // Booked a day ahead with no service (an EHR feed's): the general text, at once, in Spanish.
    await book(imported.id, DAY, null);
    await j.settle(imported.id);
    expect(await j.stepsOf(imported.id)).toEqual([
      'by-service:entered',
      'done:entered',
      'send-general:queued',
      'wait-2d:entered',
    ]);
    const [rosa] = await j.phoneOf(imported);
    expect(rosa).toMatch(/^.+: Rosa, para su cita del .+: llegue 10 min antes; traiga su tarjeta/);

    // Booked an hour ahead: past the send's window (2 hours before), recorded, never sent.
    await book(tooLate.id, HOUR, 'Annual physical');
    await j.settle(tooLate.id);
    expect(await j.stepsOf(tooLate.id)).toContain('send-annual-physical:expired');
    expect(await j.phoneOf(tooLate)).toEqual([]);

    clock.advance(DAY + HOUR);
    await j.settle(video.id);
    const ana = await j.phoneOf(video);
    expect(ana).toHaveLength(1);
    expect(ana[0]).toContain('Ana, for your visit');
    expect(ana[0]).toContain('check camera and mic, join 5 min early: http');
    expect(await j.phoneOf(physical)).toEqual([]);

    clock.advance(2 * DAY);
    await j.settle(physical.id);
    const texts = await j.phoneOf(physical);
    expect(texts).toHaveLength(1);
    expect(texts[0]).toContain('Tom, for your visit');
    expect(texts[0]).toContain('come 10 min early in comfortable clothes');
    expect((await j.enrolments(physical.id)).map((e) => e.status)).toEqual(['completed']);
  });

  it('enabling a ready journey writes the texts it sends in an organization that has none, and keeps one staff edited', async () => {
    // A new organization: no ready templates (the fixture's tenant has them written).
    const fresh = await TestTenant.create(j.app);
    const edited = 'Custom: {{patient.firstName}}, time for your medicine.';
    await j.app.database.withTenant(fresh.orgId, (tx) =>
      ensureTemplates(
        tx,
        fresh.orgId,
        [
          {
            key: 'medication-reminder',
            name: 'Our own medication reminder',
            purpose: 'treatment',
            versions: [{ channel: 'sms', language: 'en', body: { text: edited } }],
          },
        ],
        clock.now(),
      ),
    );
    const sends = new Set<string>();
    for (const ready of readyJourneys()) {
      await j.app.services.journeys.enableReady({ orgId: fresh.orgId, userId: null }, ready.key);
      for (const node of ready.nodes)
        if (node.type === 'action' && node.action.kind === 'send') sends.add(node.action.template);
    }
    const written = await j.app.database.system((tx) =>
      tx
        .select({ key: messageTemplates.key, name: messageTemplates.name })
        .from(messageTemplates)
        .where(eq(messageTemplates.orgId, fresh.orgId)),
    );
    const keys = new Set(written.map((t) => t.key));
    expect([...sends].filter((key) => !keys.has(key))).toEqual([]);
    expect(sends.size).toBeGreaterThan(10);
    expect(written.find((t) => t.key === 'medication-reminder')?.name).toBe(
      'Our own medication reminder',
    );
  });

  it('medication reminders: enrolled by hand, daily at 09:00 in the patient’s zone for 14 days, a late day dropped', async () => {
    const journeyId = await j.enable('medication-reminders');
    // With the default caps: the reminders count in their own bucket, 1 a day and 7 a week
    // (docs/adr/0043), not in the treatment cap of 3 a week.
    const sam = await j.smsPatient('Sam', 'en');
    // A care coordinator enrols (a marketer may not).
    const marketer = await j.tenant.signIn('marketer');
    const refused = await marketer.post(`/api/journeys/${journeyId}/enrolments`, {
      patientId: sam.id,
    });
    expect(refused.statusCode).toBe(403);
    const coordinator = await j.tenant.signIn('care-coordinator');
    const enrolled = await coordinator.post(`/api/journeys/${journeyId}/enrolments`, {
      patientId: sam.id,
    });
    expect(enrolled.statusCode, enrolled.body).toBe(200);
    await j.settle(sam.id);

    const wakeAt = async () => {
      const [row] = await j.enrolments(sam.id);
      return row?.wakeAt ?? null;
    };
    const zone = (await j.enrolments(sam.id))[0]?.context as { timeZone: string };
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
      await j.settle(sam.id);
      expect(await j.phoneOf(sam)).toHaveLength(day === 1 ? 1 : day - 1);
    }
    const texts = await j.phoneOf(sam);
    expect(texts).toHaveLength(13);
    for (const text of texts)
      expect(text).toMatch(/^.+: Sam, your daily reminder: it is time for your medicine/);
    expect(await j.stepsOf(sam.id)).toContain('remind-day-2:expired');
    expect((await j.enrolments(sam.id)).map((e) => [e.status, e.currentNode])).toEqual([
      ['completed', 'done'],
    ]);
  });

  it('referral follow-through: a new FHIR referral invites the patient; booked within 7 days is the goal, else a care-coordination task', async () => {
    await j.enable('referral-follow-through');
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
    const actor = systemActor(j.tenant.orgId);
    const imported = await j.app.services.fhir.imports.importBundle(j.tenant.orgId, actor, body, {
      sourceSystem: 'ehr',
      asOf: clock.now(),
    });
    expect(imported.entries.map((e) => e.outcome)).not.toContain('error');
    // Announced once per new referral, in the import's transaction; again: nothing new.
    await j.app.services.fhir.imports.importBundle(j.tenant.orgId, actor, body, {
      sourceSystem: 'ehr',
      asOf: clock.now(),
    });
    const jobs = rowsOf<{ id: string }>(
      await j.app.database.system((tx) =>
        tx.execute(
          sql`select data->>'serviceRequestId' as id from pgboss.job
              where name = 'referral.created' and data->>'orgId' = ${j.tenant.orgId}`,
        ),
      ),
    );
    expect(jobs).toHaveLength(2);
    for (const job of jobs)
      await j.runtime().onReferralCreated({ orgId: j.tenant.orgId, serviceRequestId: job.id });

    // The patients the EHR's records became (matched to ours, or new ones).
    const patientOf = async (sourceId: string) => {
      const [row] = rowsOf<{ patientId: string }>(
        await j.app.database.system((tx) =>
          tx.execute(
            sql`select patient_id as "patientId" from source_links
                where org_id = ${j.tenant.orgId} and source_type = 'ServiceRequest' and source_id = ${sourceId}`,
          ),
        ),
      );
      if (!row) throw new Error(`no ${sourceId}`);
      return row.patientId;
    };
    const ines = await patientOf('sr-ines');
    const omar = await patientOf('sr-omar');
    await j.settle(ines);
    await j.settle(omar);
    expect(await j.stepsOf(ines)).toEqual(['invite:queued', 'wait-booked:entered']);
    const [invite] = await j.phoneOf({ id: ines, phone: '+16175553101' });
    expect(invite).toContain('asked us to book a visit for you. Choose a time: http');

    clock.advance(3 * DAY);
    await book(ines, 5 * DAY, null);
    await j.settle(ines);
    const [inesEnrolment] = (await j.enrolments(ines)).filter((e) =>
      e.contextKey.startsWith('referral:'),
    );
    expect(inesEnrolment).toMatchObject({ status: 'completed', currentNode: 'scheduled' });
    expect(inesEnrolment?.convertedAt).not.toBeNull();

    clock.advance(4 * DAY + HOUR);
    await j.settle(omar);
    const [omarEnrolment] = await j.enrolments(omar);
    expect(omarEnrolment).toMatchObject({ status: 'completed', currentNode: 'handed-over' });
    const open = await j.app.database.system((tx) =>
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
    expect(await j.stepsOf(omar)).toContain('invite:queued');
  });

  type ReferralStatus = 'active' | 'on-hold' | 'revoked';
  const referralBundle = (who: string, phone: string, status: ReferralStatus) => ({
    resourceType: 'Bundle' as const,
    type: 'transaction' as const,
    entry: [
      {
        fullUrl: `urn:uuid:p-${who}`,
        resource: {
          resourceType: 'Patient' as const,
          id: `p-${who}`,
          name: [{ family: 'Moreau', given: [who] }],
          birthDate: '1969-07-14',
          telecom: [{ system: 'phone' as const, value: phone, use: 'mobile' as const }],
        },
        request: { method: 'PUT' as const, url: `Patient/p-${who}` },
      },
      {
        fullUrl: `urn:uuid:sr-${who}`,
        resource: {
          resourceType: 'ServiceRequest' as const,
          id: `sr-${who}`,
          status,
          intent: 'order' as const,
          category: [
            {
              coding: [
                {
                  system: 'http://snomed.info/sct',
                  code: '3457005',
                  display: 'Patient referral',
                },
              ],
            },
          ],
          subject: { reference: `urn:uuid:p-${who}` },
          authoredOn: new Date(clock.now().getTime() - DAY).toISOString(),
        },
        request: { method: 'PUT' as const, url: `ServiceRequest/sr-${who}` },
      },
    ],
  });
  const sendReferral = async (who: string, phone: string, status: ReferralStatus) => {
    const done = await j.app.services.fhir.imports.importBundle(
      j.tenant.orgId,
      systemActor(j.tenant.orgId),
      referralBundle(who, phone, status),
      { sourceSystem: 'ehr', asOf: clock.now() },
    );
    expect(done.entries.map((e) => e.outcome)).not.toContain('rejected');
  };
  const jobsNamed = async <N extends 'referral.created' | 'referral.closed'>(name: N) =>
    rowsOf<{ data: JobPayload<N> }>(
      await j.app.database.system((tx) =>
        tx.execute(
          sql`select data from pgboss.job where name = ${name} and data->>'orgId' = ${j.tenant.orgId}`,
        ),
      ),
    ).map((r) => r.data);

  // Issue 11 (h11r): a referral closed ends the follow-through it started (docs/adr/0045).
  it('referral follow-through: a FHIR referral put on hold keeps its journey; revoked before the 7 days, the journey exits (referral.revoked) and no message and no task follow', async () => {
    await j.enable('referral-follow-through');
    const phone = kind === 'pglite' ? '+16175553111' : '+16175553112';
    const send = (status: ReferralStatus) => sendReferral('lena', phone, status);
    await send('active');
    const [created] = await jobsNamed('referral.created');
    if (!created) throw new Error('not announced');
    await j.runtime().onReferralCreated(created);
    const [enrolment] = await j.app.database.system((tx) =>
      tx
        .select({ id: journeyEnrolments.id, patientId: journeyEnrolments.patientId })
        .from(journeyEnrolments)
        .where(eq(journeyEnrolments.contextKey, `referral:${created.serviceRequestId}`)),
    );
    if (!enrolment) throw new Error('not enrolled');
    const lena = enrolment.patientId;
    await j.settle(lena);
    expect(await j.stepsOf(lena)).toEqual(['invite:queued', 'wait-booked:entered']);

    // A hold is not a close (ADR 0045): nothing is announced, the journey waits on.
    clock.advance(DAY);
    await send('on-hold');
    expect(await jobsNamed('referral.closed')).toEqual([]);
    clock.advance(DAY);
    await send('revoked');
    const closed = await jobsNamed('referral.closed');
    expect(closed).toEqual([
      { orgId: j.tenant.orgId, serviceRequestId: created.serviceRequestId, status: 'revoked' },
    ]);
    for (const payload of closed) {
      expect(await j.runtime().onReferralClosed(payload)).toEqual([enrolment.id]);
    }
    const [ended] = await j.enrolments(lena);
    expect(ended).toMatchObject({ status: 'exited', currentNode: 'wait-booked' });
    expect(ended?.state).toMatchObject({ endReason: 'referral.revoked' });

    // Past the 7 days: no task; the invite, withdrawn before it went, never reaches the phone.
    clock.advance(6 * DAY);
    expect(await j.runtime().runStep(j.tenant.orgId, enrolment.id)).toBe('idle');
    await j.settle(lena);
    expect(await j.stepsOf(lena)).toEqual(['invite:queued', 'wait-booked:entered']);
    expect(
      await j.app.database.system((tx) =>
        tx.select({ id: tasks.id }).from(tasks).where(eq(tasks.patientId, lena)),
      ),
    ).toEqual([]);
    expect(await j.phoneOf({ id: lena, phone })).toEqual([]);
  });

  it('referral.closed is a journey event: a journey it starts enrols with the referral as context, reads referral.status, and is not ended by the close that started it', async () => {
    await j.enable('referral-follow-through');
    const editor = { orgId: j.tenant.orgId, userId: null };
    const notice = await j.app.services.journeys.saveDraft(editor, {
      key: 'referral-cancelled-notice',
      name: 'Referral cancelled notice',
      trigger: { kind: 'event', event: 'referral.closed' },
      reentry: 'never',
      entry: 'why',
      nodes: [
        {
          id: 'why',
          type: 'condition',
          branches: [
            {
              when: { attribute: 'referral.status', op: 'equals', values: ['revoked'] },
              next: 'tell',
            },
          ],
          otherwise: 'done',
        },
        {
          id: 'tell',
          type: 'action',
          action: {
            kind: 'task',
            title: 'Referral cancelled: tell the referrer',
            team: 'front-desk',
          },
          next: 'done',
        },
        { id: 'done', type: 'exit' },
      ],
    });
    await j.app.services.journeys.publish(editor, notice);
    const phone = kind === 'pglite' ? '+16175553121' : '+16175553122';
    await sendReferral('noor', phone, 'active');
    const [created] = await jobsNamed('referral.created');
    if (!created) throw new Error('not announced');
    await j.runtime().onReferralCreated(created);
    clock.advance(DAY);
    await sendReferral('noor', phone, 'revoked');
    const [closed] = await jobsNamed('referral.closed');
    if (!closed) throw new Error('not announced');
    const ended = await j.runtime().onReferralClosed(closed);
    expect(ended).toHaveLength(1);
    // Again (a retried job): the follow-through is over, the notice is not ended, none is added.
    expect(await j.runtime().onReferralClosed(closed)).toEqual([]);
    const noor = await patientOfEnrolment(ended[0] ?? '');
    await j.settle(noor);
    const rows = await j.enrolments(noor);
    expect(rows.map((e) => ({ key: e.contextKey, status: e.status, node: e.currentNode }))).toEqual(
      [
        // Closed before its first step ran: it never sends its invitation.
        { key: `referral:${closed.serviceRequestId}`, status: 'exited', node: 'invite' },
        { key: `referral:${closed.serviceRequestId}`, status: 'completed', node: 'done' },
      ],
    );
    expect(
      await j.app.database.system((tx) =>
        tx.select({ title: tasks.title }).from(tasks).where(eq(tasks.patientId, noor)),
      ),
    ).toEqual([{ title: 'Referral cancelled: tell the referrer' }]);
  });

  const patientOfEnrolment = async (id: string) => {
    const [row] = await j.app.database.system((tx) =>
      tx
        .select({ patientId: journeyEnrolments.patientId })
        .from(journeyEnrolments)
        .where(eq(journeyEnrolments.id, id)),
    );
    return row?.patientId ?? '';
  };
});
