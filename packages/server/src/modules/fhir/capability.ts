import type { Bundle, CapabilityStatement, ResourceType } from '@medplum/fhirtypes';
import type { ImportResult } from './import/import-service.js';
import type { RecordType } from './mapping/context.js';
import { MAPPED_TYPES } from './mapping/index.js';
import { operationOutcome, statusLine } from './outcome.js';

/** What the FHIR endpoint offers, as a CapabilityStatement (public, like any FHIR server's). */
export function capabilityStatement(baseUrl: string): CapabilityStatement {
  const byPatient = (type: ResourceType, documentation: string) => ({
    type,
    interaction: [{ code: 'read' as const }, { code: 'search-type' as const }],
    searchParam: [
      { name: 'patient', type: 'reference' as const, documentation },
      { name: '_count', type: 'number' as const },
    ],
  });
  return {
    resourceType: 'CapabilityStatement',
    status: 'active',
    date: '2025-01-01',
    publisher: 'Careloop',
    kind: 'instance',
    software: { name: 'Careloop', version: '0.1.0' },
    implementation: { description: 'Careloop FHIR R4 interface', url: `${baseUrl}/fhir/R4` },
    fhirVersion: '4.0.1',
    format: ['application/fhir+json', 'json'],
    rest: [
      {
        mode: 'server',
        documentation: `Batch and transaction Bundles are imported with POST to the base (admin only). Mapped types: ${MAPPED_TYPES.join(', ')}; other types are stored as received and not mapped.`,
        security: {
          description: 'A Careloop session (cookie) and, on POST, its CSRF token in x-csrf-token.',
        },
        resource: [
          {
            type: 'Patient',
            interaction: [{ code: 'read' }, { code: 'search-type' }],
            searchParam: [
              { name: 'name', type: 'string' },
              { name: 'birthdate', type: 'date' },
              { name: 'identifier', type: 'token' },
              { name: 'telecom', type: 'token' },
              { name: 'gender', type: 'token' },
              { name: '_count', type: 'number' },
            ],
            operation: [
              {
                name: 'everything',
                definition: 'http://hl7.org/fhir/OperationDefinition/Patient-everything',
              },
            ],
          },
          byPatient('Encounter', "The patient's encounters (clinical:read)"),
          byPatient('Condition', "The patient's conditions (clinical:read)"),
          byPatient('Appointment', "The patient's appointments"),
          byPatient('Communication', 'Messages to or from the patient'),
        ],
        interaction: [{ code: 'transaction' }, { code: 'batch' }],
      },
    ],
  };
}

/** The FHIR type a mapped record is served as, when Careloop serves it. */
const SERVED: Partial<Record<RecordType, string>> = {
  patient: 'Patient',
  encounter: 'Encounter',
  condition: 'Condition',
  appointment: 'Appointment',
  communication: 'Communication',
};

/** A transaction-response or batch-response Bundle: one entry per request entry, in order. */
export function responseBundle(result: ImportResult): Bundle {
  return {
    resourceType: 'Bundle',
    type: result.mode === 'transaction' ? 'transaction-response' : 'batch-response',
    entry: result.entries.map((e) => {
      const served = e.record ? SERVED[e.record.recordType] : undefined;
      return {
        response: {
          status: statusLine(e.status),
          ...(served && e.record ? { location: `${served}/${e.record.recordId}` } : {}),
          ...(e.issues.length ? { outcome: operationOutcome(e.issues) } : {}),
        },
      };
    }),
  };
}
