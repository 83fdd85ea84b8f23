import {
  type AppointmentCount,
  badRequest,
  type CapacityQuery,
  type CapacityReport,
  can,
  capacityFigures,
  type DateException,
  parseKpiFilters,
  thirdNextAvailableDays,
  type WallRange,
  type WorkingSchedule,
  weekOf,
  workingIntervals,
  zonedInstant,
} from '@careloop/core';
import { eq, sql } from 'drizzle-orm';
import type { Database, Db } from '../../db/client.js';
import { rowsOf } from '../../db/rows.js';
import type { RequestContext } from '../../http/actor.js';
import type { AuditLog } from '../audit/service.js';
import { organizations } from '../directory/schema.js';
import { localDay } from '../kpis/service.js';
import type { SchedulingService } from '../scheduling/service.js';

const DAY = 86_400_000;
/** The longest period the dashboard computes: 26 weeks of every schedule. */
export const CAPACITY_MAX_DAYS = 182;
/** How far ahead a service's third-next-available slot is looked for (the search's limit). */
export const LEAD_TIME_HORIZON_DAYS = 62;

interface AppointmentGroup extends AppointmentCount {
  week: string;
  locationId: string | null;
  serviceLineId: string | null;
}

/**
 * The capacity and utilization dashboard (issue 13, docs/kpis.md): available hours from the
 * scheduling module's weekly hours, breaks and exceptions (core's `workingIntervals`), booked
 * hours and rates from appointments, lead times from its open slots. Read live: a period is a
 * few weeks of a few hundred schedules.
 */
