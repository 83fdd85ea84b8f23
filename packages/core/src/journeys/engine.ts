import { zonedInstant, zoneOffsetMs } from '../dates/zone.js';
import type {
  JourneyAction,
  JourneyDefinition,
  JourneyEvent,
  JourneyNode,
  JourneyPredicate,
  JourneySendAction,
  JourneyTimeField,
} from './schema.js';

/**
 * The journey engine's step semantics, pure (docs/adr/0025): given a journey, an enrolment's
 * state, its context and an input (start, a timer that fired, an event) at an instant, the next
 * state, the nodes visited and the actions to perform. The server runs it inside one
 * transaction per step and performs the actions there; the dry run runs it on a simulated clock.
 */

export const ENROLMENT_STATUSES = ['active', 'completed', 'exited', 'failed'] as const;
export type EnrolmentStatus = (typeof ENROLMENT_STATUSES)[number];

export interface EnrolmentState {
  status: EnrolmentStatus;
  /** The node the enrolment is at: a wait while active, the last node once ended. */
  node: string;
  /** When the wait it is in ends (ISO instant), or null. */
  wakeAt: string | null;
  /** The event the wait it is in listens for, or null. */
  awaiting: JourneyEvent | null;
  /** Times each node was entered: the occurrence part of a step's idempotency key. */
  occurrences: Record<string, number>;
  /** When it reached a goal, or null. */
  convertedAt: string | null;
  /** Why it ended: an exit node's id, an exit event, or a failure code. */
  endReason: string | null;
}

export type AttributeValue = string | boolean | null;

export interface EnrolmentContext {
  /** Attributes conditions read (appointment.status, patient.language, message.text, …). */
  attributes: Partial<Record<string, AttributeValue>>;
  /** Instants relative waits and validity windows are anchored on (ISO). */
  times: Partial<Record<JourneyTimeField, string>>;
  /** The patient's zone (else the organization's): waits until a time of day use it. */
  timeZone: string;
  /** Stable per enrolment (its id): random splits hash it, so a replay takes the same branch. */
  seed: string;
}

export type StepInput =
  | { kind: 'start' }
  | { kind: 'wake' }
  | { kind: 'event'; event: JourneyEvent; attributes?: Partial<Record<string, AttributeValue>> };

export interface StepEffect {
  nodeId: string;
  occurrence: number;
  action: JourneyAction;
  /** Sends only: the instant after which the message must not go out (ISO). */
  validUntil: string | null;
}

export interface StepResult {
  state: EnrolmentState;
  /** Nodes entered in this step, in order, with their occurrence. */
  visited: { nodeId: string; occurrence: number }[];
  effects: StepEffect[];
  /** Attributes as the step saw them (an event's merged in). */
  attributes: Partial<Record<string, AttributeValue>>;
}

/** More nodes than this in one step means a loop the validator should have refused. */
const MAX_NODES_PER_STEP = 200;

export function initialState(journey: JourneyDefinition): EnrolmentState {
  return {
    status: 'active',
    node: journey.entry,
    wakeAt: null,
    awaiting: null,
    occurrences: {},
    convertedAt: null,
    endReason: null,
  };
}

/** One step of one enrolment. `state` is not modified. */
export function stepEnrolment(
  journey: JourneyDefinition,
  state: EnrolmentState,
  context: EnrolmentContext,
  input: StepInput,
  now: Date,
): StepResult {
  const run = new Run(journey, structuredClone(state), context, now);
  if (state.status !== 'active') return run.result();
  switch (input.kind) {
    case 'start':
      if (Object.keys(state.occurrences).length > 0) return run.result();
      run.from(journey.entry);
      break;
    case 'wake':
      run.wake();
      break;
    case 'event':
      run.event(input.event, input.attributes ?? {});
      break;
  }
  return run.result();
}

/**
 * The state of an enrolment ended from outside its graph (issue 11, h11r: the referral that
 * started it was closed): exited with `reason`, no wait left. An enrolment already ended is
 * returned as it is.
 */
