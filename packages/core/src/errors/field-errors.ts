import type { FieldError } from './problem.js';

/** One schema validation failure as the validator reports it (TypeBox's or Ajv's shape). */
export interface SchemaIssue {
  keyword?: string;
  instancePath: string;
  message?: string;
  params?: Record<string, unknown>;
}

const FORMATS: Record<string, string> = {
  date: 'must be a date (YYYY-MM-DD)',
  'date-time': 'must be a date and time',
  email: 'must be an email address',
  uuid: 'must be an id',
};

/** What is wrong, in words a form can show under its field. */
function wording(issue: SchemaIssue): string {
  const p = issue.params ?? {};
  switch (issue.keyword) {
    case 'format':
      return FORMATS[String(p.format)] ?? issue.message ?? 'is invalid';
    case 'enum':
      return Array.isArray(p.allowedValues)
        ? `must be one of: ${p.allowedValues.join(', ')}`
        : (issue.message ?? 'is invalid');
    case 'minLength':
      return p.limit === 1 ? 'must not be empty' : `must be at least ${p.limit} characters`;
    case 'maxLength':
      return `must be at most ${p.limit} characters`;
    default:
      return issue.message ?? 'is invalid';
  }
}

/** The names of the required properties an issue says are missing (Ajv names one, TypeBox a list). */
function missingOf(issue: SchemaIssue): string[] {
  const p = issue.params ?? {};
  if (typeof p.missingProperty === 'string') return [p.missingProperty];
  if (Array.isArray(p.requiredProperties)) {
    return p.requiredProperties.filter((name): name is string => typeof name === 'string');
  }
  return [];
}

/**
 * Every invalid field of one part of a request (`body`, `query`, `params`), one error per field
 * path (the first issue found for it), each path prefixed with the part: `/body/birthDate`.
 */
export function fieldErrors(part: string, issues: readonly SchemaIssue[]): FieldError[] {
  const byPath = new Map<string, string>();
  for (const issue of issues) {
    const missing = missingOf(issue);
    if (missing.length > 0) {
      for (const name of missing) {
        const path = `/${part}${issue.instancePath}/${name}`;
        if (!byPath.has(path)) byPath.set(path, 'is required');
      }
      continue;
    }
    const path = `/${part}${issue.instancePath}`;
    if (!byPath.has(path)) byPath.set(path, wording(issue));
  }
  return [...byPath].map(([path, message]) => ({ path, message }));
}

/** `/body/addresses/0/city` → `addresses.0.city`: the field a person reads in a message. */
export function fieldName(path: string): string {
  const parts = path.split('/').filter(Boolean);
  return parts.slice(1).join('.') || (parts[0] ?? 'request');
}
