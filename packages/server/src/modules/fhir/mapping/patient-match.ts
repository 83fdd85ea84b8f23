import { and, eq, ne } from 'drizzle-orm';
import type { Db } from '../../../db/client.js';
import {
  identifierOwners,
  type MatchDecision,
  MpiConflictError,
  matchPerson,
  NO_SYSTEM,
  type SourcePerson,
} from '../../mpi/match.js';
import { patients } from '../../patients/schema.js';
import { EntryError } from '../outcome.js';

export { NO_SYSTEM };

/**
 * Who an incoming FHIR Patient is. The golden record an earlier import of this same resource
 * linked to comes first (its identifiers must not belong to someone else); otherwise the master
 * patient index decides (modules/mpi/match.ts), as it does for HL7 v2, CSV and registrations.
 */
export async function matchIncomingPatient(
  tx: Db,
  person: SourcePerson,
  linkedPatientId: string | null,
): Promise<MatchDecision> {
  if (linkedPatientId) {
    const [linked] = await tx
      .select({ id: patients.id })
      .from(patients)
      .where(and(eq(patients.id, linkedPatientId), ne(patients.status, 'merged')));
    if (linked) {
      const owners = await identifierOwners(tx, person.demographics.identifiers ?? []);
      const other = owners.find((o) => o.patientId !== linked.id);
      if (other) {
        throw new EntryError(
          `Identifier ${other.system}|${other.value} already belongs to another patient`,
          'identifier',
          'conflict',
          409,
        );
      }
      return { kind: 'existing', patientId: linked.id, method: 'source', score: null };
    }
  }
  try {
    return await matchPerson(tx, person);
  } catch (error) {
    if (error instanceof MpiConflictError) {
      throw new EntryError(error.message, 'identifier', 'conflict', 409);
    }
    throw error;
  }
}
