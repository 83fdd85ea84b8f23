import {
  AppointmentBook,
  AppointmentChange,
  Availability,
  AvailabilityExceptionCreate,
  AvailabilityQuery,
  AvailabilityRule,
  AvailabilityRuleCreate,
  BookableService,
  BookableServiceCreate,
  Calendar,
  CalendarQuery,
  IdParams,
  ScheduledAppointment,
  SchedulingSettings,
  SchedulingSettingsUpdate,
  SlotTakenProblem,
} from '@careloop/core';
import { Type } from 'typebox';
import { contextOf } from '../../http/actor.js';
import type { App } from '../../http/types.js';
import type { Services } from '../../services.js';
import { appointmentIcs } from './ics.js';

const problem = { $ref: 'Problem#' } as const;
const errors = {
  400: problem,
  401: problem,
  403: problem,
  404: problem,
  409: problem,
  422: problem,
};
const tags = ['scheduling'];

const BookingHeaders = Type.Object({
  'idempotency-key': Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 200,
      pattern: '^[\\x21-\\x7e]+$',
      description: 'The same key and body book once: a retry answers the first booking',
    }),
  ),
});
const RuleListQuery = Type.Object(
  {
    practitioner: Type.Optional(Type.String({ format: 'uuid' })),
    location: Type.Optional(Type.String({ format: 'uuid' })),
  },
  { additionalProperties: false },
);

