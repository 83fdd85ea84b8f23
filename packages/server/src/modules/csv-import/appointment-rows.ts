import { createHash, randomUUID } from 'node:crypto';
import {
  type AppointmentImportRow,
  type AppointmentStatus,
  DirectoryIndex,
  instantOf,
  MRN_SYSTEM,
} from '@careloop/core';
import { and, eq, ne } from 'drizzle-orm';
import type { FieldCipher } from '../../crypto/field-cipher.js';
import type { Db } from '../../db/client.js';
import { locations, organizations, practitioners, serviceLines } from '../directory/schema.js';
import { patientSourceRecords, sourceLinks } from '../mpi/schema.js';
import { saveSourceLinks } from '../mpi/source-links.js';
import { patientIdentifiers, patients } from '../patients/schema.js';
import { appointments } from '../scheduling/schema.js';
import {
  appointmentReason,
  type ImportedAppointmentChange,
  insertImportedAppointment,
  sealedReason,
  stateOf,
  updateImportedAppointment,
} from '../scheduling/service.js';
import type { NewTouchpoint } from '../timeline/service.js';
import { RowConflict } from './patient-rows.js';

/**
 * Source type of an appointment row in `source_links` (shared with the FHIR and HL7 imports,
 * whose source types are resource and field names, so the three never collide).
 */
export const APPOINTMENT_LINK_TYPE = 'csv:appointment';

/** The directory an appointment file names things from, loaded once per import. */
export interface AppointmentDirectory {
  timeZone: string;
  services: DirectoryIndex;
  practitioners: DirectoryIndex;
  locations: DirectoryIndex;
  serviceMinutes: Map<string, number>;
  locationZone: Map<string, string>;
  practitionerLocation: Map<string, string | null>;
}

export async function loadDirectory(tx: Db, orgId: string): Promise<AppointmentDirectory> {
  const [org] = await tx
    .select({ timeZone: organizations.timeZone })
    .from(organizations)
    .where(eq(organizations.id, orgId));
  const services = await tx
    .select({
      id: serviceLines.id,
      name: serviceLines.name,
      code: serviceLines.code,
      minutes: serviceLines.defaultDurationMinutes,
    })
    .from(serviceLines);
  const people = await tx
    .select({
      id: practitioners.id,
      given: practitioners.givenName,
      family: practitioners.familyName,
      npi: practitioners.npi,
      locationId: practitioners.locationId,
    })
    .from(practitioners);
  const places = await tx
    .select({ id: locations.id, name: locations.name, timeZone: locations.timeZone })
    .from(locations);
  return {
    timeZone: org?.timeZone ?? 'UTC',
    services: new DirectoryIndex(services.map((s) => ({ id: s.id, names: [s.name, s.code] }))),
    practitioners: new DirectoryIndex(
      people.map((p) => ({
        id: p.id,
        names: [`${p.given} ${p.family}`, ...(p.npi ? [p.npi] : [])],
      })),
    ),
    locations: new DirectoryIndex(places.map((l) => ({ id: l.id, names: [l.name] }))),
    serviceMinutes: new Map(services.map((s) => [s.id, s.minutes])),
    locationZone: new Map(places.map((l) => [l.id, l.timeZone])),
    practitionerLocation: new Map(people.map((p) => [p.id, p.locationId])),
  };
}

export type AppointmentRowOutcome = {
  outcome: 'create' | 'update' | 'unchanged';
  appointmentId: string;
  patientId: string;
};

/** The row's key within its file: the mapped appointment id, else a hash of the row. */
export function appointmentSourceKey(row: AppointmentImportRow): string {
  if (row.sourceId) return row.sourceId;
  const { sourceId: _none, ...rest } = row;
  return `row:${createHash('sha256').update(JSON.stringify(rest)).digest('hex').slice(0, 32)}`;
}

