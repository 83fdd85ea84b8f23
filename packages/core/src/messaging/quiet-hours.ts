import { zonedInstant, zoneOffsetMs } from '../dates/zone.js';

/**
 * Quiet hours (issue 11): patient messages go out only between `start` and `end` minutes after
 * local midnight in the patient's zone (08:00–21:00 by default). A message due outside is
 * deferred to the next allowed instant, never dropped (docs/adr/0024).
 */
export interface SendWindow {
  /** Minutes after local midnight when sending may start (inclusive). */
  startMinute: number;
  /** Minutes after local midnight when sending stops (exclusive). */
  endMinute: number;
}

export const DEFAULT_SEND_WINDOW: SendWindow = { startMinute: 8 * 60, endMinute: 21 * 60 };

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

/** Local wall-clock time of `at` in `zone`, as milliseconds read as if UTC. */
function wallMs(at: Date, zone: string): number {
  return at.getTime() + zoneOffsetMs(at.getTime(), zone);
}

/** Minutes after local midnight, with fractions. */
function localMinute(at: Date, zone: string): number {
  const wall = wallMs(at, zone);
  return (wall - Math.floor(wall / DAY) * DAY) / MINUTE;
}

/** Whether a message may go out at `at` in `zone`. */
export function inSendWindow(at: Date, zone: string, window: SendWindow = DEFAULT_SEND_WINDOW) {
  const minute = localMinute(at, zone);
  return minute >= window.startMinute && minute < window.endMinute;
}

/**
 * The earliest instant at or after `now` when a message may go out: `now` itself inside the
 * window, else the next local `startMinute` (today's if it is still ahead, else tomorrow's).
 * A start time that a DST change skips resolves to the instant the clock jumps to.
 */
export function nextSendTime(now: Date, zone: string, window: SendWindow = DEFAULT_SEND_WINDOW) {
  if (inSendWindow(now, zone, window)) return now;
  const wall = wallMs(now, zone);
  const midnight = Math.floor(wall / DAY) * DAY;
  for (const day of [0, 1, 2]) {
    const candidate = zonedInstant(midnight + day * DAY + window.startMinute * MINUTE, zone);
    if (candidate.getTime() > now.getTime() && inSendWindow(candidate, zone, window))
      return candidate;
    // In a gap, the wall time maps to an instant before the jump: move to the jump itself.
    const later = new Date(candidate.getTime() + 60 * MINUTE);
    if (later.getTime() > now.getTime() && inSendWindow(later, zone, window)) {
      let lo = candidate.getTime();
      let hi = later.getTime();
      while (hi - lo > 1) {
        const mid = Math.floor((lo + hi) / 2);
        if (inSendWindow(new Date(mid), zone, window)) hi = mid;
        else lo = mid;
      }
      if (hi > now.getTime()) return new Date(hi);
    }
  }
  throw new Error(`no send time within two days in ${zone}`);
}
