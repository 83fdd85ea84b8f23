import type {
  AllergyIntolerance,
  Condition,
  Encounter,
  Immunization,
  Location,
  MedicationRequest,
  Observation,
  Practitioner,
  Procedure,
} from '@medplum/fhirtypes';
import type {
  allergies,
  conditions,
  immunizations,
  medicationRequests,
  observations,
  procedures,
} from '../../../clinical/schema.js';
import {
  calendarDate,
  compact,
  concept,
  displayReference,
  instant,
  oneOf,
  patientReference,
  textConcept,
} from './common.js';

/** Careloop's clinical records as FHIR R4 resources. */

export interface EncounterRow {
  id: string;
  patientId: string;
  class: string;
  type: string;
  reason: string | null;
  status: string;
  startAt: Date | string;
  endAt: Date | string | null;
  location: string | null;
  practitioner: string | null;
}

const ACT_CODES = 'http://terminology.hl7.org/CodeSystem/v3-ActCode';
const CLASS_CODES: Record<string, { code: string; display: string }> = {
  ambulatory: { code: 'AMB', display: 'ambulatory' },
  emergency: { code: 'EMER', display: 'emergency' },
  inpatient: { code: 'IMP', display: 'inpatient encounter' },
  virtual: { code: 'VR', display: 'virtual' },
  home: { code: 'HH', display: 'home health' },
};
const ENCOUNTER_STATUSES = [
  'planned',
  'arrived',
  'triaged',
  'in-progress',
  'onleave',
  'finished',
  'cancelled',
  'entered-in-error',
  'unknown',
] as const;

export function toFhirEncounter(e: EncounterRow): Encounter {
  const cls = CLASS_CODES[e.class] ?? { code: 'AMB', display: 'ambulatory' };
  const practitioner = displayReference<Practitioner>(e.practitioner);
  const location = displayReference<Location>(e.location);
  return compact<Encounter>({
    resourceType: 'Encounter',
    id: e.id,
    status: oneOf(e.status, ENCOUNTER_STATUSES, 'unknown'),
    class: { system: ACT_CODES, ...cls },
    type: [{ text: e.type }],
    subject: patientReference(e.patientId),
    participant: practitioner ? [{ individual: practitioner }] : [],
    period: compact({ start: instant(e.startAt), end: instant(e.endAt) }),
    reasonCode: e.reason ? [{ text: e.reason }] : [],
    location: location ? [{ location }] : [],
  });
}

const CLINICAL_STATUSES = [
  'active',
  'recurrence',
  'relapse',
  'inactive',
  'remission',
  'resolved',
] as const;

export function toFhirCondition(c: typeof conditions.$inferSelect): Condition {
  return compact<Condition>({
    resourceType: 'Condition',
    id: c.id,
    clinicalStatus: {
      coding: [
        {
          system: 'http://terminology.hl7.org/CodeSystem/condition-clinical',
          code: oneOf(c.clinicalStatus, CLINICAL_STATUSES, 'active'),
        },
      ],
    },
    code: concept(c.codeSystem, c.code, c.display),
    subject: patientReference(c.patientId),
    onsetDateTime: calendarDate(c.onsetDate),
    abatementDateTime: calendarDate(c.abatementDate),
    recordedDate: instant(c.recordedAt),
  });
}

const EVENT_STATUSES = [
  'preparation',
  'in-progress',
  'not-done',
  'on-hold',
  'stopped',
  'completed',
  'entered-in-error',
  'unknown',
] as const;

export function toFhirProcedure(p: typeof procedures.$inferSelect): Procedure {
  const performed =
    p.performedEndAt && p.performedAt
      ? { performedPeriod: { start: instant(p.performedAt), end: instant(p.performedEndAt) } }
      : { performedDateTime: instant(p.performedAt) };
  return compact<Procedure>({
    resourceType: 'Procedure',
    id: p.id,
    status: oneOf(p.status, EVENT_STATUSES, 'unknown'),
    code: concept(p.codeSystem, p.code, p.display),
    subject: patientReference(p.patientId),
    ...compact(performed),
  });
}

