import type { Interval } from '@careloop/core';
import { and, eq, gt, inArray, isNull, lt, ne, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { slotHolds } from './schema.js';

/**
 * Slot holds (docs/adr/0030-slot-holds-and-offers.md): a slot kept for someone for a while.
 * Availability leaves held time out; a booking over held time is refused unless it claims the
 * hold. Bookings and holds of one practitioner are checked and written under one transaction
 * lock (shared by bookings, exclusive for a new hold), so neither can slip in beside the other; holds among themselves are also kept apart by
 * the exclusion constraint `slot_holds_no_overlap`.
 */

export type HoldReason = 'waitlist-offer' | 'booking';

/**
 * The lock that keeps holds and bookings of one practitioner apart, until the transaction
 * ends. Bookings take it shared (they do not wait for each other: the appointments' exclusion
 * constraint decides between them); a new hold takes it exclusive, so it waits for the
 * bookings in flight and the bookings after it see it. Taken before busy and held time is read.
 */
export async function lockPractitionerTime(
  tx: Db,
  practitionerId: string,
  mode: 'shared' | 'exclusive',
): Promise<void> {
  const key = `careloop.slot:${practitionerId}`;
  await tx.execute(
    mode === 'shared'
      ? sql`select pg_advisory_xact_lock_shared(hashtextextended(${key}, 0))`
      : sql`select pg_advisory_xact_lock(hashtextextended(${key}, 0))`,
  );
}

/**
 * The time held for each practitioner overlapping `window` (visits with their buffer). With
 * `now`, holds past their expiry no longer count (the expiry job releases them soon after);
 * without it, every hold not released does. `claim`: the hold a booking takes, not counted.
 */
export async function loadHeld(
  tx: Db,
  practitionerIds: string[],
  window: Interval,
  now: number | null,
  claim: string | null = null,
): Promise<Map<string, Interval[]>> {
  const held = new Map<string, Interval[]>();
  if (practitionerIds.length === 0) return held;
  const rows = await tx
    .select({
      practitionerId: slotHolds.practitionerId,
      start: slotHolds.startAt,
      end: sql<string>`upper(${slotHolds.occupies})`,
    })
    .from(slotHolds)
    .where(
      and(
        inArray(slotHolds.practitionerId, practitionerIds),
        isNull(slotHolds.releasedAt),
        lt(slotHolds.startAt, new Date(window.end)),
        gt(sql`upper(${slotHolds.occupies})`, new Date(window.start)),
        now === null ? undefined : gt(slotHolds.expiresAt, new Date(now)),
        claim ? ne(slotHolds.id, claim) : undefined,
      ),
    );
  for (const r of rows) {
    const list = held.get(r.practitionerId) ?? [];
    list.push({ start: r.start.getTime(), end: new Date(r.end).getTime() });
    held.set(r.practitionerId, list);
  }
  return held;
}

/** Adds `extra`'s intervals to `into`, per practitioner. */
export function mergeBusy(
  into: Map<string, Interval[]>,
  extra: Map<string, Interval[]>,
): Map<string, Interval[]> {
  for (const [id, list] of extra) into.set(id, [...(into.get(id) ?? []), ...list]);
  return into;
}

export interface HoldRequest {
  orgId: string;
  practitionerId: string;
  locationId: string;
  serviceId: string;
  start: number;
  /** The visit's end. */
  end: number;
  /** The visit and its buffer: the time it keeps. */
  blockedUntil: number;
  reason: HoldReason;
  expiresAt: Date;
  now: Date;
}

/**
 * Releases the practitioner's holds past their expiry that overlap [start, end), so a new
 * hold there meets only live ones in the exclusion constraint. Call under the lock.
 */
export async function releaseExpiredHolds(
  tx: Db,
  practitionerId: string,
  start: number,
  end: number,
  now: Date,
): Promise<void> {
  await tx
    .update(slotHolds)
    .set({ releasedAt: now, releaseReason: 'expired' })
    .where(
      and(
        eq(slotHolds.practitionerId, practitionerId),
        isNull(slotHolds.releasedAt),
        sql`${slotHolds.expiresAt} <= ${now}`,
        lt(slotHolds.startAt, new Date(end)),
        gt(sql`upper(${slotHolds.occupies})`, new Date(start)),
      ),
    );
}

/** Inserts a hold; the caller has checked the time is free under `lockPractitionerTime`. */
export async function insertHold(tx: Db, hold: HoldRequest): Promise<string> {
  const [row] = await tx
    .insert(slotHolds)
    .values({
      orgId: hold.orgId,
      practitionerId: hold.practitionerId,
      locationId: hold.locationId,
      visitTypeId: hold.serviceId,
      startAt: new Date(hold.start),
      endAt: new Date(hold.end),
      occupies: `[${new Date(hold.start).toISOString()},${new Date(hold.blockedUntil).toISOString()})`,
      reason: hold.reason,
      expiresAt: hold.expiresAt,
      createdAt: hold.now,
    })
    .returning({ id: slotHolds.id });
  if (!row) throw new Error('insert returned nothing');
  return row.id;
}

/** Ends a hold (booked, expired, declined, withdrawn); a released hold is left as it is. */
export async function releaseHold(
  tx: Db,
  holdId: string,
  at: Date,
  reason: string,
): Promise<boolean> {
  const rows = await tx
    .update(slotHolds)
    .set({ releasedAt: at, releaseReason: reason })
    .where(and(eq(slotHolds.id, holdId), isNull(slotHolds.releasedAt)))
    .returning({ id: slotHolds.id });
  return rows.length > 0;
}

/** Moves a live hold's expiry (the next patient in a sequential offer gets the full time). */
export async function extendHold(tx: Db, holdId: string, expiresAt: Date): Promise<void> {
  await tx
    .update(slotHolds)
    .set({ expiresAt })
    .where(and(eq(slotHolds.id, holdId), isNull(slotHolds.releasedAt)));
}
