import { and, desc, eq, inArray, type SQL, sql } from 'drizzle-orm';
import type { FieldCipher } from '../../../crypto/field-cipher.js';
import type { Db } from '../../../db/client.js';
import { rowsOf } from '../../../db/rows.js';
import {
  allergies,
  conditions,
  immunizations,
  medicationRequests,
  observations,
  procedures,
} from '../../clinical/schema.js';
import { encounterReason } from '../../clinical/service.js';
import {
  coverages,
  patientAddresses,
  patientContactPoints,
  patientIdentifiers,
  patients,
} from '../../patients/schema.js';
import { appointmentCancelReason, appointmentReason } from '../../scheduling/service.js';
import { communications } from '../schema.js';
import type { EncounterRow } from './out/clinical.js';
import type { AppointmentRow } from './out/engagement.js';
import type { PatientRecord } from './out/patient.js';

/** The reads behind FHIR out: each returns Careloop rows, shaped for the out mappings. */

export async function loadPatients(tx: Db, ids: string[]): Promise<PatientRecord[]> {
  if (ids.length === 0) return [];
  const rows = await tx.select().from(patients).where(inArray(patients.id, ids));
  const [addresses, contactPoints, identifiers] = await Promise.all([
    tx.select().from(patientAddresses).where(inArray(patientAddresses.patientId, ids)),
    tx.select().from(patientContactPoints).where(inArray(patientContactPoints.patientId, ids)),
    tx.select().from(patientIdentifiers).where(inArray(patientIdentifiers.patientId, ids)),
  ]);
  const byId = new Map(rows.map((p) => [p.id, p]));
  return ids.flatMap((id) => {
    const patient = byId.get(id);
    if (!patient) return [];
    return [
      {
        patient,
        addresses: addresses.filter((a) => a.patientId === id),
        contactPoints: contactPoints.filter((c) => c.patientId === id),
        identifiers: identifiers.filter((i) => i.patientId === id),
      },
    ];
  });
}

const ENCOUNTER_SELECT = sql`select en.id, en.patient_id as "patientId", en.class, en.type,
  en.reason, en.reason_encrypted as "reasonEncrypted", en.status, en.start_at as "startAt", en.end_at as "endAt",
  lo.name as location,
  nullif(concat_ws(' ', pr.prefix, pr.given_name, pr.family_name), '') as practitioner
  from encounters en
  left join locations lo on lo.id = en.location_id
  left join practitioners pr on pr.id = en.practitioner_id`;

const APPOINTMENT_SELECT = sql`select a.id, a.patient_id as "patientId", a.status,
  s.name as service, l.name as location, a.start_at as "startAt", a.end_at as "endAt",
  a.reason, a.reason_encrypted as "reasonEncrypted", a.cancel_reason as "cancelReason",
  a.cancel_reason_encrypted as "cancelReasonEncrypted",
  nullif(concat_ws(' ', pr.prefix, pr.given_name, pr.family_name), '') as practitioner
  from appointments a
  left join service_lines s on s.id = a.service_line_id
  left join practitioners pr on pr.id = a.practitioner_id
  left join locations l on l.id = a.location_id`;

/** A page of rows newest first, keyset on (time, id): `after` is the last row's pair. */
export interface PageQuery {
  limit: number;
  after: [string, string] | null;
}

function keyset(time: SQL, page: PageQuery): SQL {
  return page.after
    ? sql`and (${time}, id) < (${page.after[0]}::timestamptz, ${page.after[1]}::uuid)`
    : sql``;
}

export async function encounterRows(
  tx: Db,
  where: { id?: string; patientId?: string },
  page: PageQuery,
  reader: Reader,
): Promise<EncounterRow[]> {
  const filter = where.id
    ? sql`en.id = ${where.id}`
    : sql`en.patient_id = ${where.patientId ?? null}`;
  const result = await tx.execute(sql`select * from (${ENCOUNTER_SELECT} where ${filter}) x
    where true ${keyset(sql`"startAt"`, page)}
    order by "startAt" desc, id desc limit ${page.limit}`);
  return rowsOf<EncounterRow & { reasonEncrypted: string | null }>(result).map(
    ({ reasonEncrypted, ...row }) => ({
      ...row,
      reason: encounterReason({ ...row, reasonEncrypted }, reader.cipher, reader.orgId),
    }),
  );
}

