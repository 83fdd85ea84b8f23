import {
  type JourneyDefinition,
  type JourneyNode,
  type NodeCounts,
  successors,
} from '@careloop/core';

/** One node of the builder's canvas: where it sits and what it says. */
export interface CanvasNode {
  id: string;
  position: { x: number; y: number };
  title: string;
  detail: string;
  type: JourneyNode['type'];
  counts: NodeCounts;
}

export interface CanvasEdge {
  id: string;
  source: string;
  target: string;
  label: string;
}

const NO_COUNTS: NodeCounts = { entered: 0, waiting: 0, completed: 0, exited: 0, failed: 0 };

/** What a node does, in a few words, for its box on the canvas. */
export function describeNode(node: JourneyNode): string {
  switch (node.type) {
    case 'wait': {
      const w = node.wait;
      if (w.kind === 'duration') return `wait ${w.minutes} min`;
      if (w.kind === 'time_of_day') return `wait until ${w.time} (patient's zone)`;
      if (w.kind === 'relative')
        return `wait until ${w.field} ${w.offsetMinutes >= 0 ? '+' : ''}${w.offsetMinutes} min`;
      return `wait for ${w.event} (≤ ${w.timeoutMinutes} min)`;
    }
    case 'condition':
      return `if ${node.branches.map((b) => `${b.when.attribute} ${b.when.op} ${(b.when.values ?? []).join('/')}`).join(' | ')}`;
    case 'split':
      return `split ${node.branches.map((b) => `${b.percent}%`).join(' / ')}`;
    case 'action': {
      const a = node.action;
      if (a.kind === 'send') return `send ${a.template} by ${a.channel}`;
      if (a.kind === 'task') return `task for ${a.team}`;
      if (a.kind === 'call') return `call task for ${a.team}`;
      if (a.kind === 'update') return `set ${a.field} = ${a.value}`;
      if (a.kind === 'offer-slots') return `offer open slots (else task for ${a.team})`;
      // Issue 11 (h11w): call a signed webhook.
      if (a.kind === 'webhook') return `webhook ${a.event ?? 'journey.step'}`;
      // Issue 11 (h11l): list membership.
      if (a.kind === 'enrol') return `enrol in ${a.journey}`;
      return `${a.kind === 'list_add' ? 'add to' : 'remove from'} list ${a.list}`;
    }
    case 'goal':
      return 'goal';
    case 'exit':
      return 'end';
  }
}

// Issue 11 (h11l): the trigger in the builder's header (a list's entry among them).
/** What starts the journey, in a few words. */
export function describeTrigger(trigger: JourneyDefinition['trigger']): string {
  switch (trigger.kind) {
    case 'event':
      return `starts on ${trigger.event}`;
    case 'manual':
      return 'starts when enrolled by hand or through the API';
    case 'list':
      return `starts when a patient enters list ${trigger.list}`;
  }
}

/** The journey as boxes and arrows; a node without a position is laid out in a column. */
export function toCanvas(
  journey: JourneyDefinition,
  counts: Record<string, NodeCounts>,
): { nodes: CanvasNode[]; edges: CanvasEdge[] } {
  const nodes = journey.nodes.map((node, i) => ({
    id: node.id,
    position: node.position ?? { x: 0, y: i * 110 },
    title: node.label ?? node.id,
    detail: describeNode(node),
    type: node.type,
    counts: counts[node.id] ?? NO_COUNTS,
  }));
  const edges = journey.nodes.flatMap((node) =>
    successors(node).map((edge) => ({
      id: `${node.id}:${edge.path}`,
      source: node.id,
      target: edge.to,
      label:
        edge.path === 'next'
          ? ''
          : edge.path.replace(/\/next$/, '').replace('branches/', 'branch '),
    })),
  );
  return { nodes, edges };
}

/** Conversion to the goal: converted enrolments over all that entered, as a percentage. */
export function conversion(counts: {
  active: number;
  completed: number;
  exited: number;
  failed: number;
  converted: number;
}): number | null {
  const total = counts.active + counts.completed + counts.exited + counts.failed;
  return total === 0 ? null : Math.round((counts.converted / total) * 1000) / 10;
}

