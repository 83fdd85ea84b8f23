import { describe, expect, it } from 'vitest';
import {
  type EnrolmentContext,
  type EnrolmentState,
  exitEnrolment,
  hash32,
  initialState,
  journeyStepKey,
  nextTimeOfDay,
  type StepInput,
  stepEnrolment,
} from './engine.js';
import { reminderJourney } from './fixtures.js';
import type { JourneyDefinition } from './schema.js';
import { simulateJourney } from './simulate.js';

const START = '2026-12-10T15:00:00.000Z';
const context = (overrides: Partial<EnrolmentContext> = {}): EnrolmentContext => ({
  attributes: { 'patient.language': 'en' },
  times: { 'appointment.start': START },
  timeZone: 'America/New_York',
  seed: 'enrolment-1',
  ...overrides,
});

/** A fake clock: each call steps the journey at the instant given. */
function driver(journey: JourneyDefinition, ctx = context()) {
  let state: EnrolmentState = initialState(journey);
  return {
    step(input: StepInput, at: string) {
      const result = stepEnrolment(journey, state, ctx, input, new Date(at));
      state = result.state;
      return result;
    },
    get state() {
      return state;
    },
  };
}

describe('stepEnrolment', () => {
  it('waits until 2 days before the appointment, then sends an SMS valid until 2 hours before', () => {
    const d = driver(reminderJourney());
    const started = d.step({ kind: 'start' }, '2026-12-01T09:00:00Z');
    expect(started.effects).toEqual([]);
    expect(d.state).toMatchObject({
      status: 'active',
      node: 'wait-2d',
      wakeAt: '2026-12-08T15:00:00.000Z',
    });
    // A timer that fires early (a stale job) does nothing.
    expect(d.step({ kind: 'wake' }, '2026-12-08T14:59:59Z').visited).toEqual([]);
    const woke = d.step({ kind: 'wake' }, '2026-12-08T15:00:00Z');
    expect(woke.effects).toEqual([
      expect.objectContaining({
        nodeId: 'sms',
        occurrence: 1,
        validUntil: '2026-12-10T13:00:00.000Z',
      }),
    ]);
    expect(d.state).toMatchObject({
      node: 'reply',
      awaiting: 'message.received',
      wakeAt: '2026-12-09T01:00:00.000Z',
    });
  });

  it('confirms on "c" (any case, surrounding spaces), reaches the goal, then sends the 2-hour reminder', () => {
    const d = driver(reminderJourney());
    d.step({ kind: 'start' }, '2026-12-01T09:00:00Z');
    d.step({ kind: 'wake' }, '2026-12-08T15:00:00Z');
    const reply = d.step(
      { kind: 'event', event: 'message.received', attributes: { 'message.text': '  c thanks ' } },
      '2026-12-08T16:00:00Z',
    );
    expect(reply.visited.map((v) => v.nodeId)).toEqual([
      'route',
      'confirm',
      'confirmed',
      'wait-2h',
    ]);
    expect(reply.effects.map((e) => e.action.kind)).toEqual(['update']);
    expect(d.state.convertedAt).toBe('2026-12-08T16:00:00.000Z');
    const last = d.step({ kind: 'wake' }, '2026-12-10T13:00:00Z');
    expect(last.effects.map((e) => [e.nodeId, e.validUntil])).toEqual([['last', START]]);
    expect(d.state).toMatchObject({ status: 'completed', endReason: 'done' });
  });

  it('creates a front-desk task on "R", and waits again on an answer it does not know', () => {
    const d = driver(reminderJourney());
    d.step({ kind: 'start' }, '2026-12-01T09:00:00Z');
    d.step({ kind: 'wake' }, '2026-12-08T15:00:00Z');
    const unknown = d.step(
      { kind: 'event', event: 'message.received', attributes: { 'message.text': 'what?' } },
      '2026-12-08T16:00:00Z',
    );
    expect(unknown.visited.map((v) => `${v.nodeId}#${v.occurrence}`)).toEqual([
      'route#1',
      'reply#2',
    ]);
    const r = d.step(
      { kind: 'event', event: 'message.received', attributes: { 'message.text': 'R' } },
      '2026-12-08T17:00:00Z',
    );
    expect(r.effects.map((e) => e.action.kind)).toEqual(['task']);
    expect(d.state).toMatchObject({
      status: 'completed',
      endReason: 'handed-over',
      convertedAt: null,
    });
  });

  it('goes on to the 2-hour reminder when no reply comes before the timeout', () => {
    const d = driver(reminderJourney());
    d.step({ kind: 'start' }, '2026-12-01T09:00:00Z');
    d.step({ kind: 'wake' }, '2026-12-08T15:00:00Z');
    const timeout = d.step({ kind: 'wake' }, '2026-12-09T01:00:00Z');
    expect(timeout.visited.map((v) => v.nodeId)).toEqual(['wait-2h']);
    expect(d.state.wakeAt).toBe('2026-12-10T13:00:00.000Z');
  });

  it('skips a reminder whose moment has passed on arrival (booked the day before)', () => {
    const d = driver(reminderJourney());
    const started = d.step({ kind: 'start' }, '2026-12-09T15:00:00Z');
    expect(started.visited.map((v) => v.nodeId)).toEqual(['wait-2d', 'wait-2h']);
    expect(started.effects).toEqual([]);
  });

  it('moves its wait when the appointment is rescheduled, and exits when it is cancelled', () => {
    const ctx = context();
    const d = driver(reminderJourney(), ctx);
    d.step({ kind: 'start' }, '2026-12-01T09:00:00Z');
    ctx.times['appointment.start'] = '2026-12-20T15:00:00.000Z';
    d.step({ kind: 'event', event: 'appointment.rescheduled' }, '2026-12-02T09:00:00Z');
    expect(d.state.wakeAt).toBe('2026-12-18T15:00:00.000Z');
    // The old moment comes: nothing is sent.
    expect(d.step({ kind: 'wake' }, '2026-12-08T15:00:00Z').effects).toEqual([]);
    d.step({ kind: 'event', event: 'appointment.cancelled' }, '2026-12-03T09:00:00Z');
    expect(d.state).toMatchObject({
      status: 'exited',
      endReason: 'appointment.cancelled',
      wakeAt: null,
    });
    expect(d.step({ kind: 'wake' }, '2026-12-18T15:00:00Z').visited).toEqual([]);
  });

  it('starts once: a second start (a redelivered job) does nothing', () => {
    const d = driver(reminderJourney());
    d.step({ kind: 'start' }, '2026-12-01T09:00:00Z');
    expect(d.step({ kind: 'start' }, '2026-12-01T09:00:01Z').visited).toEqual([]);
  });

  it('splits by a stable hash of the enrolment, near the percentages', () => {
    const journey: JourneyDefinition = {
      ...reminderJourney(),
      entry: 's',
      nodes: [
        {
          id: 's',
          type: 'split',
          branches: [
            { percent: 30, next: 'a' },
            { percent: 70, next: 'b' },
          ],
        },
        { id: 'a', type: 'exit' },
        { id: 'b', type: 'exit' },
      ],
    };
    const ends = Array.from({ length: 2000 }, (_, i) => {
      const r = stepEnrolment(
        journey,
        initialState(journey),
        context({ seed: `e${i}` }),
        { kind: 'start' },
        new Date(START),
      );
      return r.state.endReason;
    });
    const a = ends.filter((e) => e === 'a').length;
    expect(a).toBeGreaterThan(520);
    expect(a).toBeLessThan(680);
    const again = stepEnrolment(
      journey,
      initialState(journey),
      context({ seed: 'e7' }),
      { kind: 'start' },
      new Date(START),
    );
    expect(again.state.endReason).toBe(ends[7]);
    expect(hash32('abc')).toBe(hash32('abc'));
  });

  it('fails an enrolment that loops without a wait instead of spinning', () => {
    const journey: JourneyDefinition = {
      ...reminderJourney(),
      entry: 'a',
      nodes: [
        { id: 'a', type: 'goal', next: 'b' },
        { id: 'b', type: 'goal', next: 'a' },
      ],
    };
    const r = stepEnrolment(
      journey,
      initialState(journey),
      context(),
      { kind: 'start' },
      new Date(START),
    );
    expect(r.state).toMatchObject({ status: 'failed', endReason: 'too_many_nodes' });
  });

  it('keys each send by enrolment, node and occurrence', () => {
    expect(journeyStepKey('e1', 'sms', 2)).toBe('journey:e1:sms:2');
  });
});

