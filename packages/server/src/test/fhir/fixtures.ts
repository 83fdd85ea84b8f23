import { randomUUID } from 'node:crypto';
import type { Bundle, BundleEntry, Resource } from '@medplum/fhirtypes';
import type { AuditActor } from '../../modules/audit/service.js';

/** Small FHIR bundles written for Careloop's tests (real feeds live in ../shared/data). */

export const entry = (resource: Resource, fullUrl = `urn:uuid:${resource.id}`): BundleEntry => ({
  fullUrl,
  resource,
  request: { method: 'POST', url: resource.resourceType },
});

export function bundle(type: 'transaction' | 'batch', entries: BundleEntry[]): Bundle {
  return { resourceType: 'Bundle', type, entry: entries };
}

export function systemActor(orgId: string): AuditActor {
  return { orgId, userId: null, email: 'tests', role: 'system', ip: null, userAgent: null };
}

/** One patient's visit, as an EHR would send it: urn:uuid references, a contained coverage. */
export function visitBundle(
  ids = {
    patient: randomUUID(),
    practitioner: randomUUID(),
    hospital: randomUUID(),
    payer: randomUUID(),
    encounter: randomUUID(),
    condition: randomUUID(),
    observation: randomUUID(),
    claim: randomUUID(),
    eob: randomUUID(),
    appointment: randomUUID(),
    message: randomUUID(),
    goal: randomUUID(),
    mrn: `MRN-${randomUUID().slice(0, 8)}`,
  },
) {
  const ref = (id: string) => ({ reference: `urn:uuid:${id}` });
  const resources: Resource[] = [
    {
      resourceType: 'Organization',
      id: ids.hospital,
      name: 'Harbor General Hospital',
      type: [
        {
          coding: [
            { system: 'http://terminology.hl7.org/CodeSystem/organization-type', code: 'prov' },
          ],
        },
      ],
      telecom: [{ system: 'phone', value: '(617) 555-0100' }],
    },
    {
      resourceType: 'Organization',
      id: ids.payer,
      name: 'Bay State Health Plan',
      type: [
        {
          coding: [
            { system: 'http://terminology.hl7.org/CodeSystem/organization-type', code: 'pay' },
          ],
        },
      ],
    },
    {
      resourceType: 'Practitioner',
      id: ids.practitioner,
      identifier: [{ system: 'http://hl7.org/fhir/sid/us-npi', value: '1234567893' }],
      name: [{ family: 'Okafor', given: ['Adaeze'], prefix: ['Dr.'] }],
    },
    {
      resourceType: 'Patient',
      id: ids.patient,
      identifier: [
        {
          type: {
            coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'MR' }],
          },
          system: 'urn:oid:1.2.840.99999.1',
          value: ids.mrn,
        },
      ],
      name: [{ use: 'official', family: 'Quiñones', given: ['Rosa', 'María'] }],
      telecom: [
        { system: 'phone', value: '(617) 555-0142', use: 'mobile' },
        { system: 'email', value: 'Rosa.Quinones@Example.org' },
        { system: 'phone', value: 'not a number' },
      ],
      gender: 'female',
      birthDate: '1958-07-03',
      address: [
        {
          use: 'home',
          line: ['88 Tremont St', 'Apt 4'],
          city: 'Boston',
          state: 'MA',
          postalCode: '02108',
        },
      ],
      communication: [
        { language: { coding: [{ system: 'urn:ietf:bcp:47', code: 'es-US' }] }, preferred: true },
      ],
    },
    {
      resourceType: 'Encounter',
      id: ids.encounter,
      status: 'finished',
      class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'AMB' },
      type: [
        {
          coding: [
            {
              system: 'http://snomed.info/sct',
              code: '185349003',
              display: 'Encounter for check up',
            },
          ],
        },
      ],
      subject: ref(ids.patient),
      participant: [{ individual: ref(ids.practitioner) }],
      period: { start: '2024-03-05T14:00:00Z', end: '2024-03-05T14:30:00Z' },
      serviceProvider: ref(ids.hospital),
    },
    {
      resourceType: 'Condition',
      id: ids.condition,
      clinicalStatus: {
        coding: [
          { system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'active' },
        ],
      },
      code: {
        coding: [
          {
            system: 'http://snomed.info/sct',
            code: '44054006',
            display: 'Diabetes mellitus type 2',
          },
        ],
      },
      subject: ref(ids.patient),
      encounter: ref(ids.encounter),
      onsetDateTime: '2019-05-01',
    },
    {
      resourceType: 'Observation',
      id: ids.observation,
      status: 'final',
      category: [
        {
          coding: [
            {
              system: 'http://terminology.hl7.org/CodeSystem/observation-category',
              code: 'laboratory',
            },
          ],
        },
      ],
      code: { coding: [{ system: 'http://loinc.org', code: '4548-4', display: 'Hemoglobin A1c' }] },
      subject: ref(ids.patient),
      encounter: ref(ids.encounter),
      effectiveDateTime: '2024-03-05T14:10:00Z',
      valueQuantity: { value: 7.2, unit: '%' },
    },
    {
      resourceType: 'Claim',
      id: ids.claim,
      status: 'active',
      type: {
        coding: [
          { system: 'http://terminology.hl7.org/CodeSystem/claim-type', code: 'professional' },
        ],
      },
      use: 'claim',
      patient: ref(ids.patient),
      created: '2024-03-06T09:00:00Z',
      provider: ref(ids.hospital),
      priority: { coding: [{ code: 'normal' }] },
      contained: [
        {
          resourceType: 'Coverage',
          id: 'coverage',
          status: 'active',
          beneficiary: ref(ids.patient),
          payor: [{ display: 'Bay State Health Plan' }],
        },
      ],
      insurance: [{ sequence: 1, focal: true, coverage: { reference: '#coverage' } }],
      item: [
        {
          sequence: 1,
          productOrService: { coding: [{ system: 'http://snomed.info/sct', code: '185349003' }] },
          encounter: [ref(ids.encounter)],
          servicedDate: '2024-03-05',
          net: { value: 180.5, currency: 'USD' },
        },
      ],
      total: { value: 180.5, currency: 'USD' },
    },
    {
      resourceType: 'ExplanationOfBenefit',
      id: ids.eob,
      status: 'active',
      type: {
        coding: [
          { system: 'http://terminology.hl7.org/CodeSystem/claim-type', code: 'professional' },
        ],
      },
      use: 'claim',
      patient: ref(ids.patient),
      created: '2024-03-20T09:00:00Z',
      insurer: ref(ids.payer),
      provider: ref(ids.hospital),
      claim: ref(ids.claim),
      outcome: 'complete',
      insurance: [{ focal: true, coverage: { display: 'Bay State Health Plan' } }],
      total: [
        {
          category: {
            coding: [
              { system: 'http://terminology.hl7.org/CodeSystem/adjudication', code: 'submitted' },
            ],
          },
          amount: { value: 180.5, currency: 'USD' },
        },
      ],
      payment: { amount: { value: 144.4, currency: 'USD' } },
    },
    {
      resourceType: 'Appointment',
      id: ids.appointment,
      status: 'booked',
      created: '2024-03-06',
      reasonCode: [{ text: 'Follow-up: type 2 diabetes' }],
      start: '2024-09-10T13:00:00Z',
      end: '2024-09-10T13:30:00Z',
      participant: [
        { actor: ref(ids.patient), status: 'accepted' },
        { actor: ref(ids.practitioner), status: 'accepted' },
      ],
    },
    {
      resourceType: 'Communication',
      id: ids.message,
      status: 'completed',
      category: [{ text: 'Appointment reminder' }],
      medium: [
        {
          coding: [
            {
              system: 'http://terminology.hl7.org/CodeSystem/v3-ParticipationMode',
              code: 'SMSWRIT',
            },
          ],
        },
      ],
      subject: ref(ids.patient),
      recipient: [ref(ids.patient)],
      sent: '2024-09-09T15:00:00Z',
      payload: [{ contentString: 'See you tomorrow at 9' }],
    },
    {
      resourceType: 'Goal',
      id: ids.goal,
      lifecycleStatus: 'active',
      description: { text: 'HbA1c below 7%' },
      subject: ref(ids.patient),
    },
  ];
  return {
    ids,
    bundle: bundle(
      'transaction',
      resources.map((r) => entry(r)),
    ),
  };
}
