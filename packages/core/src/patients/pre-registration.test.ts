import { describe, expect, it } from 'vitest';
import type { PreRegistrationInput } from '../api/pre-registration.js';
import {
  PRE_REGISTRATION_VALID_DAYS,
  preRegistrationErrors,
  preRegistrationOf,
  preRegistrationProblem,
} from './pre-registration.js';

const AS_OF = new Date('2026-03-10T12:00:00Z');

const valid = (): PreRegistrationInput => ({
  demographics: {
    givenName: 'Ana',
    familyName: 'Ruiz',
    birthDate: '1980-05-04',
    administrativeSex: 'female',
  },
  address: { line1: '1 Main St', city: 'Springfield', state: 'IL', postalCode: '62701' },
  emergencyContact: { name: 'Luis Ruiz', relationship: 'Spouse', phone: '(217) 555-0134' },
  insurance: {
    payer: 'Aetna',
    memberId: 'W123456789',
    subscriberRelationship: 'self',
  },
  consents: { treatment: true, privacyNotice: true },
  preferences: { preferredChannel: 'sms', preferredLanguage: 'es', communication: [] },
});

describe('pre-registration validation', () => {
  it('accepts a complete form, with or without insurance', () => {
    expect(preRegistrationErrors(valid(), AS_OF)).toEqual([]);
    expect(preRegistrationErrors({ ...valid(), insurance: null }, AS_OF)).toEqual([]);
  });

  it('names every missing or wrong field, in form order', () => {
    const input = valid();
    input.demographics.givenName = '  ';
    input.demographics.birthDate = '2026-03-12';
    input.address.city = '';
    input.emergencyContact.phone = '12';
    if (input.insurance) {
      input.insurance.memberId = '';
      input.insurance.subscriberRelationship = 'child';
      input.insurance.subscriberBirthDate = '1975-02-30';
    }
    input.consents.treatment = false;
    expect(preRegistrationErrors(input, AS_OF)).toEqual([
      { path: '/body/demographics/givenName', issue: 'required' },
      { path: '/body/demographics/birthDate', issue: 'future-date' },
      { path: '/body/address/city', issue: 'required' },
      { path: '/body/emergencyContact/phone', issue: 'invalid-phone' },
      { path: '/body/insurance/memberId', issue: 'required' },
      { path: '/body/insurance/subscriberName', issue: 'subscriber-required' },
      { path: '/body/insurance/subscriberBirthDate', issue: 'invalid-date' },
      { path: '/body/consents/treatment', issue: 'must-accept' },
    ]);
  });

  it('answers one problem naming each field, the first in its path', () => {
    const problem = preRegistrationProblem([
      { path: '/body/address/city', issue: 'required' },
      { path: '/body/consents/privacyNotice', issue: 'must-accept' },
    ]).problem;
    expect(problem).toMatchObject({
      status: 400,
      code: 'validation_failed',
      path: '/body/address/city',
      errors: [
        { path: '/body/address/city', message: 'This is required' },
        { path: '/body/consents/privacyNotice', message: 'Please accept to continue' },
      ],
    });
  });
});

describe('an appointment’s pre-registration state', () => {
  const visit = { id: 'a1', start: '2026-04-01T15:00:00Z' };

  it('is not started without a submission', () => {
    expect(preRegistrationOf(visit, [])).toEqual({ state: 'not-started', submittedAt: null });
  });

  it('is done by a submission from the home page before the visit, within the window', () => {
    const before = { appointmentId: null, submittedAt: '2026-03-10T12:00:00Z' };
    expect(preRegistrationOf(visit, [before])).toEqual({
      state: 'done',
      submittedAt: before.submittedAt,
    });
    const stale = new Date(
      Date.parse(visit.start) - (PRE_REGISTRATION_VALID_DAYS + 1) * 86_400_000,
    ).toISOString();
    expect(preRegistrationOf(visit, [{ appointmentId: null, submittedAt: stale }]).state).toBe(
      'not-started',
    );
  });

  it('does not count a home-page submission made after the visit started', () => {
    const after = { appointmentId: null, submittedAt: '2026-04-01T15:30:00Z' };
    expect(preRegistrationOf(visit, [after]).state).toBe('not-started');
  });

  it('counts a submission made for this very visit whenever it was made, the latest first', () => {
    const subs = [
      { appointmentId: 'a1', submittedAt: '2026-04-01T15:10:00Z' },
      { appointmentId: null, submittedAt: '2026-03-01T10:00:00Z' },
      { appointmentId: 'other', submittedAt: '2026-03-20T10:00:00Z' },
    ];
    expect(preRegistrationOf(visit, subs)).toEqual({
      state: 'done',
      submittedAt: '2026-04-01T15:10:00Z',
    });
  });
});
