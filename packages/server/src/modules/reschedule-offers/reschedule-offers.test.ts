import { offeredSlotsOf, type SmsGatewayPage, type SmsInboundReceipt } from '@careloop/core';
import { and, desc, eq } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { createTestApp, type TestApp, TestTenant } from '../../test/app.js';
import { openClinic } from '../../test/clinic.js';
import { TestClock } from '../../test/clock.js';
import { describeEachDatabase } from '../../test/databases.js';
import { auditEvents } from '../audit/schema.js';
import { journeyEnrolments } from '../journeys/schema.js';
import { inboundMessages, outboundMessages } from '../messaging/schema.js';
import { appointments } from '../scheduling/schema.js';
import { findSlots, loadVisitType } from '../scheduling/service.js';
import { tasks } from '../tasks/schema.js';
import { ensureTemplates, READY_TEMPLATES } from '../templates/service.js';
import { touchpoints } from '../timeline/schema.js';
import { rescheduleOffers } from './schema.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/**
 * Monday 7 January 2030, 16:00 UTC (11:00 in New York, no DST change for weeks): each test
 * starts on a Monday one week after the last, so each sees the same weekdays and hours.
 */
const FIRST_MONDAY = Date.parse('2030-01-07T16:00:00Z');

describeEachDatabase('"R" to a reminder offers open slots by text', (kind) => {
  const clock = new TestClock(new Date(FIRST_MONDAY).toISOString(), { tickMs: 1000 });
  let app: TestApp;
  let tenant: TestTenant;
  let serviceId: string;
  let anaId: string;
  let locationId: string;
  let week = 0;
  /** Patients made before the clock moves (a session ends as it does), one per test. */
  const patients: { id: string; phone: string }[] = [];

  const monday = () => FIRST_MONDAY + week * 7 * DAY;
  const moveTo = (at: number) => clock.advance(at - clock.now().getTime());

  beforeAll(async () => {
    app = await createTestApp(kind, {}, { clock }, () => clock.now());
    await app.services.jobs.start();
    tenant = await TestTenant.create(app, 'Harbor Clinic');
    const admin = await tenant.signIn('admin');
    ({
      locationId,
      practitionerId: anaId,
      serviceId,
    } = await openClinic(app, tenant, admin, { name: 'Harbor Clinic', phone: '617-555-0100' }));
    await app.database.withTenant(tenant.orgId, (tx) =>
      ensureTemplates(tx, tenant.orgId, READY_TEMPLATES, clock.now()),
    );
    await app.services.journeys.enableReady(
      { orgId: tenant.orgId, userId: null },
      'appointment-reminders',
    );
    for (let i = 0; i < 6; i++) {
      // One block of a thousand numbers per patient: two patients never share a phone (a shared
      // one matches nobody, and the reply reads as a keyword).
      const phone = `+1617555${String(2000 + i * 1000 + Math.floor(Math.random() * 1000))}`;
      const created = await tenant.createPatient({
        givenName: 'Rosa',
        // The first speaks English, the others Spanish (the sample patient's language).
        ...(i === 0 ? { preferredLanguage: 'en' } : {}),
        contactPoints: [{ system: 'phone', value: phone, use: 'mobile' }],
      });
      patients.push({ id: created.id, phone });
    }
  }, 120_000);

  afterEach(() => {
    week += 1;
  });

  afterAll(async () => {
    await app?.close();
  });

  /** Runs the outbox worker's handler on every queued message of the tenant. */
  const deliverQueued = async () => {
    const queued = await app.database.withTenant(tenant.orgId, (tx) =>
      tx
        .select({ id: outboundMessages.id })
        .from(outboundMessages)
        .where(eq(outboundMessages.status, 'queued')),
    );
    const outcomes: string[] = [];
    for (const { id } of queued) {
      outcomes.push(await app.services.outbox.deliver({ orgId: tenant.orgId, messageId: id }));
    }
    return outcomes;
  };

  /** What the patient's phone shows, newest first (the local gateway's view). */
  const phoneShows = async (phone: string) => {
    const admin = await tenant.signIn('admin');
    const res = await admin.get(`/api/sms-gateway/messages?number=${encodeURIComponent(phone)}`);
    expect(res.statusCode, res.body).toBe(200);
    return res.json<SmsGatewayPage>().items;
  };

  /**
   * The patient's phone sends `body` through the local gateway, and the `message.received`
   * worker's handler runs on it as `careloop start` runs it (the offer first, then journeys).
   */
  const reply = async (phone: string, body: string) => {
    const admin = await tenant.signIn('admin');
    const res = await admin.post('/api/sms-gateway/inbound', { from: phone, body });
    expect(res.statusCode, res.body).toBe(201);
    const receipt = res.json<SmsInboundReceipt>();
    const message = await app.services.smsInbox.message(tenant.orgId, receipt.id);
    if (!message?.patientId || message.keyword) return 'keyword';
    if (await app.services.rescheduleOffers.answer(message)) return 'offer';
    await app.services.journeys.runtime.onMessageReceived(
      tenant.orgId,
      message.patientId,
      message.body,
    );
    return 'journey';
  };

  /**
   * A patient booked Thursday 10:00 New York time with Dr. Reyes, enrolled in the reminders,
   * and the clock on Tuesday just after the 2-day reminder went out and reached the phone.
   */
  const reminded = async (index: number) => {
    const patient = patients[index];
    if (!patient) throw new Error('no patient left');
    moveTo(monday());
    const desk = await tenant.signIn('front-desk');
    const thursday10 = monday() + 3 * DAY - HOUR;
    const booked = await desk.post('/api/appointments', {
      patientId: patient.id,
      serviceId,
      practitionerId: anaId,
      locationId,
      start: new Date(thursday10).toISOString(),
    });
    expect(booked.statusCode, booked.body).toBe(201);
    const appointmentId = booked.json<{ id: string }>().id;
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
    const shown = await phoneShows(patient.phone);
    expect(shown[0]?.body).toMatch(/R para cambiar|R to reschedule/);
    return { ...patient, appointmentId, enrolmentId: enrolment.id, start: thursday10 };
  };

  const offersOf = (patientId: string) =>
    app.database.system((tx) =>
      tx
        .select()
        .from(rescheduleOffers)
        .where(eq(rescheduleOffers.patientId, patientId))
        .orderBy(rescheduleOffers.round),
    );

  const appointment = async (id: string) => {
    const [row] = await app.database.system((tx) =>
      tx.select().from(appointments).where(eq(appointments.id, id)),
    );
    if (!row) throw new Error('no appointment');
    return row;
  };

  const tasksOf = (patientId: string) =>
    app.database.system((tx) => tx.select().from(tasks).where(eq(tasks.patientId, patientId)));

  it('offers three open times on "R", and "2" moves the visit there and frees the old time', async () => {
    const p = await reminded(0);
    expect(await reply(p.phone, ' r ')).toBe('journey');
    const [offer] = await offersOf(p.id);
    if (!offer) throw new Error('no offer');
    const slots = offeredSlotsOf(offer.slots);
    // Tuesday's hours end at 12:00 in New York, two hours from now: Wednesday's first three.
    expect(slots.map((s) => s.start)).toEqual([
      new Date(monday() + 2 * DAY - 2 * HOUR).toISOString(),
      new Date(monday() + 2 * DAY - 1.5 * HOUR).toISOString(),
      new Date(monday() + 2 * DAY - HOUR).toISOString(),
    ]);
    expect(slots.every((s) => s.practitionerId === anaId)).toBe(true);
    expect(offer).toMatchObject({ status: 'open', round: 1, appointmentId: p.appointmentId });
    // An hour before the first slot, sooner than 24 hours.
    expect(offer.expiresAt.toISOString()).toBe(
      new Date(monday() + 2 * DAY - 3 * HOUR).toISOString(),
    );
    expect(await tasksOf(p.id)).toEqual([]);

    expect(await deliverQueued()).toEqual(['delivered']);
    const offerText = (await phoneShows(p.phone))[0]?.body ?? '';
    expect(offerText).toBe(
      'Harbor Clinic: Rosa, reply 1, 2 or 3 to move your visit to 1) Wed, Jan 9, 9:00 AM 2) Wed, Jan 9, 9:30 AM 3) Wed, Jan 9, 10:00 AM; N for other times, or call us at 617-555-0100.',
    );

    expect(await reply(p.phone, '2')).toBe('offer');
    const moved = await appointment(p.appointmentId);
    expect(moved.startAt.toISOString()).toBe(slots[1]?.start);
    expect(moved.status).toBe('booked');
    expect((await offersOf(p.id))[0]).toMatchObject({ status: 'accepted', chosen: 2 });
    expect(await deliverQueued()).toContain('delivered');
    expect((await phoneShows(p.phone))[0]?.body).toMatch(
      /^Harbor Clinic: done, Rosa\. Your visit is now .*Wednesday.*9:30.* at Harbor Clinic\.$/,
    );
    // The same message handled again (a retried job) moves nothing and sends nothing more; a
    // second "2" is a conversation for the inbox, no longer an answer.
    const [answered] = await app.database.system((tx) =>
      tx
        .select({ id: inboundMessages.id })
        .from(inboundMessages)
        .where(eq(inboundMessages.patientId, p.id))
        .orderBy(desc(inboundMessages.receivedAt))
        .limit(1),
    );
    const again = await app.services.smsInbox.message(tenant.orgId, answered?.id ?? '');
    if (!again) throw new Error('no message');
    expect(await app.services.rescheduleOffers.answer(again)).toBe(true);
    expect(await reply(p.phone, '2')).toBe('journey');
    expect(await deliverQueued()).toEqual([]);
    expect((await appointment(p.appointmentId)).startAt.toISOString()).toBe(slots[1]?.start);
    // Thursday 10:00 is open again.
    const thursdayFree = await app.database.withTenant(tenant.orgId, async (tx) => {
      const service = await loadVisitType(tx, serviceId);
      if (!service) throw new Error('no service');
      return findSlots(
        tx,
        service,
        { practitionerId: anaId, locationId },
        { start: p.start, end: p.start + 30 * MINUTE },
        5,
        clock.now().getTime(),
      );
    });
    expect(thursdayFree.map((s) => s.start)).toEqual([new Date(p.start).toISOString()]);

    const steps = await app.database.system((tx) =>
      tx
        .select({ recordType: auditEvents.recordType, reason: auditEvents.reason })
        .from(auditEvents)
        .where(and(eq(auditEvents.orgId, tenant.orgId), eq(auditEvents.recordId, offer.id))),
    );
    expect(steps.map((s) => s.reason)).toEqual(['offered by text', 'accepted: appointment moved']);
    const timeline = await app.database.system((tx) =>
      tx
        .select({ type: touchpoints.type })
        .from(touchpoints)
        .where(eq(touchpoints.patientId, p.id))
        .orderBy(desc(touchpoints.occurredAt)),
    );
    expect(timeline.map((t) => t.type)).toEqual(
      expect.arrayContaining([
        'reschedule-offer.sent',
        'reschedule-offer.accepted',
        'appointment-rescheduled',
      ]),
    );
  });

  it('answers a time taken meanwhile with a fresh offer, in Spanish', async () => {
    const p = await reminded(1);
    expect(await reply(p.phone, 'Cambiar')).toBe('journey');
    const [first] = await offersOf(p.id);
    const taken = offeredSlotsOf(first?.slots)[0];
    if (!taken) throw new Error('no offer');
    // Someone else books the first time offered before the patient answers.
    const desk = await tenant.signIn('front-desk');
    const other = await desk.post('/api/appointments', {
      patientId: patients[5]?.id,
      serviceId,
      practitionerId: anaId,
      locationId,
      start: taken.start,
    });
    expect(other.statusCode, other.body).toBe(201);

    expect(await reply(p.phone, '1')).toBe('offer');
    expect((await appointment(p.appointmentId)).startAt.getTime()).toBe(p.start);
    const [replaced, fresh] = await offersOf(p.id);
    expect(replaced).toMatchObject({ status: 'replaced', chosen: 1 });
    expect(fresh).toMatchObject({ status: 'open', round: 2 });
    const freshSlots = offeredSlotsOf(fresh?.slots).map((s) => s.start);
    expect(freshSlots).toHaveLength(3);
    expect(freshSlots).not.toContain(taken.start);
    await deliverQueued();
    expect((await phoneShows(p.phone))[0]?.body).toMatch(
      /^Harbor Clinic: lo sentimos, esa hora se acaba de ocupar\. Responda 1, 2 o 3 para 1\) mié, 16 de ene/,
    );
    // The fresh offer books.
    expect(await reply(p.phone, '1')).toBe('offer');
    expect((await appointment(p.appointmentId)).startAt.toISOString()).toBe(freshSlots[0]);
  });

  it('offers the next times on N; hands an offer that ended to the front desk, and answers a late choice so', async () => {
    const p = await reminded(2);
    await reply(p.phone, 'R');
    const [first] = await offersOf(p.id);
    // N: the next three times, none of those offered before.
    expect(await reply(p.phone, 'n')).toBe('offer');
    const [asked, offer] = await offersOf(p.id);
    if (!first || !offer) throw new Error('no offer');
    expect(asked).toMatchObject({ status: 'replaced' });
    const before = offeredSlotsOf(first.slots).map((s) => s.start);
    const next = offeredSlotsOf(offer.slots).map((s) => s.start);
    expect(next).toHaveLength(3);
    expect(next.filter((s) => before.includes(s))).toEqual([]);
    expect((next[0] ?? '') > (before[2] ?? '')).toBe(true);
    // Both texts went out on Tuesday: two of the day's two operations messages (the caps).
    expect(await deliverQueued()).toEqual(['delivered', 'delivered']);
    // The expiry job, run early (a clock skew), does nothing.
    await app.services.rescheduleOffers.expireJob({ orgId: tenant.orgId, offerId: offer.id });
    expect((await offersOf(p.id))[1]?.status).toBe('open');
    moveTo(offer.expiresAt.getTime() + MINUTE);
    await app.services.rescheduleOffers.expireJob({ orgId: tenant.orgId, offerId: offer.id });
    expect((await offersOf(p.id))[1]?.status).toBe('expired');
    expect(await tasksOf(p.id)).toEqual([
      expect.objectContaining({
        team: 'front-desk',
        status: 'open',
        nonClinicalTitle: expect.stringContaining('unanswered'),
      }),
    ]);

    expect(await reply(p.phone, '3')).toBe('offer');
    expect((await appointment(p.appointmentId)).startAt.getTime()).toBe(p.start);
    await deliverQueued();
    expect((await phoneShows(p.phone))[0]?.body).toContain('nuestra recepcion le llamara');
    expect(await tasksOf(p.id)).toHaveLength(1);
  });

  it('sends nothing more after STOP, and the offer is not delivered', async () => {
    const p = await reminded(3);
    await reply(p.phone, 'R');
    expect(await offersOf(p.id)).toHaveLength(1);
    expect(await reply(p.phone, 'STOP')).toBe('keyword');
    await reply(p.phone, '1');
    expect(await deliverQueued()).toContain('suppressed');
    // The phone got the reminder and the one confirmation of the STOP: not the offer, nor
    // anything the "1" caused.
    const outbound = (await phoneShows(p.phone)).filter((m) => m.direction === 'outbound');
    expect(outbound).toHaveLength(2);
    expect(outbound[0]?.body).toContain('you are unsubscribed');
  });

  it('keeps the front-desk task when no time is open', async () => {
    const p = await reminded(4);
    // Dr. Reyes is away for the next two weeks: nothing to offer.
    const admin = await tenant.signIn('admin');
    for (let d = 1; d <= 16; d++) {
      const date = new Date(monday() + d * DAY).toISOString().slice(0, 10);
      const res = await admin.post('/api/scheduling/exceptions', {
        practitionerId: anaId,
        locationId,
        date,
      });
      expect(res.statusCode, res.body).toBe(201);
    }
    await reply(p.phone, 'reschedule');
    expect(await offersOf(p.id)).toEqual([]);
    expect(await tasksOf(p.id)).toEqual([
      expect.objectContaining({
        team: 'front-desk',
        nonClinicalTitle: expect.stringContaining('R'),
      }),
    ]);
  });
});
