import { Type } from 'typebox';
import {
  AppointmentBook,
  AppointmentChange,
  Availability,
  AvailabilityExceptionCreate,
  AvailabilityExceptionCreated,
  AvailabilityQuery,
  AvailabilityRule,
  AvailabilityRuleCreate,
  AvailabilityRuleQuery,
  BookableService,
  BookableServiceCreate,
  Calendar,
  CalendarQuery,
  IdempotencyHeaders,
  ScheduledAppointment,
  SchedulingSettings,
  SchedulingSettingsUpdate,
  SlotTakenProblem,
} from '../../scheduling/api.js';
import { IdParams } from '../common.js';
import { route } from '../contract.js';

const read = { permission: 'schedule:read' } as const;
const manage = { permission: 'schedule:manage' } as const;
const write = { permission: 'appointment:write' } as const;
const tags = ['scheduling'];

/**
 * Issue 13's staff scheduling, in the table since issue 10.3: services, weekly hours, the
 * availability search, bookings (an `Idempotency-Key` header books once; a taken slot answers
 * 409 `slot_taken` with the next open slots) and the calendar.
 */
export const schedulingRoutes = {
  services: route({
    method: 'GET',
    path: '/api/scheduling/services',
    policy: read,
    tags,
    summary: 'Services (visit types)',
    reply: Type.Array(BookableService),
  }),
  createService: route({
    method: 'POST',
    path: '/api/scheduling/services',
    policy: manage,
    tags,
    summary: 'Add a service (visit type)',
    body: BookableServiceCreate,
    reply: BookableService,
    status: 201,
  }),
  rules: route({
    method: 'GET',
    path: '/api/scheduling/rules',
    policy: read,
    tags,
    summary: 'Weekly hours and breaks, by practitioner and location',
    query: AvailabilityRuleQuery,
    reply: Type.Array(AvailabilityRule),
  }),
  addRule: route({
    method: 'POST',
    path: '/api/scheduling/rules',
    policy: manage,
    tags,
    summary: 'Add weekly hours (or a weekly break) in the location’s time zone',
    body: AvailabilityRuleCreate,
    reply: AvailabilityRule,
    status: 201,
  }),
  deleteRule: route({
    method: 'DELETE',
    path: '/api/scheduling/rules/:id',
    policy: manage,
    tags,
    summary: 'Remove weekly hours',
    params: IdParams,
    status: 204,
  }),
  addException: route({
    method: 'POST',
    path: '/api/scheduling/exceptions',
    policy: manage,
    tags,
    summary: 'A holiday, a day off or other hours on one date',
    body: AvailabilityExceptionCreate,
    reply: AvailabilityExceptionCreated,
    status: 201,
  }),
  settings: route({
    method: 'GET',
    path: '/api/scheduling/settings',
    policy: read,
    tags,
    summary: 'Telehealth link template and cancellation policy',
    reply: SchedulingSettings,
  }),
  updateSettings: route({
    method: 'PATCH',
    path: '/api/scheduling/settings',
    policy: manage,
    tags,
    summary: 'Change the telehealth link template or the cancellation policy',
    body: SchedulingSettingsUpdate,
    reply: SchedulingSettings,
  }),
  availability: route({
    method: 'GET',
    path: '/api/availability',
    policy: read,
    tags,
    summary: 'Open slots of a service: the hours minus what is booked or held',
    query: AvailabilityQuery,
    reply: Availability,
  }),
  book: route({
    method: 'POST',
    path: '/api/appointments',
    policy: write,
    tags,
    summary: 'Book a slot (201), or 409 slot_taken with the next open slots',
    description:
      'Send an Idempotency-Key: the same key and body book once, and a retry answers the first booking with `idempotent-replayed: true`.',
    headers: IdempotencyHeaders,
    body: AppointmentBook,
    reply: ScheduledAppointment,
    status: 201,
    conflict: SlotTakenProblem,
  }),
  get: route({
    method: 'GET',
    path: '/api/appointments/:id',
    policy: read,
    tags,
    summary: 'One appointment',
    params: IdParams,
    reply: ScheduledAppointment,
  }),
  change: route({
    method: 'PATCH',
    path: '/api/appointments/:id',
    policy: write,
    tags,
    summary: 'Reschedule, cancel (with a reason), check in, complete or mark a no-show',
    params: IdParams,
    body: AppointmentChange,
    reply: ScheduledAppointment,
    conflict: SlotTakenProblem,
  }),
  ics: route({
    method: 'GET',
    path: '/api/appointments/:id/ics',
    policy: read,
    tags,
    summary: 'The appointment as an iCalendar file',
    params: IdParams,
  }),
  calendar: route({
    method: 'GET',
    path: '/api/calendar',
    policy: read,
    tags,
    summary: 'Appointments of a practitioner or a location between two instants',
    query: CalendarQuery,
    reply: Calendar,
  }),
};
