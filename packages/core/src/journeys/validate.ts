import { checkJourneyDefinition, type JourneyDefinition, type JourneyNode } from './schema.js';

export type JourneyIssueCode =
  | 'schema'
  | 'duplicate_node'
  | 'unknown_node'
  | 'unreachable'
  | 'cycle_without_wait'
  | 'no_end'
  | 'split_total'
  | 'missing_values';

export interface JourneyIssue {
  code: JourneyIssueCode;
  /** JSON pointer of the offending part, e.g. `/nodes/3/next`. */
  path: string;
  message: string;
}

export type JourneyValidation =
  | { ok: true; journey: JourneyDefinition }
  | { ok: false; issues: JourneyIssue[] };

/** The nodes a node leads to, each with the JSON-pointer suffix naming the reference. */
export function successors(node: JourneyNode): { to: string; path: string }[] {
  switch (node.type) {
    case 'wait': {
      const out = [{ to: node.next, path: 'next' }];
      if (node.wait.kind === 'event') out.push({ to: node.wait.timeout, path: 'wait/timeout' });
      if (node.wait.kind === 'relative' && node.wait.late)
        out.push({ to: node.wait.late, path: 'wait/late' });
      return out;
    }
    case 'condition':
      return [
        ...node.branches.map((b, i) => ({ to: b.next, path: `branches/${i}/next` })),
        { to: node.otherwise, path: 'otherwise' },
      ];
    case 'split':
      return node.branches.map((b, i) => ({ to: b.next, path: `branches/${i}/next` }));
    case 'action':
      return [{ to: node.next, path: 'next' }];
    case 'goal':
      return node.next ? [{ to: node.next, path: 'next' }] : [];
    case 'exit':
      return [];
  }
}

/**
 * Checks a journey: its shape (the schema), then its graph: unique node ids, references to
 * nodes that exist, every node reachable from the entry, no cycle that does not pass through a
 * wait (it would spin without end), every node able to reach an end, splits summing to 100.
 */
export function validateJourney(input: unknown): JourneyValidation {
  if (!checkJourneyDefinition.Check(input)) {
    const issues = [...checkJourneyDefinition.Errors(input)].slice(0, 20).map(
      (e): JourneyIssue => ({
        code: 'schema',
        path: e.instancePath || '/',
        message: e.message,
      }),
    );
    return { ok: false, issues };
  }
  const journey = input as JourneyDefinition;
  const issues = graphIssues(journey);
  return issues.length === 0 ? { ok: true, journey } : { ok: false, issues };
}

function graphIssues(journey: JourneyDefinition): JourneyIssue[] {
  const issues: JourneyIssue[] = [];
  const index = new Map<string, number>();
  journey.nodes.forEach((node, i) => {
    if (index.has(node.id))
      issues.push({
        code: 'duplicate_node',
        path: `/nodes/${i}/id`,
        message: `node id ${node.id} is used twice`,
      });
    else index.set(node.id, i);
  });
  if (!index.has(journey.entry))
    issues.push({ code: 'unknown_node', path: '/entry', message: `no node ${journey.entry}` });
  journey.nodes.forEach((node, i) => {
    for (const edge of successors(node)) {
      if (!index.has(edge.to))
        issues.push({
          code: 'unknown_node',
          path: `/nodes/${i}/${edge.path}`,
          message: `no node ${edge.to}`,
        });
    }
    if (node.type === 'split') {
      const total = node.branches.reduce((sum, b) => sum + b.percent, 0);
      if (total !== 100)
        issues.push({
          code: 'split_total',
          path: `/nodes/${i}/branches`,
          message: `split percentages sum to ${total}, not 100`,
        });
    }
    if (node.type === 'condition') {
      node.branches.forEach((b, j) => {
        if (b.when.op !== 'exists' && (b.when.values ?? []).length === 0)
          issues.push({
            code: 'missing_values',
            path: `/nodes/${i}/branches/${j}/when/values`,
            message: `${b.when.op} needs values`,
          });
      });
    }
  });
  if (issues.length > 0) return issues;

  const byId = new Map(journey.nodes.map((n) => [n.id, n]));
  const next = (id: string) => {
    const node = byId.get(id);
    return node ? successors(node).map((e) => e.to) : [];
  };
  const reachable = closure([journey.entry], next);
  journey.nodes.forEach((node, i) => {
    if (!reachable.has(node.id))
      issues.push({
        code: 'unreachable',
        path: `/nodes/${i}`,
        message: `node ${node.id} cannot be reached from ${journey.entry}`,
      });
  });

  // A node ends if it is terminal or leads to a node that ends (computed backwards).
  const predecessors = new Map<string, string[]>();
  for (const node of journey.nodes)
    for (const to of next(node.id))
      predecessors.set(to, [...(predecessors.get(to) ?? []), node.id]);
  const terminals = journey.nodes.filter((n) => next(n.id).length === 0).map((n) => n.id);
  const ends = closure(terminals, (id) => predecessors.get(id) ?? []);
  journey.nodes.forEach((node, i) => {
    if (!ends.has(node.id))
      issues.push({
        code: 'no_end',
        path: `/nodes/${i}`,
        message: `no path from ${node.id} reaches an exit or a goal`,
      });
  });

  const cycle = cycleWithoutWait(journey, byId);
  if (cycle)
    issues.push({
      code: 'cycle_without_wait',
      path: `/nodes/${index.get(cycle[0] ?? '') ?? 0}`,
      message: `cycle without a wait: ${cycle.join(' → ')}`,
    });
  return issues;
}

function closure(start: string[], next: (id: string) => string[]): Set<string> {
  const seen = new Set<string>(start);
  const stack = [...start];
  for (let id = stack.pop(); id !== undefined; id = stack.pop()) {
    for (const to of next(id)) {
      if (!seen.has(to)) {
        seen.add(to);
        stack.push(to);
      }
    }
  }
  return seen;
}

/** A cycle among instant nodes (the edges out of waits removed), or null. */
function cycleWithoutWait(
  journey: JourneyDefinition,
  byId: Map<string, JourneyNode>,
): string[] | null {
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (id: string): string[] | null => {
    const mark = state.get(id);
    if (mark === 'done') return null;
    if (mark === 'open') return [...path.slice(path.indexOf(id)), id];
    const node = byId.get(id);
    if (!node || node.type === 'wait') {
      state.set(id, 'done');
      return null;
    }
    state.set(id, 'open');
    path.push(id);
    for (const edge of successors(node)) {
      const found = visit(edge.to);
      if (found) return found;
    }
    path.pop();
    state.set(id, 'done');
    return null;
  };
  for (const node of journey.nodes) {
    const found = visit(node.id);
    if (found) return found;
  }
  return null;
}
