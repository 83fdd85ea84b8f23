import { route } from '../contract.js';
import { FhirImportPage, FhirImportQuery } from '../interfaces.js';

/**
 * The FHIR interface's one Careloop-shaped route. The FHIR REST API under /fhir/R4 is not in the
 * table: its shapes and errors are FHIR's (OperationOutcome), not this API's.
 */
export const fhirRoutes = {
  imports: route({
    method: 'GET',
    path: '/api/fhir/imports',
    policy: { permission: 'interop:write' },
    tags: ['interop'],
    summary: 'FHIR bundles imported, newest first, with their counts (from the audit log)',
    query: FhirImportQuery,
    reply: FhirImportPage,
  }),
};
