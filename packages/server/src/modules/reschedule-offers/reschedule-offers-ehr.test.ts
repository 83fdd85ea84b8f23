import {
  type AvailableSlot,
  offeredSlotsOf,
  type ScheduledAppointment,
  type SmsGatewayPage,
  type SmsInboundReceipt,
} from '@careloop/core';
import { and, eq } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import type { DatabaseKind } from '../../db/client.js';
import { createTestApp, type TestApp, TestTenant } from '../../test/app.js';
import { TestClock } from '../../test/clock.js';
import { describeEachDatabase } from '../../test/databases.js';
import { auditEvents } from '../audit/schema.js';
import { type FhirSimulator, startFhirSimulator } from '../ehr-link/fhir-simulator.js';
import { type EhrSimulator, startEhrSimulator } from '../hl7/ehr-simulator.js';
import { journeyEnrolments } from '../journeys/schema.js';
import { outboundMessages } from '../messaging/schema.js';
import { appointments, ehrBookingRequests } from '../scheduling/schema.js';
import { type EhrSlot, ehrSchedule } from '../scheduling/test/ehr-schedule.js';
import { tasks } from '../tasks/schema.js';
import { ensureTemplates, READY_TEMPLATES } from '../templates/service.js';
import { rescheduleOffers } from './schema.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/**
 * Monday 7 January 2030, 16:00 UTC (11:00 in New York, no DST change for weeks): each test
 * starts on a Monday one week after the last, so each sees the same weekdays and hours.
 */
const FIRST_MONDAY = Date.parse('2030-01-07T16:00:00Z');
const WEEKS = 3;

/**
 * The EHR publishes Dr. Osei's Wednesdays 09:00-11:00 and Thursdays 09:00-12:00 in New York
 * (14:00-16:00 and 14:00-17:00 UTC) for the weeks the tests run in.
 */
const EHR_SLOTS: EhrSlot[] = Array.from({ length: WEEKS }, (_, week) => {
  const wednesday = FIRST_MONDAY - 2 * HOUR + (week * 7 + 2) * DAY;
  return [
    { status: 'free', startAt: new Date(wednesday), endAt: new Date(wednesday + 2 * HOUR) },
    {
      status: 'free',
      startAt: new Date(wednesday + DAY),
      endAt: new Date(wednesday + DAY + 3 * HOUR),
    },
  ] satisfies EhrSlot[];
}).flat();

/**
 * Issue 11 (h11e): "R" to a reminder where the EHR owns the schedule. The patient is offered the
 * EHR's open times; a choice is a move the EHR answers (ADR 0033), told to the patient as asked,
 * then confirmed (AA / 2xx) or not (AE / refused, with the front desk's task). Against the
 * simulated EHR on real loopback sockets, through the local SMS gateway.
 */
