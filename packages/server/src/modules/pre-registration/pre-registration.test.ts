import type {
  CoverageList,
  Patient360,
  PortalPreRegistration,
  PreRegistrationInput,
  PreRegistrationStates,
  PreRegistrationSubmitted,
  StaffPreRegistration,
} from '@careloop/core';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestApp, type Session, type TestApp, TestTenant } from '../../test/app.js';
import { describeEachDatabase } from '../../test/databases.js';
import { auditEvents } from '../audit/schema.js';
import { coverageCardImages } from '../patients/schema.js';
import { appointments } from '../scheduling/schema.js';
import { preRegistrations } from './schema.js';

const NOW = Date.parse('2030-03-04T12:00:00Z');
/** A PNG's eight-byte signature and a few bytes more: the type is sniffed from these. */
const PNG = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  Buffer.from('card-front-pixels'),
]);
const EXE = Buffer.from('MZ\x90\x00 not a picture');

const form = (over: Partial<PreRegistrationInput> = {}): PreRegistrationInput => ({
  demographics: {
    givenName: 'Rosita',
    familyName: 'Portal',
    birthDate: '1985-06-07',
    administrativeSex: 'female',
    preferredName: 'Rosie',
  },
  address: { line1: '12 Elm St', city: 'Springfield', state: 'IL', postalCode: '62704' },
  phone: '(217) 555-0188',
  emergencyContact: { name: 'Marco Portal', relationship: 'Brother', phone: '(217) 555-0199' },
  insurance: {
    payer: 'Aetna',
    plan: 'Choice POS II',
    memberId: 'W998877',
    groupNumber: 'G-4410',
    subscriberRelationship: 'self',
    cardFront: { fileName: 'front.png', dataBase64: PNG.toString('base64') },
  },
  consents: { treatment: true, privacyNotice: true },
  preferences: {
    preferredChannel: 'sms',
    preferredLanguage: 'es',
    communication: [{ channel: 'sms', purpose: 'treatment-reminders', status: 'granted' }],
  },
  ...over,
});