export class CapacityService {
  constructor(
    private readonly database: Database,
    private readonly audit: AuditLog,
    private readonly scheduling: SchedulingService,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  async report(ctx: RequestContext, query: CapacityQuery): Promise<CapacityReport> {
    const now = this.clock();
    const orgId = ctx.actor.orgId;
    const figures = await this.database.withTenant(orgId, async (tx) => {
      const [org] = await tx
        .select({
          timeZone: organizations.timeZone,
          threshold: organizations.aggregateSuppressionThreshold,
        })
        .from(organizations)
        .where(eq(organizations.id, orgId));
      if (!org) throw new Error('organization not found');
      const parsed = parseKpiFilters({ ...query, grain: 'week' }, localDay(now, org.timeZone));
      if (!parsed.ok) throw badRequest(parsed.message, `/querystring/${parsed.field}`);
      if (parsed.toDay - parsed.fromDay + 1 > CAPACITY_MAX_DAYS)
        throw badRequest(
          `the period may span at most ${CAPACITY_MAX_DAYS} days`,
          '/querystring/from',
        );
      const { filters } = parsed;
      const lo = zonedInstant(parsed.fromDay * DAY, org.timeZone).getTime();
      const hi = zonedInstant((parsed.toDay + 1) * DAY, org.timeZone).getTime();
      const appointments = await this.appointments(tx, filters, lo, hi, org.timeZone);
      // A service line has no hours of its own: its practitioners' hours are those who saw
      // its patients in the period.
      const practitioners = filters.serviceLine
        ? await this.practitionersOf(tx, filters.serviceLine, lo, hi)
        : null;
      const available = await this.availableHours(tx, filters, practitioners, lo, hi, org.timeZone);
      return {
        filters,
        threshold: can(ctx.actor.role, 'clinical:read') ? null : org.threshold,
        appointments,
        available,
        locations: await this.names(tx, 'locations'),
        serviceLines: await this.names(tx, 'service_lines'),
      };
    });
    const { filters, threshold, appointments, available } = figures;
    const weekKeys = new Set([
      ...available.keys(),
      ...appointments.filter((a) => a.locationId !== null).map((a) => `${a.week}/${a.locationId}`),
    ]);
    const weeks = [...weekKeys]
      .map((key) => {
        const [week = '', locationId = ''] = key.split('/');
        const cell = appointments.filter((a) => a.week === week && a.locationId === locationId);
        return {
          week,
          locationId,
          location: figures.locations.get(locationId) ?? 'Unknown location',
          ...capacityFigures(available.get(key) ?? 0, merge(cell), threshold),
        };
      })
      .sort((a, b) => a.week.localeCompare(b.week) || a.location.localeCompare(b.location));
    const lines = [...new Set(appointments.map((a) => a.serviceLineId))].map((id) => ({
      serviceLineId: id,
      serviceLine:
        id === null ? 'No service line' : (figures.serviceLines.get(id) ?? 'Unknown service line'),
      ...capacityFigures(0, merge(appointments.filter((a) => a.serviceLineId === id)), threshold),
    }));
    lines.sort(
      (a, b) => b.bookedHours - a.bookedHours || a.serviceLine.localeCompare(b.serviceLine),
    );
    const totalAvailable = [...available.values()].reduce((n, h) => n + h, 0);
    const report: CapacityReport = {
      filters,
      asOf: now.toISOString(),
      suppressionThreshold: threshold,
      totals: capacityFigures(totalAvailable, merge(appointments), threshold),
      weeks,
      serviceLines: lines,
      leadTimes: await this.leadTimes(ctx, filters, now),
      leadTimeHorizonDays: LEAD_TIME_HORIZON_DAYS,
    };
    await this.audit.read(ctx.audit, { action: 'read', recordType: 'capacity-report' });
    return report;
  }

  /** Appointments starting in [lo, hi) by week (the organization's), location, line and status. */
  private async appointments(
    tx: Db,
    filters: { location: string | null; practitioner: string | null; serviceLine: string | null },
    lo: number,
    hi: number,
    timeZone: string,
  ): Promise<AppointmentGroup[]> {
    const where = [
      sql`a.start_at >= ${new Date(lo).toISOString()}::timestamptz`,
      sql`a.start_at < ${new Date(hi).toISOString()}::timestamptz`,
    ];
    if (filters.location) where.push(sql`a.location_id = ${filters.location}::uuid`);
    if (filters.practitioner) where.push(sql`a.practitioner_id = ${filters.practitioner}::uuid`);
    if (filters.serviceLine) where.push(sql`a.service_line_id = ${filters.serviceLine}::uuid`);
    const rows = rowsOf<{
      week: string;
      locationId: string | null;
      serviceLineId: string | null;
      status: string;
      count: string | number;
      hours: string | number;
    }>(
      await tx.execute(sql`
        select to_char(date_trunc('week', a.start_at at time zone ${timeZone}), 'YYYY-MM-DD') as week,
               a.location_id as "locationId", a.service_line_id as "serviceLineId", a.status,
               count(*) as count, sum(extract(epoch from a.end_at - a.start_at)) / 3600 as hours
        from appointments a
        where ${sql.join(where, sql` and `)}
        group by 1, 2, 3, 4`),
    );
    return rows.map((r) => ({ ...r, count: Number(r.count), hours: Number(r.hours) }));
  }

  private async practitionersOf(
    tx: Db,
    serviceLine: string,
    lo: number,
    hi: number,
  ): Promise<string[]> {
    const rows = rowsOf<{ id: string }>(
      await tx.execute(sql`select distinct practitioner_id as id from appointments
        where service_line_id = ${serviceLine}::uuid and practitioner_id is not null
          and start_at >= ${new Date(lo).toISOString()}::timestamptz
          and start_at < ${new Date(hi).toISOString()}::timestamptz`),
    );
    return rows.map((r) => r.id);
  }

  /**
   * Working hours in [lo, hi) of every practitioner at every location (weekly hours less breaks,
   * dates off the pattern as their exceptions say), by `week/location` of the organization's days.
   */
  private async availableHours(
    tx: Db,
    filters: { location: string | null; practitioner: string | null },
    practitioners: string[] | null,
    lo: number,
    hi: number,
    timeZone: string,
  ): Promise<Map<string, number>> {
    const hours = new Map<string, number>();
    if (practitioners !== null && practitioners.length === 0) return hours;
    const where = [sql`l.active`];
    if (filters.location) where.push(sql`r.location_id = ${filters.location}::uuid`);
    if (filters.practitioner) where.push(sql`r.practitioner_id = ${filters.practitioner}::uuid`);
    if (practitioners)
      where.push(
        sql`r.practitioner_id in (${sql.join(
          practitioners.map((id) => sql`${id}::uuid`),
          sql`, `,
        )})`,
      );
    const rules = rowsOf<{
      practitionerId: string;
      locationId: string;
      timeZone: string;
      weekday: number;
      kind: string;
      start: string;
      end: string;
      validFrom: string | null;
      validUntil: string | null;
    }>(
      await tx.execute(sql`
        select r.practitioner_id as "practitionerId", r.location_id as "locationId",
               l.time_zone as "timeZone", r.weekday, r.kind, r.start_time as start, r.end_time as end,
               to_char(r.valid_from, 'YYYY-MM-DD') as "validFrom",
               to_char(r.valid_until, 'YYYY-MM-DD') as "validUntil"
        from availability_rules r join locations l on l.org_id = r.org_id and l.id = r.location_id
        where ${sql.join(where, sql` and `)}`),
    );
    if (rules.length === 0) return hours;
    const exceptions = rowsOf<{
      practitionerId: string | null;
      locationId: string | null;
      date: string;
      hours: string | null;
    }>(
      await tx.execute(sql`
        select practitioner_id as "practitionerId", location_id as "locationId",
               to_char(date, 'YYYY-MM-DD') as date, hours
        from availability_exceptions
        where date between ${new Date(lo - DAY).toISOString().slice(0, 10)}::date
                       and ${new Date(hi + DAY).toISOString().slice(0, 10)}::date`),
    );
    const chairs = new Map<string, { locationId: string; schedule: WorkingSchedule }>();
    for (const r of rules) {
      const key = `${r.practitionerId}/${r.locationId}`;
      let chair = chairs.get(key);
      if (!chair) {
        chair = {
          locationId: r.locationId,
          schedule: {
            timeZone: r.timeZone,
            weekly: [],
            exceptions: exceptions
              .filter(
                (e) =>
                  (e.practitionerId === null || e.practitionerId === r.practitionerId) &&
                  (e.locationId === null || e.locationId === r.locationId),
              )
              .map((e): DateException => ({ date: e.date, hours: parseHours(e.hours) })),
          },
        };
        chairs.set(key, chair);
      }
      chair.schedule.weekly.push({
        weekday: Number(r.weekday),
        kind: r.kind === 'break' ? 'break' : 'hours',
        start: r.start,
        end: r.end,
        validFrom: r.validFrom,
        validUntil: r.validUntil,
      });
    }
    for (const chair of chairs.values())
      for (const span of workingIntervals(chair.schedule, lo, hi)) {
        const start = Math.max(span.start, lo);
        const end = Math.min(span.end, hi);
        if (end <= start) continue;
        const key = `${weekOf(localDay(new Date(start), timeZone))}/${chair.locationId}`;
        hours.set(key, (hours.get(key) ?? 0) + (end - start) / 3_600_000);
      }
    return hours;
  }

  private async names(tx: Db, table: 'locations' | 'service_lines'): Promise<Map<string, string>> {
    const rows = rowsOf<{ id: string; name: string }>(
      await tx.execute(sql`select id, name from ${sql.identifier(table)}`),
    );
    return new Map(rows.map((r) => [r.id, r.name]));
  }

  /** Days to each active service's third-next-available slot (the scheduling module's search). */
  private async leadTimes(
    ctx: RequestContext,
    filters: { location: string | null; practitioner: string | null },
    now: Date,
  ): Promise<CapacityReport['leadTimes']> {
    const services = (await this.scheduling.setup.listServices(ctx)).filter((s) => s.active);
    const out: CapacityReport['leadTimes'] = [];
    for (const service of services) {
      const slots = await this.scheduling.availability(ctx, {
        service: service.id,
        from: now.toISOString(),
        to: new Date(now.getTime() + LEAD_TIME_HORIZON_DAYS * DAY).toISOString(),
        limit: 3,
        ...(filters.location ? { location: filters.location } : {}),
        ...(filters.practitioner ? { practitioner: filters.practitioner } : {}),
      });
      out.push({
        serviceId: service.id,
        service: service.name,
        thirdNextAvailableDays: thirdNextAvailableDays(
          slots.map((s) => Date.parse(s.start)),
          now.getTime(),
        ),
      });
    }
    return out;
  }
}

/** The same statuses of several groups as one list (counts and hours summed). */
function merge(groups: readonly AppointmentCount[]): AppointmentCount[] {
  const byStatus = new Map<string, AppointmentCount>();
  for (const g of groups) {
    const sum = byStatus.get(g.status) ?? { status: g.status, count: 0, hours: 0 };
    byStatus.set(g.status, { ...sum, count: sum.count + g.count, hours: sum.hours + g.hours });
  }
  return [...byStatus.values()];
}

/** Stored by the scheduling service from validated input; anything else reads as closed. */
function parseHours(text: string | null): WallRange[] | null {
  if (text === null) return null;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    // A value no writer of the scheduling module produced: closed is the safe reading.
    return null;
  }
  if (!Array.isArray(value)) return null;
  return value.flatMap((v: unknown) =>
    v &&
    typeof v === 'object' &&
    'start' in v &&
    'end' in v &&
    typeof v.start === 'string' &&
    typeof v.end === 'string'
      ? [{ start: v.start, end: v.end }]
      : [],
  );
}
