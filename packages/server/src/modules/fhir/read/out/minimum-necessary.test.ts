import type { Appointment, Coverage, Patient } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { fhirFor, fhirListFor } from './minimum-necessary.js';

const CLASS = 'http://terminology.hl7.org/CodeSystem/coverage-class';
const V2 = 'http://terminology.hl7.org/CodeSystem/v2-0203';

const appointment: Appointment = {
  resourceType: 'Appointment',
  status: 'booked',
  reasonCode: [{ text: 'Follow-up: hypertension' }],
  participant: [{ status: 'accepted' }],
};
const coverage: Coverage = {
  resourceType: 'Coverage',
  status: 'active',
  subscriberId: 'M123',
  beneficiary: { reference: 'Patient/1' },
  payor: [{ display: 'Aetna' }],
  class: [
    { type: { coding: [{ system: CLASS, code: 'plan' }] }, value: 'PPO' },
    { type: { coding: [{ system: CLASS, code: 'group' }] }, value: 'G9' },
  ],
};
const patient: Patient = {
  resourceType: 'Patient',
  identifier: [
    { type: { coding: [{ system: V2, code: 'MR' }] }, value: 'MRN1' },
    { type: { coding: [{ system: V2, code: 'MB' }] }, value: 'MEMBER1' },
  ],
};

describe('fhirFor', () => {
  it("leaves an appointment's reason out for the front desk, not for a clinician", () => {
    expect(JSON.stringify(fhirFor('front-desk', appointment))).not.toContain('hypertension');
    expect(fhirFor('clinician', appointment)).toEqual(appointment);
  });

  it("leaves a cancellation's reason out for marketing and analytics, not for the front desk", () => {
    const cancelled: Appointment = {
      ...appointment,
      status: 'cancelled',
      cancelationReason: { text: 'Admitted with chest pain' },
    };
    for (const role of ['marketer', 'analyst'] as const) {
      expect(JSON.stringify(fhirFor(role, cancelled)), role).not.toContain('chest pain');
    }
    expect(JSON.stringify(fhirFor('front-desk', cancelled))).toContain('chest pain');
  });

  it('keeps the plan but not the member id or group for a marketer', () => {
    const seen = JSON.stringify(fhirFor('marketer', coverage));
    expect(seen).toContain('PPO');
    expect(seen).not.toContain('M123');
    expect(seen).not.toContain('G9');
    expect(fhirFor('front-desk', coverage)).toEqual(coverage);
  });

  it("drops a patient's member number for roles without insurance ids", () => {
    expect(JSON.stringify(fhirFor('analyst', patient))).not.toContain('MEMBER1');
    expect(JSON.stringify(fhirFor('analyst', patient))).toContain('MRN1');
  });

  it('leaves clinical resources, and types the policy does not name, out of a list', () => {
    const list = fhirListFor('marketer', [
      { resourceType: 'Condition', subject: { reference: 'Patient/1' } },
      { resourceType: 'Goal', lifecycleStatus: 'active', description: {}, subject: {} },
      appointment,
    ]);
    expect(list.map((r) => r.resourceType)).toEqual(['Appointment']);
  });
});
