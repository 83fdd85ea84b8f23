import {
  mapAllergyIntolerance,
  mapCarePlan,
  mapCondition,
  mapEncounter,
  mapImmunization,
  mapMedicationRequest,
  mapObservation,
  mapProcedure,
} from './clinical.js';
import type { Mapper, TableKey } from './context.js';
import {
  mapHealthcareService,
  mapLocation,
  mapOrganization,
  mapPractitioner,
  mapPractitionerRole,
} from './directory.js';
import { mapCommunication, mapQuestionnaireResponse, mapServiceRequest } from './engagement.js';
import { mapClaim, mapCoverage, mapExplanationOfBenefit } from './financial.js';
import { mapPatient, mapRelatedPerson } from './patient.js';
import { mapAppointment, mapSchedule, mapSlot } from './scheduling.js';

/**
 * The mapped resource types, in the order a bundle is processed: every type comes after the
 * types its followed references point to (a Slot after its Schedule, an explanation of benefit
 * after its Claim), so a reference inside the bundle is always resolved by the time it is read.
 */
export const MAPPERS: readonly (readonly [string, Mapper])[] = [
  ['Organization', mapOrganization],
  ['Location', mapLocation],
  ['Practitioner', mapPractitioner],
  ['HealthcareService', mapHealthcareService],
  ['PractitionerRole', mapPractitionerRole],
  ['Patient', mapPatient],
  ['RelatedPerson', mapRelatedPerson],
  ['Coverage', mapCoverage],
  ['Schedule', mapSchedule],
  ['Slot', mapSlot],
  ['Encounter', mapEncounter],
  ['Condition', mapCondition],
  ['Procedure', mapProcedure],
  ['Observation', mapObservation],
  ['Immunization', mapImmunization],
  ['MedicationRequest', mapMedicationRequest],
  ['AllergyIntolerance', mapAllergyIntolerance],
  ['CarePlan', mapCarePlan],
  ['ServiceRequest', mapServiceRequest],
  ['Appointment', mapAppointment],
  ['Communication', mapCommunication],
  ['QuestionnaireResponse', mapQuestionnaireResponse],
  ['Claim', mapClaim],
  ['ExplanationOfBenefit', mapExplanationOfBenefit],
];

/**
 * The Careloop tables a type's mapping reads through `ctx.tx` for rows an earlier entry of the
 * same bundle may have written (an Organization's name for a payer). The importer writes its
 * pending rows before such an entry; rows nobody reads wait and go out together. A mapping that
 * starts reading another table must be listed here. (Patients are written after each Patient,
 * for the master patient index; an Appointment reads only its own earlier row.)
 */
export const MAPPER_READS: Readonly<Record<string, readonly TableKey[]>> = {
  Coverage: ['externalOrganizations'],
  Claim: ['externalOrganizations'],
  ExplanationOfBenefit: ['externalOrganizations'],
};

const BY_TYPE = new Map(MAPPERS.map(([type, mapper], rank) => [type, { mapper, rank }]));

/** The resource types Careloop maps into its own records. */
export const MAPPED_TYPES: readonly string[] = MAPPERS.map(([type]) => type);

export function mapperOf(resourceType: string): { mapper: Mapper; rank: number } | null {
  return BY_TYPE.get(resourceType) ?? null;
}

/**
 * Directory resources are often repeated, stripped down, in every bundle that mentions them
 * (Synthea copies its Organizations and Practitioners into each patient's bundle without their
 * extensions). A copy that carries nothing the stored version lacks leaves the record as it is.
 */
export const SHARED_DIRECTORY_TYPES: ReadonlySet<string> = new Set([
  'Organization',
  'Location',
  'Practitioner',
  'PractitionerRole',
  'HealthcareService',
]);
