import { eq } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { practitioners } from '../modules/directory/schema.js';
import { availabilityRules, schedulingSettings, visitTypes } from '../modules/scheduling/schema.js';

/** The demo's services (visit types): what the front desk books. */
const DEMO_SERVICES = [
  {
    name: 'New patient visit',
    durationMinutes: 40,
    bufferMinutes: 10,
    modality: 'in-person',
    patientRule: 'new',
  },
  {
    name: 'Follow-up visit',
    durationMinutes: 20,
    bufferMinutes: 10,
    modality: 'in-person',
    patientRule: 'established',
  },
  {
    name: 'Annual physical',
    durationMinutes: 30,
    bufferMinutes: 0,
    modality: 'in-person',
    patientRule: 'any',
  },
  {
    name: 'Video visit',
    durationMinutes: 20,
    bufferMinutes: 0,
    modality: 'telehealth',
    patientRule: 'established',
  },
] as const;

/**
 * Services, weekly hours (Monday to Friday 08:00–17:00 at each clinician's clinic, lunch
 * 12:00–13:00, in the clinic's zone) and a telehealth link template for a seeded organization,
 * so the demo shows open slots. Recurring rules carry no dates: the demo's `asOf` decides which
 * days the calendar shows, never the wall clock. Running it again adds nothing.
 */
export async function ensureDemoSchedule(tx: Db, orgId: string): Promise<void> {
  await tx
    .insert(visitTypes)
    .values(DEMO_SERVICES.map((s) => ({ ...s, orgId })))
    .onConflictDoNothing();
  await tx
    .insert(schedulingSettings)
    .values({ orgId, telehealthUrlTemplate: 'https://telehealth.careloop.localhost/join/{token}' })
    .onConflictDoNothing();
  const existing = await tx
    .select({ id: availabilityRules.id })
    .from(availabilityRules)
    .where(eq(availabilityRules.orgId, orgId))
    .limit(1);
  if (existing.length > 0) return;
  const staff = await tx
    .select({ id: practitioners.id, locationId: practitioners.locationId })
    .from(practitioners)
    .where(eq(practitioners.orgId, orgId));
  const rules = staff.flatMap(({ id, locationId }) =>
    locationId === null
      ? []
      : [1, 2, 3, 4, 5].flatMap((weekday) => {
          const at = { orgId, practitionerId: id, locationId, weekday };
          return [
            { ...at, kind: 'hours', startTime: '08:00', endTime: '17:00' },
            { ...at, kind: 'break', startTime: '12:00', endTime: '13:00' },
          ];
        }),
  );
  if (rules.length > 0) await tx.insert(availabilityRules).values(rules);
}
