import type { ContactPoint, HumanName, Patient } from '@medplum/fhirtypes';
import type {
  patientAddresses,
  patientContactPoints,
  patientIdentifiers,
  patients,
} from '../../../patients/schema.js';
import { NO_SYSTEM } from '../../mapping/patient-match.js';
import { calendarDate, compact, instant, oneOf } from './common.js';

export interface PatientRecord {
  patient: typeof patients.$inferSelect;
  addresses: (typeof patientAddresses.$inferSelect)[];
  contactPoints: (typeof patientContactPoints.$inferSelect)[];
  identifiers: (typeof patientIdentifiers.$inferSelect)[];
}

const IDENTIFIER_TYPES = 'http://terminology.hl7.org/CodeSystem/v2-0203';

function names(p: PatientRecord['patient']): HumanName[] {
  const given = [p.givenName, ...(p.middleName ? p.middleName.split(/\s+/) : [])].filter(Boolean);
  const official = compact<HumanName>({ use: 'official', family: p.familyName, given });
  const usual = p.preferredName ? [{ use: 'usual' as const, given: [p.preferredName] }] : [];
  return [official, ...usual];
}

function telecom(points: PatientRecord['contactPoints']): ContactPoint[] {
  return [...points]
    .sort((a, b) => Number(b.isPrimary) - Number(a.isPrimary))
    .map((c) => ({
      system: c.system === 'email' ? 'email' : 'phone',
      value: c.value,
      use: oneOf(c.use, ['home', 'work', 'mobile'] as const, 'home'),
      ...(c.isPrimary ? { rank: 1 } : {}),
    }));
}

/** A golden record as a FHIR R4 Patient. */
export function toFhirPatient(record: PatientRecord): Patient {
  const p = record.patient;
  const deceased = p.deceasedAt
    ? { deceasedDateTime: instant(p.deceasedAt) }
    : p.flags.includes('deceased')
      ? { deceasedBoolean: true }
      : {};
  return compact<Patient>({
    resourceType: 'Patient',
    id: p.id,
    meta: { lastUpdated: instant(p.updatedAt) },
    identifier: record.identifiers.map((i) =>
      compact({
        system: i.system === NO_SYSTEM ? undefined : i.system,
        value: i.value,
        type: i.type ? { coding: [{ system: IDENTIFIER_TYPES, code: i.type }] } : undefined,
      }),
    ),
    active: p.status !== 'inactive' && p.status !== 'merged',
    name: names(p),
    telecom: telecom(record.contactPoints),
    gender: oneOf(p.administrativeSex, ['male', 'female', 'other', 'unknown'] as const, 'unknown'),
    birthDate: calendarDate(p.birthDate),
    ...deceased,
    address: [...record.addresses]
      .sort((a, b) => a.position - b.position)
      .map((a) =>
        compact({
          use:
            a.use === 'mailing'
              ? ('billing' as const)
              : oneOf(a.use, ['home', 'work'] as const, 'home'),
          line: [a.line1, a.line2].filter((l): l is string => Boolean(l)),
          city: a.city,
          state: a.state,
          postalCode: a.postalCode,
          country: a.country,
        }),
      ),
    communication: [
      {
        language: { coding: [{ system: 'urn:ietf:bcp:47', code: p.preferredLanguage }] },
        preferred: true,
      },
    ],
  });
}
