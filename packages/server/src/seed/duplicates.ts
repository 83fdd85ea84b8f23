import type { AdministrativeSex, PatientImportRow } from '@careloop/core';
import { sql } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import { rowsOf } from '../db/rows.js';
import { writePatientRow } from '../modules/csv-import/patient-rows.js';
import { appendTouchpoints } from '../modules/timeline/service.js';

/** The demo's second source: a spreadsheet of registrations from before Careloop. */
export const LEGACY_SOURCE = 'csv:legacy-registrations.csv';

interface Seeded {
  given_name: string;
  family_name: string;
  birth_date: string;
  administrative_sex: AdministrativeSex;
  line1: string;
  city: string;
  state: string;
  postal_code: string;
  phone: string | null;
  phone_display: string | null;
}

/** One keystroke in a name: the second and third letters swapped (`Maria` → `Mraia`). */
const typo = (name: string) =>
  name.length > 3 ? `${name[0]}${name[2]}${name[1]}${name.slice(3)}` : `${name}e`;

/** A birth date one digit off in the day (`1980-03-14` → `1980-03-15`), still a real date. */
const dayOff = (iso: string) => {
  const day = Number(iso.slice(8, 10));
  const next = day >= 28 ? day - 1 : day + 1;
  return `${iso.slice(0, 8)}${String(next).padStart(2, '0')}`;
};

const TWIN_NAMES: Record<string, string> = { female: 'Rosalind', male: 'Theodore' };

/**
 * Gives the demo's master patient index something to show: rows of a legacy registration file,
 * written by the CSV import's own row writer, so they go through the matcher like any import.
 * For a few seeded patients it sends
 * - the same person again (linked by score: the patient then has two source records);
 * - the person with a typo in the given name and in the birth date and nothing else in common
 *   (a new record, in the review queue when the score is between the thresholds);
 * - a twin: same birth date and address, another given name (kept apart, in review as twins).
 */
export async function seedDemoDuplicates(database: Database, orgId: string): Promise<number> {
  return database.withTenant(orgId, async (tx) => {
    const people = rowsOf<Seeded>(
      await tx.execute(sql`
        select p.given_name, p.family_name, p.birth_date::text as birth_date,
          p.administrative_sex, a.line1, a.city, a.state, a.postal_code, c.value as phone,
          c.display as phone_display
        from patients p
        join lateral (select line1, city, state, postal_code from patient_addresses pa
          where pa.patient_id = p.id order by pa.position, pa.id limit 1) a on true
        left join lateral (select value, display from patient_contact_points pc
          where pc.patient_id = p.id and pc.system = 'phone'
          order by pc.is_primary desc, pc.id limit 1) c on true
        where p.status = 'active' and p.deceased_at is null
        order by p.created_at, p.id
        limit 9 offset 1`),
    );
    for (const [i, p] of people.entries()) {
      const same: PatientImportRow = {
        sourceId: `row-${i + 2}`,
        givenName: p.given_name,
        middleName: null,
        familyName: p.family_name,
        birthDate: p.birth_date,
        sex: p.administrative_sex,
        address: {
          line1: p.line1,
          line2: null,
          city: p.city,
          state: p.state,
          postalCode: p.postal_code,
        },
        phones: p.phone && p.phone_display ? [{ e164: p.phone, display: p.phone_display }] : [],
        emails: [],
        identifiers: [],
        preferredLanguage: null,
      };
      const row: PatientImportRow =
        i % 3 === 0
          ? same
          : i % 3 === 1
            ? {
                ...same,
                givenName: typo(p.given_name),
                birthDate: dayOff(p.birth_date),
                address: null,
                phones: [],
              }
            : { ...same, givenName: TWIN_NAMES[p.administrative_sex] ?? 'Morgan', phones: [] };
      const { touchpoint } = await writePatientRow(tx, { orgId, system: LEGACY_SOURCE }, row);
      if (touchpoint) await appendTouchpoints(tx, [touchpoint]);
    }
    return people.length;
  });
}
