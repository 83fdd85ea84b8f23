import { randomUUID } from 'node:crypto';
import { can, mayRead, ROLES, type Role, STAFF_ROLES } from '@careloop/core';
import type { Bundle, Resource } from '@medplum/fhirtypes';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestApp, type Session, type TestApp, TestTenant } from '../../test/app.js';
import { describeEachDatabase } from '../../test/databases.js';
import { msh, pid, pv1, siu } from '../../test/hl7/messages.js';

const MR = { system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'MR' };
const MB = { system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'MB' };
const CLASS = 'http://terminology.hl7.org/CodeSystem/coverage-class';

/** One unique marker per sensitive field, and whether a role may read that field. */
const MARKERS: Record<string, { text: string; may: (role: Role) => boolean }> = {
  appointmentReason: {
    text: 'MKAPPTREASONQ',
    may: (r) => mayRead(r, 'appointment', 'reason'),
  },
  // An HL7 booking's reason becomes the appointment's reason (not its touchpoint's summary).
  bookingReason: {
    text: 'MKBOOKINGREASONQ',
    may: (r) => mayRead(r, 'appointment', 'reason'),
  },
  // A cancellation's reason (SCH-6 of an HL7 cancel, or typed by staff) is free text.
  cancelReason: {
    text: 'MKCANCELREASONQ',
    may: (r) => mayRead(r, 'appointment', 'cancelReason'),
  },
  // An HL7 discharge's hospital service (PV1-10) is its encounter's type and its touchpoint's
  // clinical summary ("Discharged: Psychiatry"); its reason (PV2-3) is the encounter's.
  dischargeService: {
    text: 'MKDISCHSERVICEQ',
    may: (r) => mayRead(r, 'encounter', 'record') || mayRead(r, 'touchpoint', 'clinicalSummary'),
  },
  dischargeReason: { text: 'MKDISCHREASONQ', may: (r) => mayRead(r, 'encounter', 'record') },
  condition: { text: 'MKCONDITIONQ', may: (r) => mayRead(r, 'condition', 'record') },
  encounterType: { text: 'MKENCTYPEQ', may: (r) => mayRead(r, 'encounter', 'record') },
  encounterReason: { text: 'MKENCREASONQ', may: (r) => mayRead(r, 'encounter', 'record') },
  // Stored (encrypted) from a FHIR import; read on the 360 page by those allowed clinical detail.
  answer: { text: 'MKANSWERQ', may: (r) => mayRead(r, 'questionnaireResponse', 'answers') },
  topic: { text: 'MKTOPICQ', may: (r) => mayRead(r, 'communication', 'topic') },
  memberId: { text: 'MKMEMBERIDQ', may: (r) => mayRead(r, 'coverage', 'memberId') },
  memberIdentifier: { text: 'MKMBIDENT7731Q', may: (r) => mayRead(r, 'coverage', 'memberId') },
  groupNumber: { text: 'MKGROUPQ', may: (r) => mayRead(r, 'coverage', 'groupNumber') },
  clinicalNote: { text: 'MKCLINICALNOTEQ', may: (r) => mayRead(r, 'clinicalNote', 'body') },
  note: { text: 'MKBILLINGNOTEQ', may: (r) => mayRead(r, 'note', 'body') },
  // A task's title is also its touchpoint's clinical summary ("Task: …").
  taskTitle: {
    text: 'MKTASKTITLEQ',
    may: (r) => mayRead(r, 'task', 'title') && mayRead(r, 'touchpoint', 'clinicalSummary'),
  },
  taskDescription: { text: 'MKTASKDESCQ', may: (r) => mayRead(r, 'task', 'description') },
};
/** A task's non-clinical title: every role that reads tasks sees it. */
const TASK_NON_CLINICAL = 'Call the patient back MKNONCLINICALQ';
const m = (key: keyof typeof MARKERS) => MARKERS[key]?.text ?? '';

