import type { WaitlistEntry } from '@careloop/core';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { outboundSubjectAad, outboundTextAad } from '../../crypto/encrypted-fields.js';
import { createTestApp, type Session, type TestApp, TestTenant } from '../../test/app.js';
import { openClinic } from '../../test/clinic.js';
import { describeEachDatabase } from '../../test/databases.js';
import { outboundMessages } from '../messaging/schema.js';
import { ensureTemplates, READY_TEMPLATES } from '../templates/service.js';
import { WAITLIST_OFFER_TEMPLATE } from './offer-template.js';
import { waitlistOffers } from './schema.js';

// Monday 4 March 2030, 12:00 UTC (07:00 in New York).
const START = Date.parse('2030-03-04T12:00:00Z');
const MINUTE = 60_000;
const TUESDAY = { weekly: [{ weekday: 2, start: '08:00', end: '12:00' }], dates: [] };
const LINK = 'https?://\\S+/portal/offer/[A-Za-z0-9_-]{43}';

/**
 * What the slot-recovery code sends a waiting patient is the organization's `waitlist-offer`
 * template rendered for them (English and Spanish, email and SMS), not the built-in fallback
 * text: a renamed or missing template would silently send the fallback, and these tests fail.
 */
describeEachDatabase('waitlist offers sent from the template', (kind) => {
  const now = START;
  let app: TestApp;
  let tenant: TestTenant;
  let desk: Session;
  let admin: Session;
  let serviceId: string;
  let doctorId: string;
  let locationId: string;

  beforeAll(async () => {
    app = await createTestApp(kind, {}, {}, () => new Date(now));
    await app.services.jobs.start();
    tenant = await TestTenant.create(app);
    admin = await tenant.signIn('admin');
    desk = await tenant.signIn('front-desk');
    await app.database.withTenant(tenant.orgId, (tx) =>
      ensureTemplates(tx, tenant.orgId, READY_TEMPLATES, new Date(now)),
    );
    ({
      locationId,
      practitionerId: doctorId,
      serviceId,
    } = await openClinic(app, tenant, admin, { weekdays: [2] }));
  }, 120_000);
  afterAll(() => app?.close());

  /** A patient on the waitlist, alone on it (earlier ones were offered a slot already). */
  const waiting = async (input: Parameters<TestTenant['createPatient']>[0]) => {
    const patient = await tenant.createPatient(input);
    const res = await desk.post('/api/waitlist', {
      patientId: patient.id,
      serviceId,
      availability: TUESDAY,
      priority: 'urgent',
    });
    expect(res.statusCode, res.body).toBe(201);
    return res.json<WaitlistEntry>();
  };

  /** Books Tuesday at `start` for someone and cancels it; runs the freed slot's job. */
  const free = async (start: string) => {
    const holder = await tenant.createPatient();
    const booked = await desk.post('/api/appointments', {
      patientId: holder.id,
      serviceId,
      practitionerId: doctorId,
      locationId,
      start,
    });
    expect(booked.statusCode, booked.body).toBe(201);
    const id = booked.json<{ id: string }>().id;
    const cancelled = await desk.patch(`/api/appointments/${id}`, {
      action: 'cancel',
      reason: 'Patient called',
    });
    expect(cancelled.statusCode, cancelled.body).toBe(200);
    expect(
      await app.services.waitlist.recovery.onSlotFreed({
        orgId: tenant.orgId,
        practitionerId: doctorId,
        locationId,
        start,
        end: new Date(Date.parse(start) + 30 * MINUTE).toISOString(),
      }),
    ).toBe(1);
  };

  /** The offer message queued for the entry: channel, subject and text, decrypted. */
  const sentTo = async (entry: WaitlistEntry) => {
    const [offer] = await app.database.system((tx) =>
      tx.select().from(waitlistOffers).where(eq(waitlistOffers.entryId, entry.id)),
    );
    if (!offer) throw new Error('no offer');
    const [message] = await app.database.system((tx) =>
      tx
        .select()
        .from(outboundMessages)
        .where(eq(outboundMessages.idempotencyKey, `waitlist-offer:${offer.id}`)),
    );
    if (!message) throw new Error('no offer message');
    const aad = outboundTextAad(message.id, message.orgId);
    return {
      channel: message.channel,
      subject: message.subjectEncrypted
        ? app.services.cipher.decrypt(
            message.subjectEncrypted,
            outboundSubjectAad(message.id, message.orgId),
          )
        : null,
      text: app.services.cipher.decrypt(message.textEncrypted, aad),
    };
  };

  it('emails an English-speaking patient the English template, not the built-in text', async () => {
    const tom = await waiting({
      givenName: 'Tom',
      preferredLanguage: 'en',
      preferredChannel: 'email',
    });
    await free('2030-03-05T14:00:00.000Z');
    const sent = await sentTo(tom);
    expect(sent.channel).toBe('email');
    expect(sent.subject).toBe(`${tenant.name}: an earlier appointment is available`);
    expect(sent.text).toMatch(
      new RegExp(
        `^Hi Tom,\\n\\nAn appointment opened on Tuesday, March 5 at 9:00 AM at Main Street Clinic\\. It is yours if you book it before \\d{1,2}:\\d{2} [AP]M:\\n\\n${LINK}\\n\\n${tenant.name}$`,
      ),
    );
    // The old built-in text began with the organization's name; the template does not.
    expect(sent.text.startsWith(`${tenant.name}:`)).toBe(false);
  });

  it('emails a Spanish-speaking patient the Spanish template', async () => {
    const rosa = await waiting({
      givenName: 'Rosa',
      preferredLanguage: 'es',
      preferredChannel: 'email',
    });
    await free('2030-03-05T14:30:00.000Z');
    const sent = await sentTo(rosa);
    expect(sent.channel).toBe('email');
    expect(sent.subject).toBe(`${tenant.name}: hay una cita disponible`);
    expect(sent.text).toMatch(
      new RegExp(
        `^Hola Rosa:\\n\\nSe liberó una cita el .*martes.* en Main Street Clinic\\. Es suya si la reserva antes de las .+:\\n\\n${LINK}\\n\\n${tenant.name}$`,
      ),
    );
    // The old built-in text began with the organization's name; the template does not.
    expect(sent.text.startsWith(`${tenant.name}:`)).toBe(false);
  });

  it('texts the SMS template as staff edited it, in the patient’s language', async () => {
    const list = await admin.get('/api/templates');
    const template = list
      .json<{ items: { id: string; key: string }[] }>()
      .items.find((t) => t.key === WAITLIST_OFFER_TEMPLATE);
    if (!template) throw new Error('waitlist-offer template not listed');
    const saved = await admin.request('PUT', `/api/templates/${template.id}/versions/sms/es`, {
      text: '{{patient.firstName}}: cita libre el {{offer.start}}. Reserve: {{links.offer}}',
    });
    expect(saved.statusCode, saved.body).toBe(200);
    const lucia = await waiting({ givenName: 'Lucía', preferredLanguage: 'es' });
    await free('2030-03-05T15:00:00.000Z');
    const sent = await sentTo(lucia);
    expect(sent.channel).toBe('sms');
    expect(sent.text).toMatch(new RegExp(`^Lucía: cita libre el .*martes.*\\. Reserve: ${LINK}$`));
  });
});
