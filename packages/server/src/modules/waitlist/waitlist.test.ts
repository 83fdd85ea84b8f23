import type { AvailableSlot, WaitlistEntry } from '@careloop/core';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { outboundTextAad } from '../../crypto/encrypted-fields.js';
import { createTestApp, type Session, type TestApp, TestTenant } from '../../test/app.js';
import { openClinic } from '../../test/clinic.js';
import { describeEachDatabase } from '../../test/databases.js';
import { auditEvents } from '../audit/schema.js';
import { outboundMessages } from '../messaging/schema.js';
import { appointments, slotHolds } from '../scheduling/schema.js';
import { SlotTakenError } from '../scheduling/service.js';
import { messageTemplates } from '../templates/schema.js';
import { touchpoints } from '../timeline/schema.js';
import { recoveryActor } from './recovery.js';
import { waitlistEntries, waitlistOffers } from './schema.js';

// Monday 4 March 2030, 12:00 UTC (07:00 in New York): the clock every test here starts from.
const START = Date.parse('2030-03-04T12:00:00Z');
const MINUTE = 60_000;
/** Tuesday 5 March 2030, 09:00 in New York. */
const TUESDAY_9 = '2030-03-05T14:00:00.000Z';
const TUESDAY = { weekly: [{ weekday: 2, start: '08:00', end: '12:00' }], dates: [] };

