import { Availability, AvailabilityQuery, SlotTakenProblem } from '../../scheduling/api.js';
import {
  PortalAppointment,
  PortalAppointmentBook,
  PortalAppointmentChange,
  PortalAppointments,
  PortalBookingOptions,
} from '../../scheduling/portal.js';
import { IdParams } from '../common.js';
import { route } from '../contract.js';

const self = { permission: 'portal:self' } as const;
const tags = ['portal', 'scheduling'];

/**
 * Issue 13: the portal books. Every route acts on the signed-in patient's own golden record
 * only; a booking sends an `Idempotency-Key` header (one per confirmation) and books once.
 */
export const portalSchedulingRoutes = {
  options: route({
    method: 'GET',
    path: '/api/portal/scheduling/options',
    policy: self,
    tags,
    summary: 'Services the signed-in patient may book, with the locations and practitioners',
    reply: PortalBookingOptions,
  }),
  availability: route({
    method: 'GET',
    path: '/api/portal/availability',
    policy: self,
    tags,
    summary: 'Open slots of a service the patient may book (the staff search, from now on)',
    query: AvailabilityQuery,
    reply: Availability,
  }),
  book: route({
    method: 'POST',
    path: '/api/portal/appointments',
    policy: self,
    tags,
    summary:
      'Book a slot for oneself (201), or 409 slot_taken with alternatives; send an Idempotency-Key',
    body: PortalAppointmentBook,
    reply: PortalAppointment,
    status: 201,
    conflict: SlotTakenProblem,
  }),
  list: route({
    method: 'GET',
    path: '/api/portal/appointments',
    policy: self,
    tags,
    summary: "The signed-in patient's own appointments, upcoming and past",
    reply: PortalAppointments,
  }),
  change: route({
    method: 'PATCH',
    path: '/api/portal/appointments/:id',
    policy: self,
    tags,
    summary: 'Move or cancel an own appointment, within the cancellation policy',
    params: IdParams,
    body: PortalAppointmentChange,
    reply: PortalAppointment,
    conflict: SlotTakenProblem,
  }),
  ics: route({
    method: 'GET',
    path: '/api/portal/appointments/:id/ics',
    policy: self,
    tags,
    summary: 'An own appointment as an iCalendar file',
    params: IdParams,
  }),
};
