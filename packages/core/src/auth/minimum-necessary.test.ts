import { describe, expect, it } from 'vitest';
import type { Patient360 } from '../api/patients.js';
import { type Patient360Full, redact360, touchpointFor } from '../patients/redact.js';
import { touchpointLabel } from '../patients/touchpoint-label.js';
import {
  mayRead,
  mayReadIdentifier,
  mayReadNote,
  POLICY_FIELDS,
  policyClass,
  withheldFrom,
} from './minimum-necessary.js';
import { PERMISSIONS } from './permissions.js';
import { ROLES, STAFF_ROLES } from './roles.js';

/** Staff roles that may read a field, by its `record.field` name. */
const staffWith = (path: string) =>
  STAFF_ROLES.filter((r) => withheldFrom(r).every((w) => w.field !== path));

describe('the minimum-necessary policy', () => {
  it('gives marketing and analytics no clinical detail, no insurance ids and no notes', () => {
    for (const role of ['marketer', 'analyst'] as const) {
      expect(withheldFrom(role).map((w) => w.field)).toEqual(POLICY_FIELDS);
    }
  });

  it('hides clinical detail and clinical notes from the front desk, not insurance ids', () => {
    expect(mayRead('front-desk', 'appointment', 'reason')).toBe(false);
    expect(mayRead('front-desk', 'touchpoint', 'clinicalSummary')).toBe(false);
    expect(mayRead('front-desk', 'communication', 'topic')).toBe(false);
    expect(mayReadNote('front-desk', 'clinical')).toBe(false);
    expect(mayReadNote('front-desk', 'billing')).toBe(true);
    expect(mayRead('front-desk', 'coverage', 'memberId')).toBe(true);
    // They rebook a cancelled visit, so they read why it was cancelled.
    expect(mayRead('front-desk', 'appointment', 'cancelReason')).toBe(true);
  });

  it('gives the care team every clinical field', () => {
    for (const role of ['admin', 'care-coordinator', 'clinician'] as const) {
      expect(mayRead(role, 'condition', 'record')).toBe(true);
      expect(mayRead(role, 'appointment', 'reason')).toBe(true);
      expect(mayRead(role, 'touchpoint', 'clinicalSummary')).toBe(true);
      expect(mayReadNote(role, 'clinical')).toBe(true);
    }
    expect(mayRead('clinician', 'coverage', 'memberId')).toBe(false);
  });

  it('agrees with the route permissions that guard the same records', () => {
    expect(staffWith('condition.record')).toEqual([...PERMISSIONS['clinical:read']]);
    expect(staffWith('encounter.record')).toEqual([...PERMISSIONS['clinical:read']]);
    expect(staffWith('note.body')).toEqual(
      STAFF_ROLES.filter((r) => (PERMISSIONS['note:read'] as readonly string[]).includes(r)),
    );
  });

  it('gives every withheld field its reason', () => {
    for (const role of ROLES) {
      for (const w of withheldFrom(role)) expect(w.reason.length).toBeGreaterThan(20);
    }
  });

  it('puts roles with the same fields in one policy class, and no others', () => {
    expect(policyClass('marketer')).toBe(policyClass('analyst'));
    expect(policyClass('clinician')).not.toBe(policyClass('care-coordinator'));
    expect(policyClass('front-desk')).not.toBe(policyClass('marketer'));
    expect(new Set(ROLES.map(policyClass)).size).toBe(5);
  });

  it('treats member and subscriber identifiers as insurance ids', () => {
    expect(mayReadIdentifier('marketer', 'MB')).toBe(false);
    expect(mayReadIdentifier('marketer', 'sn')).toBe(false);
    expect(mayReadIdentifier('marketer', 'MR')).toBe(true);
    expect(mayReadIdentifier('front-desk', 'MB')).toBe(true);
  });
});

