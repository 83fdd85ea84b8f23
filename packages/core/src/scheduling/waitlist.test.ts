import { describe, expect, it } from 'vitest';
import {
  fitsAvailability,
  followUpWindow,
  offerFanOut,
  rankCandidates,
  suits,
  type WaitlistCandidate,
  wallReading,
} from './waitlist.js';

const NY = 'America/New_York';
/** Tuesday 5 March 2030, 09:00 in New York. */
const TUE_9 = Date.parse('2030-03-05T14:00:00Z');
const MIN = 60_000;

const candidate = (over: Partial<WaitlistCandidate> = {}): WaitlistCandidate => ({
  id: 'a',
  priority: 'routine',
  joinedAt: 0,
  practitionerId: null,
  locationId: null,
  earliest: null,
  bookBefore: null,
  availability: { weekly: [], dates: [] },
  ...over,
});

const slot = {
  start: TUE_9,
  end: TUE_9 + 30 * MIN,
  practitionerId: 'p',
  locationId: 'l',
  timeZone: NY,
};

describe('wall readings', () => {
  it('reads an instant on the location’s clock, across the spring change', () => {
    expect(wallReading(TUE_9, NY)).toEqual({ date: '2030-03-05', weekday: 2, minutes: 9 * 60 });
    // Sunday 10 March 2030: clocks go forward at 02:00; 07:00Z is 03:00 EDT.
    expect(wallReading(Date.parse('2030-03-10T07:00:00Z'), NY)).toEqual({
      date: '2030-03-10',
      weekday: 0,
      minutes: 3 * 60,
    });
  });
});

describe('fitsAvailability', () => {
  it('takes any time when nothing is stated', () => {
    expect(fitsAvailability({ weekly: [], dates: [] }, TUE_9, TUE_9 + 30 * MIN, NY)).toBe(true);
  });

  it('needs the whole visit inside a weekly range of its weekday', () => {
    const tuesdayMornings = { weekly: [{ weekday: 2, start: '09:00', end: '09:30' }], dates: [] };
    expect(fitsAvailability(tuesdayMornings, TUE_9, TUE_9 + 30 * MIN, NY)).toBe(true);
    expect(fitsAvailability(tuesdayMornings, TUE_9, TUE_9 + 45 * MIN, NY)).toBe(false);
    const wednesdays = { weekly: [{ weekday: 3, start: '08:00', end: '17:00' }], dates: [] };
    expect(fitsAvailability(wednesdays, TUE_9, TUE_9 + 30 * MIN, NY)).toBe(false);
  });

  it('takes a whole listed date', () => {
    expect(
      fitsAvailability({ weekly: [], dates: ['2030-03-05'] }, TUE_9, TUE_9 + 30 * MIN, NY),
    ).toBe(true);
    expect(
      fitsAvailability({ weekly: [], dates: ['2030-03-06'] }, TUE_9, TUE_9 + 30 * MIN, NY),
    ).toBe(false);
  });

  it('reads the date in the location’s zone, not UTC', () => {
    // 23:30 on Tuesday in New York is Wednesday in UTC.
    const late = Date.parse('2030-03-06T04:30:00Z');
    expect(fitsAvailability({ weekly: [], dates: ['2030-03-05'] }, late, late + 30 * MIN, NY)).toBe(
      true,
    );
    expect(fitsAvailability({ weekly: [], dates: ['2030-03-06'] }, late, late + 30 * MIN, NY)).toBe(
      false,
    );
  });
});

describe('suits', () => {
  it('refuses a slot of another practitioner or location, outside the dates, or in the past', () => {
    const now = TUE_9 - 60 * MIN;
    expect(suits(candidate(), slot, now)).toBe(true);
    expect(suits(candidate({ practitionerId: 'q' }), slot, now)).toBe(false);
    expect(suits(candidate({ locationId: 'm' }), slot, now)).toBe(false);
    expect(suits(candidate({ bookBefore: '2030-03-04' }), slot, now)).toBe(false);
    expect(suits(candidate({ bookBefore: '2030-03-05' }), slot, now)).toBe(true);
    expect(suits(candidate({ earliest: '2030-03-06' }), slot, now)).toBe(false);
    expect(suits(candidate(), slot, TUE_9)).toBe(false);
  });

  it('never offers to a patient who has not said when they can come', () => {
    expect(suits(candidate({ availability: null }), slot, TUE_9 - MIN)).toBe(false);
  });
});

describe('rankCandidates', () => {
  it('asks the most urgent first, then the longest waiting', () => {
    const ranked = rankCandidates([
      candidate({ id: 'new-routine', joinedAt: 3 }),
      candidate({ id: 'old-routine', joinedAt: 1 }),
      candidate({ id: 'new-urgent', priority: 'urgent', joinedAt: 5 }),
      candidate({ id: 'soon', priority: 'soon', joinedAt: 9 }),
    ]);
    expect(ranked.map((c) => c.id)).toEqual(['new-urgent', 'soon', 'old-routine', 'new-routine']);
  });
});

describe('offerFanOut', () => {
  it('offers to one at a time, or to the broadcast size', () => {
    expect(offerFanOut('sequential', 5)).toBe(1);
    expect(offerFanOut('broadcast', 3)).toBe(3);
  });
});

describe('followUpWindow', () => {
  it('falls due N months on, two weeks either side', () => {
    expect(followUpWindow('2030-03-04', 3)).toEqual({
      due: '2030-06-04',
      earliest: '2030-05-21',
      bookBefore: '2030-06-18',
    });
  });

  it('keeps the day within a shorter month', () => {
    expect(followUpWindow('2030-01-31', 1).due).toBe('2030-02-28');
    expect(followUpWindow('2030-11-30', 3).due).toBe('2031-02-28');
  });
});
