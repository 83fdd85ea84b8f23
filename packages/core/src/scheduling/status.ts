import type { AppointmentStatus } from '../api/enums.js';

/** What staff do to an appointment after booking it. */
export const APPOINTMENT_ACTIONS = [
  'reschedule',
  'cancel',
  'check-in',
  'complete',
  'no-show',
] as const;
export type AppointmentAction = (typeof APPOINTMENT_ACTIONS)[number];

/** The event journeys and analytics hear about (`appointment.changed`). */
export const APPOINTMENT_EVENTS = [
  'booked',
  'rescheduled',
  'cancelled',
  'checked-in',
  'completed',
  'no-show',
] as const;
export type AppointmentEvent = (typeof APPOINTMENT_EVENTS)[number];

export const EVENT_OF_ACTION: Record<AppointmentAction, AppointmentEvent> = {
  reschedule: 'rescheduled',
  cancel: 'cancelled',
  'check-in': 'checked-in',
  complete: 'completed',
  'no-show': 'no-show',
};

/**
 * When a cancellation counts as late. Staff may still cancel late (the patient called), and the
 * cancellation is recorded as late; patients may not cancel themselves that late.
 */
export interface CancellationPolicy {
  /** Hours before the start within which a cancellation is late; 0: never late. */
  lateCancelHours: number;
}

export const DEFAULT_CANCELLATION_POLICY: CancellationPolicy = { lateCancelHours: 24 };

/** How long before its start a patient may be checked in. */
export const CHECK_IN_EARLY_MS = 2 * 3_600_000;

export type TransitionRefusal =
  | 'not_allowed_in_status'
  | 'too_early_to_check_in'
  | 'visit_over'
  | 'not_started'
  | 'in_the_past'
  | 'late_cancel_by_patient';

export type Transition =
  | { ok: true; status: AppointmentStatus; late: boolean }
  | { ok: false; refusal: TransitionRefusal };

const OPEN: readonly AppointmentStatus[] = ['proposed', 'booked'];

/**
 * The status an action leads to, or why it may not happen now. `now` is the caller's clock;
 * `start`/`end` the appointment's (after a reschedule, its new start for `reschedule`).
 */
export function transition(
  status: AppointmentStatus,
  action: AppointmentAction,
  at: { now: number; start: number; end: number },
  by: 'staff' | 'patient',
  policy: CancellationPolicy = DEFAULT_CANCELLATION_POLICY,
): Transition {
  const refuse = (refusal: TransitionRefusal): Transition => ({ ok: false, refusal });
  const open = OPEN.includes(status);
  switch (action) {
    case 'reschedule':
      if (!open) return refuse('not_allowed_in_status');
      if (at.start < at.now) return refuse('in_the_past');
      return { ok: true, status: 'booked', late: false };
    case 'cancel': {
      if (!open) return refuse('not_allowed_in_status');
      const late = at.start - at.now < policy.lateCancelHours * 3_600_000;
      if (late && by === 'patient') return refuse('late_cancel_by_patient');
      return { ok: true, status: 'cancelled', late };
    }
    case 'check-in':
      if (!open) return refuse('not_allowed_in_status');
      if (at.now < at.start - CHECK_IN_EARLY_MS) return refuse('too_early_to_check_in');
      if (at.now >= at.end) return refuse('visit_over');
      return { ok: true, status: 'arrived', late: false };
    case 'complete':
      if (status !== 'arrived') return refuse('not_allowed_in_status');
      return { ok: true, status: 'fulfilled', late: false };
    case 'no-show':
      if (!open) return refuse('not_allowed_in_status');
      if (at.now < at.start) return refuse('not_started');
      return { ok: true, status: 'noshow', late: false };
  }
}

/** Statuses whose time still blocks the practitioner's calendar. */
export const BLOCKING_STATUSES: readonly AppointmentStatus[] = [
  'proposed',
  'booked',
  'arrived',
  'fulfilled',
];

/**
 * The telehealth join link: the organization's template with `{token}` replaced by the
 * appointment's own random token (not its id, which other screens show).
 */
export function joinLink(template: string, token: string): string {
  return template.replaceAll('{token}', encodeURIComponent(token));
}