export function exitEnrolment(state: EnrolmentState, reason: string): EnrolmentState {
  if (state.status !== 'active') return state;
  return { ...state, status: 'exited', wakeAt: null, awaiting: null, endReason: reason };
}

class Run {
  private readonly byId: Map<string, JourneyNode>;
  private readonly visited: StepResult['visited'] = [];
  private readonly effects: StepEffect[] = [];
  private readonly attributes: Partial<Record<string, AttributeValue>>;
  /**
   * When this step was due: the wake time of the wait it ends, else now. A `duration` validity
   * counts from it, so a step run late (a worker down for hours) does not send late.
   */
  private dueAt: number;

  constructor(
    private readonly journey: JourneyDefinition,
    private readonly state: EnrolmentState,
    private readonly context: EnrolmentContext,
    private readonly now: Date,
  ) {
    this.byId = new Map(journey.nodes.map((n) => [n.id, n]));
    this.attributes = { ...context.attributes };
    this.dueAt = now.getTime();
  }

  result(): StepResult {
    return {
      state: this.state,
      visited: this.visited,
      effects: this.effects,
      attributes: this.attributes,
    };
  }

  wake(): void {
    const node = this.current();
    if (node?.type !== 'wait' || !this.due()) return;
    if (this.state.wakeAt) this.dueAt = Date.parse(this.state.wakeAt);
    this.from(node.wait.kind === 'event' ? node.wait.timeout : node.next);
  }

  event(event: JourneyEvent, attributes: Partial<Record<string, AttributeValue>>): void {
    Object.assign(this.attributes, attributes);
    if (this.journey.exitOn?.includes(event)) {
      this.end('exited', event);
      return;
    }
    const node = this.current();
    if (node?.type !== 'wait') return;
    if (node.wait.kind === 'event' && node.wait.event === event) {
      this.from(node.next);
      return;
    }
    // The record a relative wait is anchored on may have moved (a rescheduled appointment).
    if (node.wait.kind === 'relative') {
      const target = this.relativeTarget(node.wait.field, node.wait.offsetMinutes);
      if (target === null || target <= this.now.getTime()) this.from(node.wait.late ?? node.next);
      else this.state.wakeAt = new Date(target).toISOString();
    }
  }

  /** Enters `id` and runs instant nodes until a wait that is not over, or an end. */
  from(id: string): void {
    let nextId: string | undefined = id;
    for (let count = 0; nextId !== undefined; count++) {
      if (count >= MAX_NODES_PER_STEP) {
        this.end('failed', 'too_many_nodes');
        return;
      }
      const node = this.byId.get(nextId);
      if (!node) {
        this.end('failed', 'unknown_node');
        return;
      }
      const occurrence = (this.state.occurrences[node.id] ?? 0) + 1;
      this.state.occurrences[node.id] = occurrence;
      this.state.node = node.id;
      this.state.wakeAt = null;
      this.state.awaiting = null;
      this.visited.push({ nodeId: node.id, occurrence });
      nextId = this.enter(node, occurrence);
    }
  }

  /** The node after `node`, or undefined when the run stops at it (a wait or an end). */
  private enter(node: JourneyNode, occurrence: number): string | undefined {
    switch (node.type) {
      case 'wait':
        return this.enterWait(node);
      case 'condition': {
        const branch = node.branches.find((b) => matches(b.when, this.attributes));
        return branch ? branch.next : node.otherwise;
      }
      case 'split': {
        const bucket = hash32(`${this.context.seed}:${node.id}:${occurrence}`) % 100;
        let floor = 0;
        for (const branch of node.branches) {
          floor += branch.percent;
          if (bucket < floor) return branch.next;
        }
        return node.branches.at(-1)?.next;
      }
      case 'action':
        this.effects.push({
          nodeId: node.id,
          occurrence,
          action: node.action,
          validUntil: node.action.kind === 'send' ? this.validUntil(node.action) : null,
        });
        return node.next;
      case 'goal':
        this.state.convertedAt ??= this.now.toISOString();
        if (node.next) return node.next;
        this.end('completed', node.id);
        return undefined;
      case 'exit':
        // An exit node is the end of a path: completed. `exitOn` events end it as exited.
        this.end('completed', node.id);
        return undefined;
    }
  }

