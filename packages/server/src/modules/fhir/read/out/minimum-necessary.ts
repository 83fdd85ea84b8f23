import { mayRead, mayReadIdentifier, type Role } from '@careloop/core';
import type { Resource } from '@medplum/fhirtypes';

const IDENTIFIER_TYPES = 'http://terminology.hl7.org/CodeSystem/v2-0203';
const COVERAGE_CLASS = 'http://terminology.hl7.org/CodeSystem/coverage-class';

/**
 * A FHIR resource as this role may read it under the minimum-necessary policy (core's
 * FIELD_POLICY), the same rule the 360 view and the timeline apply: withheld elements are left
 * out, and a clinical resource the role may not read is null. Every FHIR read, search and
 * `$everything` passes what it serves through this on the way out.
 */
export function fhirFor(role: Role, resource: Resource): Resource | null {
  switch (resource.resourceType) {
    case 'Patient':
      return {
        ...resource,
        identifier: resource.identifier?.filter((i) =>
          mayReadIdentifier(
            role,
            i.type?.coding?.find((c) => c.system === IDENTIFIER_TYPES)?.code ?? null,
          ),
        ),
      };
    case 'Appointment': {
      const reason = mayRead(role, 'appointment', 'reason');
      const cancelReason = mayRead(role, 'appointment', 'cancelReason');
      return {
        ...resource,
        reasonCode: reason ? resource.reasonCode : undefined,
        reasonReference: reason ? resource.reasonReference : undefined,
        cancelationReason: cancelReason ? resource.cancelationReason : undefined,
      };
    }
    case 'Communication':
      return mayRead(role, 'communication', 'topic') ? resource : { ...resource, topic: undefined };
    case 'Coverage': {
      const groupNumber = mayRead(role, 'coverage', 'groupNumber');
      return {
        ...resource,
        subscriberId: mayRead(role, 'coverage', 'memberId') ? resource.subscriberId : undefined,
        class: resource.class?.filter(
          (c) =>
            groupNumber ||
            !c.type.coding?.some((t) => t.system === COVERAGE_CLASS && t.code === 'group'),
        ),
      };
    }
    case 'Encounter':
      return mayRead(role, 'encounter', 'record') ? resource : null;
    case 'Condition':
      return mayRead(role, 'condition', 'record') ? resource : null;
    case 'Procedure':
    case 'Observation':
    case 'Immunization':
    case 'MedicationRequest':
    case 'AllergyIntolerance':
      return mayRead(role, 'clinicalHistory', 'record') ? resource : null;
    default:
      // Careloop serves no other type; one it starts serving is withheld until the policy
      // names it.
      return null;
  }
}

/** The resources of a search or `$everything`, each as `fhirFor` lets this role read it. */
export function fhirListFor(role: Role, resources: Resource[]): Resource[] {
  return resources.flatMap((r) => fhirFor(role, r) ?? []);
}
