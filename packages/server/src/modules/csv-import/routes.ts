import { PassThrough } from 'node:stream';
import {
  CareloopError,
  type CsvImportEvent,
  type CsvImportRequest,
  MAX_IMPORT_BYTES,
  type Problem,
  routes,
} from '@careloop/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { sqlState } from '../../db/errors.js';
import { contextOf } from '../../http/actor.js';
import { defineRoute } from '../../http/route.js';
import type { App } from '../../http/types.js';
import type { Services } from '../../services.js';

/** The JSON body carries the file as a string: escaping adds a little to the file's size. */
const BODY_LIMIT = Math.ceil(MAX_IMPORT_BYTES * 1.25);
const TOO_LARGE = `The file is larger than ${MAX_IMPORT_BYTES / 1024 / 1024} MB; split it into smaller files`;

/** Refuses an oversized upload from its Content-Length, before reading it. */
async function refuseLargeBodies(request: FastifyRequest): Promise<void> {
  const length = Number(request.headers['content-length'] ?? '0');
  if (length > BODY_LIMIT) throw new CareloopError('payload_too_large', TOO_LARGE);
}

/**
 * Runs the import and answers with NDJSON: `progress` lines as chunks finish, then one
 * `result` line (or an `error` line when the import stopped half-way). Problems found before
 * any row is written (unreadable file, incomplete mapping) are ordinary 4xx responses.
 */
async function streamImport(
  services: Services,
  request: FastifyRequest<{ Body: CsvImportRequest }>,
  reply: FastifyReply,
  dryRun: boolean,
): Promise<FastifyReply> {
  const ctx = contextOf(request);
  const prepared = await services.csvImport.prepare(request.body, ctx.asOf);
  const stream = new PassThrough();
  const send = (event: CsvImportEvent) => stream.write(`${JSON.stringify(event)}\n`);
  void reply.type('application/x-ndjson; charset=utf-8').header('cache-control', 'no-store');
  void reply.send(stream);
  services.csvImport
    .run(ctx.audit, prepared, {
      dryRun,
      onProgress: (done, total) => {
        send({ type: 'progress', done, total });
      },
    })
    .then((result) => send({ type: 'result', result }))
    .catch((error: unknown) => {
      const known = error instanceof CareloopError ? error.problem : null;
      // Name and SQLSTATE only: a database error's message can quote row values (PHI).
      if (!known) {
        request.log.error(
          { error: error instanceof Error ? error.name : typeof error, sqlState: sqlState(error) },
          'csv import failed',
        );
      }
      const body: Problem = known ?? {
        status: 500,
        code: 'internal',
        message: 'The import stopped on our side; rows in finished chunks were kept',
      };
      send({ type: 'error', problem: body });
    })
    .finally(() => stream.end());
  return reply;
}

export default async function csvImportRoutes(app: App, services: Services): Promise<void> {
  const upload = {
    bodyLimit: BODY_LIMIT,
    preParsing: refuseLargeBodies,
    config: { checksBodyText: true },
  };
  defineRoute(
    app,
    routes.csvImport.preview,
    (request, reply) => streamImport(services, request, reply, true),
    upload,
  );
  defineRoute(
    app,
    routes.csvImport.commit,
    (request, reply) => streamImport(services, request, reply, false),
    upload,
  );
}