/** A patient with a marker in every sensitive field, as an EHR would send it. */
function markedBundle(mrn: string): { bundle: Bundle; patientRef: string } {
  const id = { patient: randomUUID(), encounter: randomUUID() };
  const ref = (uuid: string) => ({ reference: `urn:uuid:${uuid}` });
  const resources: Resource[] = [
    {
      resourceType: 'Patient',
      id: id.patient,
      identifier: [
        { type: { coding: [MR] }, system: 'urn:oid:2.16.840.1.113883.19.5', value: mrn },
        {
          type: { coding: [MB] },
          system: 'urn:example:payer-members',
          value: m('memberIdentifier'),
        },
      ],
      name: [{ use: 'official', family: 'Markerson', given: ['Mina'] }],
      gender: 'female',
      birthDate: '1961-02-03',
    },
    {
      resourceType: 'Encounter',
      id: id.encounter,
      status: 'finished',
      class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'EMER' },
      type: [{ text: m('encounterType') }],
      reasonCode: [{ text: m('encounterReason') }],
      subject: ref(id.patient),
      period: { start: '2024-03-05T14:00:00Z', end: '2024-03-05T18:30:00Z' },
    },
    {
      resourceType: 'QuestionnaireResponse',
      id: randomUUID(),
      status: 'completed',
      subject: ref(id.patient),
      authored: '2024-03-06T10:00:00Z',
      item: [
        { linkId: 'mood', text: 'How have you felt?', answer: [{ valueString: m('answer') }] },
      ],
    },
    {
      resourceType: 'Condition',
      id: randomUUID(),
      code: {
        coding: [{ system: 'http://snomed.info/sct', code: '271594007', display: m('condition') }],
      },
      subject: ref(id.patient),
      onsetDateTime: '2024-03-05',
    },
    {
      resourceType: 'Appointment',
      id: randomUUID(),
      status: 'booked',
      reasonCode: [{ text: m('appointmentReason') }],
      // Far ahead, so it is upcoming (the portal shows only those) without reading the clock.
      start: '2099-03-01T14:00:00Z',
      end: '2099-03-01T14:30:00Z',
      participant: [{ actor: ref(id.patient), status: 'accepted' }],
    },
    {
      resourceType: 'Communication',
      id: randomUUID(),
      status: 'completed',
      category: [{ text: 'Result notification' }],
      topic: { text: m('topic') },
      subject: ref(id.patient),
      recipient: [ref(id.patient)],
      sent: '2024-03-07T15:00:00Z',
    },
    {
      resourceType: 'Coverage',
      id: randomUUID(),
      status: 'active',
      subscriberId: m('memberId'),
      beneficiary: ref(id.patient),
      payor: [{ display: 'Bay State Health Plan' }],
      class: [
        { type: { coding: [{ system: CLASS, code: 'plan' }] }, value: 'Gold PPO' },
        { type: { coding: [{ system: CLASS, code: 'group' }] }, value: m('groupNumber') },
      ],
    },
  ];
  return {
    patientRef: id.patient,
    bundle: {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: resources.map((resource) => ({
        fullUrl: `urn:uuid:${resource.id}`,
        resource,
        request: { method: 'POST', url: resource.resourceType },
      })),
    },
  };
}

/**
 * The minimum-necessary test of issue 9: a marker planted in every sensitive field of one
 * patient through the real writers (a FHIR import, an HL7 booking, the notes API), then every
 * patient-bearing response read as every role. A marker appears only where the policy lets the
 * role read its field, and, for staff (who reach every response), wherever it does.
 */