/** Who reads: the key ring and organization a sealed reason is opened with. */
export interface Reader {
  cipher: FieldCipher;
  orgId: string;
}

export async function appointmentRows(
  tx: Db,
  where: { id?: string; patientId?: string },
  page: PageQuery,
  reader: Reader,
): Promise<AppointmentRow[]> {
  const filter = where.id
    ? sql`a.id = ${where.id}`
    : sql`a.patient_id = ${where.patientId ?? null}`;
  const result = await tx.execute(sql`select * from (${APPOINTMENT_SELECT} where ${filter}) x
    where true ${keyset(sql`"startAt"`, page)}
    order by "startAt" desc, id desc limit ${page.limit}`);
  return rowsOf<
    AppointmentRow & { reasonEncrypted: string | null; cancelReasonEncrypted: string | null }
  >(result).map(({ reasonEncrypted, cancelReasonEncrypted, ...row }) => ({
    ...row,
    reason: appointmentReason({ ...row, reasonEncrypted }, reader.cipher, reader.orgId),
    cancelReason: appointmentCancelReason(
      { ...row, cancelReasonEncrypted },
      reader.cipher,
      reader.orgId,
    ),
  }));
}

export async function conditionRows(
  tx: Db,
  where: { id?: string; patientId?: string },
  page: PageQuery,
) {
  return tx
    .select()
    .from(conditions)
    .where(
      and(
        where.id ? eq(conditions.id, where.id) : eq(conditions.patientId, where.patientId ?? ''),
        page.after
          ? sql`(${conditions.recordedAt}, ${conditions.id}) < (${page.after[0]}::timestamptz, ${page.after[1]}::uuid)`
          : undefined,
      ),
    )
    .orderBy(desc(conditions.recordedAt), desc(conditions.id))
    .limit(page.limit);
}

export async function communicationRows(
  tx: Db,
  where: { id?: string; patientId?: string },
  page: PageQuery,
) {
  return tx
    .select()
    .from(communications)
    .where(
      and(
        where.id
          ? eq(communications.id, where.id)
          : eq(communications.patientId, where.patientId ?? ''),
        page.after
          ? sql`(${communications.createdAt}, ${communications.id}) < (${page.after[0]}::timestamptz, ${page.after[1]}::uuid)`
          : undefined,
      ),
    )
    .orderBy(desc(communications.createdAt), desc(communications.id))
    .limit(page.limit);
}

/** Everything else a patient's record holds, for `$everything` (bounded per type). */
export async function patientCompartment(tx: Db, patientId: string, limit: number) {
  const [coverage, procedure, observation, immunization, medication, allergy] = await Promise.all([
    tx.select().from(coverages).where(eq(coverages.patientId, patientId)).limit(limit),
    tx
      .select()
      .from(procedures)
      .where(eq(procedures.patientId, patientId))
      .orderBy(desc(procedures.performedAt))
      .limit(limit),
    tx
      .select()
      .from(observations)
      .where(eq(observations.patientId, patientId))
      .orderBy(desc(observations.effectiveAt))
      .limit(limit),
    tx
      .select()
      .from(immunizations)
      .where(eq(immunizations.patientId, patientId))
      .orderBy(desc(immunizations.occurredAt))
      .limit(limit),
    tx
      .select()
      .from(medicationRequests)
      .where(eq(medicationRequests.patientId, patientId))
      .orderBy(desc(medicationRequests.authoredAt))
      .limit(limit),
    tx.select().from(allergies).where(eq(allergies.patientId, patientId)).limit(limit),
  ]);
  return { coverage, procedure, observation, immunization, medication, allergy };
}
