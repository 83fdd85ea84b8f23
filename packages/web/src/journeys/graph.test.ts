import type { JourneyDefinition } from '@careloop/core';
import { type JourneyNode, validateJourney } from '@careloop/core';
import { describe, expect, it } from 'vitest';
import {
  addStep,
  connect,
  conversion,
  describeNode,
  describeTrigger,
  keyFromName,
  newJourney,
  removeStep,
  TRIGGER_NODE,
  toCanvas,
} from './graph';

const journey: JourneyDefinition = {
  key: 'j',
  name: 'J',
  trigger: { kind: 'manual' },
  reentry: 'never',
  entry: 'w',
  nodes: [
    {
      id: 'w',
      type: 'wait',
      wait: { kind: 'event', event: 'message.received', timeoutMinutes: 60, timeout: 'x' },
      next: 'g',
      position: { x: 10, y: 20 },
    },
    { id: 'g', type: 'goal', label: 'Replied' },
    { id: 'x', type: 'exit' },
  ],
};

describe('toCanvas', () => {
  it('draws every reference as an arrow, the timeout branch labelled, with per-node counts', () => {
    const { nodes, edges } = toCanvas(journey, {
      g: { entered: 3, waiting: 0, completed: 3, exited: 0, failed: 0 },
    });
    expect(nodes.map((n) => [n.id, n.title, n.position])).toEqual([
      ['w', 'w', { x: 10, y: 20 }],
      ['g', 'Replied', { x: 0, y: 110 }],
      ['x', 'x', { x: 0, y: 220 }],
    ]);
    expect(nodes[0]?.detail).toBe('wait for message.received (≤ 60 min)');
    expect(nodes[1]?.counts.completed).toBe(3);
    expect(edges.map((e) => `${e.source}→${e.target} ${e.label}`)).toEqual([
      'w→g ',
      'w→x wait/timeout',
    ]);
  });

  it('computes conversion to the goal, none without enrolments', () => {
    expect(conversion({ active: 1, completed: 2, exited: 1, failed: 0, converted: 1 })).toBe(25);
    expect(conversion({ active: 0, completed: 0, exited: 0, failed: 0, converted: 0 })).toBeNull();
  });
});

// Issue 11 (h11l): the list trigger and list actions on the canvas.
describe('lists in the builder', () => {
  it('names the list a journey starts on, adds to and removes from', () => {
    expect(describeTrigger({ kind: 'list', list: 'due-for-preventive-screening' })).toBe(
      'starts when a patient enters list due-for-preventive-screening',
    );
    const action = (kind: 'list_add' | 'list_remove') =>
      describeNode({
        id: 'a',
        type: 'action',
        action: { kind, list: 'recall' },
        next: 'x',
      });
    expect(action('list_add')).toBe('add to list recall');
    expect(action('list_remove')).toBe('remove from list recall');
  });
});

// Issue 11 (h11b): composing on the canvas.
describe('composing a journey', () => {
  const start = newJourney({
    name: 'Welcome text',
    key: keyFromName('Welcome text'),
    trigger: { kind: 'event', event: 'appointment.booked' },
  });
  const issues = (j: JourneyDefinition) => {
    const checked = validateJourney(j);
    return checked.ok ? [] : checked.issues.map((i) => `${i.code} ${i.path}`);
  };
  const node = (j: JourneyDefinition, id: string): JourneyNode | undefined =>
    j.nodes.find((n) => n.id === id);

  it('derives a key from the name and starts a valid journey ending at an exit', () => {
    expect(keyFromName('  Welcome text! 2')).toBe('welcome-text-2');
    expect(keyFromName('1st visit')).toBe('st-visit');
    expect(start.key).toBe('welcome-text');
    expect(issues(start)).toEqual([]);
  });

  it('adds every kind of step with valid defaults, unreached until connected', () => {
    for (const kind of ['wait', 'condition', 'split', 'send', 'task', 'goal', 'exit'] as const) {
      const added = addStep(start, kind, 'end');
      expect(node(added.journey, added.id)?.position).toEqual({ x: 40, y: 130 });
      expect(issues(added.journey)).toEqual([`unreachable /nodes/1`]);
    }
    const two = addStep(addStep(start, 'wait', null).journey, 'wait', null);
    expect(two.id).toBe('wait-2');
  });

  it('adds an exit for a step to lead to when the journey has none', () => {
    const onlyGoal: JourneyDefinition = {
      ...start,
      entry: 'g',
      nodes: [{ id: 'g', type: 'goal' }],
    };
    const added = addStep(onlyGoal, 'wait', 'g');
    expect(added.journey.nodes.map((n) => `${n.id}:${n.type}`)).toEqual([
      'g:goal',
      'end:exit',
      'wait:wait',
    ]);
  });

  it('connects the trigger, a chain and a goal into a journey that validates', () => {
    let j = start;
    for (const kind of ['wait', 'send', 'goal'] as const) j = addStep(j, kind, null).journey;
    j = connect(j, TRIGGER_NODE, 'wait');
    j = connect(j, 'wait', 'send');
    j = connect(j, 'send', 'goal');
    expect(j.entry).toBe('wait');
    expect(toCanvas(j, {}).edges.map((e) => `${e.source}>${e.target}`)).toEqual([
      'wait>send',
      'send>goal',
    ]);
    expect(issues(j)).toEqual(['unreachable /nodes/0']);
    expect(issues(removeStep(j, 'end'))).toEqual([]);
  });

  it('connects a condition or split branch by branch, exits never', () => {
    let j = addStep(
      addStep(addStep(start, 'condition', null).journey, 'goal', null).journey,
      'task',
      null,
    ).journey;
    j = connect(j, 'condition', 'goal');
    j = connect(j, 'condition', 'task');
    const condition = node(j, 'condition');
    expect(
      condition?.type === 'condition' && [condition.branches[0]?.next, condition.otherwise],
    ).toEqual(['goal', 'task']);
    let s = addStep(start, 'split', null).journey;
    s = connect(connect(connect(s, 'split', 'end'), 'split', 'split'), 'end', 'split');
    expect(s).toEqual(connect(addStep(start, 'split', null).journey, 'split', 'end'));
  });

  it('deletes a step, closing the gap in a chain and dropping a goal link to it', () => {
    let j = start;
    for (const kind of ['wait', 'send', 'goal'] as const) j = addStep(j, kind, null).journey;
    j = connect(
      connect(connect(connect(j, TRIGGER_NODE, 'wait'), 'wait', 'send'), 'send', 'goal'),
      'goal',
      'end',
    );
    const noSend = removeStep(j, 'send');
    expect(node(noSend, 'wait')).toMatchObject({ next: 'goal' });
    expect(issues(noSend)).toEqual([]);
    const noWait = removeStep(j, 'wait');
    expect(noWait.entry).toBe('send');
    const noEnd = removeStep(j, 'end');
    expect(node(noEnd, 'goal')).toEqual({
      id: 'goal',
      type: 'goal',
      label: 'Goal',
      position: { x: 0, y: 390 },
    });
    expect(removeStep(start, 'end')).toBe(start);
  });

  it('leaves a required link to a deleted exit for the validator to name', () => {
    const j = connect(addStep(start, 'wait', null).journey, TRIGGER_NODE, 'wait');
    expect(issues(removeStep(j, 'end'))).toEqual(['unknown_node /nodes/0/next']);
  });
});