describeEachDatabase('waitlist and slot recovery', (kind) => {
  let now = START;
  let app: TestApp;
  let tenant: TestTenant;
  let admin: Session;
  let desk: Session;
  let serviceId: string;
  let doctorId: string;
  let locationId: string;

  const slotsTuesday = async () => {
    const res = await desk.get(
      `/api/availability?service=${serviceId}&practitioner=${doctorId}&from=2030-03-05T14:00:00Z&to=2030-03-05T15:00:00Z`,
    );
    expect(res.statusCode, res.body).toBe(200);
    return res.json<{ slots: AvailableSlot[] }>().slots.map((s) => s.start);
  };

  const book = (patientId: string, start = TUESDAY_9) =>
    desk.post('/api/appointments', {
      patientId,
      serviceId,
      practitionerId: doctorId,
      locationId,
      start,
    });

  const join = async (patientId: string, priority: 'routine' | 'urgent' = 'routine') => {
    const res = await desk.post('/api/waitlist', {
      patientId,
      serviceId,
      availability: TUESDAY,
      priority,
    });
    expect(res.statusCode, res.body).toBe(201);
    return res.json<WaitlistEntry>();
  };

  /** Books a patient at Tuesday 09:00 and cancels it: the freed slot the waitlist gets. */
  const cancelTuesday = async () => {
    const holder = await tenant.createPatient();
    const booked = await book(holder.id);
    expect(booked.statusCode, booked.body).toBe(201);
    const id = booked.json<{ id: string }>().id;
    const cancelled = await desk.patch(`/api/appointments/${id}`, {
      action: 'cancel',
      reason: 'Patient called',
    });
    expect(cancelled.statusCode, cancelled.body).toBe(200);
    // The job the cancellation sent, run here rather than by a worker.
    return app.services.waitlist.recovery.onSlotFreed({
      orgId: tenant.orgId,
      practitionerId: doctorId,
      locationId,
      start: TUESDAY_9,
      end: new Date(Date.parse(TUESDAY_9) + 30 * MINUTE).toISOString(),
    });
  };

  const offersOf = (entryId: string) =>
    app.database.system((tx) =>
      tx.select().from(waitlistOffers).where(eq(waitlistOffers.entryId, entryId)),
    );

  const entry = async (id: string) => {
    const res = await desk.get('/api/waitlist');
    expect(res.statusCode, res.body).toBe(200);
    const found = res.json<{ items: WaitlistEntry[] }>().items.find((e) => e.id === id);
    if (!found) throw new Error('entry not listed');
    return found;
  };

  /** The accept link's token, read from the offer's queued message. */
  const tokenOf = async (offerId: string) => {
    const [message] = await app.database.system((tx) =>
      tx
        .select()
        .from(outboundMessages)
        .where(eq(outboundMessages.idempotencyKey, `waitlist-offer:${offerId}`)),
    );
    if (!message) throw new Error('no offer message');
    const text = app.services.cipher.decrypt(
      message.textEncrypted,
      outboundTextAad(message.id, message.orgId),
    );
    const token = /\/portal\/offer\/([A-Za-z0-9_-]{43})/.exec(text)?.[1];
    if (!token) throw new Error('no link in the offer');
    return { token, text };
  };

  beforeAll(async () => {
    app = await createTestApp(kind, {}, {}, () => new Date(now));
    await app.services.jobs.start();
  });
  afterAll(() => app.close());

  const setUp = async () => {
    now = START;
    tenant = await TestTenant.create(app);
    admin = await tenant.signIn('admin');
    desk = await tenant.signIn('front-desk');
    ({ locationId, practitionerId: doctorId, serviceId } = await openClinic(app, tenant, admin));
  };

  describe('holds', () => {
    beforeAll(setUp);

    it('leaves a held slot out of availability and refuses it to other bookings until it expires', async () => {
      expect(await slotsTuesday()).toContain(TUESDAY_9);
      const holdId = await app.database.withTenant(tenant.orgId, (tx) =>
        app.services.scheduling.holdSlot(tx, {
          orgId: tenant.orgId,
          serviceId,
          practitionerId: doctorId,
          locationId,
          start: Date.parse(TUESDAY_9),
          reason: 'booking',
          expiresAt: new Date(now + 30 * MINUTE),
        }),
      );
      expect(holdId).toBeTruthy();
      expect(await slotsTuesday()).not.toContain(TUESDAY_9);
      // A second hold of the same time is not given.
      const again = await app.database.withTenant(tenant.orgId, (tx) =>
        app.services.scheduling.holdSlot(tx, {
          orgId: tenant.orgId,
          serviceId,
          practitionerId: doctorId,
          locationId,
          start: Date.parse(TUESDAY_9),
          reason: 'booking',
          expiresAt: new Date(now + 30 * MINUTE),
        }),
      );
      expect(again).toBeNull();
      const patient = await tenant.createPatient();
      const refused = await book(patient.id);
      expect(refused.statusCode, refused.body).toBe(409);
      expect(refused.json<{ code: string }>().code).toBe('slot_taken');

      now += 31 * MINUTE;
      expect(await slotsTuesday()).toContain(TUESDAY_9);
      const booked = await book(patient.id);
      expect(booked.statusCode, booked.body).toBe(201);
    });
  });

  describe('one patient at a time (sequential)', () => {
    let carla: WaitlistEntry;
    let ben: WaitlistEntry;
    beforeAll(async () => {
      await setUp();
      // Ben joined first, but Carla is urgent: she is asked first.
      ben = await join((await tenant.createPatient({ givenName: 'Ben' })).id);
      now += MINUTE;
      carla = await join((await tenant.createPatient({ givenName: 'Carla' })).id, 'urgent');
      expect(await cancelTuesday()).toBe(1);
    });

    it('offers the freed slot to the best-ranked patient under a hold, by message', async () => {
      const [offer] = await offersOf(carla.id);
      expect(offer?.status).toBe('pending');
      expect(await offersOf(ben.id)).toHaveLength(0);
      expect((await entry(carla.id)).status).toBe('offered');
      expect(await slotsTuesday()).not.toContain(TUESDAY_9);
      if (!offer) throw new Error('no offer');
      const { text } = await tokenOf(offer.id);
      // No service, no reason: a time, a place and the link (Spanish, the patient's language).
      expect(text).not.toMatch(/physical/i);
      expect(text).toContain('Main Street Clinic');
      // This organization had no `waitlist-offer` template: Careloop's ready one was written
      // for the offer (issue 11, h11t), never a generic text.
      const written = await app.database.withTenant(tenant.orgId, (tx) =>
        tx
          .select({ key: messageTemplates.key })
          .from(messageTemplates)
          .where(eq(messageTemplates.orgId, tenant.orgId)),
      );
      expect(written.map((t) => t.key)).toEqual(['waitlist-offer']);
      const [sent] = await app.database.system((tx) =>
        tx
          .select()
          .from(touchpoints)
          .where(
            and(eq(touchpoints.subjectId, offer.id), eq(touchpoints.type, 'waitlist-offer-sent')),
          ),
      );
      expect(sent?.patientId).toBe(carla.patientId);
      const audited = await app.database.system((tx) =>
        tx.select().from(auditEvents).where(eq(auditEvents.recordId, offer.id)),
      );
      expect(audited.map((a) => a.action)).toContain('create');
    });

    it('expires the offer after the hold time and offers the slot to the next patient', async () => {
      now += 29 * MINUTE;
      expect((await app.services.waitlist.recovery.sweep()).expired).toBe(0);
      now += 2 * MINUTE;
      expect((await app.services.waitlist.recovery.sweep()).expired).toBe(1);
      expect((await offersOf(carla.id))[0]?.status).toBe('expired');
      expect((await entry(carla.id)).status).toBe('waiting');
      const [next] = await offersOf(ben.id);
      expect(next?.status).toBe('pending');
      expect(await slotsTuesday()).not.toContain(TUESDAY_9);
      const expired = await app.database.system((tx) =>
        tx.select().from(touchpoints).where(eq(touchpoints.type, 'waitlist-offer-expired')),
      );
      expect(expired.some((t) => t.patientId === carla.patientId)).toBe(true);
    });

    it('releases the slot when nobody else suits it', async () => {
      now += 31 * MINUTE;
      expect((await app.services.waitlist.recovery.sweep()).expired).toBe(1);
      expect(await slotsTuesday()).toContain(TUESDAY_9);
    });

    it('answers an expired offer with a clear 409', async () => {
      const [offer] = await offersOf(ben.id);
      if (!offer) throw new Error('no offer');
      const { token } = await tokenOf(offer.id);
      const res = await app.app.inject({
        method: 'POST',
        url: `/api/waitlist/offer-links/${token}/accept`,
      });
      expect(res.statusCode, res.body).toBe(409);
      expect(res.json<{ code: string }>().code).toBe('conflict');
    });
  });

  describe('accepting', () => {
    let dana: WaitlistEntry;
    beforeAll(async () => {
      await setUp();
      dana = await join((await tenant.createPatient({ givenName: 'Dana' })).id);
      expect(await cancelTuesday()).toBe(1);
    });

    it('books the slot through the accept link, and staff see it on the calendar', async () => {
      const [offer] = await offersOf(dana.id);
      if (!offer) throw new Error('no offer');
      const { token } = await tokenOf(offer.id);
      const view = await app.app.inject({
        method: 'GET',
        url: `/api/waitlist/offer-links/${token}`,
      });
      expect(view.statusCode, view.body).toBe(200);
      expect(view.json()).toMatchObject({
        status: 'pending',
        start: TUESDAY_9,
        locationName: 'Main Street Clinic',
      });
      const res = await app.app.inject({
        method: 'POST',
        url: `/api/waitlist/offer-links/${token}/accept`,
      });
      expect(res.statusCode, res.body).toBe(200);
      const appointmentId = res.json<{ appointmentId: string }>().appointmentId;
      const calendar = await desk.get(
        `/api/calendar?from=2030-03-05T00:00:00Z&to=2030-03-06T00:00:00Z&practitioner=${doctorId}`,
      );
      expect(calendar.statusCode, calendar.body).toBe(200);
      const booked = calendar
        .json<{ appointments: { id: string; status: string; patientId: string }[] }>()
        .appointments.filter((a) => a.status === 'booked');
      expect(booked).toEqual([
        expect.objectContaining({ id: appointmentId, patientId: dana.patientId }),
      ]);
      expect((await entry(dana.id)).status).toBe('booked');
      // Accepting again answers the same booking.
      const again = await app.app.inject({
        method: 'POST',
        url: `/api/waitlist/offer-links/${token}/accept`,
      });
      expect(again.statusCode, again.body).toBe(200);
      expect(again.json<{ appointmentId: string }>().appointmentId).toBe(appointmentId);
      const accepted = await app.database.system((tx) =>
        tx.select().from(touchpoints).where(eq(touchpoints.type, 'waitlist-offer-accepted')),
      );
      expect(accepted.some((t) => t.patientId === dana.patientId)).toBe(true);
    });

    it('refuses an unknown link with 404 and a malformed one with 400', async () => {
      const unknown = await app.app.inject({
        method: 'POST',
        url: `/api/waitlist/offer-links/${'A'.repeat(43)}/accept`,
      });
      expect(unknown.statusCode, unknown.body).toBe(404);
      const malformed = await app.app.inject({
        method: 'POST',
        url: '/api/waitlist/offer-links/short/accept',
      });
      expect(malformed.statusCode, malformed.body).toBe(400);
    });
  });

  describe('several at once (broadcast)', () => {
    const entries: WaitlistEntry[] = [];
    beforeAll(async () => {
      await setUp();
      const set = await admin.patch('/api/waitlist/settings', {
        mode: 'broadcast',
        broadcastSize: 2,
      });
      expect(set.statusCode, set.body).toBe(200);
      for (const name of ['Eva', 'Femi', 'Gus']) {
        entries.push(await join((await tenant.createPatient({ givenName: name })).id));
        now += MINUTE;
      }
      expect(await cancelTuesday()).toBe(2);
    });

    it('books one of two patients accepting at once; the other gets slot_taken with alternatives', async () => {
      const [eva, femi, gus] = entries;
      if (!eva || !femi || !gus) throw new Error('fixture');
      expect(await offersOf(gus.id)).toHaveLength(0);
      const [a] = await offersOf(eva.id);
      const [b] = await offersOf(femi.id);
      if (!a || !b) throw new Error('no offers');
      const results = await Promise.allSettled(
        [a, b].map((o) =>
          app.services.waitlist.recovery.accept(
            tenant.orgId,
            o.id,
            recoveryActor(tenant.orgId),
            null,
          ),
        ),
      );
      const booked = results.filter((r) => r.status === 'fulfilled');
      const refused = results.flatMap((r) => (r.status === 'rejected' ? [r.reason] : []));
      expect(booked).toHaveLength(1);
      expect(refused).toHaveLength(1);
      expect(refused[0]).toBeInstanceOf(SlotTakenError);
      const problem = (refused[0] as SlotTakenError).problem;
      expect(problem.code).toBe('slot_taken');
      expect(problem.alternatives.length).toBeGreaterThan(0);
      expect(problem.alternatives.map((s) => s.start)).not.toContain(TUESDAY_9);
      const rows = await app.database.system((tx) =>
        tx
          .select()
          .from(appointments)
          .where(and(eq(appointments.orgId, tenant.orgId), eq(appointments.status, 'booked'))),
      );
      expect(rows).toHaveLength(1);
      const statuses = [...(await offersOf(eva.id)), ...(await offersOf(femi.id))]
        .map((o) => o.status)
        .sort();
      expect(statuses).toEqual(['accepted', 'taken']);
    });

    it('counts the week on the recovery dashboard', async () => {
      const res = await desk.get('/api/waitlist/recovery?from=2030-03-01&to=2030-03-31');
      expect(res.statusCode, res.body).toBe(200);
      const report = res.json<{
        weeks: { week: string; sent: number; accepted: number; recovered: number }[];
      }>();
      expect(report.weeks).toEqual([
        expect.objectContaining({ week: '2030-03-04', sent: 2, accepted: 1, recovered: 1 }),
      ]);
    });
  });

  describe('follow-up availability capture', () => {
    let visitPatient: string;
    let followUp: WaitlistEntry;
    beforeAll(async () => {
      await setUp();
      visitPatient = (await tenant.createPatient({ givenName: 'Hana' })).id;
      const [visit] = await app.database.system((tx) =>
        tx
          .insert(appointments)
          .values({
            orgId: tenant.orgId,
            patientId: visitPatient,
            status: 'fulfilled',
            visitTypeId: serviceId,
            practitionerId: doctorId,
            locationId,
            startAt: new Date('2030-03-04T11:00:00Z'),
            endAt: new Date('2030-03-04T11:30:00Z'),
          })
          .returning(),
      );
      if (!visit) throw new Error('fixture');
      const res = await desk.post('/api/waitlist/follow-ups', {
        appointmentId: visit.id,
        months: 3,
      });
      expect(res.statusCode, res.body).toBe(201);
      followUp = res.json<WaitlistEntry>();
    });

    it('asks the patient for availability, due three months on, and lists them until they answer', async () => {
      expect(followUp).toMatchObject({
        kind: 'follow-up',
        availability: null,
        earliest: '2030-05-21',
        bookBefore: '2030-06-18',
      });
      const asked = await app.database.system((tx) =>
        tx
          .select()
          .from(outboundMessages)
          .where(eq(outboundMessages.idempotencyKey, `follow-up-availability:${followUp.id}`)),
      );
      expect(asked).toHaveLength(1);
      const queue = await desk.get('/api/waitlist?unansweredDays=0');
      expect(queue.json<{ items: WaitlistEntry[] }>().items.map((i) => i.id)).toEqual([
        followUp.id,
      ]);
      const notYet = await desk.get('/api/waitlist?unansweredDays=7');
      expect(notYet.json<{ items: WaitlistEntry[] }>().items).toEqual([]);
    });

    it('proposes a slot that suits the stated availability once the period comes in reach', async () => {
      const patient = await tenant.signIn('patient', { patientId: visitPatient });
      const stated = await patient.request(
        'PUT',
        `/api/portal/waitlist/${followUp.id}/availability`,
        {
          availability: { weekly: [{ weekday: 3, start: '10:00', end: '12:00' }], dates: [] },
        },
      );
      expect(stated.statusCode, stated.body).toBe(200);
      // Three months ahead is past the proposals' horizon: nothing yet.
      expect(await app.services.waitlist.recovery.proposeFor(tenant.orgId)).toBe(0);
      now = Date.parse('2030-04-15T12:00:00Z');
      expect(await app.services.waitlist.recovery.proposeFor(tenant.orgId)).toBe(1);
      const mine = await patient.get('/api/portal/waitlist');
      expect(mine.statusCode, mine.body).toBe(200);
      const [offer] = mine.json<{ items: WaitlistEntry[] }>().items[0]?.offers ?? [];
      // Wednesday 22 May 2030, 10:00 in New York: the first Wednesday morning of the window.
      expect(offer).toMatchObject({ status: 'pending', start: '2030-05-22T14:00:00.000Z' });
      if (!offer) throw new Error('no offer');
      const accepted = await patient.post(`/api/portal/waitlist/offers/${offer.id}/accept`);
      expect(accepted.statusCode, accepted.body).toBe(200);
      const other = await tenant.signIn('patient', {
        patientId: (await tenant.createPatient()).id,
      });
      const foreign = await other.post(`/api/portal/waitlist/offers/${offer.id}/accept`);
      expect(foreign.statusCode, foreign.body).toBe(404);
    });
  });

  describe('declining', () => {
    let carla: WaitlistEntry;
    let ben: WaitlistEntry;
    beforeAll(async () => {
      await setUp();
      ben = await join((await tenant.createPatient({ givenName: 'Ben' })).id);
      now += MINUTE;
      carla = await join((await tenant.createPatient({ givenName: 'Carla' })).id, 'urgent');
      expect(await cancelTuesday()).toBe(1);
    });

    const holdOf = async (holdId: string) => {
      const [hold] = await app.database.system((tx) =>
        tx.select().from(slotHolds).where(eq(slotHolds.id, holdId)),
      );
      if (!hold) throw new Error('no hold');
      return hold;
    };

    it('passes the held slot to the next patient when the first declines by link', async () => {
      const [first] = await offersOf(carla.id);
      if (!first) throw new Error('no offer');
      const { token } = await tokenOf(first.id);
      now += 10 * MINUTE;
      const res = await app.app.inject({
        method: 'POST',
        url: `/api/waitlist/offer-links/${token}/decline`,
      });
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json<{ status: string }>().status).toBe('declined');
      // Carla waits for another slot; Ben is offered this one under the same hold, which now
      // runs a full hold time from his offer, and nobody else can book it meanwhile.
      expect((await entry(carla.id)).status).toBe('waiting');
      const [next] = await offersOf(ben.id);
      expect(next).toMatchObject({ status: 'pending', holdId: first.holdId });
      expect((await entry(ben.id)).status).toBe('offered');
      const hold = await holdOf(first.holdId);
      expect(hold.releasedAt).toBeNull();
      expect(hold.expiresAt.toISOString()).toBe(new Date(now + 30 * MINUTE).toISOString());
      expect(await slotsTuesday()).not.toContain(TUESDAY_9);
      if (!next) throw new Error('no offer');
      expect((await tokenOf(next.id)).text).toContain('Main Street Clinic');
      const declined = await app.database.system((tx) =>
        tx.select().from(touchpoints).where(eq(touchpoints.type, 'waitlist-offer-declined')),
      );
      expect(declined.some((t) => t.patientId === carla.patientId)).toBe(true);
      // The link answers once.
      const again = await app.app.inject({
        method: 'POST',
        url: `/api/waitlist/offer-links/${token}/decline`,
      });
      expect(again.statusCode, again.body).toBe(409);
    });

    it('releases the slot when the last suitable patient declines in the portal', async () => {
      const [offer] = await offersOf(ben.id);
      if (!offer) throw new Error('no offer');
      const portal = await tenant.signIn('patient', { patientId: ben.patientId });
      const res = await portal.post(`/api/portal/waitlist/offers/${offer.id}/decline`);
      expect(res.statusCode, res.body).toBe(200);
      expect((await offersOf(ben.id))[0]?.status).toBe('declined');
      expect((await entry(ben.id)).status).toBe('waiting');
      // Carla already said no to this slot: she is not asked again, and the slot is open.
      expect(await offersOf(carla.id)).toHaveLength(1);
      expect((await holdOf(offer.holdId)).releasedAt).not.toBeNull();
      expect(await slotsTuesday()).toContain(TUESDAY_9);
    });
  });

  describe("a restricted patient's entries", () => {
    beforeAll(setUp);

    it('refuses the front desk changing or adding to them, as every other write (ADR 0012)', async () => {
      const patientId = (await tenant.createPatient({ givenName: 'Vera' })).id;
      const listed = await join(patientId);
      const [visit] = await app.database.system((tx) =>
        tx
          .insert(appointments)
          .values({
            orgId: tenant.orgId,
            patientId,
            status: 'fulfilled',
            visitTypeId: serviceId,
            practitionerId: doctorId,
            locationId,
            startAt: new Date('2030-03-04T11:00:00Z'),
            endAt: new Date('2030-03-04T11:30:00Z'),
          })
          .returning(),
      );
      if (!visit) throw new Error('fixture');
      const restrict = await admin.request('PUT', `/api/patients/${patientId}/restriction`, {
        kind: 'vip',
      });
      expect(restrict.statusCode, restrict.body).toBe(200);
      const changed = await desk.patch(`/api/waitlist/${listed.id}`, { priority: 'urgent' });
      expect(changed.statusCode, changed.body).toBe(403);
      expect(changed.json<{ code: string }>().code).toBe('restricted');
      const followUp = await desk.post('/api/waitlist/follow-ups', {
        appointmentId: visit.id,
        months: 3,
      });
      expect(followUp.statusCode, followUp.body).toBe(403);
      expect(followUp.json<{ code: string }>().code).toBe('restricted');
      // Nothing was written: the priority stands and no follow-up entry exists.
      const rows = await app.database.system((tx) =>
        tx.select().from(waitlistEntries).where(eq(waitlistEntries.patientId, patientId)),
      );
      expect(rows.map((r) => [r.kind, r.priority])).toEqual([['waitlist', 'routine']]);
      const lifted = await admin.request('PUT', `/api/patients/${patientId}/restriction`, {
        kind: null,
      });
      expect(lifted.statusCode, lifted.body).toBe(200);
      const allowed = await desk.patch(`/api/waitlist/${listed.id}`, { priority: 'urgent' });
      expect(allowed.statusCode, allowed.body).toBe(200);
    });
  });

  describe('the portal', () => {
    beforeAll(setUp);

    it('lets a patient join the waitlist once per service, and refuses bad windows by field', async () => {
      const patientId = (await tenant.createPatient()).id;
      const patient = await tenant.signIn('patient', { patientId });
      const joined = await patient.post('/api/portal/waitlist', {
        serviceId,
        availability: TUESDAY,
      });
      expect(joined.statusCode, joined.body).toBe(201);
      const twice = await patient.post('/api/portal/waitlist', {
        serviceId,
        availability: TUESDAY,
      });
      expect(twice.statusCode, twice.body).toBe(409);
      const backwards = await patient.post('/api/portal/waitlist', {
        serviceId,
        availability: { weekly: [{ weekday: 2, start: '12:00', end: '08:00' }], dates: [] },
      });
      expect(backwards.statusCode, backwards.body).toBe(400);
      expect(backwards.json<{ path: string }>().path).toBe('/body/availability/weekly/0/end');
      const staffOnly = await patient.get('/api/waitlist');
      expect(staffOnly.statusCode).toBe(403);
    });
  });
});
