import {
  CAP_BUCKETS,
  DEFAULT_FREQUENCY_CAPS,
  DEFAULT_SEND_WINDOW,
  type FrequencyCap,
  type FrequencyCaps,
  type SendWindow,
} from '@careloop/core';
import { and, eq, inArray } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { locations, organizations } from '../directory/schema.js';
import { patients } from '../patients/schema.js';
import { messagePolicies } from './schema.js';

/** An organization's send-time policy, with the defaults where it set nothing. */
export interface OrganizationMessagePolicy {
  defaultLanguage: string;
  window: SendWindow;
  caps: FrequencyCaps;
}

function capsFrom(stored: unknown): FrequencyCaps {
  const caps: FrequencyCaps = { ...DEFAULT_FREQUENCY_CAPS };
  if (stored === null || typeof stored !== 'object') return caps;
  for (const bucket of CAP_BUCKETS) {
    const cap: unknown = Reflect.get(stored, bucket);
    if (cap === null || typeof cap !== 'object') continue;
    const perDay: unknown = Reflect.get(cap, 'perDay');
    const perWeek: unknown = Reflect.get(cap, 'perWeek');
    if (Number.isInteger(perDay) && Number.isInteger(perWeek))
      caps[bucket] = { perDay: Number(perDay), perWeek: Number(perWeek) } satisfies FrequencyCap;
  }
  return caps;
}

/** The policy of an organization (defaults when it has no row). */
export async function messagePolicyOf(tx: Db, orgId: string): Promise<OrganizationMessagePolicy> {
  const [row] = await tx.select().from(messagePolicies).where(eq(messagePolicies.orgId, orgId));
  if (!row)
    return { defaultLanguage: 'en', window: DEFAULT_SEND_WINDOW, caps: DEFAULT_FREQUENCY_CAPS };
  return {
    defaultLanguage: row.defaultLanguage,
    window: { startMinute: row.quietStartMinute, endMinute: row.quietEndMinute },
    caps: capsFrom(row.frequencyCaps),
  };
}

/** The zone a patient's messages are timed in: theirs, else their location's, else the organization's. */
export async function patientZone(tx: Db, orgId: string, patientId: string): Promise<string> {
  const [row] = await tx
    .select({ own: patients.timeZone, location: locations.timeZone, org: organizations.timeZone })
    .from(patients)
    .innerJoin(organizations, eq(organizations.id, patients.orgId))
    .leftJoin(
      locations,
      and(eq(locations.orgId, patients.orgId), eq(locations.id, patients.primaryLocationId)),
    )
    .where(and(eq(patients.orgId, orgId), eq(patients.id, patientId)));
  return row?.own ?? row?.location ?? row?.org ?? 'UTC';
}

// Issue 11 at scale: the send-time checks of a batch (docs/adr/0034-batched-outbox-dispatch.md).
/** `patientZone` of many patients in one statement; a patient not found is absent. */
export async function patientZones(
  tx: Db,
  orgId: string,
  patientIds: string[],
): Promise<Map<string, string>> {
  if (patientIds.length === 0) return new Map();
  const rows = await tx
    .select({
      id: patients.id,
      own: patients.timeZone,
      location: locations.timeZone,
      org: organizations.timeZone,
    })
    .from(patients)
    .innerJoin(organizations, eq(organizations.id, patients.orgId))
    .leftJoin(
      locations,
      and(eq(locations.orgId, patients.orgId), eq(locations.id, patients.primaryLocationId)),
    )
    .where(and(eq(patients.orgId, orgId), inArray(patients.id, patientIds)));
  return new Map(rows.map((r) => [r.id, r.own ?? r.location ?? r.org ?? 'UTC']));
}
