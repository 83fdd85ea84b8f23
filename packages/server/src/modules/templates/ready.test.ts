import { lintTemplate, renderTemplate } from '@careloop/core';
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
});
