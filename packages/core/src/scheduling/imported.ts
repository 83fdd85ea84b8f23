import type { AppointmentStatus } from '../api/enums.js';
import type { AppointmentEvent } from './status.js';

/** An appointment as an importer found it and left it: what the event is read from. */
export interface AppointmentState {
  status: AppointmentStatus;
  startAt: Date;
}

const EVENT_OF_STATUS: Partial<Record<AppointmentStatus, AppointmentEvent>> = {
  cancelled: 'cancelled',
  noshow: 'no-show',
  fulfilled: 'completed',
  arrived: 'checked-in',
};

const LIVE: ReadonlySet<AppointmentStatus> = new Set(['proposed', 'booked']);

/**
 * The scheduling event an imported change means (an HL7 SIU message, a FHIR Appointment, a CSV
 * row), read from the appointment before and after it, so every source says the same thing
 * for the same change: a new live appointment is `booked`; a status that moved says what it
 * moved to (a cancelled one booked again is `booked`); a live one whose start moved is
 * `rescheduled`. A change that moves nothing journeys react to (a reason, a length) is null.
 */
export function importedAppointmentEvent(
  before: AppointmentState | null,
  after: AppointmentState,
): AppointmentEvent | null {
  if (!before) {
    if (LIVE.has(after.status)) return 'booked';
    // First heard of already cancelled: nothing was booked that a journey could know of.
    return after.status === 'cancelled' ? null : (EVENT_OF_STATUS[after.status] ?? null);
  }
  if (before.status !== after.status) {
    if (LIVE.has(after.status)) return LIVE.has(before.status) ? null : 'booked';
    return EVENT_OF_STATUS[after.status] ?? null;
  }
  if (LIVE.has(after.status) && before.startAt.getTime() !== after.startAt.getTime()) {
    return 'rescheduled';
  }
  return null;
}

/** How long after its start an imported visit's outcome still starts a journey (no-show recovery). */
export const IMPORTED_OUTCOME_HOURS = 24;

/**
 * Whether an imported change is news for journeys at `now`: a booking, move or cancellation of
 * an appointment still to come, or the outcome of one that started within the last day. An
 * import of years of history announces nothing, so it starts no reminders for the past and no
 * recovery for a no-show of 2019.
 */
export function importedEventIsNews(event: AppointmentEvent, startAt: Date, now: Date): boolean {
  const startsIn = startAt.getTime() - now.getTime();
  switch (event) {
    case 'booked':
    case 'rescheduled':
    case 'cancelled':
      return startsIn > 0;
    case 'checked-in':
    case 'completed':
    case 'no-show':
      return startsIn <= 0 && -startsIn <= IMPORTED_OUTCOME_HOURS * 3_600_000;
  }
}
