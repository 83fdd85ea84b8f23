import { describe, expect, it } from 'vitest';
import {
  encodeSurveyToken,
  npsCategory,
  npsOutcome,
  npsSentiment,
  parseSurveyToken,
  surveyLinkExpiry,
  surveyTokenSignedText,
  surveyTokenValid,
} from './survey.js';

const token = {
  orgId: '0b8f6c1e-2d3a-4b5c-8d9e-0f1a2b3c4d5e',
  appointmentId: 'f0e1d2c3-b4a5-4968-8776-655443322110',
  expiresAt: new Date('2027-01-05T15:00:00Z'),
  mac: Uint8Array.from({ length: 16 }, (_, i) => i * 17),
};

describe('the post-visit survey', () => {
  it('puts 0–6 in detractors, 7–8 in passives and 9–10 in promoters, with their sentiment', () => {
    expect([0, 6, 7, 8, 9, 10].map(npsCategory)).toEqual([
      'detractor',
      'detractor',
      'passive',
      'passive',
      'promoter',
      'promoter',
    ]);
    expect(npsSentiment('detractor')).toBe('negative');
    expect(npsSentiment('passive')).toBe('neutral');
    expect(npsSentiment('promoter')).toBe('positive');
    expect(npsOutcome(10)).toBe('nps:10');
  });

  it('refuses a score that is not a whole number from 0 to 10', () => {
    for (const bad of [-1, 11, 7.5, Number.NaN]) {
      expect(() => npsCategory(bad)).toThrow(RangeError);
      expect(() => npsOutcome(bad)).toThrow(RangeError);
    }
  });

  it('lets a link work for 30 days from the visit, and not a second longer', () => {
    const visit = new Date('2026-12-06T15:00:00Z');
    const expiry = surveyLinkExpiry(visit);
    expect(expiry.toISOString()).toBe('2027-01-05T15:00:00.000Z');
    expect(surveyTokenValid({ expiresAt: expiry }, new Date('2027-01-05T14:59:59Z'))).toBe(true);
    expect(surveyTokenValid({ expiresAt: expiry }, expiry)).toBe(false);
  });

  it('round-trips a token through 71 URL-safe characters', () => {
    const text = encodeSurveyToken(token);
    expect(text).toMatch(/^[A-Za-z0-9_-]{71}$/);
    expect(parseSurveyToken(text)).toEqual(token);
  });

  it('refuses a token of the wrong shape, length or version with a 400 naming the field', () => {
    const text = encodeSurveyToken(token);
    const version2 = `C${text.slice(1)}`; // first byte 0x0b… no longer 1
    for (const bad of [
      '',
      text.slice(1),
      `${text}A`,
      `${text.slice(0, 70)}*`,
      version2,
      42,
      null,
    ]) {
      expect(() => parseSurveyToken(bad, '/params/token')).toThrow(
        expect.objectContaining({
          problem: expect.objectContaining({ status: 400, path: '/params/token' }),
        }),
      );
    }
  });

  it('signs the patient into the MAC text, so a link for one patient is not another’s', () => {
    const a = surveyTokenSignedText(token, '11111111-1111-4111-8111-111111111111');
    const b = surveyTokenSignedText(token, '22222222-2222-4222-8222-222222222222');
    expect(a).not.toBe(b);
    expect(a).toContain(token.appointmentId);
  });
});
