import type { PatientRule } from '@careloop/core';
import { expect } from 'vitest';
import { locations, practitioners } from '../modules/directory/schema.js';
import type { Session, TestApp, TestTenant } from './app.js';

export interface TestClinic {
  locationId: string;
  practitionerId: string;
  serviceId: string;
}

/**
 * A clinic that Careloop schedules (tests of booking, waitlists and offers): a location in New
 * York, Dr. Ana Reyes working there 09:00–12:00 on `weekdays` (0 = Sunday), and a 30-minute
 * in-person "Annual physical" without buffer (for any patient unless `patientRule` says), made
 * through the API as an admin would.
 */
export async function openClinic(
  app: TestApp,
  tenant: TestTenant,
  admin: Session,
  options: {
    name?: string;
    phone?: string;
    weekdays?: readonly number[];
    patientRule?: PatientRule;
  } = {},
): Promise<TestClinic> {
  const [location] = await app.database.system((tx) =>
    tx
      .insert(locations)
      .values({
        orgId: tenant.orgId,
        name: options.name ?? 'Main Street Clinic',
        timeZone: 'America/New_York',
        ...(options.phone ? { phone: options.phone } : {}),
      })
      .returning(),
  );
  const [practitioner] = await app.database.system((tx) =>
    tx
      .insert(practitioners)
      .values({ orgId: tenant.orgId, givenName: 'Ana', familyName: 'Reyes', prefix: 'Dr.' })
      .returning(),
  );
  if (!location || !practitioner) throw new Error('fixture');
  const service = await admin.post('/api/scheduling/services', {
    name: 'Annual physical',
    durationMinutes: 30,
    bufferMinutes: 0,
    modality: 'in-person',
    ...(options.patientRule ? { patientRule: options.patientRule } : {}),
  });
  expect(service.statusCode, service.body).toBe(201);
  for (const weekday of options.weekdays ?? [1, 2, 3, 4, 5]) {
    const rule = await admin.post('/api/scheduling/rules', {
      practitionerId: practitioner.id,
      locationId: location.id,
      weekday,
      start: '09:00',
      end: '12:00',
    });
    expect(rule.statusCode, rule.body).toBe(201);
  }
  return {
    locationId: location.id,
    practitionerId: practitioner.id,
    serviceId: service.json<{ id: string }>().id,
  };
}