describe('touchpointLabel', () => {
  it('names what happened without clinical detail', () => {
    expect(touchpointLabel('encounter.discharged', 'system')).toBe('Discharged from hospital');
    expect(touchpointLabel('appointment.booked', 'portal')).toBe('Appointment booked (portal)');
    expect(touchpointLabel('communication.received', 'email')).toBe('Message received (email)');
    expect(touchpointLabel('visit.completed', 'in-person')).toBe('Visit completed (in person)');
    expect(touchpointLabel('odd', 'system')).toBe('Odd');
  });
});

const touchpoint = {
  id: '00000000-0000-4000-8000-000000000001',
  occurredAt: '2026-01-01T00:00:00.000Z',
  channel: 'system' as const,
  direction: 'inbound' as const,
  type: 'encounter.discharged',
  stage: 'follow-up' as const,
  sourceSystem: 'ehr',
  outcome: null,
  summary: 'Discharged after emergency department visit: Syncope',
  nonClinicalSummary: 'Discharged from hospital',
  subjectType: null,
  subjectId: null,
};

function fullView(): Patient360Full {
  const note = (category: string) => ({
    id: '00000000-0000-4000-8000-000000000002',
    body: `${category} note`,
    category,
    authorName: 'Dr A',
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
  });
  const appointment = {
    id: '00000000-0000-4000-8000-000000000003',
    status: 'booked' as const,
    service: 'Primary care',
    practitioner: null,
    location: null,
    startAt: '2026-02-01T00:00:00.000Z',
    endAt: '2026-02-01T00:30:00.000Z',
    telehealth: false,
    reason: 'Follow-up: hypertension',
  };
  return {
    patient: {} as Patient360['patient'],
    addresses: [],
    contactPoints: [],
    identifiers: [
      { id: 'i1', system: 'mrn', value: 'MRN1', type: 'MR', source: null },
      { id: 'i2', system: 'payer', value: 'MEMBER1', type: 'MB', source: null },
    ],
    consents: [],
    coverage: [
      {
        id: 'c1',
        payer: 'Aetna',
        plan: 'PPO',
        memberId: 'M123',
        groupNumber: 'G9',
        priority: 1,
        status: 'active',
        startDate: null,
        endDate: null,
      },
    ],
    conditions: [],
    encounters: [],
    appointments: { upcoming: [appointment], past: [] },
    openTasks: null,
    notes: [note('clinical'), note('billing')],
    careTeam: [],
    recentTouchpoints: [touchpoint],
    redacted: ['openTasks'],
  };
}

describe('redact360', () => {
  it('gives a marketer the non-clinical summary and nothing the policy withholds', () => {
    const view = redact360('marketer', fullView());
    const text = JSON.stringify(view);
    for (const secret of ['hypertension', 'Syncope', 'M123', 'G9', 'MEMBER1', 'clinical note']) {
      expect(text).not.toContain(secret);
    }
    expect(view.recentTouchpoints[0]?.summary).toBe('Discharged from hospital');
    expect(view.conditions).toBeNull();
    expect(view.redacted).toEqual(
      expect.arrayContaining(['openTasks', 'conditions', 'appointments.reason']),
    );
  });

  it('gives a clinician the clinical detail but not the insurance ids', () => {
    const view = redact360('clinician', fullView());
    expect(view.appointments.upcoming[0]?.reason).toBe('Follow-up: hypertension');
    expect(view.recentTouchpoints[0]?.summary).toContain('Syncope');
    expect(view.notes?.map((n) => n.category)).toEqual(['clinical', 'billing']);
    expect(view.coverage[0]?.memberId).toBeNull();
    expect(view.identifiers.map((i) => i.type)).toEqual(['MR']);
  });

  it('gives the front desk insurance ids and billing notes, not clinical ones', () => {
    const view = redact360('front-desk', fullView());
    expect(view.coverage[0]?.memberId).toBe('M123');
    expect(view.notes?.map((n) => n.category)).toEqual(['billing']);
    expect(view.appointments.upcoming[0]?.reason).toBeNull();
  });

  it('drops the non-clinical summary field from what it returns', () => {
    expect(Object.keys(touchpointFor('admin', touchpoint))).not.toContain('nonClinicalSummary');
  });
});
