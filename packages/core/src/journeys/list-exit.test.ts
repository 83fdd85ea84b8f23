import { describe, expect, it } from 'vitest';
import { exitEnrolment, initialState, stepEnrolment } from './engine.js';
import { reminderJourney } from './fixtures.js';
import { LEFT_LIST, startsOnList } from './list-exit.js';

const LIST = { id: '0f8fad5b-d9cb-469f-a165-70867728950e', key: 'due-for-preventive-screening' };

describe('startsOnList', () => {
  it('matches a list trigger naming the list by its id or by its key', () => {
    expect(startsOnList({ kind: 'list', list: LIST.id }, LIST)).toBe(true);
    expect(startsOnList({ kind: 'list', list: LIST.key }, LIST)).toBe(true);
  });

  it('does not match another list, a list without a key, or an event trigger', () => {
    expect(startsOnList({ kind: 'list', list: 'other-list' }, LIST)).toBe(false);
    expect(startsOnList({ kind: 'list', list: LIST.key }, { id: LIST.id, key: null })).toBe(false);
    expect(startsOnList({ kind: 'event', event: 'appointment.booked' }, LIST)).toBe(false);
  });
});

describe('exitEnrolment', () => {
  const journey = reminderJourney();
  const context = {
    attributes: {},
    times: { 'appointment.start': '2026-12-10T15:00:00.000Z' },
    timeZone: 'America/New_York',
    seed: 'enrolment-1',
  };

  it('ends a waiting enrolment as exited with the reason: no wake, nothing awaited, the node kept', () => {
    const waiting = stepEnrolment(
      journey,
      initialState(journey),
      context,
      { kind: 'start' },
      new Date('2026-12-01T15:00:00.000Z'),
    ).state;
    expect(waiting.wakeAt).not.toBeNull();
    const ended = exitEnrolment(waiting, LEFT_LIST);
    expect(ended).toEqual({
      ...waiting,
      status: 'exited',
      wakeAt: null,
      awaiting: null,
      endReason: 'left-list',
    });
    // A wake after the exit moves nothing.
    const later = stepEnrolment(
      journey,
      ended,
      context,
      { kind: 'wake' },
      new Date('2026-12-09T15:00:00.000Z'),
    );
    expect(later.visited).toEqual([]);
    expect(later.effects).toEqual([]);
  });

  it('leaves an enrolment that already ended as it was', () => {
    const completed = { ...initialState(journey), status: 'completed' as const, endReason: 'done' };
    expect(exitEnrolment(completed, LEFT_LIST)).toBe(completed);
  });
});
