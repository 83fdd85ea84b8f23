import {
  type AvailabilityQuery,
  type AvailableSlot,
  badRequest,
  CareloopError,
  conflict,
  mayBookUnderRule,
  notFound,
  type PatientRule,
  type PortalAppointment,
  type PortalAppointmentBook,
  type PortalAppointmentChange,
  type PortalAppointments,
  type PortalBookingOptions,
  type ScheduledAppointment,
  selfServiceDeadline,
} from '@careloop/core';
import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import type { RequestContext } from '../../http/actor.js';
import { locations, practitioners } from '../directory/schema.js';
import { appointments, availabilityRules, visitTypes } from './schema.js';
import type { Booked, SchedulingService } from './service.js';
import { loadVisitType } from './slots.js';

/** An Idempotency-Key as the booking route takes it: printable ASCII, at most 200 characters. */
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,200}$/;

/** Statuses of a visit that happened: what makes a patient "established". */
const ATTENDED = ['arrived', 'fulfilled'];
const OPEN = ['proposed', 'booked'];

/**
 * Issue 13: the patient portal books, through the scheduling service's one race-safe path. A
 * patient acts on their own golden record only (the actor's `patientId`, never an id from the
 * request), books the services their new-vs-established rule allows, and moves or cancels only
 * before the organization's late-cancel window (docs/scheduling.md).
 */
export class PortalScheduling {
  constructor(
    private readonly database: Database,
    private readonly scheduling: SchedulingService,
  ) {}

  /** The services this patient may book, and the places and practitioners that give them. */
  async options(ctx: RequestContext, patientId: string): Promise<PortalBookingOptions> {
    const visits = await this.attendedVisits(ctx, patientId);
    return this.database.withTenant(ctx.actor.orgId, async (tx) => {
      const services = await tx
        .select({ id: visitTypes.id, patientRule: visitTypes.patientRule })
        .from(visitTypes)
        .where(eq(visitTypes.active, true))
        .orderBy(visitTypes.name);
      const allowed = [];
      for (const s of services) {
        if (!mayBookUnderRule(ruleOf(s.patientRule), visits)) continue;
        const v = await loadVisitType(tx, s.id);
        if (v)
          allowed.push({
            id: v.id,
            name: v.name,
            durationMinutes: v.durationMinutes,
            modality: v.modality,
            practitionerIds: v.practitionerIds,
            locationIds: v.locationIds,
          });
      }
      // Who works where: the practitioners and locations with weekly hours.
      const chairs = await tx
        .selectDistinct({
          practitionerId: availabilityRules.practitionerId,
          locationId: availabilityRules.locationId,
        })
        .from(availabilityRules)
        .where(eq(availabilityRules.kind, 'hours'));
      const practitionerIds = [...new Set(chairs.map((c) => c.practitionerId))];
      const locationIds = [...new Set(chairs.map((c) => c.locationId))];
      const people =
        practitionerIds.length === 0
          ? []
          : await tx
              .select({
                id: practitioners.id,
                name: sql<string>`concat_ws(' ', ${practitioners.prefix}, ${practitioners.givenName}, ${practitioners.familyName})`,
              })
              .from(practitioners)
              .where(
                and(inArray(practitioners.id, practitionerIds), eq(practitioners.active, true)),
              )
              .orderBy(practitioners.familyName, practitioners.givenName);
      const places =
        locationIds.length === 0
          ? []
          : await tx
              .select({ id: locations.id, name: locations.name, timeZone: locations.timeZone })
              .from(locations)
              .where(and(inArray(locations.id, locationIds), eq(locations.active, true)))
              .orderBy(locations.name);
      return { services: allowed, locations: places, practitioners: people };
    });
  }

  /** Open slots of a service this patient may book: the staff search, from now on. */
  async availability(
    ctx: RequestContext,
    patientId: string,
    query: AvailabilityQuery,
  ): Promise<AvailableSlot[]> {
    await this.checkRule(ctx, patientId, query.service, '/query/service');
    return this.scheduling.availability(ctx, query);
  }

  /**
   * Books for the patient themself. The key is required: the portal makes one per confirmation,
   * so a double click or a retry after a timeout answers the first booking.
   */
  async book(
    ctx: RequestContext,
    patientId: string,
    body: PortalAppointmentBook,
    idempotencyKey: unknown,
  ): Promise<Booked & { appointment: PortalAppointment }> {
    if (typeof idempotencyKey !== 'string' || !IDEMPOTENCY_KEY.test(idempotencyKey)) {
      throw badRequest(
        'Send an Idempotency-Key header (1 to 200 printable characters) with each booking',
        '/headers/idempotency-key',
      );
    }
    await this.checkRule(ctx, patientId, body.serviceId, '/body/serviceId');
    const booked = await this.scheduling.book(ctx, { ...body, patientId }, idempotencyKey);
    return { ...booked, appointment: await this.withPolicy(ctx, booked.appointment) };
  }