describe('nextTimeOfDay', () => {
  it('is later today when the time has not come, else tomorrow, in the zone', () => {
    expect(
      nextTimeOfDay(new Date('2026-12-06T13:00:00Z'), '10:00', 'America/New_York').toISOString(),
    ).toBe('2026-12-06T15:00:00.000Z');
    expect(
      nextTimeOfDay(new Date('2026-12-06T15:00:00Z'), '10:00', 'America/New_York').toISOString(),
    ).toBe('2026-12-07T15:00:00.000Z');
  });

  it('keeps the wall-clock time across a DST change', () => {
    // New York falls back on 1 November 2026: 10:00 is 14:00 UTC before and 15:00 UTC after.
    expect(
      nextTimeOfDay(new Date('2026-10-31T16:00:00Z'), '10:00', 'America/New_York').toISOString(),
    ).toBe('2026-11-01T15:00:00.000Z');
  });
});

// Issue 11 (h11j): a reminder at a time of day, valid 4 hours from when it was due.
describe('a duration validity counts from when the step was due', () => {
  const daily: JourneyDefinition = {
    key: 'daily',
    name: 'Daily',
    trigger: { kind: 'manual' },
    reentry: 'after_exit',
    entry: 'nine',
    nodes: [
      { id: 'nine', type: 'wait', wait: { kind: 'time_of_day', time: '09:00' }, next: 'send' },
      {
        id: 'send',
        type: 'action',
        action: {
          kind: 'send',
          channel: 'preferred',
          template: 'medication-reminder',
          purpose: 'treatment',
          validFor: { kind: 'duration', minutes: 240 },
        },
        next: 'done',
      },
      { id: 'done', type: 'exit' },
    ],
  };

  it('on time: valid until 13:00 local', () => {
    const run = driver(daily);
    run.step({ kind: 'start' }, '2026-12-01T20:00:00Z');
    expect(run.state.wakeAt).toBe('2026-12-02T14:00:00.000Z');
    const woke = run.step({ kind: 'wake' }, '2026-12-02T14:00:03Z');
    expect(woke.effects[0]?.validUntil).toBe('2026-12-02T18:00:00.000Z');
  });

  it('woken 5 hours late (a worker was down): already void, so never sent late', () => {
    const run = driver(daily);
    run.step({ kind: 'start' }, '2026-12-01T20:00:00Z');
    const woke = run.step({ kind: 'wake' }, '2026-12-02T19:00:00Z');
    expect(woke.effects[0]?.validUntil).toBe('2026-12-02T18:00:00.000Z');
    expect(run.state.status).toBe('completed');
  });

  it('a step caused by an event counts from the event', () => {
    const onEvent: JourneyDefinition = {
      ...daily,
      entry: 'send',
      nodes: daily.nodes.filter((n) => n.id !== 'nine'),
    };
    const run = driver(onEvent);
    const started = run.step({ kind: 'start' }, '2026-12-02T19:00:00Z');
    expect(started.effects[0]?.validUntil).toBe('2026-12-02T23:00:00.000Z');
  });
});

