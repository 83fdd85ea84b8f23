import { describe, expect, it } from 'vitest';
import { appointmentStart } from './appointment-time.js';
import { type ChannelOption, chooseChannel } from './channel-choice.js';
import { smsSegments } from './sms-segments.js';
import { lintTemplate } from './template-lint.js';
import { parseTemplate, renderTemplate } from './template-render.js';

describe('template rendering', () => {
  it('fills known fields and leaves the rest of the text alone', () => {
    const body = 'Hi {{patient.firstName}}, see you {{ appointment.start }} at {{location.name}}.';
    expect(
      renderTemplate(
        body,
        {
          'patient.firstName': 'Ana',
          'appointment.start': 'Tuesday, March 3 at 9:30 AM',
          'location.name': 'Main St',
        },
        'text',
      ),
    ).toBe('Hi Ana, see you Tuesday, March 3 at 9:30 AM at Main St.');
  });

  it('escapes values, not the template, in HTML bodies', () => {
    const html = renderTemplate(
      '<p>Hi <b>{{patient.firstName}}</b></p>',
      { 'patient.firstName': '<script>alert("x")</script> & Co' },
      'html',
    );
    expect(html).toBe(
      '<p>Hi <b>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co</b></p>',
    );
    expect(renderTemplate('{{patient.firstName}}', { 'patient.firstName': '<b>' }, 'text')).toBe(
      '<b>',
    );
  });

  it('refuses unknown fields, clinical fields and unclosed tags', () => {
    const parsed = parseTemplate('{{patient.ssn}} {{appointment.reason}} {{patient.firstName');
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.issues.map((i) => i.code)).toEqual([
      'unknown-field',
      'clinical-field',
      'unclosed-tag',
    ]);
  });

  it('shows a section only when its field has a value, and an inverted one only when not', () => {
    const body =
      'See you {{appointment.start}}{{#location.name}} at {{location.name}}{{/location.name}}.{{^practitioner.name}} Ask the desk who you will see.{{/practitioner.name}}';
    expect(renderTemplate(body, { 'appointment.start': 'Tuesday' }, 'text')).toBe(
      'See you Tuesday. Ask the desk who you will see.',
    );
    expect(
      renderTemplate(
        body,
        {
          'appointment.start': 'Tuesday',
          'location.name': 'Main St',
          'practitioner.name': 'Dr. Li',
        },
        'text',
      ),
    ).toBe('See you Tuesday at Main St.');
    // A blank value counts as none.
    expect(renderTemplate(body, { 'location.name': '  ' }, 'text')).toBe(
      'See you . Ask the desk who you will see.',
    );
    // Nested sections, and escaping inside them.
    expect(
      renderTemplate(
        '{{#location.name}}<b>{{location.name}}</b>{{#location.phone}}, {{location.phone}}{{/location.phone}}{{/location.name}}',
        { 'location.name': 'A&B', 'location.phone': '555' },
        'html',
      ),
    ).toBe('<b>A&amp;B</b>, 555');
  });

  it('refuses sections that are not closed, closed crosswise, or name unknown or clinical fields', () => {
    const codes = (body: string) => {
      const parsed = parseTemplate(body);
      return parsed.ok ? [] : parsed.issues.map((i) => i.code);
    };
    expect(codes('{{#location.name}}at {{location.name}}')).toEqual(['unclosed-section']);
    expect(codes('{{/location.name}}')).toEqual(['unclosed-section']);
    expect(
      codes('{{#location.name}}{{#location.phone}}x{{/location.name}}{{/location.phone}}'),
    ).toEqual(['unclosed-section', 'unclosed-section']);
    expect(codes('{{#patient.ssn}}x{{/patient.ssn}}')).toEqual(['unknown-field', 'unknown-field']);
    expect(codes('{{#appointment.reason}}x{{/appointment.reason}}')).toEqual([
      'clinical-field',
      'clinical-field',
    ]);
  });

  it('does not let a value inject a field', () => {
    expect(
      renderTemplate('{{patient.firstName}}', { 'patient.firstName': '{{links.portal}}' }, 'text'),
    ).toBe('{{links.portal}}');
  });
});

