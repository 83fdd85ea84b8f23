import { CareloopError, type Problem } from '@careloop/core';
import type { FastifyError, FastifyInstance } from 'fastify';

interface AjvIssue {
  instancePath: string;
  message?: string;
  params?: Record<string, unknown>;
}

function validationProblem(error: FastifyError): Problem {
  const issue = (error.validation?.[0] ?? { instancePath: '' }) as AjvIssue;
  const where =
    error.validationContext === 'querystring' ? 'query' : (error.validationContext ?? 'body');
  const missing = issue.params?.missingProperty;
  const extra = typeof missing === 'string' ? `/${missing}` : '';
  const path = `/${where}${issue.instancePath}${extra}`;
  const field = path.split('/').filter(Boolean).slice(1).join('.') || where;
  return {
    status: 400,
    code: 'validation_failed',
    message: `${field} ${issue.message ?? 'is invalid'}`,
    path,
  };
}

/** Maps every failure to the one Problem shape; never leaks internals in a 500. */
export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    let problem: Problem;
    if (error instanceof CareloopError) {
      problem = error.problem;
    } else if (error.validation) {
      problem = validationProblem(error);
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
