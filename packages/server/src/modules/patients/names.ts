import { inArray } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { patients } from './schema.js';

/**
 * Display names of the given patients ("Given Family"), for logs that store only ids (the audit
 * log page). Reads within the caller's tenant transaction; ids of no patient are left out.
 * The caller applies the restrictions guard: a name is patient data.
 */
export async function patientDisplayNames(
  tx: Db,
  ids: readonly string[],
): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = await tx
    .select({ id: patients.id, given: patients.givenName, family: patients.familyName })
    .from(patients)
    .where(inArray(patients.id, [...ids]));
  return new Map(rows.map((r) => [r.id, `${r.given} ${r.family}`]));
}
