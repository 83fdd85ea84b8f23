import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { smsSegments } from '../messaging/sms-segments.js';
import {
  asksToReschedule,
  chooseOfferSlots,
  OFFER_MIN_LEAD_MS,
  OFFER_TTL_MS,
  type OfferedSlot,
  offerChoicesText,
  offerExpiry,
  offeredSlotsOf,
  parseOfferAnswer,
} from './reschedule-offer.js';

const HOUR = 3_600_000;
/** Tuesday 5 March 2030, 09:00 in New York. */
const NOW = Date.parse('2030-03-05T14:00:00Z');

const slot = (startMs: number, practitionerId = 'ana'): OfferedSlot => ({
  start: new Date(startMs).toISOString(),
  end: new Date(startMs + HOUR / 2).toISOString(),
  practitionerId,
  locationId: 'main',
});

describe('asking to reschedule', () => {
  it('reads R, reschedule and the Spanish words, any case, as the first word', () => {
    for (const text of ['R', ' r ', 'R please', 'r.', 'Reschedule', 'cambiar', 'REPROGRAMAR!'])
      expect(asksToReschedule(text), text).toBe(true);
  });

  it('does not read other words or an empty message', () => {
    for (const text of ['', 'C', 'rr', 'Ready', 'please R', 'STOP', '1'])
      expect(asksToReschedule(text), text).toBe(false);
  });
});

describe('answers to an offer', () => {
  it('reads 1, 2 or 3 of what was offered, and N or more for other times', () => {
    expect(parseOfferAnswer(' 2 ', 3)).toEqual({ kind: 'choose', choice: 2 });
    expect(parseOfferAnswer('#1', 3)).toEqual({ kind: 'choose', choice: 1 });
    expect(parseOfferAnswer('3.', 3)).toEqual({ kind: 'choose', choice: 3 });
    expect(parseOfferAnswer('Opción 1', 3)).toEqual({ kind: 'choose', choice: 1 });
    expect(parseOfferAnswer('n', 3)).toEqual({ kind: 'more' });
    expect(parseOfferAnswer('Más', 3)).toEqual({ kind: 'more' });
    expect(parseOfferAnswer('more', 3)).toEqual({ kind: 'more' });
  });

  it('is not an answer when it names a slot not offered, or says anything else', () => {
    expect(parseOfferAnswer('3', 2)).toBeNull();
    expect(parseOfferAnswer('0', 3)).toBeNull();
    expect(parseOfferAnswer('12', 3)).toBeNull();
    expect(parseOfferAnswer('2 or 3?', 3)).toBeNull();
    expect(parseOfferAnswer('none of these work', 3)).toBeNull();
  });

  it('never answers a choice outside 1..offered, whatever the text (property)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 12 }), fc.integer({ min: 0, max: 3 }), (text, offered) => {
        const answer = parseOfferAnswer(text, offered);
        if (answer?.kind === 'choose') {
          expect(answer.choice).toBeGreaterThanOrEqual(1);
          expect(answer.choice).toBeLessThanOrEqual(offered);
        }
      }),
    );
  });
});

