import { lintTemplate, renderTemplate, smsSegments } from '@careloop/core';
import { describe, expect, it } from 'vitest';
import { READY_TEMPLATES } from './ready.js';

describe('the ready templates', () => {
  it('all pass the lint a saved template must pass', () => {
    for (const template of READY_TEMPLATES) {
      for (const version of template.versions) {
        const { errors } = lintTemplate(version.channel, version.body);
        expect(errors, `${template.key} ${version.channel} ${version.language}`).toEqual([]);
      }
    }
  });

  it('read well for an appointment an EHR sent without a practitioner or location', () => {
    const sms = READY_TEMPLATES.find((t) => t.key === 'appointment-reminder-2d')?.versions.find(
      (v) => v.language === 'en',
    );
    const email = READY_TEMPLATES.find((t) => t.key === 'appointment-reminder-7d')?.versions.find(
      (v) => v.language === 'en',
    );
    if (!sms || !email) throw new Error('ready reminders missing');
    const values = {
      'organization.name': 'Demo Health',
      'patient.firstName': 'Rita',
      'appointment.start': 'Tuesday, December 8 at 4:42 AM',
    };
    expect(renderTemplate(sms.body.text, values, 'text')).toBe(
      'Demo Health: Rita, see you Tuesday, December 8 at 4:42 AM. Reply C to confirm, R to reschedule.',
    );
    expect(renderTemplate(email.body.text, values, 'text')).toContain(
      'your appointment on Tuesday, December 8 at 4:42 AM.\n',
    );
    expect(
      renderTemplate(
        email.body.text,
        { ...values, 'practitioner.name': 'Dr. Li', 'location.name': 'Harbor Clinic' },
        'text',
      ),
    ).toContain('at 4:42 AM with Dr. Li at Harbor Clinic.\n');
  });

  // Issue 11 (h11r): the texts of reschedule offers, filled as a patient reads them.
  it('keep reschedule offers to two GSM-7 segments in English and Spanish', () => {
    const values = {
      'organization.name': 'Harbor Family Medicine',
      'patient.firstName': 'Guadalupe',
      'offer.choices': '1) Wed, Jan 9, 10:30 AM 2) Thu, Jan 10, 11:30 AM 3) Fri, Jan 11, 12:30 PM',
      'location.phone': '(617) 555-0100',
      'location.name': 'Harbor Family Medicine, Dorchester',
      'appointment.start': 'Wednesday, January 9 at 10:30 AM',
      'offer.start': 'Thursday, January 10 at 11:30 AM',
    };
    const keys = [
      'reschedule-offer',
      'reschedule-offer-taken',
      'reschedule-offer-booked',
      'reschedule-offer-handoff',
      // Issue 11 (h11e): a choice asked of the EHR, and its refusal.
      'reschedule-offer-requested',
      'reschedule-offer-not-moved',
    ];
    for (const key of keys) {
      const versions = READY_TEMPLATES.find((t) => t.key === key)?.versions ?? [];
      expect(versions.map((v) => `${v.channel}/${v.language}`).sort()).toEqual([
        'sms/en',
        'sms/es',
      ]);
      for (const version of versions) {
        const text = renderTemplate(version.body.text, values, 'text');
        const counted = smsSegments(text);
        expect(counted.encoding, `${key} ${version.language}: ${text}`).toBe('GSM-7');
        expect(counted.segments, `${key} ${version.language}: ${text}`).toBeLessThanOrEqual(2);
      }
    }
  });

  // Issue 11 (h11j): the journeys added to the ready set carry no clinical word either (the
  // lint's warnings, not only its errors), and their texts fit in a few SMS segments.
  it('the newer ready journeys’ templates raise no clinical warning and fit in 3 SMS segments', () => {
    const newer = READY_TEMPLATES.filter((t) => NEWER.some((prefix) => t.key.startsWith(prefix)));
    expect(newer.length).toBeGreaterThanOrEqual(4);
    for (const template of newer) {
      for (const version of template.versions) {
        const { warnings } = lintTemplate(version.channel, version.body);
        expect(warnings, `${template.key} ${version.channel} ${version.language}`).toEqual([]);
        if (version.channel !== 'sms') continue;
        const text = renderTemplate(version.body.text, SAMPLE, 'text');
        expect(
          smsSegments(text).segments,
          `${template.key} ${version.language}`,
        ).toBeLessThanOrEqual(3);
      }
    }
  });
});

const NEWER = ['pre-visit-', 'medication-', 'referral-'];

/** Merge values of a typical length, for counting segments. */
const SAMPLE = {
  'organization.name': 'Demo Health',
  'patient.firstName': 'Guadalupe',
  'appointment.start': 'Tuesday, December 8 at 10:30 AM',
  'appointment.date': 'Tuesday, December 8',
  'location.name': 'Harbor Clinic',
  'links.portal': 'https://careloop.example/portal',
  'links.reschedule': 'https://careloop.example/portal/r/abcdef',
};
