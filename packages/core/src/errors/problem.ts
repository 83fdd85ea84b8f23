/**
 * One error model from the database to the HTTP reply. Every failure is a `CareloopError`
 * carrying a `Problem`; the server maps `code` to a status with `statusForCode`.
 */
export const PROBLEM_CODES = [
  'bad_request',
  'validation_failed',
  'unauthenticated',
  'forbidden',
  /** A restricted patient's record the user is not cleared for (break the glass to open it). */
  'restricted',
  'csrf_failed',
  'not_found',
  'conflict',
  'unknown_reference',
  'payload_too_large',
  'rate_limited',
  'session_expired',
  'internal',
  'unavailable',
  // Issue 13: a booking's slot was taken (409, with alternatives); an Idempotency-Key reused
  // with another request (422).
  'slot_taken',
  'idempotency_mismatch',
] as const;

/** Every code the server answers with: the one list the API schema and the web both read. */
export type ProblemCode = (typeof PROBLEM_CODES)[number];

/** One invalid field of a request: where (`/body/email`) and what is wrong with it. */
export interface FieldError {
  path: string;
  message: string;
}

export interface Problem {
  status: number;
  code: ProblemCode;
  message: string;
  /** JSON pointer-ish path of the offending field, e.g. `/body/email`. */
  path?: string;
  /** Every invalid field of a refused request (`path` and `message` name the first). */
  errors?: FieldError[];
}

export function statusForCode(code: ProblemCode): number {
  switch (code) {
    case 'bad_request':
    case 'validation_failed':
      return 400;
    case 'unauthenticated':
    case 'session_expired':
      return 401;
    case 'forbidden':
    case 'restricted':
    case 'csrf_failed':
      return 403;
    case 'not_found':
      return 404;
    case 'conflict':
      return 409;
    case 'unknown_reference':
      return 422;
    case 'payload_too_large':
      return 413;
    case 'rate_limited':
      return 429;
    case 'internal':
      return 500;
    case 'unavailable':
      return 503;
    case 'slot_taken':
      return 409;
    case 'idempotency_mismatch':
      return 422;
  }
}

export class CareloopError extends Error {
  readonly problem: Problem;

  constructor(code: ProblemCode, message: string, path?: string) {
    super(message);
    this.name = 'CareloopError';
    this.problem = { status: statusForCode(code), code, message, ...(path ? { path } : {}) };
  }
}

export const notFound = (what: string) => new CareloopError('not_found', `${what} not found`);
export const forbidden = (message = 'You do not have access to this') =>
  new CareloopError('forbidden', message);
export const badRequest = (message: string, path?: string) =>
  new CareloopError('bad_request', message, path);
/**
 * A body field naming a record this organization does not have: unknown and another tenant's
 * ids read the same, so the answer tells nothing about other tenants.
 */
export const unknownReference = (field: string, what: string) =>
  new CareloopError(
    'unknown_reference',
    `${field} does not name a ${what} of this organization`,
    `/body/${field}`,
  );
export const conflict = (message: string, path?: string) =>
  new CareloopError('conflict', message, path);

/** A 429 that says when to come back: the reply carries `Retry-After` in whole seconds. */
export class RateLimitedError extends CareloopError {
  readonly retryAfterSeconds: number;

  constructor(message: string, retryAfterMs: number) {
    super('rate_limited', message);
    this.retryAfterSeconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
  }
}
