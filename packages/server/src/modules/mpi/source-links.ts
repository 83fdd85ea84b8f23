import { type SQL, sql } from 'drizzle-orm';
import { insertStatements, runAll } from '../../db/bulk-sql.js';
import type { Db } from '../../db/client.js';
import { sourceLinks } from './schema.js';

/**
 * The writes of `source_links`: which Careloop record each source system's record became. The
 * importers (FHIR, HL7, CSV) record links through these; a merge re-points them (merge.ts).
 */

export type NewSourceLink = typeof sourceLinks.$inferInsert;

/** A source key that exists already is pointed at its (possibly new) record. */
const SOURCE_LINK_UPSERT = sql`on conflict (org_id, source_system, source_type, source_id)
  do update set record_type = excluded.record_type, record_id = excluded.record_id,
  patient_id = excluded.patient_id, updated_at = now()`;

/** The statements that record these links, for a batching writer's single flush (`runAll`). */
export function sourceLinkStatements(links: NewSourceLink[]): SQL[] {
  return insertStatements(sourceLinks, links, SOURCE_LINK_UPSERT);
}

/** Points each source key at its record, moving it if it pointed elsewhere. */
export async function saveSourceLinks(tx: Db, links: NewSourceLink[]): Promise<void> {
  await runAll(tx, sourceLinkStatements(links));
}