const OBSERVATION_STATUSES = [
  'registered',
  'preliminary',
  'final',
  'amended',
  'corrected',
  'cancelled',
  'entered-in-error',
  'unknown',
] as const;
const OBSERVATION_CATEGORIES = new Set([
  'social-history',
  'vital-signs',
  'imaging',
  'laboratory',
  'procedure',
  'survey',
  'exam',
  'therapy',
  'activity',
]);

export function toFhirObservation(o: typeof observations.$inferSelect): Observation {
  const value =
    o.valueNumber !== null && Number.isFinite(Number(o.valueNumber))
      ? { valueQuantity: compact({ value: Number(o.valueNumber), unit: o.valueUnit ?? undefined }) }
      : o.valueText
        ? { valueString: o.valueText }
        : {};
  const category = o.category
    ? OBSERVATION_CATEGORIES.has(o.category)
      ? concept(
          'http://terminology.hl7.org/CodeSystem/observation-category',
          o.category,
          o.category,
        )
      : textConcept(o.category)
    : undefined;
  return compact<Observation>({
    resourceType: 'Observation',
    id: o.id,
    status: oneOf(o.status, OBSERVATION_STATUSES, 'unknown'),
    category: category ? [category] : [],
    code: concept(o.codeSystem, o.code, o.display) ?? { text: o.display },
    subject: patientReference(o.patientId),
    effectiveDateTime: instant(o.effectiveAt),
    ...value,
  });
}

export function toFhirImmunization(i: typeof immunizations.$inferSelect): Immunization {
  return compact<Immunization>({
    resourceType: 'Immunization',
    id: i.id,
    status: oneOf(i.status, ['completed', 'entered-in-error', 'not-done'] as const, 'completed'),
    vaccineCode: concept(i.vaccineSystem, i.vaccineCode, i.display) ?? { text: i.display },
    patient: patientReference(i.patientId),
    ...(i.occurredAt
      ? { occurrenceDateTime: instant(i.occurredAt) }
      : { occurrenceString: 'unknown' }),
  });
}

const MEDICATION_STATUSES = [
  'active',
  'on-hold',
  'cancelled',
  'completed',
  'entered-in-error',
  'stopped',
  'draft',
  'unknown',
] as const;
const INTENTS = [
  'proposal',
  'plan',
  'order',
  'original-order',
  'reflex-order',
  'filler-order',
  'instance-order',
  'option',
] as const;

export function toFhirMedicationRequest(
  m: typeof medicationRequests.$inferSelect,
): MedicationRequest {
  return compact<MedicationRequest>({
    resourceType: 'MedicationRequest',
    id: m.id,
    status: oneOf(m.status, MEDICATION_STATUSES, 'unknown'),
    intent: oneOf(m.intent, INTENTS, 'order'),
    medicationCodeableConcept: concept(m.medicationSystem, m.medicationCode, m.display),
    subject: patientReference(m.patientId),
    authoredOn: instant(m.authoredAt),
    dosageInstruction: m.dosage ? [{ text: m.dosage }] : [],
  });
}

export function toFhirAllergy(a: typeof allergies.$inferSelect): AllergyIntolerance {
  const inError = a.verificationStatus === 'entered-in-error';
  return compact<AllergyIntolerance>({
    resourceType: 'AllergyIntolerance',
    id: a.id,
    clinicalStatus: inError
      ? undefined
      : {
          coding: [
            {
              system: 'http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical',
              code: oneOf(a.clinicalStatus, ['active', 'inactive', 'resolved'] as const, 'active'),
            },
          ],
        },
    verificationStatus: a.verificationStatus
      ? {
          coding: [
            {
              system: 'http://terminology.hl7.org/CodeSystem/allergyintolerance-verification',
              code: oneOf(
                a.verificationStatus,
                ['unconfirmed', 'confirmed', 'refuted', 'entered-in-error'] as const,
                'unconfirmed',
              ),
            },
          ],
        }
      : undefined,
    category: a.category
      ? [
          oneOf(
            a.category,
            ['food', 'medication', 'environment', 'biologic'] as const,
            'environment',
          ),
        ]
      : [],
    criticality: a.criticality
      ? oneOf(a.criticality, ['low', 'high', 'unable-to-assess'] as const, 'unable-to-assess')
      : undefined,
    code: concept(a.codeSystem, a.code, a.display),
    patient: patientReference(a.patientId),
    recordedDate: instant(a.recordedAt),
  });
}
