import { and, eq, inArray, ne } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { patientIdentifiers, patients } from '../patients/schema.js';
import { EntryError } from './outcome.js';

/** Identifiers sent without a system: kept, but never used to match people. */
export const NO_SYSTEM = 'urn:careloop:fhir:no-system';

/** A person arriving from another system, before Careloop decides who they are. */
export interface IncomingPatient {
  sourceSystem: string;
  sourceId: string;
  /** The golden record an earlier import of this same source record linked to. */
  linkedPatientId: string | null;
  identifiers: { system: string; value: string }[];
  givenName: string;
  familyName: string;
  birthDate: string;
  administrativeSex: string;
}

export type PatientMatch =
  | { kind: 'existing'; patientId: string; by: 'source-link' | 'identifier' }
  | { kind: 'new' };

/**
 * Who an incoming person is. Today: deterministic only — the source link of an earlier import,
 * then an exact identifier (system and value). The master patient index (core/identity) plugs
 * in here, so FHIR, HL7 v2 and CSV imports all go through one matcher.
 */
export async function matchIncomingPatient(
  tx: Db,
  candidate: IncomingPatient,
): Promise<PatientMatch> {
  const owners = await identifierOwners(tx, candidate.identifiers);
  if (candidate.linkedPatientId) {
    const [linked] = await tx
      .select({ id: patients.id })
      .from(patients)
      .where(and(eq(patients.id, candidate.linkedPatientId), ne(patients.status, 'merged')));
    if (linked) {
      const other = owners.find((o) => o.patientId !== linked.id);
      if (other) {
        throw new EntryError(
          `Identifier ${other.system}|${other.value} already belongs to another patient`,
          'identifier',
          'conflict',
          409,
        );
      }
      return { kind: 'existing', patientId: linked.id, by: 'source-link' };
    }
  }
  const distinct = [...new Set(owners.map((o) => o.patientId))];
  const [only] = distinct;
  if (distinct.length > 1) {
    throw new EntryError(
      `The identifiers of this patient belong to ${distinct.length} different patients; resolve the duplicate before importing`,
      'identifier',
      'conflict',
      409,
    );
  }
  return only ? { kind: 'existing', patientId: only, by: 'identifier' } : { kind: 'new' };
}

async function identifierOwners(
  tx: Db,
  identifiers: IncomingPatient['identifiers'],
): Promise<{ patientId: string; system: string; value: string }[]> {
  const usable = identifiers.filter((i) => i.system !== NO_SYSTEM);
  if (usable.length === 0) return [];
  const rows = await tx
    .select({
      patientId: patientIdentifiers.patientId,
      system: patientIdentifiers.system,
      value: patientIdentifiers.value,
    })
    .from(patientIdentifiers)
    .where(
      inArray(
        patientIdentifiers.value,
        usable.map((i) => i.value),
      ),
    );
  return rows.filter((r) => usable.some((i) => i.system === r.system && i.value === r.value));
}