function ehrOfferSuite(
  kind: DatabaseKind,
  path: 'hl7' | 'fhir',
  /** The patients' family names, one per test (the simulator refuses moves for "Stuck"). */
  familyNames: readonly string[],
) {
  const clock = new TestClock(new Date(FIRST_MONDAY).toISOString(), { tickMs: 1000 });
  let app: TestApp;
  let tenant: TestTenant;
  let hl7: EhrSimulator | null = null;
  let fhir: FhirSimulator | null = null;
  let serviceId: string;
  let practitionerId: string;
  let locationId: string;
  let week = 0;
  /** Patients made before the clock moves (a session ends as it does), one per test. */
  const patients = new Map<string, { id: string; phone: string }>();

  const monday = () => FIRST_MONDAY + week * 7 * DAY;
  const moveTo = (at: number) => clock.advance(at - clock.now().getTime());

  beforeAll(async () => {
    let env: Record<string, string>;
    if (path === 'hl7') {
      // The EHR refuses for good (AE) a move (S13) of a patient named Stuck; books the rest.
      hl7 = await startEhrSimulator({ port: 0, rules: { error: /SIU\^S13[\s\S]*\|Stuck\^/ } });
      env = { EHR_MLLP_ENDPOINT: `127.0.0.1:${hl7.listener.port}` };
    } else {
      fhir = await startFhirSimulator({ port: 0, token: 'sim-token' });
      env = { EHR_FHIR_BASE: fhir.base, EHR_FHIR_TOKEN: 'sim-token' };
    }
    app = await createTestApp(kind, env, { clock }, () => clock.now());
    await app.services.jobs.start();
    tenant = await TestTenant.create(app, 'Harbor Clinic');
    const admin = await tenant.signIn('admin');
    ({ locationId, practitionerId, serviceId } = await ehrSchedule(app, tenant, admin, {
      slots: EHR_SLOTS,
      clinic: 'Harbor Clinic',
    }));
    await app.database.withTenant(tenant.orgId, (tx) =>
      ensureTemplates(tx, tenant.orgId, READY_TEMPLATES, clock.now()),
    );
    await app.services.journeys.enableReady(
      { orgId: tenant.orgId, userId: null },
      'appointment-reminders',
    );
    for (const [i, familyName] of familyNames.entries()) {
      // One block of a thousand numbers per patient: two patients never share a phone.
      const phone = `+1617555${String(3000 + i * 1000 + Math.floor(Math.random() * 1000))}`;
      const created = await tenant.createPatient({
        givenName: 'Rosa',
        familyName,
        preferredLanguage: 'en',
        contactPoints: [{ system: 'phone', value: phone, use: 'mobile' }],
      });
      patients.set(familyName, { id: created.id, phone });
    }
  }, 180_000);

  afterEach(() => {
    week += 1;
  });

  afterAll(async () => {
    await app?.close();
    await hl7?.close();
    await fhir?.close();
  });

  /** Runs the outbox worker's handler on every queued message (texts, email, the EHR's). */
  const deliverQueued = async () => {
    const queued = await app.database.withTenant(tenant.orgId, (tx) =>
      tx
        .select({ id: outboundMessages.id, channel: outboundMessages.channel })
        .from(outboundMessages)
        .where(eq(outboundMessages.status, 'queued')),
    );
    const outcomes: string[] = [];
    for (const { id, channel } of queued) {
      const outcome = await app.services.outbox.deliver({ orgId: tenant.orgId, messageId: id });
      outcomes.push(`${channel}:${outcome}`);
    }
    return outcomes;
  };

  const phoneShows = async (phone: string) => {
    const admin = await tenant.signIn('admin');
    const res = await admin.get(`/api/sms-gateway/messages?number=${encodeURIComponent(phone)}`);
    expect(res.statusCode, res.body).toBe(200);
    return res.json<SmsGatewayPage>().items.filter((m) => m.direction === 'outbound');
  };

  /** The patient's phone sends `body`; the `message.received` worker's handler runs on it. */
  const reply = async (phone: string, body: string) => {
    const admin = await tenant.signIn('admin');
    const res = await admin.post('/api/sms-gateway/inbound', { from: phone, body });
    expect(res.statusCode, res.body).toBe(201);
    const message = await app.services.smsInbox.message(
      tenant.orgId,
      res.json<SmsInboundReceipt>().id,
    );
    if (!message?.patientId || message.keyword) return 'keyword';
    if (await app.services.rescheduleOffers.answer(message)) return 'offer';
    await app.services.journeys.runtime.onMessageReceived(
      tenant.orgId,
      message.patientId,
      message.body,
    );
    return 'journey';
  };

  const appointment = async (id: string) => {
    const [row] = await app.database.system((tx) =>
      tx.select().from(appointments).where(eq(appointments.id, id)),
    );
    if (!row) throw new Error('no appointment');
    return row;
  };

  const requestsOf = (appointmentId: string) =>
    app.database.system((tx) =>
      tx
        .select()
        .from(ehrBookingRequests)
        .where(eq(ehrBookingRequests.appointmentId, appointmentId))
        .orderBy(ehrBookingRequests.createdAt),
    );

  const offersOf = (patientId: string) =>
    app.database.system((tx) =>
      tx
        .select()
        .from(rescheduleOffers)
        .where(eq(rescheduleOffers.patientId, patientId))
        .orderBy(rescheduleOffers.round),
    );

  const tasksOf = (patientId: string) =>
    app.database.system((tx) =>
      tx
        .select({ title: tasks.title, team: tasks.team })
        .from(tasks)
        .where(eq(tasks.patientId, patientId)),
    );

  /** Open times on the day of `at` (UTC), as the front desk's availability shows them. */
  const openOn = async (at: number) => {
    const desk = await tenant.signIn('front-desk');
    const day = new Date(at).toISOString().slice(0, 10);
    const res = await desk.get(
      `/api/availability?service=${serviceId}&from=${day}T00:00:00Z&to=${day}T23:59:00Z`,
    );
    expect(res.statusCode, res.body).toBe(200);
    return res.json<{ slots: AvailableSlot[] }>().slots.map((s) => s.start);
  };

  /**
   * A patient's visit Thursday 10:00 New York time, requested of the EHR and booked on its
   * answer, enrolled in the reminders; the clock on Tuesday just after the 2-day reminder
   * reached the phone.
   */
  const reminded = async (familyName: string) => {
    const patient = patients.get(familyName);
    if (!patient) throw new Error(`no patient ${familyName}`);
    const { phone } = patient;
    moveTo(monday());
    const desk = await tenant.signIn('front-desk');
    const thursday10 = monday() + 3 * DAY - HOUR;
    const res = await desk.post('/api/appointments', {
      patientId: patient.id,
      serviceId,
      practitionerId,
      locationId,
      start: new Date(thursday10).toISOString(),
    });
    expect(res.statusCode, res.body).toBe(201);
    const appointmentId = res.json<ScheduledAppointment>().id;
    expect(await deliverQueued()).toContain(`${path}:delivered`);
    expect((await appointment(appointmentId)).status).toBe('booked');
    const runtime = app.services.journeys.runtime;
    await runtime.onAppointmentChanged({ orgId: tenant.orgId, appointmentId, event: 'booked' });
    const [enrolment] = await app.database.system((tx) =>
      tx
        .select({ id: journeyEnrolments.id })
        .from(journeyEnrolments)
        .where(eq(journeyEnrolments.appointmentId, appointmentId)),
    );
    if (!enrolment) throw new Error('not enrolled');
    await runtime.runStep(tenant.orgId, enrolment.id);
    moveTo(thursday10 - 2 * DAY + MINUTE);
    await runtime.runStep(tenant.orgId, enrolment.id);
    await deliverQueued();
    expect((await phoneShows(phone))[0]?.body).toMatch(/R to reschedule/);
    return { id: patient.id, phone, appointmentId, start: thursday10 };
  };

  /** "R", then the second time offered: Wednesday 09:30 New York (14:30 UTC). */
  const chooseSecond = async (p: Awaited<ReturnType<typeof reminded>>) => {
    expect(await reply(p.phone, 'R')).toBe('journey');
    const [offer] = await offersOf(p.id);
    if (!offer) throw new Error('no offer');
    const slots = offeredSlotsOf(offer.slots);
    const wednesday9 = monday() + 2 * DAY - 2 * HOUR;
    // The EHR's free times, Dr. Osei's own: Tuesday has none, Wednesday's first three.
    expect(slots.map((s) => Date.parse(s.start))).toEqual([
      wednesday9,
      wednesday9 + 30 * MINUTE,
      wednesday9 + HOUR,
    ]);
    expect(slots.every((s) => s.practitionerId === practitionerId)).toBe(true);
    expect(offer.status).toBe('open');
    expect(await tasksOf(p.id)).toEqual([]);
    expect(await deliverQueued()).toEqual(['sms:delivered']);
    expect((await phoneShows(p.phone))[0]?.body).toBe(
      'Harbor Clinic: Rosa, reply 1, 2 or 3 to move your visit to 1) Wed, Jan 9, 9:00 AM 2) Wed, Jan 9, 9:30 AM 3) Wed, Jan 9, 10:00 AM; N for other times, or call us.'.replace(
        /Jan 9/g,
        new Intl.DateTimeFormat('en-US', {
          timeZone: 'America/New_York',
          month: 'short',
          day: 'numeric',
        }).format(new Date(wednesday9)),
      ),
    );

    expect(await reply(p.phone, '2')).toBe('offer');
    const chosen = slots[1];
    if (!chosen) throw new Error('no second slot');
    // Asked, not moved: the visit keeps its time until the EHR answers; both times are taken.
    const asked = await appointment(p.appointmentId);
    expect(asked.startAt.getTime()).toBe(p.start);
    expect(asked.status).toBe('booked');
    const move = (await requestsOf(p.appointmentId)).at(-1);
    expect(move).toMatchObject({ event: 'S13', status: 'sent' });
    expect(move?.requestedStart?.toISOString()).toBe(chosen.start);
    expect(await openOn(Date.parse(chosen.start))).not.toContain(chosen.start);
    expect((await offersOf(p.id))[0]).toMatchObject({ status: 'accepted', chosen: 2 });
    return { offer, chosen, move };
  };

  return {
    deliverQueued,
    phoneShows,
    reply,
    appointment,
    requestsOf,
    offersOf,
    tasksOf,
    openOn,
    reminded,
    chooseSecond,
    hl7: () => hl7,
    fhir: () => fhir,
    orgId: () => tenant.orgId,
    app: () => app,
  };
}

