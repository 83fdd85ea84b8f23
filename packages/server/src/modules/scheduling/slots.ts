import {
  type AvailableSlot,
  type DateException,
  type Interval,
  openSlots,
  type WallRange,
  type WeeklyRule,
  type WorkingSchedule,
  workingIntervals,
} from '@careloop/core';
import { and, eq, gt, inArray, isNull, lt, ne, or, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { locations } from '../directory/schema.js';
// Issue 13: holds are busy too.
import { loadHeld, mergeBusy } from './holds.js';
import {
  appointments,
  availabilityExceptions,
  availabilityRules,
  visitTypeLocations,
  visitTypePractitioners,
  visitTypes,
} from './schema.js';

const DAY = 86_400_000;

export interface VisitType {
  id: string;
  name: string;
  durationMinutes: number;
  bufferMinutes: number;
  modality: 'in-person' | 'telehealth';
  patientRule: string;
  active: boolean;
  practitionerIds: string[];
  locationIds: string[];
}

export async function loadVisitType(tx: Db, id: string): Promise<VisitType | null> {
  const [row] = await tx.select().from(visitTypes).where(eq(visitTypes.id, id));
  if (!row) return null;
  const [practitioners, places] = await Promise.all([
    tx
      .select({ id: visitTypePractitioners.practitionerId })
      .from(visitTypePractitioners)
      .where(eq(visitTypePractitioners.visitTypeId, id)),
    tx
      .select({ id: visitTypeLocations.locationId })
      .from(visitTypeLocations)
      .where(eq(visitTypeLocations.visitTypeId, id)),
  ]);
  return {
    id: row.id,
    name: row.name,
    durationMinutes: row.durationMinutes,
    bufferMinutes: row.bufferMinutes,
    modality: row.modality === 'telehealth' ? 'telehealth' : 'in-person',
    patientRule: row.patientRule,
    active: row.active,
    practitionerIds: practitioners.map((p) => p.id).sort(),
    locationIds: places.map((l) => l.id).sort(),
  };
}

/** One practitioner's working schedule at one location. */
export interface Chair {
  practitionerId: string;
  locationId: string;
  schedule: WorkingSchedule;
}

/** Which practitioners at which locations may give `service`, with their schedules. */
export async function loadChairs(
  tx: Db,
  service: VisitType,
  filter: { practitionerId?: string; locationId?: string },
  window: Interval,
): Promise<Chair[]> {
  const conditions = [
    filter.practitionerId ? eq(availabilityRules.practitionerId, filter.practitionerId) : undefined,
    filter.locationId ? eq(availabilityRules.locationId, filter.locationId) : undefined,
    service.practitionerIds.length > 0
      ? inArray(availabilityRules.practitionerId, service.practitionerIds)
      : undefined,
    service.locationIds.length > 0
      ? inArray(availabilityRules.locationId, service.locationIds)
      : undefined,
  ];
  const rules = await tx
    .select({
      practitionerId: availabilityRules.practitionerId,
      locationId: availabilityRules.locationId,
      weekday: availabilityRules.weekday,
      kind: availabilityRules.kind,
      start: availabilityRules.startTime,
      end: availabilityRules.endTime,
      validFrom: availabilityRules.validFrom,
      validUntil: availabilityRules.validUntil,
      timeZone: locations.timeZone,
    })
    .from(availabilityRules)
    .innerJoin(locations, eq(locations.id, availabilityRules.locationId))
    .where(and(...conditions, eq(locations.active, true)));
  if (rules.length === 0) return [];
  // Dates as the zones see them: a day either side covers every offset.
  const firstDate = new Date(window.start - DAY).toISOString().slice(0, 10);
  const lastDate = new Date(window.end + DAY).toISOString().slice(0, 10);
  const exceptions = await tx
    .select()
    .from(availabilityExceptions)
    .where(
      and(
        sql`${availabilityExceptions.date} between ${firstDate} and ${lastDate}`,
        filter.practitionerId
          ? or(
              isNull(availabilityExceptions.practitionerId),
              eq(availabilityExceptions.practitionerId, filter.practitionerId),
            )
          : undefined,
      ),
    );
  const chairs = new Map<string, Chair>();
  for (const r of rules) {
    const key = `${r.practitionerId}/${r.locationId}`;
    let chair = chairs.get(key);
    if (!chair) {
      chair = {
        practitionerId: r.practitionerId,
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
            .map(exceptionOf),
        },
      };
      chairs.set(key, chair);
    }
    const rule: WeeklyRule = {
      weekday: r.weekday,
      kind: r.kind === 'break' ? 'break' : 'hours',
      start: r.start,
      end: r.end,
      validFrom: r.validFrom,
      validUntil: r.validUntil,
    };
    chair.schedule.weekly.push(rule);
  }
  return [...chairs.values()];
}