export default async function schedulingRoutes(
  app: App,
  { scheduling, restrictions }: Services,
): Promise<void> {
  app.get(
    '/api/scheduling/services',
    {
      config: { policy: { permission: 'schedule:read' } },
      schema: {
        tags,
        summary: 'Services (visit types)',
        response: { 200: Type.Array(BookableService), ...errors },
      },
    },
    async (request) => scheduling.listServices(contextOf(request)),
  );

  app.post(
    '/api/scheduling/services',
    {
      config: { policy: { permission: 'schedule:manage' } },
      schema: {
        tags,
        summary: 'Add a service (visit type)',
        body: BookableServiceCreate,
        response: { 201: BookableService, ...errors },
      },
    },
    async (request, reply) => {
      const created = await scheduling.createService(contextOf(request), request.body);
      return reply.status(201).send(created);
    },
  );

  app.get(
    '/api/scheduling/rules',
    {
      config: { policy: { permission: 'schedule:read' } },
      schema: {
        tags,
        summary: 'Weekly hours and breaks, by practitioner and location',
        querystring: RuleListQuery,
        response: { 200: Type.Array(AvailabilityRule), ...errors },
      },
    },
    async (request) =>
      scheduling.listRules(contextOf(request), {
        practitionerId: request.query.practitioner,
        locationId: request.query.location,
      }),
  );

  app.post(
    '/api/scheduling/rules',
    {
      config: { policy: { permission: 'schedule:manage' } },
      schema: {
        tags,
        summary: 'Add weekly hours (or a weekly break) in the location’s time zone',
        body: AvailabilityRuleCreate,
        response: { 201: AvailabilityRule, ...errors },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await scheduling.addRule(contextOf(request), request.body)),
  );

  app.delete(
    '/api/scheduling/rules/:id',
    {
      config: { policy: { permission: 'schedule:manage' } },
      schema: {
        tags,
        summary: 'Remove weekly hours',
        params: IdParams,
        response: { 204: Type.Null(), ...errors },
      },
    },
    async (request, reply) => {
      await scheduling.deleteRule(contextOf(request), request.params.id);
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/api/scheduling/exceptions',
    {
      config: { policy: { permission: 'schedule:manage' } },
      schema: {
        tags,
        summary: 'A holiday, a day off or other hours on one date',
        body: AvailabilityExceptionCreate,
        response: { 201: Type.Object({ id: Type.String() }), ...errors },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await scheduling.addException(contextOf(request), request.body)),
  );

  app.get(
    '/api/scheduling/settings',
    {
      config: { policy: { permission: 'schedule:read' } },
      schema: {
        tags,
        summary: 'Telehealth link template and cancellation policy',
        response: { 200: SchedulingSettings, ...errors },
      },
    },
    async (request) => scheduling.settings(contextOf(request)),
  );

  app.patch(
    '/api/scheduling/settings',
    {
      config: { policy: { permission: 'schedule:manage' } },
      schema: {
        tags,
        summary: 'Change the telehealth link template or the cancellation policy',
        body: SchedulingSettingsUpdate,
        response: { 200: SchedulingSettings, ...errors },
      },
    },
    async (request) => scheduling.updateSettings(contextOf(request), request.body),
  );

  app.get(
    '/api/availability',
    {
      config: { policy: { permission: 'schedule:read' } },
      schema: {
        tags,
        summary: 'Open slots of a service: the hours minus what is booked or held',
        querystring: AvailabilityQuery,
        response: { 200: Availability, ...errors },
      },
    },
    async (request) => ({
      slots: await scheduling.availability(contextOf(request), request.query),
    }),
  );

  app.post(
    '/api/appointments',
    {
      config: { policy: { permission: 'appointment:write' } },
      schema: {
        tags,
        summary: 'Book a slot (201), or 409 slot_taken with the next open slots',
        headers: BookingHeaders,
        body: AppointmentBook,
        response: { 201: ScheduledAppointment, ...errors, 409: SlotTakenProblem },
      },
    },
    async (request, reply) => {
      const ctx = contextOf(request);
      await restrictions.guard(ctx, [request.body.patientId], 'appointment');
      const booked = await scheduling.book(ctx, request.body, request.headers['idempotency-key']);
      if (booked.replayed) void reply.header('idempotent-replayed', 'true');
      return reply.status(201).send(booked.appointment);
    },
  );

  app.get(
    '/api/appointments/:id',
    {
      config: { policy: { permission: 'schedule:read' } },
      schema: {
        tags,
        summary: 'One appointment',
        params: IdParams,
        response: { 200: ScheduledAppointment, ...errors },
      },
    },
    async (request) => {
      const ctx = contextOf(request);
      await guardAppointment(ctx, request.params.id);
      return scheduling.get(ctx, request.params.id);
    },
  );

  app.patch(
    '/api/appointments/:id',
    {
      config: { policy: { permission: 'appointment:write' } },
      schema: {
        tags,
        summary: 'Reschedule, cancel (with a reason), check in, complete or mark a no-show',
        params: IdParams,
        body: AppointmentChange,
        response: { 200: ScheduledAppointment, ...errors, 409: SlotTakenProblem },
      },
    },
    async (request) => {
      const ctx = contextOf(request);
      await guardAppointment(ctx, request.params.id);
      return scheduling.change(ctx, request.params.id, request.body);
    },
  );

  app.get(
    '/api/appointments/:id/ics',
    {
      config: { policy: { permission: 'schedule:read' } },
      schema: { tags, summary: 'The appointment as an iCalendar file', params: IdParams },
    },
    async (request, reply) => {
      const ctx = contextOf(request);
      await guardAppointment(ctx, request.params.id);
      const appointment = await scheduling.get(ctx, request.params.id);
      return reply
        .type('text/calendar; charset=utf-8')
        .header('content-disposition', 'attachment; filename="appointment.ics"')
        .send(appointmentIcs(appointment, ctx.actor.orgName));
    },
  );

  app.get(
    '/api/calendar',
    {
      config: { policy: { permission: 'schedule:read' } },
      schema: {
        tags,
        summary: 'Appointments of a practitioner or a location between two instants',
        querystring: CalendarQuery,
        response: { 200: Calendar, ...errors },
      },
    },
    async (request) => {
      const ctx = contextOf(request);
      const appointments = await scheduling.calendar(ctx, request.query, (ids, tx) =>
        restrictions.hiddenAmong(ctx.actor, ids, tx),
      );
      return { appointments };
    },
  );

  /** A restricted patient's appointment needs the same clearance as the patient. */
  async function guardAppointment(ctx: ReturnType<typeof contextOf>, id: string): Promise<void> {
    const patientId = await scheduling.patientOf(ctx, id);
    if (patientId) await restrictions.guard(ctx, [patientId], 'appointment');
  }
}
