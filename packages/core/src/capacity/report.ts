import { isSmallCell } from '../journey-map/suppression.js';
import type { CapacityFigures } from './api.js';

/** Statuses of an appointment that held its time (a no-show held it, and lost it). */
export const BOOKED_STATUSES = [
  'proposed',
  'booked',
  'arrived',
  'checked-in',
  'fulfilled',
  'noshow',
];
/** Statuses of a visit that took place (the no-show rate's other part, as docs/kpis.md). */
const VISIT_STATUSES = ['fulfilled', 'arrived', 'checked-in'];

/** Appointments of one status in one cell, with the hours they held. */
export interface AppointmentCount {
  status: string;
  count: number;
  hours: number;
}

/** The figures of one cell: hours, utilization, rates; counts under the threshold withheld. */
export function capacityFigures(
  availableHours: number,
  appointments: readonly AppointmentCount[],
  threshold: number | null,
): CapacityFigures {
  const sum = (pick: (a: AppointmentCount) => number, statuses?: readonly string[]) =>
    appointments
      .filter((a) => statuses === undefined || statuses.includes(a.status))
      .reduce((n, a) => n + pick(a), 0);
  const bookedHours = round(sum((a) => a.hours, BOOKED_STATUSES));
  const all = sum((a) => a.count);
  const noShows = sum((a) => a.count, ['noshow']);
  const attended = noShows + sum((a) => a.count, VISIT_STATUSES);
  const cancelled = sum((a) => a.count, ['cancelled']);
  const small = (n: number) => threshold !== null && isSmallCell(n, threshold);
  const suppressed = [all, noShows, attended, cancelled].some(small);
  return {
    availableHours: round(availableHours),
    bookedHours,
    utilization: availableHours > 0 ? round(bookedHours / availableHours, 4) : null,
    appointments: suppressed ? null : all,
    noShowRate: suppressed || attended === 0 ? null : round(noShows / attended, 4),
    cancellationRate: suppressed || all === 0 ? null : round(cancelled / all, 4),
    suppressed,
  };
}

const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;

/** The Monday (YYYY-MM-DD) of the week holding the local day `day` (YYYY-MM-DD). */
export function weekOf(day: string): string {
  const ms = Date.parse(`${day}T00:00:00Z`);
  const weekday = (new Date(ms).getUTCDay() + 6) % 7; // Monday 0 … Sunday 6
  return new Date(ms - weekday * 86_400_000).toISOString().slice(0, 10);
}

/** Days from `now` to the third of `slotStarts` (sorted or not); null with fewer than three. */
export function thirdNextAvailableDays(slotStarts: readonly number[], now: number): number | null {
  const third = [...slotStarts].sort((a, b) => a - b)[2];
  return third === undefined ? null : round((third - now) / 86_400_000, 1);
}

/** The capacity report as CSV: one section per table, each with its header row. */
export function capacityCsv(report: {
  weeks: readonly (CapacityFigures & { week: string; location: string })[];
  serviceLines: readonly (CapacityFigures & { serviceLine: string })[];
  leadTimes: readonly { service: string; thirdNextAvailableDays: number | null }[];
}): { weeks: string; serviceLines: string; leadTimes: string } {
  const cell = (v: string | number | null, suppressed = false) =>
    v === null ? (suppressed ? 'suppressed' : '') : csvText(String(v));
  const figures = (f: CapacityFigures) =>
    [
      cell(f.availableHours),
      cell(f.bookedHours),
      cell(f.utilization),
      cell(f.appointments, f.suppressed),
      cell(f.noShowRate, f.suppressed),
      cell(f.cancellationRate, f.suppressed),
    ].join(',');
  const head =
    'available_hours,booked_hours,utilization,appointments,no_show_rate,cancellation_rate';
  return {
    weeks: [
      `week,location,${head}`,
      ...report.weeks.map((w) => `${w.week},${csvText(w.location)},${figures(w)}`),
    ].join('\n'),
    serviceLines: [
      `service_line,${head}`,
      ...report.serviceLines.map((s) => `${csvText(s.serviceLine)},${figures(s)}`),
    ].join('\n'),
    leadTimes: [
      'service,third_next_available_days',
      ...report.leadTimes.map((l) => `${csvText(l.service)},${cell(l.thirdNextAvailableDays)}`),
    ].join('\n'),
  };
}

/** A CSV field: quoted when it holds a comma, quote or line break; a leading =+-@ defused. */
function csvText(value: string): string {
  const safe = /^[=+\-@]/.test(value) && !/^-?\d/.test(value) ? `'${value}` : value;
  return /[",\n\r]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}
