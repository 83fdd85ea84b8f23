import type { JourneyDefinition } from '@careloop/core';
import { describe, expect, it } from 'vitest';
import { conversion, describeNode, describeTrigger, toCanvas } from './graph';

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
