import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../config.js';

const twilio = {
  SMS_PROVIDER: 'twilio',
  TWILIO_ACCOUNT_SID: `AC${'a1'.repeat(16)}`,
  TWILIO_AUTH_TOKEN: 'an-auth-token',
  TWILIO_FROM: '+15005550006',
};

describe('SMS configuration', () => {
  it('uses the built-in local gateway when no provider is named', () => {
    expect(loadConfig({}).sms).toBeNull();
    expect(loadConfig({ SMS_PROVIDER: 'local' }).sms).toBeNull();
  });

  it("reads Twilio's account, token, number and API address", () => {
    expect(loadConfig(twilio).sms).toEqual({
      provider: 'twilio',
      accountSid: twilio.TWILIO_ACCOUNT_SID,
      authToken: 'an-auth-token',
      from: '+15005550006',
      baseUrl: 'https://api.twilio.com',
    });
    expect(loadConfig({ ...twilio, TWILIO_BASE_URL: 'http://127.0.0.1:9999/' }).sms?.baseUrl).toBe(
      'http://127.0.0.1:9999',
    );
  });

  it('refuses what would fail later or leak the token', () => {
    expect(() => loadConfig({ SMS_PROVIDER: 'nexmo' })).toThrow(/SMS_PROVIDER/);
    expect(() => loadConfig({ TWILIO_AUTH_TOKEN: 'x' })).toThrow(/SMS_PROVIDER is not twilio/);
    expect(() => loadConfig({ ...twilio, TWILIO_ACCOUNT_SID: '' })).toThrow(/TWILIO_ACCOUNT_SID/);
    expect(() => loadConfig({ ...twilio, TWILIO_FROM: '555 0100' })).toThrow(/E\.164/);
    // The token travels in clear text over http: only to this machine.
    expect(() => loadConfig({ ...twilio, TWILIO_BASE_URL: 'http://sms.example.org' })).toThrow(
      /https/,
    );
  });
});