describeEachDatabase('pre-registration before a visit', (kind) => {
  let app: TestApp;
  let tenant: TestTenant;
  let desk: Session;
  let marketer: Session;
  let rosa: { id: string; session: Session; appointmentId: string };
  let sam: { id: string; session: Session; appointmentId: string };
  /** Rosa's pre-registration for her visit, sent once by whichever test needs it first. */
  let rosaSubmitted: Promise<PreRegistrationSubmitted> | undefined;
  const submitRosa = () => {
    rosaSubmitted ??= rosa.session
      .post('/api/portal/pre-registration', { ...form(), appointmentId: rosa.appointmentId })
      .then((res) => {
        expect(res.statusCode, res.body).toBe(201);
        return res.json<PreRegistrationSubmitted>();
      });
    return rosaSubmitted;
  };

  async function patientWithVisit(givenName: string, start: string) {
    const { id } = await tenant.createPatient({ givenName, familyName: 'Portal' });
    const [row] = await app.database.system((tx) =>
      tx
        .insert(appointments)
        .values({
          orgId: tenant.orgId,
          patientId: id,
          status: 'booked',
          startAt: new Date(start),
          endAt: new Date(Date.parse(start) + 30 * 60_000),
        })
        .returning({ id: appointments.id }),
    );
    if (!row) throw new Error('fixture');
    return {
      id,
      session: await tenant.signIn('patient', { patientId: id }),
      appointmentId: row.id,
    };
  }

  beforeAll(async () => {
    app = await createTestApp(kind, {}, {}, () => new Date(NOW));
    tenant = await TestTenant.create(app);
    desk = await tenant.signIn('front-desk');
    marketer = await tenant.signIn('marketer');
    rosa = await patientWithVisit('Rosa', '2030-03-20T15:00:00Z');
    sam = await patientWithVisit('Sam', '2030-03-21T15:00:00Z');
  });

  afterAll(async () => {
    await app?.close();
  });

  it('shows a visit not started until the patient pre-registers', async () => {
    // Sam's forms are all refused below: his visit stays not started whatever runs first.
    const mine = await sam.session.get('/api/portal/pre-registration');
    expect(mine.statusCode, mine.body).toBe(200);
    expect(mine.json<PortalPreRegistration>()).toEqual({
      latest: null,
      appointments: [{ appointmentId: sam.appointmentId, state: 'not-started', submittedAt: null }],
    });
  });

  it('saves each part through its owner and marks the visit done, with when', async () => {
    const submitted = await submitRosa();
    expect(submitted.submittedAt).toBe(new Date(NOW).toISOString());
    expect(submitted.coverageId).not.toBeNull();

    // The golden record: survivorship keeps the name staff registered over what the patient
    // typed; the preferred name, address, phone and language are the patient's to state.
    const view = (await desk.get(`/api/patients/${rosa.id}`)).json<Patient360>();
    expect(view.patient.givenName).toBe('Rosa');
    expect(view.patient.preferredName).toBe('Rosie');
    expect(view.patient.preferredLanguage).toBe('es');
    expect(view.patient.preferredChannel).toBe('sms');
    expect(view.addresses.find((a) => a.use === 'home')?.line1).toBe('12 Elm St');
    expect(view.contactPoints.map((c) => c.value)).toContain('+12175550188');
    expect(
      view.consents.find((c) => c.channel === 'sms' && c.purpose === 'treatment-reminders'),
    ).toMatchObject({ allowed: true, explicit: true, source: 'portal' });

    const states = await desk.get(
      `/api/pre-registrations?appointmentIds=${rosa.appointmentId},${sam.appointmentId}`,
    );
    expect(states.statusCode, states.body).toBe(200);
    expect(
      states
        .json<PreRegistrationStates>()
        .items.sort((a, b) =>
          a.appointmentId === rosa.appointmentId
            ? -1
            : b.appointmentId === rosa.appointmentId
              ? 1
              : 0,
        ),
    ).toEqual([
      { appointmentId: rosa.appointmentId, state: 'done', submittedAt: submitted.submittedAt },
      { appointmentId: sam.appointmentId, state: 'not-started', submittedAt: null },
    ]);
    const mine = (
      await rosa.session.get('/api/portal/pre-registration')
    ).json<PortalPreRegistration>();
    expect(mine.latest?.id).toBe(submitted.id);
    expect(mine.appointments[0]?.state).toBe('done');

    const audited = await app.database.system((tx) =>
      tx.select().from(auditEvents).where(eq(auditEvents.patientId, rosa.id)),
    );
    expect(audited.map((a) => `${a.action} ${a.recordType}`)).toEqual(
      expect.arrayContaining([
        'update patient',
        'create coverage',
        'update consent',
        'create pre-registration',
      ]),
    );
  });

  it('gives the front desk the insurance with its card image, and marketing neither', async () => {
    await submitRosa();
    const list = (await desk.get(`/api/patients/${rosa.id}/coverages`)).json<CoverageList>();
    const coverage = list.items.find((c) => c.payer === 'Aetna');
    expect(coverage).toMatchObject({
      memberId: 'W998877',
      groupNumber: 'G-4410',
      cards: ['front'],
    });
    const card = await desk.get(`/api/patients/${rosa.id}/coverages/${coverage?.id}/cards/front`);
    expect(card.statusCode).toBe(200);
    expect(card.headers['content-type']).toBe('image/png');
    expect(card.headers['x-content-type-options']).toBe('nosniff');
    expect(card.rawPayload.equals(PNG)).toBe(true);
    expect(
      (await desk.get(`/api/patients/${rosa.id}/coverages/${coverage?.id}/cards/back`)).statusCode,
    ).toBe(404);

    const seen = (await marketer.get(`/api/patients/${rosa.id}/coverages`)).json<CoverageList>();
    expect(seen.items[0]).toMatchObject({ memberId: null, groupNumber: null });
    expect(seen.items[0]?.cards).toBeUndefined();
    expect(
      (await marketer.get(`/api/patients/${rosa.id}/coverages/${coverage?.id}/cards/front`))
        .statusCode,
    ).toBe(403);

    // Stored sealed: the picture's bytes are not in the row.
    const [stored] = await app.database.system((tx) => tx.select().from(coverageCardImages));
    expect(stored?.dataEncrypted).not.toContain(PNG.toString('base64'));
  });

  it('shows the emergency contact to staff who work the record, not to marketing', async () => {
    await submitRosa();
    const staff = (
      await desk.get(`/api/patients/${rosa.id}/pre-registration`)
    ).json<StaffPreRegistration>();
    expect(staff.latest).toMatchObject({
      treatmentConsent: true,
      privacyNotice: true,
      emergencyContact: { name: 'Marco Portal', relationship: 'Brother' },
    });
    const market = (
      await marketer.get(`/api/patients/${rosa.id}/pre-registration`)
    ).json<StaffPreRegistration>();
    expect(market.latest?.emergencyContact).toBeNull();
    const [row] = await app.database.system((tx) => tx.select().from(preRegistrations));
    expect(row?.emergencyContactEncrypted).not.toContain('Marco');
  });

  it('keeps one coverage when the patient pre-registers again with the same card', async () => {
    await submitRosa();
    const again = await rosa.session.post('/api/portal/pre-registration', form());
    expect(again.statusCode, again.body).toBe(201);
    const list = (await desk.get(`/api/patients/${rosa.id}/coverages`)).json<CoverageList>();
    expect(list.items.filter((c) => c.payer === 'Aetna')).toHaveLength(1);
  });

  it('refuses an incomplete form naming every field, and writes nothing', async () => {
    const bad = form({
      demographics: { ...form().demographics, familyName: ' ', birthDate: '2031-01-01' },
      consents: { treatment: true, privacyNotice: false },
    });
    const res = await sam.session.post('/api/portal/pre-registration', bad);
    expect(res.statusCode).toBe(400);
    const problem = res.json<{ path: string; errors: { path: string }[] }>();
    expect(problem.path).toBe('/body/demographics/familyName');
    expect(problem.errors.map((e) => e.path)).toEqual([
      '/body/demographics/familyName',
      '/body/demographics/birthDate',
      '/body/consents/privacyNotice',
    ]);
    const view = (await desk.get(`/api/patients/${sam.id}`)).json<Patient360>();
    expect(view.patient.preferredName ?? null).toBeNull();
  });

  it('refuses a card that is not a picture or a PDF, whatever its name says', async () => {
    const res = await sam.session.post(
      '/api/portal/pre-registration',
      form({
        insurance: {
          payer: 'Aetna',
          memberId: 'X1',
          subscriberRelationship: 'self',
          cardFront: { fileName: 'card.png', dataBase64: EXE.toString('base64') },
        },
      }),
    );
    expect(res.statusCode).toBe(400);
    expect(res.json<{ path: string }>().path).toBe('/body/insurance/cardFront/dataBase64');
  });

  it("treats another patient's visit as unknown", async () => {
    const res = await sam.session.post('/api/portal/pre-registration', {
      ...form(),
      appointmentId: rosa.appointmentId,
    });
    expect(res.statusCode).toBe(422);
  });

  it('refuses a malformed list of appointment ids with a 400 naming the query', async () => {
    const res = await desk.get(`/api/pre-registrations?appointmentIds=${'x'.repeat(40)}`);
    expect(res.statusCode).toBe(400);
    expect(res.json<{ path: string }>().path).toBe('/query/appointmentIds');
  });
});
