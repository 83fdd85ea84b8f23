import type { JourneyDefinition } from './schema.js';

/**
 * Issue 11 (h11l): leaving a patient list ends what the list started (docs/adr/0040, addendum).
 * Pure: the server decides which enrolments these apply to and ends each with engine.ts's
 * `exitEnrolment` and this reason.
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
