import { describe, expect, it } from 'vitest';
import { type EncounterState, importedDischarge } from './discharge.js';

const NOW = new Date('2026-12-06T12:00:00Z');
const hoursAgo = (h: number) => new Date(NOW.getTime() - h * 3_600_000);
const stay = (over: Partial<EncounterState> = {}): EncounterState => ({
  status: 'finished',
  class: 'inpatient',
  endAt: hoursAgo(3),
  ...over,
});

describe('importedDischarge', () => {
  it('reads a stay first heard of as finished, ended within the window, as a discharge at its end', () => {
    expect(importedDischarge(null, stay(), NOW)).toEqual(hoursAgo(3));
    expect(importedDischarge(null, stay({ class: 'emergency' }), NOW)).toEqual(hoursAgo(3));
  });

  it('reads a stay that went from in progress to finished as a discharge', () => {
    const before = stay({ status: 'in-progress', endAt: null });
    expect(importedDischarge(before, stay(), NOW)).toEqual(hoursAgo(3));
  });

  it('announces nothing when a finished stay is sent again (news only once)', () => {
    expect(importedDischarge(stay(), stay(), NOW)).toBeNull();
    expect(importedDischarge(stay(), stay({ endAt: hoursAgo(1) }), NOW)).toBeNull();
  });

  it('announces nothing for a stay that ended before the window (a history import)', () => {
    expect(importedDischarge(null, stay({ endAt: hoursAgo(48) }), NOW)).toEqual(hoursAgo(48));
    expect(importedDischarge(null, stay({ endAt: hoursAgo(48.01) }), NOW)).toBeNull();
    expect(
      importedDischarge(null, stay({ endAt: new Date('2019-03-01T10:00:00Z') }), NOW),
    ).toBeNull();
  });

  it('is no discharge for an ambulatory visit, unless the source gives a discharge disposition', () => {
    expect(importedDischarge(null, stay({ class: 'ambulatory' }), NOW)).toBeNull();
    expect(
      importedDischarge(null, stay({ class: 'ambulatory', dischargeDisposition: true }), NOW),
    ).toEqual(hoursAgo(3));
  });

  it('is no discharge while the stay is open or when it was cancelled', () => {
    expect(importedDischarge(null, stay({ status: 'in-progress', endAt: null }), NOW)).toBeNull();
    expect(
      importedDischarge(stay({ status: 'in-progress' }), stay({ status: 'cancelled' }), NOW),
    ).toBeNull();
  });

  it('dates a stay seen closing without an end to when it was heard of; a first sight of one, never', () => {
    const before = stay({ status: 'in-progress', endAt: null });
    expect(importedDischarge(before, stay({ endAt: null }), NOW)).toEqual(NOW);
    expect(importedDischarge(null, stay({ endAt: null }), NOW)).toBeNull();
  });
});