async function patientOf(tx: Db, row: AppointmentImportRow): Promise<string> {
  if (row.patientMrn) {
    const [owner] = await tx
      .select({ id: patientIdentifiers.patientId })
      .from(patientIdentifiers)
      .innerJoin(patients, eq(patients.id, patientIdentifiers.patientId))
      .where(
        and(
          eq(patientIdentifiers.system, MRN_SYSTEM),
          eq(patientIdentifiers.value, row.patientMrn),
          ne(patients.status, 'merged'),
        ),
      );
    if (owner) return owner.id;
    if (!row.patientSourceId) {
      throw new RowConflict(`No patient has MRN ${row.patientMrn}`, 'patientMrn');
    }
  }
  const sourceId = row.patientSourceId ?? '';
  const linked = await tx
    .selectDistinct({ id: patientSourceRecords.patientId })
    .from(patientSourceRecords)
    .innerJoin(patients, eq(patients.id, patientSourceRecords.patientId))
    .where(
      and(
        eq(patientSourceRecords.kind, 'csv'),
        eq(patientSourceRecords.sourceId, sourceId),
        ne(patients.status, 'merged'),
      ),
    );
  const [only] = linked;
  if (linked.length > 1) {
    throw new RowConflict(
      `Patient source id ${sourceId} names ${linked.length} patients (imported from different files); use the MRN`,
      'patientSourceId',
    );
  }
  if (!only) {
    throw new RowConflict(
      `No patient was imported with source id ${sourceId}; import the patients first`,
      'patientSourceId',
    );
  }
  return only.id;
}

function resolve(index: DirectoryIndex, name: string | null, field: string, what: string) {
  if (name === null) return null;
  const found = index.find(name);
  if (found === 'ambiguous') {
    throw new RowConflict(`More than one ${what} is named "${name}"`, field);
  }
  if (found === null) throw new RowConflict(`No ${what} named "${name}" in the directory`, field);
  return found;
}

const TOUCHPOINTS: Record<AppointmentStatus, { type: string; stage: NewTouchpoint['stage'] }> = {
  proposed: { type: 'appointment.proposed', stage: 'scheduling' },
  booked: { type: 'appointment.booked', stage: 'scheduling' },
  arrived: { type: 'appointment.arrived', stage: 'visit' },
  fulfilled: { type: 'appointment.fulfilled', stage: 'visit' },
  cancelled: { type: 'appointment.cancelled', stage: 'scheduling' },
  noshow: { type: 'appointment.noshow', stage: 'visit' },
};

/**
 * Writes one appointment row: found by its source link when this file (or an earlier import of
 * it) sent it before, else created. The patient is found by MRN or by the source id of a CSV
 * patient import; the service, practitioner and location by name. Times without an offset are
 * read in the location's time zone (else the practitioner's location's, else the organization's).
 */
