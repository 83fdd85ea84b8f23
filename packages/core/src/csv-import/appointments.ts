import type { AppointmentStatus } from '../api/enums.js';
import {
  type DateOrder,
  type LocalDateTime,
  type Parsed,
  parseDate,
  parseDateTime,
  parseTime,
} from './dates.js';
import { type MappedRow, RowReader, type RowResult } from './rows.js';

/** An appointment row; names of the service, practitioner and location are resolved on import. */
export interface AppointmentImportRow {
  sourceId: string | null;
  patientMrn: string | null;
  patientSourceId: string | null;
  start: LocalDateTime;
  end: LocalDateTime | null;
  durationMinutes: number | null;
  status: AppointmentStatus;
  service: string | null;
  practitioner: string | null;
  location: string | null;
  telehealth: boolean;
  reason: string | null;
}

const STATUSES: Readonly<Record<string, AppointmentStatus>> = {
  booked: 'booked',
  scheduled: 'booked',
  confirmed: 'booked',
  arrived: 'arrived',
  'checked in': 'arrived',
  fulfilled: 'fulfilled',
  completed: 'fulfilled',
  complete: 'fulfilled',
  seen: 'fulfilled',
  finished: 'fulfilled',
  cancelled: 'cancelled',
  canceled: 'cancelled',
  noshow: 'noshow',
  'no show': 'noshow',
  dna: 'noshow',
  'did not attend': 'noshow',
  proposed: 'proposed',
  pending: 'proposed',
  tentative: 'proposed',
};

export function parseAppointmentStatus(value: string): Parsed<AppointmentStatus> {
  const key = value.trim().toLowerCase().replace(/[-_]+/g, ' ');
  const status = STATUSES[key] ?? STATUSES[key.replace(/ /g, '')];
  return status
    ? { ok: true, value: status }
    : {
        ok: false,
        message: `"${value}" is not an appointment status (booked, arrived, fulfilled, cancelled, noshow, proposed)`,
      };
}

const YES = new Set(['yes', 'y', 'true', '1', 'video', 'virtual', 'telehealth', 'remote', 'phone']);
const NO = new Set(['no', 'n', 'false', '0', 'in person', 'in-person', 'office', 'onsite']);

export function parseTelehealth(value: string): Parsed<boolean> {
  const key = value.trim().toLowerCase();
  if (YES.has(key)) return { ok: true, value: true };
  if (NO.has(key)) return { ok: true, value: false };
  return { ok: false, message: `"${value}" is not yes or no` };
}

/** Appointments last at most a day; longer is a typo in the duration or the end. */
const MAX_MINUTES = 24 * 60;

function parseMinutes(value: string): Parsed<number> {
  const n = Number(value.trim().replace(/\s*(min|mins|minutes)$/i, ''));
  return Number.isInteger(n) && n > 0 && n <= MAX_MINUTES
    ? { ok: true, value: n }
    : { ok: false, message: `"${value}" is not a number of minutes between 1 and ${MAX_MINUTES}` };
}

/** The start from one column, or from a date column and a time column. */
function startOf(r: RowReader, order: DateOrder): LocalDateTime | null {
  if (r.has('start')) return r.parsed('start', (v) => parseDateTime(v, order));
  const date = r.parsed('date', (v) => parseDate(v, order));
  const time = r.parsed('time', parseTime);
  if (!r.has('date')) r.required('date', 'Date');
  if (!r.has('time')) r.required('time', 'Time');
  return date && time ? { date, time, offset: null } : null;
}

/** Validates one mapped appointment row: a patient key, a start, readable values. */
export function readAppointmentRow(
  mapped: MappedRow,
  options: { dateOrder: DateOrder },
): RowResult<AppointmentImportRow> {
  const r = new RowReader(mapped);
  const patientMrn = r.text('patientMrn', 100);
  const patientSourceId = r.text('patientSourceId', 200);
  if (patientMrn === null && patientSourceId === null) {
    r.fail(
      r.columnOf('patientMrn') !== null || !r.has('patientSourceId')
        ? 'patientMrn'
        : 'patientSourceId',
      'No patient: the patient MRN or source id is empty',
      null,
    );
  }
  const start = startOf(r, options.dateOrder);
  const end = r.parsed('end', (v) => {
    const parsed = parseDateTime(v, options.dateOrder);
    if (parsed.ok || !start) return parsed;
    // An end written as a time only is on the start's day.
    const time = parseTime(v);
    return time.ok ? { ok: true, value: { ...start, time: time.value } } : parsed;
  });
  const durationMinutes = r.parsed('durationMinutes', parseMinutes);
  if (
    start &&
    end &&
    `${end.date}T${end.time}` <= `${start.date}T${start.time}` &&
    end.offset === start.offset
  ) {
    r.fail('end', 'The end is not after the start');
  }
  const value = {
    sourceId: r.text('sourceId', 200),
    patientMrn,
    patientSourceId,
    end,
    durationMinutes,
    status: r.parsed('status', parseAppointmentStatus) ?? 'booked',
    service: r.text('service'),
    practitioner: r.text('practitioner'),
    location: r.text('location'),
    telehealth: r.parsed('telehealth', parseTelehealth) ?? false,
    reason: r.text('reason', 500),
  };
  if (r.errors.length > 0 || !start) return { ok: false, row: mapped.row, errors: r.errors };
  return { ok: true, row: mapped.row, value: { ...value, start } };
}
