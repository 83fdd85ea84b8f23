import { and, eq, sql } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { encounters } from '../clinical/schema.js';
import type { JobPayload } from '../jobs/names.js';
import { type JourneyRuntime, patientContext } from './runtime.js';
import { journeyEnrolments } from './schema.js';

/**
 * The `encounter.discharged` handler (an HL7 A03 of a stay, a FHIR Encounter that finished):
 * the patient's enrolments waiting for a discharge get it, and the journeys it triggers (the
 * post-discharge follow-up) enrol the patient, their waits anchored on the discharge time.
 * A discharge undone since (HL7 A13) starts nothing. Returns the new enrolments' ids.
 */
export async function onEncounterDischarged(
  database: Database,
  runtime: JourneyRuntime,
  payload: JobPayload<'encounter.discharged'>,
): Promise<string[]> {
  const { orgId, encounterId } = payload;
  const found = await database.withTenant(orgId, async (tx) => {
    const [encounter] = await tx
      .select({
        patientId: encounters.patientId,
        status: encounters.status,
        endAt: encounters.endAt,
      })
      .from(encounters)
      .where(eq(encounters.id, encounterId));
    const dischargedAt = payload.dischargedAt ?? encounter?.endAt?.toISOString();
    if (encounter?.status !== 'finished' || !dischargedAt) return null;
    const waiting = await tx
      .select({ id: journeyEnrolments.id })
      .from(journeyEnrolments)
      .where(
        and(
          eq(journeyEnrolments.patientId, encounter.patientId),
          eq(journeyEnrolments.status, 'active'),
          sql`${journeyEnrolments.state}->>'awaiting' = 'encounter.discharged'`,
        ),
      );
    return { patientId: encounter.patientId, dischargedAt, waiting };
  });
  if (!found) return [];
  const times = { 'encounter.discharged_at': found.dischargedAt };
  for (const e of found.waiting) {
    await runtime.runStep(orgId, e.id, { kind: 'event', event: 'encounter.discharged' }, times);
  }
  return database.withTenant(orgId, async (tx) => {
    const context = await patientContext(tx, found.patientId, { times, attributes: {} });
    return runtime.enrolOnEvent(tx, orgId, 'encounter.discharged', {
      patientId: found.patientId,
      contextKey: `encounter:${encounterId}`,
      context,
    });
  });
}
