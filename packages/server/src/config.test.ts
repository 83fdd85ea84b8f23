import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.js';

describe('BREAK_GLASS_MINUTES', () => {
  it('is 30 minutes unless set', () => {
    expect(loadConfig({}).breakGlassMinutes).toBe(30);
    expect(loadConfig({ BREAK_GLASS_MINUTES: '45' }).breakGlassMinutes).toBe(45);
  });

  it('refuses zero, more than 12 hours, and anything not a whole number', () => {
    for (const value of ['0', '721', '1.5', 'soon', '-3']) {
      expect(() => loadConfig({ BREAK_GLASS_MINUTES: value }), value).toThrow(
        /BREAK_GLASS_MINUTES/,
      );
    }
  });
});

describe('the bounce mailbox (BOUNCE_ADDRESS, BOUNCE_SMTP_PORT)', () => {
  it('is off unless set, and listens on loopback unless told otherwise', () => {
    expect(loadConfig({})).toMatchObject({ bounceAddress: null, bounceSmtp: null });
    expect(
      loadConfig({ BOUNCE_ADDRESS: 'bounces@mail.example.org', BOUNCE_SMTP_PORT: '2525' }),
    ).toMatchObject({
      bounceAddress: 'bounces@mail.example.org',
      bounceSmtp: { host: '127.0.0.1', port: 2525 },
    });
  });

  it('refuses a bounce address with a + or a name, a port without an address, and a bad port', () => {
    expect(() => loadConfig({ BOUNCE_ADDRESS: 'bounces+x@mail.example.org' })).toThrow(
      /BOUNCE_ADDRESS/,
    );
    expect(() => loadConfig({ BOUNCE_ADDRESS: 'Clinic <bounces@mail.example.org>' })).toThrow(
      /BOUNCE_ADDRESS/,
    );
    expect(() => loadConfig({ BOUNCE_SMTP_PORT: '2525' })).toThrow(/needs BOUNCE_ADDRESS/);
    expect(() =>
      loadConfig({ BOUNCE_ADDRESS: 'bounces@mail.example.org', BOUNCE_SMTP_PORT: '70000' }),
    ).toThrow(/BOUNCE_SMTP_PORT/);
    expect(() => loadConfig({ BOUNCE_SMTP_HOST: '0.0.0.0' })).toThrow(/BOUNCE_SMTP_PORT/);
  });
});

// Issue 13 (h13f): the FHIR path of the EHR-owned schedule.
describe('EHR_FHIR_BASE and EHR_FHIR_TOKEN', () => {
  it('is off unless set, and keeps the base without a trailing slash with its token', () => {
    expect(loadConfig({}).ehrFhir).toBeNull();
    expect(
      loadConfig({ EHR_FHIR_BASE: 'https://ehr.example.org/fhir/R4/', EHR_FHIR_TOKEN: 'abc.def' })
        .ehrFhir,
    ).toEqual({ base: 'https://ehr.example.org/fhir/R4', token: 'abc.def' });
    expect(loadConfig({ EHR_FHIR_BASE: 'http://127.0.0.1:2577/fhir/R4' }).ehrFhir).toEqual({
      base: 'http://127.0.0.1:2577/fhir/R4',
      token: null,
    });
  });

  it('refuses clear text off loopback, credentials or a query in the URL, and a token without a base', () => {
    for (const base of [
      'http://ehr.example.org/fhir',
      'ftp://127.0.0.1/fhir',
      'https://user:pw@ehr.example.org/fhir',
      'https://ehr.example.org/fhir?x=1',
      'not a url',
    ]) {
      expect(() => loadConfig({ EHR_FHIR_BASE: base }), base).toThrow(/EHR_FHIR_BASE/);
    }
    expect(() => loadConfig({ EHR_FHIR_TOKEN: 'abc' })).toThrow(/EHR_FHIR_TOKEN/);
    expect(() =>
      loadConfig({ EHR_FHIR_BASE: 'https://ehr.example.org/fhir', EHR_FHIR_TOKEN: 'a b' }),
    ).toThrow(/EHR_FHIR_TOKEN/);
  });
});

describe('EHR_RETRY_SECONDS', () => {
  it('is a minute unless set', () => {
    expect(loadConfig({}).ehrRetrySeconds).toBe(60);
    expect(loadConfig({ EHR_RETRY_SECONDS: '2' }).ehrRetrySeconds).toBe(2);
  });

  it('refuses zero, more than the hour the wait is capped at, and anything not a whole number', () => {
    for (const value of ['0', '3601', '1.5', 'soon', '-3']) {
      expect(() => loadConfig({ EHR_RETRY_SECONDS: value }), value).toThrow(/EHR_RETRY_SECONDS/);
    }
  });
});