  async list(ctx: RequestContext, patientId: string): Promise<PortalAppointments> {
    const [all, policy] = await Promise.all([
      this.scheduling.listForPatient(ctx, patientId),
      this.scheduling.setup.settings(ctx),
    ]);
    const now = this.scheduling.now().getTime();
    const shown = all.map((a) => portalView(a, policy.lateCancelHours, now));
    return {
      upcoming: shown.filter((a) => Date.parse(a.end) > now && OPEN.includes(a.status)),
      past: shown.filter((a) => !(Date.parse(a.end) > now && OPEN.includes(a.status))).reverse(),
      lateCancelHours: policy.lateCancelHours,
    };
  }

  /** The patient's own appointment, or 404 (another patient's is not theirs to know of). */
  async own(ctx: RequestContext, patientId: string, id: string): Promise<ScheduledAppointment> {
    const owner = await this.scheduling.patientOf(ctx, id);
    if (owner !== patientId) throw notFound('Appointment');
    return this.scheduling.get(ctx, id);
  }

  /** Moves or cancels an own appointment, before the late-cancel window only. */
  async change(
    ctx: RequestContext,
    patientId: string,
    id: string,
    body: PortalAppointmentChange,
  ): Promise<PortalAppointment> {
    const current = await this.own(ctx, patientId, id);
    const policy = await this.scheduling.setup.settings(ctx);
    const deadline = selfServiceDeadline(Date.parse(current.start), policy.lateCancelHours);
    if (OPEN.includes(current.status) && this.scheduling.now().getTime() > deadline) {
      throw new CareloopError(
        'conflict',
        `Appointments cannot be cancelled or moved online within ${policy.lateCancelHours} hours of the start; please call us`,
        '/body/action',
      );
    }
    if (body.action === 'reschedule') {
      if (!body.start) throw badRequest('A reschedule needs the new start', '/body/start');
      if (current.serviceId) await this.checkRule(ctx, patientId, current.serviceId, '/body/start');
    }
    const changed = await this.scheduling.change(
      ctx,
      id,
      body.action === 'cancel'
        ? { action: 'cancel', reason: body.reason?.trim() || 'Cancelled by the patient online' }
        : {
            action: 'reschedule',
            ...(body.start ? { start: body.start } : {}),
            ...(body.practitionerId ? { practitionerId: body.practitionerId } : {}),
          },
      'patient',
    );
    return this.withPolicy(ctx, changed);
  }

  private async withPolicy(
    ctx: RequestContext,
    a: ScheduledAppointment,
  ): Promise<PortalAppointment> {
    const policy = await this.scheduling.setup.settings(ctx);
    return portalView(a, policy.lateCancelHours, this.scheduling.now().getTime());
  }

  /** Refuses a service the patient may not book themself (its new-vs-established rule). */
  private async checkRule(
    ctx: RequestContext,
    patientId: string,
    serviceId: string,
    path: string,
  ): Promise<void> {
    const [service] = await this.database.withTenant(ctx.actor.orgId, (tx) =>
      tx
        .select({ patientRule: visitTypes.patientRule, active: visitTypes.active })
        .from(visitTypes)
        .where(eq(visitTypes.id, serviceId)),
    );
    if (!service?.active) {
      throw new CareloopError(
        'unknown_reference',
        'service does not name a bookable service',
        path,
      );
    }
    const rule = ruleOf(service.patientRule);
    if (!mayBookUnderRule(rule, await this.attendedVisits(ctx, patientId))) {
      throw conflict(
        rule === 'new'
          ? 'This visit is for new patients; choose a visit for established patients'
          : 'This visit is for established patients; choose a new-patient visit',
        path,
      );
    }
  }

  private async attendedVisits(ctx: RequestContext, patientId: string): Promise<number> {
    const [row] = await this.database.withTenant(ctx.actor.orgId, (tx) =>
      tx
        .select({ n: sql<number>`count(*)::int` })
        .from(appointments)
        .where(and(eq(appointments.patientId, patientId), inArray(appointments.status, ATTENDED))),
    );
    return Number(row?.n ?? 0);
  }
}

function ruleOf(value: string): PatientRule {
  return value === 'new' || value === 'established' ? value : 'any';
}

/** An appointment as its patient sees it, with until when they may change it themself. */
function portalView(
  a: ScheduledAppointment,
  lateCancelHours: number,
  now: number,
): PortalAppointment {
  const deadline = selfServiceDeadline(Date.parse(a.start), lateCancelHours);
  return {
    ...a,
    changeableUntil:
      OPEN.includes(a.status) && deadline > now ? new Date(deadline).toISOString() : null,
  };
}