describe('template lint', () => {
  it('blocks clinical fields in SMS and email bodies and warns on clinical words', () => {
    const sms = lintTemplate('sms', { text: 'Your {{patient.conditions}} results are ready' });
    expect(sms.errors).toEqual([
      expect.objectContaining({
        path: 'text',
        code: 'clinical-field',
        field: 'patient.conditions',
      }),
    ]);
    expect(sms.warnings.map((w) => w.word)).toEqual(['results']);
    const email = lintTemplate('email', {
      subject: 'Visit',
      text: 'ok',
      html: '<p>{{encounter.reason}}</p>',
    });
    expect(email.errors).toEqual([
      expect.objectContaining({ path: 'html', code: 'clinical-field' }),
    ]);
  });

  it('lets a portal message carry clinical words unwarned, but no clinical merge field, subject or HTML', () => {
    const portal = lintTemplate('portal', {
      text: 'Your test results are ready; your dose stays the same.',
    });
    expect(portal).toEqual({ errors: [], warnings: [] });
    // The same words in an SMS are warned about.
    expect(
      lintTemplate('sms', { text: 'Your test results are ready; your dose stays the same.' })
        .warnings.length,
    ).toBe(2);
    const field = lintTemplate('portal', { text: 'About {{encounter.reason}}' });
    expect(field.errors).toEqual([
      expect.objectContaining({ path: 'text', code: 'clinical-field', field: 'encounter.reason' }),
    ]);
    expect(field.errors[0]?.message).toMatch(/write it in the portal message itself/);
    expect(lintTemplate('portal', { subject: 'x', text: 'x' }).errors[0]).toMatchObject({
      path: 'subject',
      message: 'a portal message has no subject',
    });
    expect(lintTemplate('portal', { text: 'x', html: '<p>x</p>' }).errors[0]?.path).toBe('html');
  });

  it('asks an email for a subject and refuses one on an SMS', () => {
    expect(lintTemplate('email', { text: 'x' }).errors[0]?.path).toBe('subject');
    expect(lintTemplate('sms', { subject: 'x', text: 'x' }).errors[0]?.path).toBe('subject');
    expect(lintTemplate('sms', { text: 'Reply C to confirm' }).errors).toEqual([]);
  });
});

describe('SMS segments', () => {
  it('counts GSM-7 at 160, then 153 per segment', () => {
    expect(smsSegments('a'.repeat(160))).toMatchObject({ encoding: 'GSM-7', segments: 1 });
    expect(smsSegments('a'.repeat(161))).toMatchObject({ segments: 2, perSegment: 153 });
    expect(smsSegments('a'.repeat(306)).segments).toBe(2);
    expect(smsSegments('a'.repeat(307)).segments).toBe(3);
  });

  it('counts extension characters twice', () => {
    expect(smsSegments('€'.repeat(80))).toMatchObject({
      encoding: 'GSM-7',
      units: 160,
      segments: 1,
    });
    expect(smsSegments('€'.repeat(81)).segments).toBe(2);
  });

  it('switches to UCS-2 at 70, then 67, for one character outside GSM-7', () => {
    expect(smsSegments(`${'a'.repeat(69)}ó`)).toMatchObject({ encoding: 'UCS-2', segments: 1 });
    expect(smsSegments(`${'a'.repeat(70)}ó`)).toMatchObject({ segments: 2, perSegment: 67 });
    expect(smsSegments('')).toMatchObject({ segments: 0 });
    // Spanish: ñ and é are GSM-7, á is not.
    expect(smsSegments('mañana café').encoding).toBe('GSM-7');
    expect(smsSegments('más').encoding).toBe('UCS-2');
  });
});

describe('appointment times', () => {
  const at = new Date('2026-03-03T14:30:00Z');
  it('formats in the patient’s zone and language', () => {
    expect(appointmentStart(at, 'America/New_York', 'en')).toBe('Tuesday, March 3 at 9:30 AM');
    expect(appointmentStart(at, 'America/New_York', 'es')).toBe('martes, 3 de marzo a las 9:30');
    expect(appointmentStart(at, 'America/Los_Angeles', 'en')).toBe('Tuesday, March 3 at 6:30 AM');
  });
});

