import { type SourceDemographics, searchableName } from '@careloop/core';
import { sql } from 'drizzle-orm';
import type { Database, Db } from '../db/client.js';
import { rowsOf } from '../db/rows.js';
import { matchPerson, type SourcePerson } from '../modules/mpi/match.js';
import { recordSource } from '../modules/mpi/sources.js';
import { patientAddresses, patientContactPoints, patients } from '../modules/patients/schema.js';
import { appendTouchpoints } from '../modules/timeline/service.js';

/** The demo's second source: a spreadsheet of registrations from before Careloop. */
export const LEGACY_SOURCE = 'csv:legacy-registrations.csv';

interface Seeded {
  id: string;
  given_name: string;
  family_name: string;
  birth_date: string;
  administrative_sex: string;
  line1: string | null;
  city: string | null;
  state: string | null;
  postal_code: string | null;
  phone: string | null;
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
 * Gives the demo's master patient index something to show: a legacy registration file whose
 * rows go through the same matcher as every source. For a few seeded patients it sends
 * - the same person again (linked by score: the patient then has two source records);
 * - the person with a typo in the given name and in the birth date and nothing else in common
 *   (a new record, and a possible duplicate in the review queue);
 * - a twin: same birth date and address, another given name (kept apart, in review as twins).
 */
export async function seedDemoDuplicates(database: Database, orgId: string): Promise<number> {
  return database.withTenant(orgId, async (tx) => {
    const people = rowsOf<Seeded>(
      await tx.execute(sql`
        select p.id, p.given_name, p.family_name, p.birth_date::text as birth_date,
          p.administrative_sex, a.line1, a.city, a.state, a.postal_code,
          (select c.value from patient_contact_points c where c.patient_id = p.id
             and c.system = 'phone' order by c.is_primary desc, c.id limit 1) as phone
        from patients p
        left join lateral (select line1, city, state, postal_code from patient_addresses pa
          where pa.patient_id = p.id order by pa.position, pa.id limit 1) a on true
        where p.status = 'active' and p.deceased_at is null and a.line1 is not null
        order by p.created_at, p.id
        limit 9 offset 1`),
    );
    let rows = 0;
    for (const [i, p] of people.entries()) {
      const base: SourceDemographics = {
        given: p.given_name,
        family: p.family_name,
        birthDate: p.birth_date,
        sex: p.administrative_sex,
        line: p.line1,
        city: p.city,
        state: p.state,
        postalCode: p.postal_code,
        phone: p.phone,
        identifiers: [],
      };
      const variant: SourceDemographics =
        i % 3 === 0
          ? base
          : i % 3 === 1
            ? {
                given: typo(p.given_name),
                family: p.family_name,
                birthDate: dayOff(p.birth_date),
                sex: p.administrative_sex,
                identifiers: [],
              }
            : { ...base, given: TWIN_NAMES[p.administrative_sex] ?? 'Morgan', phone: null };
      await register(tx, orgId, {
        kind: 'csv',
        system: LEGACY_SOURCE,
        sourceId: `row-${i + 2}`,
        demographics: variant,
      });
      rows += 1;
    }
    return rows;
  });
}

async function register(tx: Db, orgId: string, person: SourcePerson): Promise<void> {
  const decision = await matchPerson(tx, person);
  let patientId: string;
  if (decision.kind === 'existing') {
    patientId = decision.patientId;
  } else {
    const d = person.demographics;
    patientId = crypto.randomUUID();
    const given = d.given ?? '';
    const family = d.family ?? '';
    await tx.insert(patients).values({
      id: patientId,
      orgId,
      givenName: given,
      familyName: family,
      searchName: searchableName(family, given),
      searchGiven: searchableName(given),
      birthDate: d.birthDate ?? '1900-01-01',
      administrativeSex: d.sex ?? 'unknown',
    });
    if (d.line && d.city) {
      await tx.insert(patientAddresses).values({
        orgId,
        patientId,
        line1: d.line,
        city: d.city,
        state: d.state ?? '',
        postalCode: d.postalCode ?? '',
      });
    }
    if (d.phone) {
      await tx.insert(patientContactPoints).values({
        orgId,
        patientId,
        system: 'phone',
        value: d.phone,
        display: d.phone,
        use: 'mobile',
        isPrimary: true,
      });
    }
    await appendTouchpoints(tx, [
      {
        orgId,
        patientId,
        channel: 'system',
        direction: 'inbound',
        type: 'patient.registered',
        stage: 'awareness',
        summary: 'Registered from legacy-registrations.csv (CSV import)',
        sourceSystem: 'csv',
        subjectType: 'patient',
        subjectId: patientId,
      },
    ]);
  }
  await recordSource(tx, orgId, patientId, person, decision);
}
