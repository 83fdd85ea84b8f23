import {
  CareloopError,
  fieldErrors,
  fieldName,
  type Problem,
  RateLimitedError,
  type SchemaIssue,
} from '@careloop/core';
import type { FastifyError, FastifyInstance } from 'fastify';
import { isDatabaseUnavailable, sqlState, violatedReferenceField } from '../db/errors.js';

// invalid_text_representation, invalid_datetime_format, datetime_field_overflow,
// string_data_right_truncation, numeric_value_out_of_range
const PG_INPUT_ERRORS = new Set(['22P02', '22007', '22008', '22001', '22003']);

/**
 * Every invalid field of the refused part of a request, each with its path (`/body/email`), so a
 * form can show each on its field; `path` and `message` name the first, as before.
 */
function validationProblem(error: FastifyError): Problem {
  const part =
    error.validationContext === 'querystring' ? 'query' : (error.validationContext ?? 'body');
  const issues: SchemaIssue[] = (error.validation ?? []).map((issue) => ({
    keyword: issue.keyword,
    instancePath: issue.instancePath,
    message: issue.message,
    params: issue.params,
  }));
  const errors = fieldErrors(part, issues);
  const first = errors[0] ?? { path: `/${part}`, message: 'is invalid' };
  return {
    status: 400,
    code: 'validation_failed',
    message: `${fieldName(first.path)} ${first.message}`,
    path: first.path,
    errors: errors.length > 0 ? errors : [first],
  };
}

/** Seconds a client is told to wait (`Retry-After`) while the database is away. */
export const RETRY_AFTER_SECONDS = 2;

/** The reply while the database is away (stopped, restarting, its connections cut). */
export const DATABASE_UNAVAILABLE: Problem = {
  status: 503,
  code: 'unavailable',
  message: 'The database is unavailable for a moment; retry shortly',
};

/** Maps every failure to the one Problem shape; never leaks internals in a 500. */
export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    let problem: Problem;
    if (isDatabaseUnavailable(error)) {
      // Not the request's fault and not a bug: the client may send it again unchanged.
      request.log.warn({ err: error }, 'database unavailable');
      problem = DATABASE_UNAVAILABLE;
      void reply.header('retry-after', String(RETRY_AFTER_SECONDS));
    } else if (error instanceof CareloopError) {
      problem = error.problem;
      if (error instanceof RateLimitedError) {
        void reply.header('retry-after', String(error.retryAfterSeconds));
      }
    } else if (error.validation) {
      problem = validationProblem(error);
    } else if (PG_INPUT_ERRORS.has(sqlState(error) ?? '')) {
      // A value PostgreSQL could not take (a malformed date in a cursor, say): the caller's fault.
      problem = {
        status: 400,
        code: 'bad_request',
        message: 'A value in the request is not valid',
      };
    } else if (sqlState(error) === '23503') {
      // A reference the database refused: unknown, or another organization's (the keys carry
      // org_id). Services check the fields they can first; this is the net under them.
      const field = violatedReferenceField(error);
      problem = field
        ? {
            status: 422,
            code: 'unknown_reference',
            message: `${field} does not name a record of this organization`,
            path: `/body/${field}`,
          }
        : {
            status: 422,
            code: 'unknown_reference',
            message: 'The request names a record this organization does not have',
          };
    } else if (sqlState(error) === '23505') {
      problem = {
        status: 409,
        code: 'conflict',
        message: 'A record with the same key already exists',
      };
    } else if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
      const code =
        error.statusCode === 413
          ? 'payload_too_large'
          : error.statusCode === 404
            ? 'not_found'
            : error.statusCode === 429
              ? 'rate_limited'
              : 'bad_request';
      problem = { status: error.statusCode, code, message: error.message };
    } else {
      request.log.error({ err: error }, 'unhandled error');
      problem = { status: 500, code: 'internal', message: 'Something went wrong on our side' };
    }
    void reply.status(problem.status).type('application/json').send(problem);
  });
}
