import dayjs from 'dayjs';
import customParseFormat from 'dayjs/plugin/customParseFormat';
import localizedFormat from 'dayjs/plugin/localizedFormat';
import relativeTime from 'dayjs/plugin/relativeTime';

dayjs.extend(customParseFormat);
dayjs.extend(localizedFormat);
dayjs.extend(relativeTime);

// Instants arrive in UTC and are shown in the browser's time zone; calendar dates (birth
// dates, onset) have no time zone and are shown as they are.

export function formatDateTime(instant: string | null | undefined): string {
  return instant ? dayjs(instant).format('MMM D, YYYY h:mm A') : '—';
}

export function formatTime(instant: string): string {
  return dayjs(instant).format('h:mm A');
}

export function formatRelative(instant: string): string {
  return dayjs(instant).fromNow();
}

/** A calendar date (`YYYY-MM-DD`), never shifted by time zone. */
export function formatDate(date: string | null | undefined): string {
  if (!date) return '—';
  const parsed = dayjs(date, 'YYYY-MM-DD', true);
  return parsed.isValid() ? parsed.format('MMM D, YYYY') : date;
}

export function ageInYears(birthDate: string, today = dayjs()): number {
  return today.diff(dayjs(birthDate, 'YYYY-MM-DD'), 'year');
}

export function isOverdue(dueAt: string | null, now = dayjs()): boolean {
  return dueAt !== null && dayjs(dueAt).isBefore(now);
}

/** Reads a typed date as YYYY-MM-DD or MM/DD/YYYY (how US front desks write it). */
export function parseCalendarDate(input: string): string | null {
  const parsed = dayjs(input.trim(), ['YYYY-MM-DD', 'MM/DD/YYYY', 'M/D/YYYY'], true);
  return parsed.isValid() ? parsed.format('YYYY-MM-DD') : null;
}

export { dayjs };