  private enterWait(node: Extract<JourneyNode, { type: 'wait' }>): string | undefined {
    const now = this.now.getTime();
    const wait = node.wait;
    switch (wait.kind) {
      case 'duration':
        this.state.wakeAt = new Date(now + wait.minutes * 60_000).toISOString();
        return undefined;
      case 'time_of_day':
        this.state.wakeAt = nextTimeOfDay(this.now, wait.time, this.context.timeZone).toISOString();
        return undefined;
      case 'relative': {
        const target = this.relativeTarget(wait.field, wait.offsetMinutes);
        // Already past on arrival (booked two days ahead: no 7-day reminder): take `late`.
        if (target === null || target <= now) return wait.late ?? node.next;
        this.state.wakeAt = new Date(target).toISOString();
        return undefined;
      }
      case 'event':
        this.state.awaiting = wait.event;
        this.state.wakeAt = new Date(now + wait.timeoutMinutes * 60_000).toISOString();
        return undefined;
    }
  }

  private relativeTarget(field: JourneyTimeField, offsetMinutes: number): number | null {
    const at = this.context.times[field];
    const ms = at ? Date.parse(at) : Number.NaN;
    return Number.isNaN(ms) ? null : ms + offsetMinutes * 60_000;
  }

  private validUntil(action: JourneySendAction): string {
    const valid = action.validFor;
    if (valid.kind === 'duration')
      return new Date(this.dueAt + valid.minutes * 60_000).toISOString();
    const target = this.relativeTarget(valid.field, valid.offsetMinutes ?? 0);
    // No anchor (the appointment has no start): void at once rather than unbounded.
    return new Date(target ?? this.now.getTime()).toISOString();
  }

  private current(): JourneyNode | undefined {
    return this.byId.get(this.state.node);
  }

  private due(): boolean {
    return this.state.wakeAt !== null && Date.parse(this.state.wakeAt) <= this.now.getTime();
  }

  private end(status: Exclude<EnrolmentStatus, 'active'>, reason: string): void {
    this.state.status = status;
    this.state.wakeAt = null;
    this.state.awaiting = null;
    this.state.endReason = reason;
  }
}

/** Whether a condition's predicate holds for these attributes. */
export function matches(
  predicate: JourneyPredicate,
  attributes: Partial<Record<string, AttributeValue>>,
): boolean {
  const value = attributes[predicate.attribute] ?? null;
  const values = predicate.values ?? [];
  switch (predicate.op) {
    case 'exists':
      return value !== null && value !== '';
    case 'equals':
    case 'in':
      return values.includes(value as string | boolean);
    case 'not_equals':
      return !values.includes(value as string | boolean);
    case 'first_word_in': {
      if (typeof value !== 'string') return false;
      const word = value.trim().split(/\s+/)[0]?.toUpperCase() ?? '';
      return values.some((v) => typeof v === 'string' && v.toUpperCase() === word);
    }
  }
}

/** The next instant after `now` whose wall-clock time in `timeZone` is `time` (HH:MM). */
export function nextTimeOfDay(now: Date, time: string, timeZone: string): Date {
  const [hours = 0, minutes = 0] = time.split(':').map(Number);
  const local = new Date(now.getTime() + zoneOffsetMs(now.getTime(), timeZone));
  for (let day = 0; day <= 2; day++) {
    const wall = Date.UTC(
      local.getUTCFullYear(),
      local.getUTCMonth(),
      local.getUTCDate() + day,
      hours,
      minutes,
    );
    const at = zonedInstant(wall, timeZone);
    if (at.getTime() > now.getTime()) return at;
  }
  return new Date(now.getTime() + 86_400_000);
}

/** FNV-1a, 32 bits: a stable bucket for random splits (the same on server, CLI and web). */
export function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** The outbox idempotency key of one send: enrolment, node, occurrence (docs/adr/0025). */
export function journeyStepKey(enrolmentId: string, nodeId: string, occurrence: number): string {
  return `journey:${enrolmentId}:${nodeId}:${occurrence}`;
}
