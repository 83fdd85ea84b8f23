import type { FastifyLoggerOptions } from 'fastify';
import type { DestinationStream, LoggerOptions } from 'pino';
import { loggableError } from './db/errors.js';

/**
 * Pino options. Request logs carry method, route and status, never bodies or query strings,
 * and anything that could hold PHI or a secret is redacted if it is ever logged. An error
 * logged as `err` or `error` goes through `loggableError`: a database error without its
 * parameters, message or detail, which quote patient data.
 */
export function loggerOptions(
  level: string,
  stream?: DestinationStream,
): FastifyLoggerOptions & LoggerOptions & { stream?: DestinationStream } {
  return {
    level,
    ...(stream ? { stream } : {}),
    redact: {
      paths: [
        'req.headers.cookie',
        'req.headers.authorization',
        'req.headers["x-csrf-token"]',
        'res.headers["set-cookie"]',
        '*.password',
        '*.passwordHash',
        '*.token',
        '*.body',
        '*.email',
        '*.phone',
        '*.birthDate',
        '*.givenName',
        '*.familyName',
      ],
      censor: '[redacted]',
    },
    serializers: {
      err: (error: unknown) => loggableError(error),
      // Some lines log an error's name alone under `error`: a string is kept as it is.
      error: (error: unknown) => (typeof error === 'string' ? error : loggableError(error)),
      req: (req: { method: string; routeOptions?: { url?: string }; url: string; id: string }) => ({
        id: req.id,
        method: req.method,
        // The route pattern, not the URL: query strings can carry names and birth dates.
        route: req.routeOptions?.url ?? req.url.split('?')[0],
      }),
    },
  };
}
