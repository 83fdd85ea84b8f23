import { formatMrn, MRN_SYSTEM, type PatientCreate, parseMrnFormat } from '@careloop/core';
import { sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { rowsOf } from '../../db/rows.js';

type Identifier = NonNullable<PatientCreate['identifiers']>[number];

/** What registration in the console fills in when the registrar did not. */
export interface RegistrationDefaults {
  /** The location chosen, else the organization's default, else the registrar's own. */
  primaryLocationId: string | null;
  /** A new MRN in the organization's format, or null when one was entered. */
  mrn: Identifier | null;
}

/** A number taken by an imported or hand-entered MRN is skipped; this many in a row is a fault. */
const MAX_SKIPPED_NUMBERS = 100;

/** Whether the registrar entered the patient's Careloop MRN themselves. */
const hasMrn = (input: PatientCreate) =>
  (input.identifiers ?? []).some((i) => i.system === MRN_SYSTEM && i.type === 'MR');

/**
 * The next number of the organization's MRN sequence, in its format: the counter row is
 * incremented with `INSERT … ON CONFLICT DO UPDATE … RETURNING` inside the registration's
 * transaction, so a concurrent registration waits for this one to end and never gets the same
 * number, and a registration that rolls back gives its number back. A number some other
 * record already holds (imported with the same format) is skipped.
 */
export async function nextMrn(tx: Db, orgId: string): Promise<Identifier> {
  const [org] = rowsOf<{ mrn_format: string }>(
    await tx.execute(sql`select mrn_format from organizations where id = ${orgId}`),
  );
  if (!org) throw new Error('the organization of this transaction is not visible');
  if (!parseMrnFormat(org.mrn_format)) throw new Error('the organization’s MRN format is invalid');
  for (let skipped = 0; skipped < MAX_SKIPPED_NUMBERS; skipped += 1) {
    const [counter] = rowsOf<{ last_value: number | string }>(
      await tx.execute(sql`insert into mrn_counters (org_id, last_value) values (${orgId}, 1)
        on conflict (org_id) do update set last_value = mrn_counters.last_value + 1
        returning last_value`),
    );
    const value = formatMrn(org.mrn_format, Number(counter?.last_value));
    const [taken] = rowsOf<{ found: boolean }>(
      await tx.execute(sql`select exists (select 1 from patient_identifiers
        where org_id = ${orgId} and system = ${MRN_SYSTEM} and value = ${value}) as found`),
    );
    if (!taken?.found) return { system: MRN_SYSTEM, value, type: 'MR', source: 'careloop' };
  }
  throw new Error(`${MAX_SKIPPED_NUMBERS} MRNs in a row are already taken`);
}

/**
 * Where a new patient is seen when the registrar chose no location: the organization's default
 * location, else the location of the registrar's practitioner record, else none.
 */
async function defaultLocation(tx: Db, orgId: string, userId: string): Promise<string | null> {
  const [row] = rowsOf<{ location_id: string | null }>(
    await tx.execute(sql`select coalesce(
        (select default_location_id from organizations where id = ${orgId}),
        (select pr.location_id from users u join practitioners pr
           on pr.org_id = u.org_id and pr.id = u.practitioner_id
         where u.org_id = ${orgId} and u.id = ${userId})) as location_id`),
  );
  return row?.location_id ?? null;
}

/** Fills in a console registration's MRN and location; call it in the registration's transaction. */
export async function registrationDefaults(
  tx: Db,
  actor: { orgId: string; userId: string },
  input: PatientCreate,
): Promise<RegistrationDefaults> {
  return {
    primaryLocationId:
      input.primaryLocationId ?? (await defaultLocation(tx, actor.orgId, actor.userId)),
    mrn: hasMrn(input) ? null : await nextMrn(tx, actor.orgId),
  };
}
