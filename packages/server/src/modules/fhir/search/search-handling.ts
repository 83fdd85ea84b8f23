import type { Bundle, OperationOutcomeIssue } from '@medplum/fhirtypes';
import { issue, operationOutcome, requestError } from '../outcome.js';

/**
 * What a search does with parameters Careloop does not support, as FHIR's
 * `Prefer: handling=strict|lenient` asks. Strict (the default here) refuses the search with a
 * 400 OperationOutcome naming the parameter: a search whose filter is silently dropped returns
 * every patient, which is neither what the client meant nor the minimum necessary. Lenient
 * ignores the parameter, leaves it out of the `self` link (so the link states the search that
 * ran) and says so in an OperationOutcome entry of the bundle.
 */
export type SearchHandling = 'strict' | 'lenient';

/** The handling a `Prefer` header asks for; strict when it names none. */
export function searchHandling(prefer: string | string[] | undefined): SearchHandling {
  const values = (Array.isArray(prefer) ? prefer : [prefer ?? ''])
    .flatMap((v) => v.split(/[,;]/))
    .map((v) => v.trim().toLowerCase().replace(/\s+/g, ''));
  if (values.includes('handling=lenient')) return 'lenient';
  return 'strict';
}

/** `_format` values this server answers in: JSON, the only format it writes. */
const JSON_FORMATS = new Set(['json', 'application/json', 'application/fhir+json']);

/**
 * FHIR's parameters for every interaction that a search may carry and this server honours:
 * `_pretty` (any value: it changes only whitespace) and `_format` asking for JSON. `_format`
 * asking for XML or Turtle is unsupported, like any other parameter Careloop cannot honour.
 */
function generalParamHonoured(name: string, value: string): boolean {
  if (name === '_pretty') return true;
  return name === '_format' && JSON_FORMATS.has(value.split(';')[0]?.trim().toLowerCase() ?? '');
}

/** The query's parameters that are not among `supported`, in the order sent. */
export function unsupportedParams(self: string, supported: readonly string[]): string[] {
  const params = [...new URL(self, 'http://x').searchParams.entries()];
  return [
    ...new Set(
      params
        .filter(([name, value]) => !supported.includes(name) && !generalParamHonoured(name, value))
        .map(([name]) => name),
    ),
  ];
}

/** The path and query without the named parameters: the search that actually ran. */
export function withoutParams(self: string, names: readonly string[]): string {
  if (names.length === 0) return self;
  const url = new URL(self, 'http://x');
  for (const name of names) url.searchParams.delete(name);
  return `${url.pathname}${url.search}`;
}

/**
 * The search as it will run: refused (strict) when a parameter is unsupported, or the
 * `self` to link and the warnings to report (lenient).
 */
export function checkSearchParams(
  self: string,
  supported: readonly string[],
  handling: SearchHandling,
): { self: string; warnings: OperationOutcomeIssue[] } {
  const unsupported = unsupportedParams(self, supported);
  if (unsupported.length === 0) return { self, warnings: [] };
  if (handling === 'strict') {
    const [first = ''] = unsupported;
    throw requestError(
      400,
      'not-supported',
      `Unsupported search parameter${unsupported.length > 1 ? 's' : ''}: ${unsupported.join(', ')} (supported: ${supported.join(', ')}; send Prefer: handling=lenient to ignore it)`,
      first,
    );
  }
  return {
    self: withoutParams(self, unsupported),
    warnings: unsupported.map((name) =>
      issue(
        'warning',
        'not-supported',
        `Search parameter ${name} is not supported and was ignored`,
        name,
      ),
    ),
  };
}

/** The bundle with an OperationOutcome entry for the warnings, as FHIR's search mode `outcome`. */
export function withSearchWarnings(bundle: Bundle, warnings: OperationOutcomeIssue[]): Bundle {
  if (warnings.length === 0) return bundle;
  return {
    ...bundle,
    entry: [
      ...(bundle.entry ?? []),
      { resource: operationOutcome(warnings), search: { mode: 'outcome' } },
    ],
  };
}
