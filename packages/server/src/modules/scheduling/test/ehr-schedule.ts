import { expect } from 'vitest';
import type { Session, TestApp, TestTenant } from '../../../test/app.js';
import { locations, practitioners } from '../../directory/schema.js';
import { schedules, slots } from '../../fhir/schema.js';

/** A stretch of the EHR's schedule as its FHIR import leaves it. */
export interface EhrSlot {
  status: 'free' | 'busy';
  startAt: Date;
  endAt: Date;
}

export interface EhrSchedule {
  locationId: string;
  practitionerId: string;
  serviceId: string;
}

/**
 * The set-up the EHR-mode tests share: a clinic in New York, a practitioner, a 30-minute
 * service, the EHR's schedule for that practitioner at that clinic with `slots`, and the
 * organization switched to the EHR-owned schedule (which needs an EHR endpoint configured).
 */
export async function ehrSchedule(
  app: TestApp,
  tenant: TestTenant,
  admin: Session,
  options: {
    slots: readonly EhrSlot[];
    clinic?: string;
    practitioner?: { givenName: string; familyName: string; prefix?: string; npi?: string };
  },
): Promise<EhrSchedule> {
  const person = options.practitioner ?? { givenName: 'Ama', familyName: 'Osei', prefix: 'Dr.' };
  const [location] = await app.database.system((tx) =>
    tx
      .insert(locations)
      .values({
        orgId: tenant.orgId,
        name: options.clinic ?? 'North Clinic',
        timeZone: 'America/New_York',
      })
      .returning(),
  );
  const [practitioner] = await app.database.system((tx) =>
    tx
      .insert(practitioners)
      .values({ orgId: tenant.orgId, ...person })
      .returning(),
  );
  if (!location || !practitioner) throw new Error('fixture');
  const service = await admin.post('/api/scheduling/services', {
    name: 'Follow-up',
    durationMinutes: 30,
    modality: 'in-person',
  });
  expect(service.statusCode, service.body).toBe(201);
  await app.database.system(async (tx) => {
    const [schedule] = await tx
      .insert(schedules)
      .values({
        orgId: tenant.orgId,
        name: `Dr ${person.familyName}`,
        practitionerId: practitioner.id,
        locationId: location.id,
      })
      .returning();
    if (!schedule) throw new Error('fixture');
    await tx
      .insert(slots)
      .values(options.slots.map((s) => ({ orgId: tenant.orgId, scheduleId: schedule.id, ...s })));
  });
  const mode = await admin.patch('/api/scheduling/settings', { scheduleMode: 'ehr' });
  expect(mode.statusCode, mode.body).toBe(200);
  expect(mode.json<{ scheduleMode: string }>().scheduleMode).toBe('ehr');
  return {
    locationId: location.id,
    practitionerId: practitioner.id,
    serviceId: service.json<{ id: string }>().id,
  };
}