export async function writeAppointmentRow(
  tx: Db,
  ctx: { orgId: string; system: string; directory: AppointmentDirectory; cipher: FieldCipher },
  row: AppointmentImportRow,
): Promise<{
  result: AppointmentRowOutcome;
  touchpoint: NewTouchpoint | null;
  change: ImportedAppointmentChange | null;
}> {
  const dir = ctx.directory;
  const patientId = await patientOf(tx, row);
  const serviceLineId = resolve(dir.services, row.service, 'service', 'service');
  const practitionerId = resolve(
    dir.practitioners,
    row.practitioner,
    'practitioner',
    'practitioner',
  );
  const locationId = resolve(dir.locations, row.location, 'location', 'location');
  const placeId =
    locationId ?? (practitionerId ? dir.practitionerLocation.get(practitionerId) : null);
  const zone = (placeId ? dir.locationZone.get(placeId) : undefined) ?? dir.timeZone;
  const startAt = instantOf(row.start, zone);
  const minutes =
    row.durationMinutes ?? (serviceLineId ? dir.serviceMinutes.get(serviceLineId) : undefined);
  let endAt: Date;
  if (row.end) endAt = instantOf(row.end, zone);
  else if (minutes !== undefined) endAt = new Date(startAt.getTime() + minutes * 60_000);
  else throw new RowConflict('No end: map an End or Duration column, or name a service', 'end');
  if (endAt <= startAt) throw new RowConflict('The end is not after the start', 'end');

  const values = {
    patientId,
    status: row.status,
    serviceLineId,
    practitionerId,
    locationId,
    startAt,
    endAt,
    telehealth: row.telehealth,
  };
  const sourceId = appointmentSourceKey(row);
  const [link] = await tx
    .select({ recordId: sourceLinks.recordId })
    .from(sourceLinks)
    .where(
      and(
        eq(sourceLinks.sourceSystem, ctx.system),
        eq(sourceLinks.sourceType, APPOINTMENT_LINK_TYPE),
        eq(sourceLinks.sourceId, sourceId),
      ),
    );
  const [existing] = link
    ? await tx.select().from(appointments).where(eq(appointments.id, link.recordId))
    : [];
  if (existing) {
    const same =
      existing.patientId === values.patientId &&
      existing.status === values.status &&
      existing.serviceLineId === values.serviceLineId &&
      existing.practitionerId === values.practitionerId &&
      existing.locationId === values.locationId &&
      existing.startAt.getTime() === startAt.getTime() &&
      existing.endAt.getTime() === endAt.getTime() &&
      existing.telehealth === values.telehealth &&
      appointmentReason(existing, ctx.cipher, ctx.orgId) === (row.reason ?? null);
    const result = { appointmentId: existing.id, patientId };
    if (same) {
      return { result: { ...result, outcome: 'unchanged' }, touchpoint: null, change: null };
    }
    await updateImportedAppointment(tx, {
      ...values,
      ...sealedReason(ctx.cipher, row.reason, existing.id, ctx.orgId),
      id: existing.id,
    });
    return {
      result: { ...result, outcome: 'update' },
      touchpoint:
        existing.status === values.status
          ? null
          : touchpointOf(ctx, patientId, existing.id, row.status, startAt),
      change: {
        orgId: ctx.orgId,
        appointmentId: existing.id,
        before: stateOf(existing),
        after: { status: row.status, startAt },
      },
    };
  }
  // The id is chosen here: the reason is sealed to it.
  const id = randomUUID();
  const [created] = await insertImportedAppointment(tx, {
    ...values,
    ...sealedReason(ctx.cipher, row.reason, id, ctx.orgId),
    id,
    orgId: ctx.orgId,
  });
  if (!created) throw new Error('appointment insert returned nothing');
  await saveSourceLinks(tx, [
    {
      orgId: ctx.orgId,
      sourceSystem: ctx.system,
      sourceType: APPOINTMENT_LINK_TYPE,
      sourceId,
      recordType: 'appointment',
      recordId: created.id,
      patientId,
    },
  ]);
  return {
    result: { outcome: 'create', appointmentId: created.id, patientId },
    touchpoint: touchpointOf(ctx, patientId, created.id, row.status, startAt),
    change: {
      orgId: ctx.orgId,
      appointmentId: created.id,
      before: null,
      after: { status: row.status, startAt },
    },
  };
}

function touchpointOf(
  ctx: { orgId: string; system: string },
  patientId: string,
  appointmentId: string,
  status: AppointmentStatus,
  startAt: Date,
): NewTouchpoint {
  const { type, stage } = TOUCHPOINTS[status];
  return {
    orgId: ctx.orgId,
    patientId,
    channel: 'system',
    direction: 'internal',
    type,
    stage,
    summary: `Appointment ${status} (imported from a CSV file)`,
    nonClinicalSummary: `Appointment ${status} (imported from a CSV file)`,
    sourceSystem: ctx.system,
    outcome: status,
    subjectType: 'appointment',
    subjectId: appointmentId,
    occurredAt: status === 'booked' || status === 'proposed' ? new Date() : startAt,
  };
}
