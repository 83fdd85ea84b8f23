import { describe, expect, it } from 'vitest';
import { initialState, stepEnrolment } from './engine.js';
import { reminderJourney } from './fixtures.js';
import { type JourneyDefinition, type JourneyNode, journeyListRefs } from './schema.js';
import { validateJourney } from './validate.js';

const codes = (input: unknown) => {
  const result = validateJourney(input);
  return result.ok ? [] : result.issues.map((i) => `${i.code} ${i.path}`);
};

const withNodes = (nodes: JourneyNode[], entry = nodes[0]?.id ?? 'a'): JourneyDefinition => ({
  ...reminderJourney(),
  entry,
  nodes,
});

describe('validateJourney', () => {
  it('accepts the reminder journey', () => {
    expect(codes(reminderJourney())).toEqual([]);
  });

  it('refuses a shape the schema does not allow, naming the field', () => {
    const journey = { ...reminderJourney(), reentry: 'sometimes' };
    expect(codes(journey)).toContainEqual(expect.stringMatching(/^schema \/reentry/));
    expect(codes({ ...reminderJourney(), extra: 1 })[0]).toMatch(/^schema/);
    expect(codes('not a journey')[0]).toMatch(/^schema/);
  });

  it('refuses a send without a validity window', () => {
    const journey = reminderJourney();
    const node = journey.nodes.find((n) => n.id === 'sms');
    if (node?.type !== 'action' || node.action.kind !== 'send') throw new Error('fixture');
    const { validFor: _dropped, ...action } = node.action;
    const broken = {
      ...journey,
      nodes: journey.nodes.map((n) => (n === node ? { ...node, action } : n)),
    };
    expect(codes(broken)[0]).toMatch(/^schema \/nodes\/1/);
  });

  it('names references to nodes that do not exist', () => {
    expect(codes(withNodes([{ id: 'a', type: 'goal', next: 'b' }]))).toEqual([
      'unknown_node /nodes/0/next',
    ]);
    expect(codes({ ...withNodes([{ id: 'a', type: 'exit' }]), entry: 'zz' })).toEqual([
      'unknown_node /entry',
    ]);
  });

  it('refuses duplicate ids, unreachable nodes and splits not summing to 100', () => {
    expect(
      codes(
        withNodes([
          { id: 'a', type: 'exit' },
          { id: 'a', type: 'exit' },
        ]),
      ),
    ).toEqual(['duplicate_node /nodes/1/id']);
    expect(
      codes(
        withNodes([
          { id: 'a', type: 'exit' },
          { id: 'b', type: 'exit' },
        ]),
      ),
    ).toEqual(['unreachable /nodes/1']);
    const split: JourneyNode = {
      id: 'a',
      type: 'split',
      branches: [
        { percent: 50, next: 'b' },
        { percent: 40, next: 'b' },
      ],
    };
    expect(codes(withNodes([split, { id: 'b', type: 'exit' }]))).toEqual([
      'split_total /nodes/0/branches',
    ]);
  });

  it('refuses a cycle that does not pass through a wait, and accepts one that does', () => {
    const spin: JourneyNode[] = [
      {
        id: 'a',
        type: 'condition',
        branches: [
          { when: { attribute: 'patient.language', op: 'equals', values: ['es'] }, next: 'b' },
        ],
        otherwise: 'c',
      },
      { id: 'b', type: 'goal', next: 'a' },
      { id: 'c', type: 'exit' },
    ];
    expect(codes(withNodes(spin))).toEqual(['cycle_without_wait /nodes/0']);
    // The reminder journey loops back to its reply wait on an unknown answer: that is fine.
    expect(codes(reminderJourney())).toEqual([]);
  });

  it('refuses a branch that never ends', () => {
    const trap: JourneyNode[] = [
      {
        id: 'a',
        type: 'condition',
        branches: [{ when: { attribute: 'patient.has_email', op: 'exists' }, next: 'w' }],
        otherwise: 'z',
      },
      { id: 'w', type: 'wait', wait: { kind: 'duration', minutes: 60 }, next: 'w2' },
      { id: 'w2', type: 'wait', wait: { kind: 'duration', minutes: 60 }, next: 'w' },
      { id: 'z', type: 'exit' },
    ];
    expect(codes(withNodes(trap))).toEqual(['no_end /nodes/1', 'no_end /nodes/2']);
  });

  it('asks for values where an operator needs them', () => {
    const node: JourneyNode = {
      id: 'a',
      type: 'condition',
      branches: [{ when: { attribute: 'message.text', op: 'first_word_in' }, next: 'b' }],
      otherwise: 'b',
    };
    expect(codes(withNodes([node, { id: 'b', type: 'exit' }]))).toEqual([
      'missing_values /nodes/0/branches/0/when/values',
    ]);
  });
});

// Issue 11 (h11l): entry into a list, and list actions.
describe('list trigger and list actions', () => {
  const listJourney = (list: unknown, actionList: unknown = 'due-for-preventive-screening') => ({
    ...withNodes([
      { id: 'off', type: 'action', action: { kind: 'list_remove', list: 'recall' }, next: 'on' },
      {
        id: 'on',
        type: 'action',
        action: { kind: 'list_add', list: actionList } as never,
        next: 'end',
      },
      { id: 'end', type: 'exit' },
    ]),
    trigger: { kind: 'list', list },
  });

  it('accepts a list named by its key or its id, in the trigger and in actions', () => {
    expect(codes(listJourney('due-for-preventive-screening'))).toEqual([]);
    expect(codes(listJourney('0b6f5d0e-2c1a-4d8e-9f3a-1b2c3d4e5f60'))).toEqual([]);
    expect(codes(listJourney('recall', '0b6f5d0e-2c1a-4d8e-9f3a-1b2c3d4e5f60'))).toEqual([]);
  });

  it('refuses a list reference that is neither a key nor an id, naming the field', () => {
    expect(codes(listJourney('Due for screening'))[0]).toMatch(/^schema \/trigger/);
    expect(codes(listJourney(''))[0]).toMatch(/^schema \/trigger/);
    expect(codes(listJourney('recall', 'DROP TABLE'))[0]).toMatch(/^schema \/nodes\/1/);
    expect(codes({ ...listJourney('recall'), trigger: { kind: 'list' } })[0]).toMatch(
      /^schema \/trigger/,
    );
  });

  it('lists every list a journey names with the path of each mention', () => {
    const checked = validateJourney(listJourney('due-for-preventive-screening', 'other'));
    if (!checked.ok) throw new Error('fixture');
    expect(journeyListRefs(checked.journey)).toEqual([
      { list: 'due-for-preventive-screening', path: '/trigger/list' },
      { list: 'recall', path: '/nodes/0/action/list' },
      { list: 'other', path: '/nodes/1/action/list' },
    ]);
  });

  it('the engine hands list actions to the runtime as effects, in order', () => {
    const checked = validateJourney(listJourney('recall'));
    if (!checked.ok) throw new Error('fixture');
    const journey = checked.journey;
    const step = stepEnrolment(
      journey,
      initialState(journey),
      { attributes: {}, times: {}, timeZone: 'UTC', seed: 'e1' },
      { kind: 'start' },
      new Date('2026-12-01T12:00:00Z'),
    );
    expect(step.effects.map((e) => e.action)).toEqual([
      { kind: 'list_remove', list: 'recall' },
      { kind: 'list_add', list: 'due-for-preventive-screening' },
    ]);
    expect(step.state.status).toBe('completed');
  });
});