describe('channel choice', () => {
  const email: ChannelOption = { channel: 'email', address: 'ana@example.org', hasTemplate: true };
  const sms: ChannelOption = { channel: 'sms', address: '+15555550100', hasTemplate: true };
  const both = [email, sms];
  it('takes the preferred channel, and falls back when it has no number or is opted out', () => {
    expect(chooseChannel('preferred', 'sms', both, [], 'treatment')).toMatchObject({
      ok: true,
      channel: 'sms',
      fellBack: false,
    });
    const noNumber = [email, { ...sms, address: null }];
    expect(chooseChannel('preferred', 'sms', noNumber, [], 'treatment')).toMatchObject({
      channel: 'email',
      fellBack: true,
    });
    const optedOut = [
      {
        channel: 'sms' as const,
        purpose: 'treatment-reminders' as const,
        status: 'denied' as const,
      },
    ];
    expect(chooseChannel('preferred', 'sms', both, optedOut, 'treatment')).toMatchObject({
      channel: 'email',
    });
  });

  it('needs an opt-in for marketing: queued opted out, for the send-time check to record', () => {
    expect(chooseChannel('email', null, both, [], 'marketing')).toMatchObject({
      ok: true,
      channel: 'email',
      optedOut: true,
    });
  });

  describe('the portal', () => {
    const portal: ChannelOption = { channel: 'portal', address: 'account-1', hasTemplate: true };
    const all = [email, sms, portal];
    const noAccount = [email, sms, { ...portal, address: null }];

    it('is the channel of a patient who prefers it and has an account', () => {
      expect(chooseChannel('preferred', 'portal', all, [], 'treatment')).toEqual({
        ok: true,
        channel: 'portal',
        address: 'account-1',
        fellBack: false,
        optedOut: false,
      });
      // Asked for by name, whatever the patient prefers.
      expect(chooseChannel('portal', 'sms', all, [], 'operations')).toMatchObject({
        channel: 'portal',
        fellBack: false,
      });
    });

    it('falls back to the next channel when the patient prefers it without an account', () => {
      expect(chooseChannel('preferred', 'portal', noAccount, [], 'treatment')).toMatchObject({
        ok: true,
        channel: 'email',
        fellBack: true,
      });
      // …and past an opted-out next channel to the one after.
      const noEmail = [
        {
          channel: 'email' as const,
          purpose: 'treatment-reminders' as const,
          status: 'denied' as const,
        },
      ];
      expect(chooseChannel('preferred', 'portal', noAccount, noEmail, 'treatment')).toMatchObject({
        channel: 'sms',
        fellBack: true,
      });
    });

    it('refuses an explicit portal send without an account, naming the reason', () => {
      expect(chooseChannel('portal', 'portal', noAccount, [], 'treatment')).toEqual({
        ok: false,
        reasons: { portal: 'no-portal-account' },
      });
    });

    it('queues an opted-out portal send for the send-time check to record', () => {
      const optedOut = [
        {
          channel: 'portal' as const,
          purpose: 'care-follow-up' as const,
          status: 'denied' as const,
        },
      ];
      expect(chooseChannel('portal', null, all, optedOut, 'operations')).toMatchObject({
        ok: true,
        channel: 'portal',
        optedOut: true,
      });
      // On `preferred`, an opted-out portal gives way to the next channel.
      expect(chooseChannel('preferred', 'portal', all, optedOut, 'operations')).toMatchObject({
        channel: 'email',
        optedOut: false,
      });
    });

    it('is passed over without a template to post', () => {
      const noText = [email, sms, { ...portal, hasTemplate: false }];
      expect(chooseChannel('preferred', 'portal', noText, [], 'treatment')).toMatchObject({
        channel: 'email',
        fellBack: true,
      });
    });
  });

  it('says why nothing fits when no channel has an address or a template', () => {
    const none = [
      { ...email, address: null },
      { ...sms, hasTemplate: false },
    ];
    expect(chooseChannel('preferred', 'email', none, [], 'treatment')).toEqual({
      ok: false,
      reasons: { email: 'no-address', sms: 'no-template' },
    });
  });
});
