import {
  type AttributeValue,
  type EnrolmentContext,
  type EnrolmentState,
  initialState,
  type StepInput,
  stepEnrolment,
} from './engine.js';
import type { JourneyDefinition, JourneyEvent } from './schema.js';

/** A patient in a dry run: a context and the events that will happen to it, by offset. */
export interface SimulatedSubject {
  label: string;
  context: EnrolmentContext;
  events?: {
    afterMinutes: number;
    event: JourneyEvent;
    attributes?: Partial<Record<string, AttributeValue>>;
  }[];
}

export interface SimulatedLine {
  at: string;
  /** `enter <node>`, `send <channel> <template> (valid until …)`, `task …`, `event …`, `end …`. */
  text: string;
}

export interface SimulatedPath {
  label: string;
  status: EnrolmentState['status'];
  converted: boolean;
  lines: SimulatedLine[];
  sends: number;
}

/**
 * Plays a journey for one subject on a simulated clock from `start` to `start + horizon`,
 * sending nothing: what the engine would do, step by step (the CLI's dry run).
 */
export function simulateJourney(
  journey: JourneyDefinition,
  subject: SimulatedSubject,
  start: Date,
  horizonMinutes = 90 * 24 * 60,
): SimulatedPath {
  const lines: SimulatedLine[] = [];
  const end = start.getTime() + horizonMinutes * 60_000;
  const events = [...(subject.events ?? [])].sort((a, b) => a.afterMinutes - b.afterMinutes);
  let state = initialState(journey);
  let sends = 0;
  const context = { ...subject.context, attributes: { ...subject.context.attributes } };
  const apply = (input: StepInput, at: Date) => {
    const result = stepEnrolment(journey, state, context, input, at);
    const when = at.toISOString();
    for (const v of result.visited) {
      lines.push({ at: when, text: `enter ${v.nodeId}` });
      const effect = result.effects.find(
        (e) => e.nodeId === v.nodeId && e.occurrence === v.occurrence,
      );
      if (!effect) continue;
      const action = effect.action;
      switch (action.kind) {
        case 'send': {
          const late = effect.validUntil !== null && Date.parse(effect.validUntil) <= at.getTime();
          if (!late) sends++;
          lines.push({
            at: when,
            text: `${late ? 'expired (not sent)' : 'send'} ${action.channel} ${action.template} (valid until ${effect.validUntil})`,
          });
          break;
        }
        case 'task':
          lines.push({ at: when, text: `task for ${action.team}: ${action.title}` });
          break;
        case 'call':
          lines.push({ at: when, text: `call task for ${action.team}` });
          break;
        case 'update':
          lines.push({ at: when, text: `update ${action.field} = ${action.value}` });
          break;
        case 'enrol':
          lines.push({ at: when, text: `enrol in ${action.journey}` });
          break;
        case 'offer-slots':
          lines.push({
            at: when,
            text: `offer open slots by text (else a task for ${action.team})`,
          });
          break;
        case 'webhook':
          lines.push({ at: when, text: `webhook ${action.event ?? 'journey.step'}` });
          break;
        // Issue 11 (h11l): list membership (nothing is written in a dry run).
        case 'list_add':
        case 'list_remove':
          lines.push({
            at: when,
            text: `${action.kind === 'list_add' ? 'add to' : 'remove from'} list ${action.list}`,
          });
          break;
      }
    }
    state = result.state;
    if (state.status !== 'active')
      lines.push({ at: when, text: `end ${state.status} (${state.endReason})` });
  };
  apply({ kind: 'start' }, start);
  while (state.status === 'active') {
    const wakeAt = state.wakeAt ? Date.parse(state.wakeAt) : Number.POSITIVE_INFINITY;
    const next = events[0];
    const eventAt = next ? start.getTime() + next.afterMinutes * 60_000 : Number.POSITIVE_INFINITY;
    const at = Math.min(wakeAt, eventAt);
    if (at > end) break;
    if (next && eventAt <= wakeAt) {
      events.shift();
      lines.push({ at: new Date(at).toISOString(), text: `event ${next.event}` });
      apply({ kind: 'event', event: next.event, attributes: next.attributes ?? {} }, new Date(at));
    } else {
      apply({ kind: 'wake' }, new Date(at));
    }
  }
  return {
    label: subject.label,
    status: state.status,
    converted: state.convertedAt !== null,
    lines,
    sends,
  };
}