describe('simulateJourney', () => {
  it('prints the path and the messages of a patient who confirms, sending nothing', () => {
    const path = simulateJourney(
      reminderJourney(),
      {
        label: 'replies C',
        context: context(),
        events: [
          {
            afterMinutes: 7 * 24 * 60 + 8 * 60,
            event: 'message.received',
            attributes: { 'message.text': 'C' },
          },
        ],
      },
      new Date('2026-12-01T09:00:00Z'),
    );
    expect(path).toMatchObject({ status: 'completed', converted: true, sends: 2 });
    expect(path.lines.map((l) => l.text)).toContain(
      'send sms appointment-reminder-2d (valid until 2026-12-10T13:00:00.000Z)',
    );
    expect(path.lines.at(-1)?.text).toBe('end completed (done)');
  });
});

describe('exitEnrolment', () => {
  it('ends an active enrolment as exited with the reason, its wait and timer gone; an ended one stays as it was', () => {
    const run = driver(reminderJourney());
    run.step({ kind: 'start' }, '2026-12-01T15:00:00.000Z');
    expect(run.state).toMatchObject({ status: 'active' });
    expect(run.state.wakeAt).not.toBeNull();
    const exited = exitEnrolment(run.state, 'referral.revoked');
    expect(exited).toMatchObject({
      status: 'exited',
      wakeAt: null,
      awaiting: null,
      endReason: 'referral.revoked',
      node: run.state.node,
    });
    expect(exitEnrolment(exited, 'referral.completed')).toBe(exited);
  });
});
