import {
  type AppointmentStatus,
  joinLink,
  mayRead,
  type Role,
  type ScheduledAppointment,
} from '@careloop/core';
import { asc, eq, type SQL, sql } from 'drizzle-orm';
import type { FieldCipher } from '../../crypto/field-cipher.js';
import type { Db } from '../../db/client.js';
import { locations, practitioners } from '../directory/schema.js';
import { patients } from '../patients/schema.js';
import { appointmentCancelReason } from './reason.js';
import { appointments, visitTypes } from './schema.js';
import { settingsOf } from './setup.js';

/**
 * Appointments as a reader of `role` may see them (FIELD_POLICY: the patient's name and the
 * cancellation reason only for roles that may read them), with the service, practitioner and
 * location named, in start order; at most 5,000. The caller audits the read.
 */
export async function selectAppointments(
  tx: Db,
  role: Role,
  cipher: FieldCipher,
  where: SQL | undefined,
): Promise<ScheduledAppointment[]> {
  const settings = await settingsOf(tx);
  const rows = await tx
    .select({
      id: appointments.id,
      orgId: appointments.orgId,
      patientId: appointments.patientId,
      given: patients.givenName,
      family: patients.familyName,
      status: appointments.status,
      serviceId: appointments.visitTypeId,
      serviceName: visitTypes.name,
      practitionerId: appointments.practitionerId,
      practitionerName: sql<string | null>`case when ${practitioners.id} is null then null
        else concat_ws(' ', ${practitioners.prefix}, ${practitioners.givenName}, ${practitioners.familyName}) end`,
      locationId: appointments.locationId,
      locationName: locations.name,
      startAt: appointments.startAt,
      endAt: appointments.endAt,
      telehealth: appointments.telehealth,
      joinToken: appointments.joinToken,
      cancelReason: appointments.cancelReason,
      cancelReasonEncrypted: appointments.cancelReasonEncrypted,
      lateCancel: appointments.lateCancel,
    })
    .from(appointments)
    .innerJoin(patients, eq(patients.id, appointments.patientId))
    .leftJoin(visitTypes, eq(visitTypes.id, appointments.visitTypeId))
    .leftJoin(practitioners, eq(practitioners.id, appointments.practitionerId))
    .leftJoin(locations, eq(locations.id, appointments.locationId))
    .where(where)
    .orderBy(asc(appointments.startAt), asc(appointments.id))
    .limit(5_000);
  const names = mayRead(role, 'appointment', 'patient');
  const cancelReasons = mayRead(role, 'appointment', 'cancelReason');
  return rows.map(
    (r): ScheduledAppointment => ({
      id: r.id,
      patientId: r.patientId,
      patientName: names ? [r.given, r.family].filter(Boolean).join(' ') || null : null,
      status: r.status as AppointmentStatus,
      serviceId: r.serviceId,
      serviceName: r.serviceName,
      practitionerId: r.practitionerId,
      practitionerName: r.practitionerName,
      locationId: r.locationId,
      locationName: r.locationName,
      start: r.startAt.toISOString(),
      end: r.endAt.toISOString(),
      telehealth: r.telehealth,
      joinLink:
        r.joinToken && settings.telehealthUrlTemplate
          ? joinLink(settings.telehealthUrlTemplate, r.joinToken)
          : null,
      cancelReason: cancelReasons ? appointmentCancelReason(r, cipher, r.orgId) : null,
      lateCancel: r.lateCancel,
    }),
  );
}
