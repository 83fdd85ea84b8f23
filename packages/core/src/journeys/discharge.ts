import type { EncounterClass } from '../api/enums.js';

/** An encounter as an importer found it and left it: what a discharge is read from. */
export interface EncounterState {
  /** The FHIR Encounter status (`in-progress`, `finished`, …). */
  status: string;
  class: EncounterClass;
  endAt: Date | null;
  /** Whether the source said where the patient went (FHIR `hospitalization.dischargeDisposition`). */
  dischargeDisposition?: boolean;
}

/** How long after its discharge an imported stay still starts the post-discharge journey. */
export const IMPORTED_DISCHARGE_HOURS = 48;

const STAYS: ReadonlySet<EncounterClass> = new Set(['inpatient', 'emergency']);

/**
 * When the patient left, if an imported change is a discharge that is news at `now`; else null.
 * A discharge is a stay (inpatient or emergency, as an HL7 A03 reads it, or any encounter with a
 * discharge disposition) that became `finished`: a repeat of a finished encounter is not one.
 * It happened at the period's end; a stay seen going from open to finished without an end was
 * discharged when it was heard of. It is news only within `IMPORTED_DISCHARGE_HOURS`, so an
 * import of years of history starts no follow-up calls for stays of 2019.
 */
export function importedDischarge(
  before: Pick<EncounterState, 'status'> | null,
  after: EncounterState,
  now: Date,
): Date | null {
  if (after.status !== 'finished' || before?.status === 'finished') return null;
  if (!STAYS.has(after.class) && !after.dischargeDisposition) return null;
  const at = after.endAt ?? (before ? now : null);
  if (!at) return null;
  return now.getTime() - at.getTime() <= IMPORTED_DISCHARGE_HOURS * 3_600_000 ? at : null;
}