describeEachDatabase('minimum necessary', (kind) => {
  let t: TestApp;
  let tenant: TestTenant;
  let patientId: string;
  const sessions = new Map<Role, Session>();

  beforeAll(async () => {
    t = await createTestApp(kind);
    tenant = await TestTenant.create(t);
    for (const role of STAFF_ROLES) sessions.set(role, await tenant.signIn(role));
    const admin = sessions.get('admin');
    if (!admin) throw new Error('no admin');
    const mrn = `MRN-${randomUUID().slice(0, 8)}`;
    const { bundle } = markedBundle(mrn);
    const imported = await admin.post('/fhir/R4', bundle);
    expect(imported.statusCode, imported.body).toBe(200);
    const found = await admin.get(`/api/patients?q=${mrn}`);
    const [patient] = found.json<{ items: { id: string }[] }>().items;
    if (!patient) throw new Error('imported patient not found');
    patientId = patient.id;

    const booking = siu(
      'S12',
      `MK-${mrn}`,
      { mrn, family: 'Markerson', given: 'Mina', birthDate: '19610203' },
      {
        filler: `F-${mrn}`,
        start: '209903021000-0500',
        minutes: 30,
        // AIS-3 is what Careloop keeps as the appointment's reason.
        service: `RSN^${m('bookingReason')}^L`,
      },
    );
    const person = { mrn, family: 'Markerson', given: 'Mina', birthDate: '19610203' };
    const cancelled = siu('S15', `MKC-${mrn}`, person, {
      filler: `FC-${mrn}`,
      start: '209903031000-0500',
      minutes: 30,
      reason: m('cancelReason'),
      status: 'Cancelled',
    });
    const discharge = [
      msh('ADT^A03^ADT_A03', `MKD-${mrn}`),
      'EVN|A03|20240306100000-0500',
      pid(person),
      pv1({
        visit: `V-${mrn}`,
        patientClass: 'I',
        admitAt: '202403040800-0500',
        dischargeAt: '202403061000-0500',
      }).replace('|MED|', `|${m('dischargeService')}|`),
      `PV2|||R1^${m('dischargeReason')}`,
    ].join('\r');
    for (const message of [booking, cancelled, discharge]) {
      const receipt = await t.services.hl7.receive(tenant.orgId, message, { channel: 'mllp' });
      expect(receipt.messages[0]).toMatchObject({ ackCode: 'AA', patientId });
    }

    const clinician = sessions.get('clinician');
    const notes = [
      { session: clinician, body: `Seen in ED, ${m('clinicalNote')}`, category: 'clinical' },
      { session: admin, body: `Copay ${m('note')}`, category: 'billing' },
    ];
    for (const note of notes) {
      const res = await note.session?.post(`/api/patients/${patientId}/notes`, {
        body: note.body,
        category: note.category,
      });
      expect(res?.statusCode, res?.body).toBe(200);
    }
    const task = await clinician?.post('/api/tasks', {
      patientId,
      title: `Review ${m('taskTitle')}`,
      nonClinicalTitle: TASK_NON_CLINICAL,
      description: `Discharged, ${m('taskDescription')}`,
    });
    expect(task?.statusCode, task?.body).toBe(200);
    const patientUser = await tenant.signIn('patient', { patientId });
    sessions.set('patient', patientUser);
  });
  afterAll(() => t.close());

  /** Every response that carries this patient's data, as the role reads it. */
  async function responsesAs(role: Role): Promise<Record<string, string>> {
    const session = sessions.get(role);
    if (!session) throw new Error(`no ${role} session`);
    const urls =
      role === 'patient'
        ? ['/api/portal/me']
        : [
            `/api/patients/${patientId}`,
            // Twice: the second may come from the 360 cache (PostgreSQL), filled by another role.
            `/api/patients/${patientId}`,
            `/api/patients/${patientId}/timeline?limit=100`,
            '/api/patients?q=Markerson',
            `/api/tasks?patientId=${patientId}`,
            `/api/patients/${patientId}/sources`,
            `/fhir/R4/Patient/${patientId}`,
            '/fhir/R4/Patient?name=Markerson',
            `/fhir/R4/Patient/${patientId}/$everything`,
            `/fhir/R4/Appointment?patient=${patientId}`,
            `/fhir/R4/Communication?patient=${patientId}`,
            `/fhir/R4/Encounter?patient=${patientId}`,
            `/fhir/R4/Condition?patient=${patientId}`,
            '/api/calendar?from=2099-03-01T00:00:00Z&to=2099-03-08T00:00:00Z',
            `/api/patients/${patientId}/journey`,
            `/api/patients/${patientId}/questionnaire-responses`,
          ];
    const out: Record<string, string> = {};
    for (const [i, url] of urls.entries()) {
      const res = await session.get(url);
      expect([200, 403], `${role} ${url}: ${res.body}`).toContain(res.statusCode);
      out[`${i} ${url}`] = res.body;
    }
    return out;
  }

  it('shows each marker exactly to the roles the policy allows, in every response', async () => {
    // The admin first, so that a cached 360 view is the fullest one when the others read.
    for (const role of ROLES) {
      const responses = await responsesAs(role);
      for (const [name, marker] of Object.entries(MARKERS)) {
        const where = Object.keys(responses).filter((k) => responses[k]?.includes(marker.text));
        if (!marker.may(role)) {
          expect(where, `${role} reads ${name}`).toEqual([]);
        } else if (role !== 'patient') {
          expect(where.length, `${role} does not read ${name}`).toBeGreaterThan(0);
        }
      }
    }
  });

  it('finds the patient by an insurance member number only for roles that may read it', async () => {
    const member = m('memberIdentifier');
    for (const role of STAFF_ROLES) {
      const session = sessions.get(role);
      const rest = await session?.get(`/api/patients?q=${member}`);
      const fhir = await session?.get(`/fhir/R4/Patient?identifier=${member}`);
      const found = [
        rest?.json<{ items: unknown[] }>().items.length,
        fhir?.json<Bundle>().entry?.length ?? 0,
      ];
      const may = mayRead(role, 'coverage', 'memberId');
      expect(found, role).toEqual(may ? [1, 1] : [0, 0]);
    }
  });

  it('shows every role that reads tasks the non-clinical title, in the list, the 360 view and the timeline', async () => {
    for (const role of STAFF_ROLES.filter((r) => can(r, 'task:read'))) {
      const responses = await responsesAs(role);
      const where = Object.keys(responses).filter((k) => responses[k]?.includes(TASK_NON_CLINICAL));
      // The timeline shows the non-clinical summary to those who may not read the clinical one.
      const timeline = mayRead(role, 'touchpoint', 'clinicalSummary')
        ? []
        : [`/api/patients/${patientId}/timeline`];
      for (const url of ['/api/tasks?', ...timeline]) {
        expect(
          where.some((k) => k.includes(url)),
          `${role}: ${url}`,
        ).toBe(true);
      }
      expect(where.filter((k) => k.endsWith(`/api/patients/${patientId}`)).length, role).toBe(2);
    }
  });

  it("gives the patient their own appointment's reason in the portal", async () => {
    const portal = await responsesAs('patient');
    expect(Object.values(portal).join()).toContain(m('appointmentReason'));
  });

  it('shows roles without clinical access the non-clinical summary of the booking', async () => {
    const timeline = await sessions.get('marketer')?.get(`/api/patients/${patientId}/timeline`);
    const summaries = timeline?.json<{ items: { type: string; summary: string }[] }>().items;
    const booked = summaries?.find((s) => s.type === 'appointment.booked');
    expect(booked?.summary).toMatch(/^Booked: appointment, /);
  });

  it('shows roles without clinical access the non-clinical summary of the discharge', async () => {
    const timeline = await sessions.get('marketer')?.get(`/api/patients/${patientId}/timeline`);
    const summaries = timeline?.json<{ items: { type: string; summary: string }[] }>().items;
    const discharged = summaries?.find((s) => s.type === 'encounter.discharged');
    expect(discharged?.summary).toMatch(/^Discharged, /);
  });
});
