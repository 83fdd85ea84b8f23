import type { EnrolmentState } from './engine.js';
import type { JourneyDefinition } from './schema.js';

/**
 * Issue 11 (h11l): leaving a patient list ends what the list started (docs/adr/0040, addendum).
 * Pure: the server decides which enrolments these apply to and writes the result.
 */

/** Why an enrolment ended when its patient left the list its journey started on. */
export const LEFT_LIST = 'left-list';

/** Whether a journey starts on this list, which it may name by id or by key. */
export function startsOnList(
  trigger: JourneyDefinition['trigger'],
  list: { id: string; key: string | null },
): boolean {
  return trigger.kind === 'list' && (trigger.list === list.id || trigger.list === list.key);
}

/**
 * A running enrolment ended as `exited` for `reason`: no wait, nothing awaited, where it was kept
 * as the last node. An enrolment already ended is returned as it was (a second removal, a retry).
 */
export function exitEnrolment(state: EnrolmentState, reason: string): EnrolmentState {
  if (state.status !== 'active') return state;
  return { ...state, status: 'exited', wakeAt: null, awaiting: null, endReason: reason };
}
