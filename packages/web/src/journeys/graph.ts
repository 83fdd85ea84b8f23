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
