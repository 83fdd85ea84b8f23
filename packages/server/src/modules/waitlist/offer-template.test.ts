import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestApp, type Session, type TestApp, TestTenant } from '../../test/app.js';
import { describeEachDatabase } from '../../test/databases.js';
import { offerFromTemplate, WAITLIST_OFFER_TEMPLATE } from './offer-template.js';

/**
 * Waitlist offers read from the organization's `waitlist-offer` template (SMS and email, English
 * and Spanish), with the accept link as a merge field; a template staff edit is the text sent.
 */
describeEachDatabase('waitlist offers through templates', (kind) => {
  let app: TestApp;
  let tenant: TestTenant;
  let admin: Session;
  const at = new Date('2030-03-01T12:00:00Z');
  const offer = {
    start: new Date('2030-03-05T14:00:00Z'),
    expiresAt: new Date('2030-03-01T16:00:00Z'),
    timeZone: 'America/New_York',
    location: 'Main Street Clinic',
    link: 'https://careloop.example/portal/offer/abc',
    publicUrl: 'https://careloop.example',
  };

  beforeAll(async () => {
    app = await createTestApp(kind);
    tenant = await TestTenant.create(app);
    admin = await tenant.signIn('admin');
  }, 120_000);
  afterAll(async () => {
    await app?.close();
  });

  const render = (patientId: string, channel: 'sms' | 'email') =>
    app.database.withTenant(tenant.orgId, (tx) =>
      offerFromTemplate(tx, { orgId: tenant.orgId, patientId, channel, now: at, ...offer }),
    );

  it('renders the ready template in the patient’s language, with the link; the edited one once staff edit it', async () => {
    const rosa = await tenant.createPatient({ givenName: 'Rosa', preferredLanguage: 'es' });
    const tom = await tenant.createPatient({ givenName: 'Tom', preferredLanguage: 'en' });
    // An organization without the template (created before organizations got the ready
    // templates): Careloop's ready one is written on first use, never a generic text.
    const none = await admin.get('/api/templates');
    expect(none.json<{ items: { key: string }[] }>().items.map((t) => t.key)).not.toContain(
      WAITLIST_OFFER_TEMPLATE,
    );
    const sms = await render(tom.id, 'sms');
    expect(sms?.body).toContain('Hi Tom, an appointment opened on Tuesday, March 5');
    expect(sms?.body).toContain('(Main Street Clinic)');
    expect(sms?.body).toContain(
      'Book it before 11:00 AM: https://careloop.example/portal/offer/abc',
    );
    const correo = await render(rosa.id, 'email');
    expect(correo?.subject).toContain('hay una cita disponible');
    expect(correo?.body).toContain('Hola Rosa:');
    expect(correo?.body).toContain('https://careloop.example/portal/offer/abc');

    const list = await admin.get('/api/templates');
    expect(list.statusCode, list.body).toBe(200);
    const template = list
      .json<{ items: { id: string; key: string }[] }>()
      .items.find((t) => t.key === WAITLIST_OFFER_TEMPLATE);
    if (!template) throw new Error('waitlist-offer template not listed');
    const saved = await admin.request('PUT', `/api/templates/${template.id}/versions/sms/en`, {
      text: '{{patient.firstName}}, a {{offer.start}} opening is yours: {{links.offer}}',
    });
    expect(saved.statusCode, saved.body).toBe(200);
    expect((await render(tom.id, 'sms'))?.body).toBe(
      'Tom, a Tuesday, March 5 at 9:00 AM opening is yours: https://careloop.example/portal/offer/abc',
    );
  });
});
