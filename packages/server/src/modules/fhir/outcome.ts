import type { OperationOutcome, OperationOutcomeIssue } from '@medplum/fhirtypes';

export type IssueType = OperationOutcomeIssue['code'];

/**
 * Errors of the FHIR interface, each carrying the OperationOutcome a client gets. Paths are
 * FHIRPath-like and relative to the resource (`subject`, `participant[0].actor`); `entryPath`
 * anchors them in the bundle (`Bundle.entry[3].resource.subject`).
 */

/** An entry Careloop cannot accept: it is rejected (and, in a transaction, so is the bundle). */
export class EntryError extends Error {
  override readonly name = 'EntryError';
  constructor(
    message: string,
    readonly path: string | null,
    readonly code: IssueType = 'invalid',
    /** The entry's HTTP status in a batch response. */
    readonly status = 422,
  ) {
    super(message);
  }
}

/** A valid resource Careloop keeps as a source record but does not map (a Device's vitals). */
export class NotMapped extends Error {
  override readonly name = 'NotMapped';
  constructor(
    message: string,
    readonly path: string | null = null,
  ) {
    super(message);
  }
}

/** The request as a whole is refused: not a Bundle, too large, malformed. */
export class FhirRequestError extends Error {
  override readonly name = 'FhirRequestError';
  constructor(
    readonly status: number,
    readonly outcome: OperationOutcome,
  ) {
    super(outcome.issue?.[0]?.diagnostics ?? 'FHIR request refused');
  }
}

export function operationOutcome(issues: OperationOutcomeIssue[]): OperationOutcome {
  return { resourceType: 'OperationOutcome', issue: issues };
}

export function issue(
  severity: OperationOutcomeIssue['severity'],
  code: IssueType,
  diagnostics: string,
  expression?: string | null,
): OperationOutcomeIssue {
  return {
    severity,
    code,
    diagnostics,
    ...(expression ? { expression: [expression] } : {}),
  };
}

export function requestError(
  status: number,
  code: IssueType,
  diagnostics: string,
  expression?: string,
): FhirRequestError {
  return new FhirRequestError(
    status,
    operationOutcome([issue('error', code, diagnostics, expression)]),
  );
}

/** `Bundle.entry[3].resource` plus a path inside the resource. */
export function entryPath(index: number, path?: string | null): string {
  const base = `Bundle.entry[${index}]`;
  if (path === undefined || path === null) return base;
  return path === '' ? `${base}.resource` : `${base}.resource.${path}`;
}

/** A validator's expression (`Patient.name[0].given`) as a path inside the resource. */
export function resourcePath(expression: string | undefined, resourceType: string): string {
  if (!expression) return '';
  if (expression === resourceType) return '';
  return expression.startsWith(`${resourceType}.`)
    ? expression.slice(resourceType.length + 1)
    : expression;
}

const STATUS_TEXT: Record<number, string> = {
  200: '200 OK',
  201: '201 Created',
  202: '202 Accepted',
  400: '400 Bad Request',
  404: '404 Not Found',
  405: '405 Method Not Allowed',
  409: '409 Conflict',
  413: '413 Payload Too Large',
  422: '422 Unprocessable Entity',
  424: '424 Failed Dependency',
};

export const statusLine = (status: number) => STATUS_TEXT[status] ?? String(status);