function exceptionOf(row: typeof availabilityExceptions.$inferSelect): DateException {
  return { date: row.date, hours: row.hours === null ? null : parseHours(row.hours) };
}

/** Stored by the service from validated input; anything else reads as closed. */
function parseHours(text: string): WallRange[] | null {
  try {
    const value: unknown = JSON.parse(text);
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
  } catch {
    // A value no writer of ours produced: closed is the safe reading.
    return null;
  }
}

/**
 * Every practitioner's busy time overlapping `window`, wherever they are: appointments that
 * still hold their time (Careloop's with their buffer, imported ones as scheduled).
 */
export async function loadBusy(
  tx: Db,
  practitionerIds: string[],
  window: Interval,
  /** An appointment whose own time does not count (it is being moved). */
  except: string | null = null,
): Promise<Map<string, Interval[]>> {
  const busy = new Map<string, Interval[]>();
  if (practitionerIds.length === 0) return busy;
  const upper = sql<Date>`coalesce(upper(${appointments.occupies}), ${appointments.endAt})`;
  const rows = await tx
    .select({
      practitionerId: appointments.practitionerId,
      start: appointments.startAt,
      end: sql<string>`${upper}`,
    })
    .from(appointments)
    .where(
      and(
        inArray(appointments.practitionerId, practitionerIds),
        inArray(appointments.status, ['proposed', 'booked', 'arrived', 'fulfilled']),
        lt(appointments.startAt, new Date(window.end)),
        gt(upper, new Date(window.start)),
        except ? ne(appointments.id, except) : undefined,
      ),
    );
  for (const r of rows) {
    if (!r.practitionerId) continue;
    const list = busy.get(r.practitionerId) ?? [];
    list.push({ start: r.start.getTime(), end: new Date(r.end).getTime() });
    busy.set(r.practitionerId, list);
  }
  return busy;
}

/** Open slots of `service` in `window`, earliest first, at most `limit`. */
export async function findSlots(
  tx: Db,
  service: VisitType,
  filter: { practitionerId?: string; locationId?: string },
  window: Interval,
  limit: number,
  /** Holds past their expiry at `now` are free again; null: every hold not released is busy. */
  now: number | null = null,
): Promise<AvailableSlot[]> {
  const chairs = await loadChairs(tx, service, filter, window);
  const ids = [...new Set(chairs.map((c) => c.practitionerId))];
  const around = {
    start: window.start - service.bufferMinutes * 60_000,
    end: window.end + (service.durationMinutes + service.bufferMinutes) * 60_000,
  };
  const busy = mergeBusy(await loadBusy(tx, ids, around), await loadHeld(tx, ids, around, now));
  const slots: AvailableSlot[] = [];
  for (const chair of chairs) {
    for (const s of openSlots({
      schedule: chair.schedule,
      from: window.start,
      to: window.end,
      durationMinutes: service.durationMinutes,
      bufferMinutes: service.bufferMinutes,
      busy: busy.get(chair.practitionerId) ?? [],
    })) {
      slots.push({
        start: new Date(s.start).toISOString(),
        end: new Date(s.end).toISOString(),
        practitionerId: chair.practitionerId,
        locationId: chair.locationId,
        serviceId: service.id,
      });
    }
  }
  slots.sort(
    (a, b) => a.start.localeCompare(b.start) || a.practitionerId.localeCompare(b.practitionerId),
  );
  return slots.slice(0, limit);
}

/** Whether a visit of `service` from `start` lies wholly within the chair's working hours. */
export function withinHours(chair: Chair, start: number, durationMinutes: number): boolean {
  const end = start + durationMinutes * 60_000;
  return workingIntervals(chair.schedule, start, end).some((i) => i.start <= start && end <= i.end);
}

/** Whether anything busy overlaps [start, end). */
export function overlapsBusy(busy: Interval[], start: number, end: number): boolean {
  return busy.some((b) => b.start < end && start < b.end);
}