describeEachDatabase('"R" to a reminder when the EHR owns the schedule (HL7)', (kind) => {
  const suite = ehrOfferSuite(kind, 'hl7', ['Mover', 'Stuck']);

  it('offers the EHR’s open times; "2" sends SIU^S13 with the new start, and the AA moves the visit and frees the old time', async () => {
    const p = await suite.reminded('Mover');
    const { chosen, offer } = await suite.chooseSecond(p);
    // The patient is told it was asked, then the S13 goes out: the text first, as queued.
    const outcomes = await suite.deliverQueued();
    expect(outcomes.sort()).toEqual(['hl7:delivered', 'sms:delivered']);
    const received = suite.hl7()?.received.at(-1);
    expect(received?.type).toBe('SIU^S13');
    expect(received?.ack).toBe('AA');
    const segments = received?.text.split('\r') ?? [];
    expect(segments[1]?.split('|')[1]).toBe(`${p.appointmentId}^CARELOOP`);
    const ais = new Date(chosen.start).toISOString().replace(/[-:T]/g, '').slice(0, 12);
    expect(segments.find((s) => s.startsWith('AIS'))).toContain(`|${ais}00+0000|`);

    const moved = await suite.appointment(p.appointmentId);
    expect(moved.startAt.toISOString()).toBe(chosen.start);
    expect(moved.status).toBe('booked');
    expect(await suite.openOn(p.start)).toContain(new Date(p.start).toISOString());
    expect(await suite.openOn(Date.parse(chosen.start))).not.toContain(chosen.start);

    // The texts: asked, then (after the AA) done, with the new time.
    await suite.deliverQueued();
    const texts = (await suite.phoneShows(p.phone)).map((m) => m.body);
    expect(texts[1]).toMatch(
      /^Harbor Clinic: Rosa, we've asked the clinic to move your visit to Wednesday, .* at 9:30 AM; we'll text you when it's confirmed\.$/,
    );
    expect(texts[0]).toMatch(
      /^Harbor Clinic: done, Rosa\. Your visit is now Wednesday, .* at 9:30 AM at Harbor Clinic\.$/,
    );
    expect(await suite.tasksOf(p.id)).toEqual([]);
    const steps = await suite.app().database.system((tx) =>
      tx
        .select({ reason: auditEvents.reason })
        .from(auditEvents)
        .where(and(eq(auditEvents.orgId, suite.orgId()), eq(auditEvents.recordId, offer.id))),
    );
    expect(steps.map((s) => s.reason)).toEqual([
      'offered by text',
      'accepted: move requested of the EHR',
      'moved: the EHR accepted',
    ]);

    // The same answer handled again (a retried job) asks the EHR nothing more.
    const before = (await suite.requestsOf(p.appointmentId)).length;
    const [again] = await suite
      .app()
      .database.system((tx) =>
        tx
          .select({ answerKey: rescheduleOffers.answerKey })
          .from(rescheduleOffers)
          .where(eq(rescheduleOffers.id, offer.id)),
      );
    const message = await suite
      .app()
      .services.smsInbox.message(suite.orgId(), again?.answerKey ?? '');
    if (!message) throw new Error('no answer');
    expect(await suite.app().services.rescheduleOffers.answer(message)).toBe(true);
    expect(await suite.requestsOf(p.appointmentId)).toHaveLength(before);
    expect(await suite.deliverQueued()).toEqual([]);
  });

  it('keeps the old time when the EHR refuses the move (AE): the patient is told, the front desk gets the task', async () => {
    const p = await suite.reminded('Stuck');
    const { chosen, offer } = await suite.chooseSecond(p);
    expect((await suite.deliverQueued()).sort()).toEqual(['hl7:failed', 'sms:delivered']);
    expect(suite.hl7()?.received.at(-1)).toMatchObject({ type: 'SIU^S13', ack: 'AE' });

    const kept = await suite.appointment(p.appointmentId);
    expect(kept.startAt.getTime()).toBe(p.start);
    expect(kept.status).toBe('booked');
    expect((await suite.requestsOf(p.appointmentId)).at(-1)?.status).toBe('refused');
    expect(await suite.openOn(Date.parse(chosen.start))).toContain(chosen.start);
    expect(await suite.openOn(p.start)).not.toContain(new Date(p.start).toISOString());
    expect((await suite.offersOf(p.id))[0]).toMatchObject({ id: offer.id, status: 'handed-off' });
    expect(await suite.tasksOf(p.id)).toEqual([
      {
        title: 'The EHR refused to move an appointment: it keeps its time; tell the patient',
        team: 'front-desk',
      },
    ]);
    await suite.deliverQueued();
    expect((await suite.phoneShows(p.phone))[0]?.body).toMatch(
      /^Harbor Clinic: Rosa, sorry, your visit could not be moved to Wednesday, .* at 9:30 AM\. It stays Thursday, .* at 10:00 AM; our front desk will call you\.$/,
    );
  });
});

describeEachDatabase('"R" to a reminder when the EHR owns the schedule (FHIR)', (kind) => {
  const suite = ehrOfferSuite(kind, 'fhir', ['Fhir']);

  it('moves the visit through a FHIR update of the Appointment, confirmed on the EHR’s 2xx', async () => {
    const p = await suite.reminded('Fhir');
    const { chosen } = await suite.chooseSecond(p);
    expect((await suite.deliverQueued()).sort()).toEqual(['fhir:delivered', 'sms:delivered']);
    const inEhr = [...(suite.fhir()?.appointments.values() ?? [])].filter((a) =>
      (a.identifier ?? []).some((i) => i.value === p.appointmentId),
    );
    expect(inEhr.map((a) => a.start)).toEqual([chosen.start]);
    expect((await suite.appointment(p.appointmentId)).startAt.toISOString()).toBe(chosen.start);
    await suite.deliverQueued();
    expect((await suite.phoneShows(p.phone))[0]?.body).toMatch(
      /^Harbor Clinic: done, Rosa\. Your visit is now Wednesday, .* at 9:30 AM at Harbor Clinic\.$/,
    );
  });
});
