import { and, eq, inArray } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { practitioners } from '../directory/schema.js';
import { sourceLinks } from '../mpi/schema.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const NPI = /^\d{10}$/;

/** How a feed names a practitioner: an id, and whether the sender says it is an NPI. */
export interface FeedPractitioner {
  id: string;
  npi: boolean;
}

/**
 * Issue 13: the directory's practitioner an EHR's feed names on an appointment (HL7 AIP-3 or
 * AIG-3, a FHIR participant given by identifier), so that the appointment takes that
 * practitioner's time out of EHR-mode availability before the EHR's own slot update arrives.
 * Tried in turn: Careloop's own id (what a booking request sent, echoed back), the EHR's FHIR id
 * of a practitioner imported from it (what a booking request sends when there is one), the NPI.
 * Null when none matches: the appointment keeps no practitioner, as before.
 */
export async function practitionerNamed(
  tx: Db,
  orgId: string,
  named: FeedPractitioner,
): Promise<string | null> {
  const id = named.id.trim();
  // A value read from a message is validated like any input before it reaches a query.
  if (!id || id.length > 64) return null;
  if (UUID.test(id)) {
    const [own] = await tx
      .select({ id: practitioners.id })
      .from(practitioners)
      .where(and(eq(practitioners.orgId, orgId), eq(practitioners.id, id.toLowerCase())));
    if (own) return own.id;
  }
  if (!named.npi) {
    const [linked] = await tx
      .select({ id: sourceLinks.recordId })
      .from(sourceLinks)
      .where(
        and(
          eq(sourceLinks.orgId, orgId),
          eq(sourceLinks.recordType, 'practitioner'),
          inArray(sourceLinks.sourceType, ['Practitioner', 'PractitionerRole']),
          eq(sourceLinks.sourceId, id),
        ),
      )
      .limit(1);
    if (linked) return linked.id;
  }
  if (named.npi || NPI.test(id)) {
    const found = await tx
      .select({ id: practitioners.id })
      .from(practitioners)
      .where(and(eq(practitioners.orgId, orgId), eq(practitioners.npi, id)))
      .limit(2);
    // Two practitioners with one NPI is a directory error: name neither.
    if (found.length === 1 && found[0]) return found[0].id;
  }
  return null;
}