describe('choosing the slots to offer', () => {
  const current = NOW + 48 * HOUR;

  it("offers the practitioner's own three earliest, one per start, not the current time", () => {
    const open = [
      slot(NOW + 30 * HOUR, 'ben'),
      slot(current, 'ana'),
      slot(NOW + 26 * HOUR, 'ana'),
      slot(NOW + 25 * HOUR, 'ana'),
      slot(NOW + 25 * HOUR, 'ana'),
      slot(NOW + 27 * HOUR, 'ana'),
      slot(NOW + 28 * HOUR, 'ana'),
    ];
    const chosen = chooseOfferSlots(open, {
      now: NOW,
      practitionerId: 'ana',
      currentStart: current,
    });
    expect(chosen.map((s) => (Date.parse(s.start) - NOW) / HOUR)).toEqual([25, 26, 27]);
    expect(chosen.every((s) => s.practitionerId === 'ana')).toBe(true);
  });

  it('offers the first available when the practitioner has none', () => {
    const open = [slot(NOW + 30 * HOUR, 'ben'), slot(NOW + 29 * HOUR, 'cy')];
    const chosen = chooseOfferSlots(open, {
      now: NOW,
      practitionerId: 'ana',
      currentStart: current,
    });
    expect(chosen.map((s) => s.practitionerId)).toEqual(['cy', 'ben']);
  });

  it('leaves out slots too soon and slots offered before (an N)', () => {
    const open = [slot(NOW + HOUR), slot(NOW + 5 * HOUR), slot(NOW + 6 * HOUR)];
    const chosen = chooseOfferSlots(open, {
      now: NOW,
      practitionerId: 'ana',
      currentStart: current,
      exclude: [new Date(NOW + 5 * HOUR).toISOString()],
    });
    expect(chosen.map((s) => (Date.parse(s.start) - NOW) / HOUR)).toEqual([6]);
  });

  it('never offers more than three, a start twice, or one within the lead (property)', () => {
    const slots = fc.array(
      fc
        .record({ hours: fc.integer({ min: -5, max: 200 }), who: fc.constantFrom('ana', 'ben') })
        .map(({ hours, who }) => slot(NOW + hours * HOUR, who)),
      { maxLength: 30 },
    );
    fc.assert(
      fc.property(slots, (open) => {
        const chosen = chooseOfferSlots(open, {
          now: NOW,
          practitionerId: 'ana',
          currentStart: current,
        });
        const starts = chosen.map((s) => Date.parse(s.start));
        expect(chosen.length).toBeLessThanOrEqual(3);
        expect(new Set(starts).size).toBe(starts.length);
        expect(starts.every((s) => s >= NOW + OFFER_MIN_LEAD_MS && s !== current)).toBe(true);
        expect([...starts].sort((a, b) => a - b)).toEqual(starts);
      }),
    );
  });
});

describe('when an offer ends', () => {
  it('lasts 24 hours, or ends an hour before its first slot if that is sooner', () => {
    expect(offerExpiry(NOW, [slot(NOW + 72 * HOUR)])).toBe(NOW + OFFER_TTL_MS);
    expect(offerExpiry(NOW, [slot(NOW + 10 * HOUR), slot(NOW + 3 * HOUR)])).toBe(NOW + 2 * HOUR);
    expect(offerExpiry(NOW, [slot(NOW + HOUR / 2)])).toBeNull();
    expect(offerExpiry(NOW, [])).toBeNull();
  });

  it('always ends after now and before every offered slot (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 500 }), { minLength: 1 }), (hours) => {
        const offered = hours.map((h) => slot(NOW + h * HOUR));
        const expiry = offerExpiry(NOW, offered);
        if (expiry === null) return;
        expect(expiry).toBeGreaterThan(NOW);
        expect(expiry).toBeLessThanOrEqual(NOW + OFFER_TTL_MS);
        for (const s of offered) expect(expiry).toBeLessThan(Date.parse(s.start));
      }),
    );
  });
});

describe('the text of the choices', () => {
  it("lists the slots numbered, in the patient's zone and language", () => {
    const offered = [
      slot(Date.parse('2030-03-06T14:00:00Z')),
      slot(Date.parse('2030-03-07T19:30:00Z')),
    ];
    expect(offerChoicesText(offered, 'America/New_York', 'en')).toBe(
      '1) Wed, Mar 6, 9:00 AM 2) Thu, Mar 7, 2:30 PM',
    );
    expect(offerChoicesText(offered, 'America/Los_Angeles', 'es')).toMatch(
      /^1\) mié, 6 de mar, 6:00/,
    );
  });

  it('keeps the choices in GSM-7: "sáb" without its accent, plain spaces', () => {
    const saturday = [slot(Date.parse('2030-03-09T15:00:00Z'))];
    const text = offerChoicesText(saturday, 'America/New_York', 'es');
    expect(text).toMatch(/^1\) sab, 9 de mar, 10:00/);
    expect(smsSegments(`${text} `.repeat(4)).encoding).toBe('GSM-7');
  });

  it('reads stored slots back, dropping any that are malformed', () => {
    const good = slot(NOW);
    expect(offeredSlotsOf([good, { start: 'x', end: good.end }, null, 3])).toEqual([good]);
    expect(offeredSlotsOf('nope')).toEqual([]);
  });
});