// Issue 11 (h11b): composing a journey on the canvas. Every edit below returns a definition the
// schema accepts (each required link points somewhere); what is left for the graph check
// (a step nobody reaches, a link to a deleted step) is reported by core's validateJourney.

/** The canvas id of the trigger's box (node ids start with a letter, so it names no node). */
export const TRIGGER_NODE = '@trigger';

/** The steps the "Add step" menu offers. */
export const STEP_KINDS = ['wait', 'condition', 'split', 'send', 'task', 'goal', 'exit'] as const;
export type StepKind = (typeof STEP_KINDS)[number];

export const STEP_LABELS: Record<StepKind, string> = {
  wait: 'Wait',
  condition: 'Condition',
  split: 'A/B split',
  send: 'Send message',
  task: 'Create task',
  goal: 'Goal',
  exit: 'Exit',
};

/** A journey key from its name: "Welcome text!" → "welcome-text". */
export function keyFromName(name: string): string {
  const key = name
    .toLowerCase()
    .normalize('NFD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^[^a-z]+/, '')
    .replace(/-+$/, '')
    .slice(0, 64)
    .replace(/-+$/, '');
  return key;
}

/** A new journey: its trigger and a single exit step, ready for steps to be added before it. */
export function newJourney(input: {
  name: string;
  key: string;
  trigger: JourneyDefinition['trigger'];
}): JourneyDefinition {
  return {
    key: input.key,
    name: input.name,
    trigger: input.trigger,
    reentry: 'never',
    entry: 'end',
    nodes: [{ id: 'end', type: 'exit', label: 'End', position: { x: 0, y: 0 } }],
  };
}

function freeId(journey: JourneyDefinition, base: string): string {
  const taken = new Set(journey.nodes.map((n) => n.id));
  if (!taken.has(base)) return base;
  for (let i = 2; ; i++) if (!taken.has(`${base}-${i}`)) return `${base}-${i}`;
}

/** A step's defaults: valid alone, its links to `to` (the journey's end). */
function stepDefaults(kind: StepKind, id: string, to: string): JourneyNode {
  switch (kind) {
    case 'wait':
      return { id, type: 'wait', wait: { kind: 'duration', minutes: 1440 }, next: to };
    case 'condition':
      return {
        id,
        type: 'condition',
        branches: [
          { when: { attribute: 'patient.has_phone', op: 'equals', values: [true] }, next: to },
        ],
        otherwise: to,
      };
    case 'split':
      return {
        id,
        type: 'split',
        branches: [
          { percent: 50, next: to },
          { percent: 50, next: to },
        ],
      };
    case 'send':
      return {
        id,
        type: 'action',
        action: {
          kind: 'send',
          channel: 'preferred',
          template: 'choose-a-template',
          purpose: 'treatment',
          validFor: { kind: 'duration', minutes: 1440 },
        },
        next: to,
      };
    case 'task':
      return {
        id,
        type: 'action',
        action: { kind: 'task', title: 'Follow up with the patient', team: 'care-coordination' },
        next: to,
      };
    case 'goal':
      return { id, type: 'goal', label: 'Goal' };
    case 'exit':
      return { id, type: 'exit', label: 'End' };
  }
}

/**
 * Adds a step below `near` (or below the lowest one). Its links go to the journey's first exit,
 * added too when there is none, so the definition stays schema-valid; nothing links to the new
 * step until it is connected.
 */
export function addStep(
  journey: JourneyDefinition,
  kind: StepKind,
  near: string | null,
): { journey: JourneyDefinition; id: string } {
  const id = freeId(journey, kind);
  const anchor = journey.nodes.find((n) => n.id === near)?.position;
  const lowest = Math.max(0, ...journey.nodes.map((n) => n.position?.y ?? 0));
  const position = anchor ? { x: anchor.x + 40, y: anchor.y + 130 } : { x: 0, y: lowest + 130 };
  let nodes = journey.nodes;
  let end = nodes.find((n) => n.type === 'exit')?.id;
  if (end === undefined && kind !== 'goal' && kind !== 'exit') {
    end = freeId(journey, 'end');
    nodes = [
      ...nodes,
      { id: end, type: 'exit', label: 'End', position: { x: position.x + 260, y: position.y } },
    ];
  }
  const node = { ...stepDefaults(kind, id, end ?? id), position };
  return { journey: { ...journey, nodes: [...nodes, node] }, id };
}

/** Does this link lead to an exit (a default, free to be reconnected)? */
function isFreeLink(journey: JourneyDefinition, to: string): boolean {
  return journey.nodes.some((n) => n.id === to && n.type === 'exit');
}

function linkTo(journey: JourneyDefinition, node: JourneyNode, target: string): JourneyNode {
  switch (node.type) {
    case 'wait':
    case 'action':
    case 'goal':
      return { ...node, next: target };
    case 'exit':
      return node;
    case 'condition': {
      const free = node.branches.findIndex((b) => isFreeLink(journey, b.next));
      if (free >= 0)
        return {
          ...node,
          branches: node.branches.map((b, i) => (i === free ? { ...b, next: target } : b)),
        };
      return { ...node, otherwise: target };
    }
    case 'split': {
      const free = node.branches.findIndex((b) => isFreeLink(journey, b.next));
      const at = free >= 0 ? free : node.branches.length - 1;
      return {
        ...node,
        branches: node.branches.map((b, i) => (i === at ? { ...b, next: target } : b)),
      };
    }
  }
}

/**
 * Links `source` to `target`: the trigger sets the entry; a condition or split takes its first
 * branch still leading to an exit (a condition then its `otherwise`), else its last one; an exit
 * has no way out and is left unchanged.
 */
export function connect(
  journey: JourneyDefinition,
  source: string,
  target: string,
): JourneyDefinition {
  if (source === target || !journey.nodes.some((n) => n.id === target)) return journey;
  if (source === TRIGGER_NODE) return { ...journey, entry: target };
  const nodes = journey.nodes.map((node) =>
    node.id === source ? linkTo(journey, node, target) : node,
  );
  return { ...journey, nodes };
}

function relink(node: JourneyNode, gone: string, to: string | undefined): JourneyNode {
  const swap = (ref: string) => (ref === gone && to !== undefined ? to : ref);
  switch (node.type) {
    case 'wait': {
      const w = node.wait;
      const wait =
        w.kind === 'event'
          ? { ...w, timeout: swap(w.timeout) }
          : w.kind === 'relative' && w.late === gone
            ? { kind: w.kind, field: w.field, offsetMinutes: w.offsetMinutes }
            : w;
      return { ...node, wait, next: swap(node.next) };
    }
    case 'action':
      return { ...node, next: swap(node.next) };
    case 'goal': {
      if (node.next !== gone) return node;
      const kept: JourneyNode = { id: node.id, type: 'goal' };
      if (node.label !== undefined) kept.label = node.label;
      if (node.position !== undefined) kept.position = node.position;
      return kept;
    }
    case 'condition':
      return {
        ...node,
        otherwise: swap(node.otherwise),
        branches: node.branches.map((b) => ({ ...b, next: swap(b.next) })),
      };
    case 'split':
      return { ...node, branches: node.branches.map((b) => ({ ...b, next: swap(b.next) })) };
    case 'exit':
      return node;
  }
}

/**
 * Deletes a step. Links to it go on to its own `next` when it has one (a step taken out of a
 * chain closes the gap); a goal's optional link is dropped; any other link is left naming the
 * deleted step for the validator to report. The last step cannot be deleted.
 */
export function removeStep(journey: JourneyDefinition, id: string): JourneyDefinition {
  const gone = journey.nodes.find((n) => n.id === id);
  if (!gone || journey.nodes.length === 1) return journey;
  const onward = 'next' in gone ? gone.next : undefined;
  const nodes = journey.nodes.filter((n) => n.id !== id).map((n) => relink(n, id, onward));
  const entry = journey.entry === id ? (onward ?? nodes[0]?.id ?? id) : journey.entry;
  return { ...journey, entry, nodes };
}

/** Replaces one step (a form's edit). */
export function replaceStep(journey: JourneyDefinition, node: JourneyNode): JourneyDefinition {
  return { ...journey, nodes: journey.nodes.map((n) => (n.id === node.id ? node : n)) };
}
