import { zonedInstant } from '@careloop/core';

const DAY = 86_400_000;

/** `YYYY-MM-DD` plus `n` days. */
export function addDays(date: string, n: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + n * DAY).toISOString().slice(0, 10);
}

/** The instants from the start of `date` to the start of `date + days`, in `timeZone`. */
export function windowOf(
  date: string,
  days: number,
  timeZone: string,
): { from: string; to: string } {
  const start = Date.parse(`${date}T00:00:00Z`);
  return {
    from: zonedInstant(start, timeZone).toISOString(),
    to: zonedInstant(start + days * DAY, timeZone).toISOString(),
  };
}

/** The local date of an instant in `timeZone`, `YYYY-MM-DD`. */
export function dayKey(instant: string, timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(new Date(instant));
}

/** "Tue 5 Mar" */
export function dayTitle(date: string): string {
  return new Intl.DateTimeFormat('en-GB', {
    timeZone: 'UTC',
    weekday: 'short',
    day: 'numeric',
    month: 'short',
  }).format(new Date(`${date}T00:00:00Z`));
}

/** "09:30" in `timeZone`. */
export function timeOf(instant: string, timeZone: string): string {
  return new Intl.DateTimeFormat('en-GB', {
    timeZone,
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(new Date(instant));
}
