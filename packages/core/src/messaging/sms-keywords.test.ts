import { describe, expect, it } from 'vitest';
import { keywordConsentEffect, keywordReply, type SmsKeyword, smsKeyword } from './sms-keywords.js';
import { nextMessageStatus, smsStatusFromProvider } from './sms-status.js';

describe('SMS keywords', () => {
  const cases: [string, SmsKeyword | null][] = [
    // Every keyword the issue lists, as sent.
    ['STOP', 'stop'],
    ['STOPALL', 'stop'],
    ['UNSUBSCRIBE', 'stop'],
    ['CANCEL', 'stop'],
    ['END', 'stop'],
    ['QUIT', 'stop'],
    ['REVOKE', 'stop'],
    ['OPT OUT', 'stop'],
    ['START', 'start'],
    ['UNSTOP', 'start'],
    ['HELP', 'help'],
    // Any case, surrounding spaces, a phone's trailing full stop.
    ['stop', 'stop'],
    ['Stop', 'stop'],
    ['sToP', 'stop'],
    ['  stop  ', 'stop'],
    ['\tSTOP\n', 'stop'],
    ['Stop.', 'stop'],
    ['STOP!', 'stop'],
    ['opt out', 'stop'],
    ['Opt  Out', 'stop'],
    ['unstop', 'start'],
    [' Start ', 'start'],
    ['help', 'help'],
    ['Help?', null],
    // Near-misses: a sentence holding a keyword is for staff to read, not an instruction.
    ['stop it', null],
    ['please stop', null],
    ["don't stop", null],
    ['STOP STOP', null],
    ['stopp', null],
    ['sto p', null],
    ['optout', null],
    ['OPT-OUT', null],
    ['Stop..', null],
    ['C', null],
    ['R', null],
    ['YES', null],
    ['INFO', null],
    ['', null],
    ['   ', null],
  ];
  it.each(cases)('reads %j as %s', (body, expected) => {
    expect(smsKeyword(body)).toBe(expected);
  });

  it('opts out on STOP, back in on START, and changes nothing on HELP', () => {
    expect(keywordConsentEffect('stop')).toBe('withdraw');
    expect(keywordConsentEffect('start')).toBe('restore');
    expect(keywordConsentEffect('help')).toBe('none');
  });

  it('names the organization and how to stop in every reply', () => {
    for (const keyword of ['stop', 'start', 'help'] as const) {
      const reply = keywordReply(keyword, 'Demo Health');
      expect(reply).toMatch(/^Demo Health: /);
      expect(reply.length).toBeLessThanOrEqual(160);
    }
    expect(keywordReply('help', 'Demo Health')).toContain('Reply STOP');
    expect(keywordReply('stop', 'Demo Health')).toContain('START');
  });
});

describe('SMS delivery statuses', () => {
  it("maps a provider's report to the outbox's statuses", () => {
    expect(smsStatusFromProvider('delivered')).toBe('delivered');
    expect(smsStatusFromProvider('undelivered')).toBe('failed');
    expect(smsStatusFromProvider('failed')).toBe('failed');
    expect(smsStatusFromProvider('sent')).toBe('sent');
    expect(smsStatusFromProvider('queued')).toBeNull();
    expect(smsStatusFromProvider('sending')).toBeNull();
  });

  it('only moves forward, whatever order the callbacks arrive in', () => {
    expect(nextMessageStatus('sent', 'delivered')).toBe('delivered');
    expect(nextMessageStatus('queued', 'delivered')).toBe('delivered');
    expect(nextMessageStatus('delivered', 'sent')).toBeNull();
    expect(nextMessageStatus('delivered', 'delivered')).toBeNull();
    expect(nextMessageStatus('sent', 'failed')).toBe('failed');
    expect(nextMessageStatus('delivered', 'replied')).toBe('replied');
    expect(nextMessageStatus('replied', 'delivered')).toBeNull();
    expect(nextMessageStatus('failed', 'delivered')).toBeNull();
  });
});
