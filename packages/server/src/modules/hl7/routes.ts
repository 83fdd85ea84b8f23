import { IdParams } from '@careloop/core';
import { contextOf } from '../../http/actor.js';
import type { App } from '../../http/types.js';
import type { Services } from '../../services.js';
import { Hl7MessageDetail, Hl7MessageListQuery, Hl7MessagePage, Hl7ReplayResult } from './api.js';

const problem = { $ref: 'Problem#' } as const;
const errors = { 400: problem, 401: problem, 403: problem, 404: problem, 409: problem };

export default async function hl7Routes(app: App, { hl7 }: Services): Promise<void> {
  app.get(
    '/api/hl7/messages',
    {
      config: { policy: { permission: 'interop:write' } },
      schema: {
        tags: ['interop'],
        summary: 'HL7 v2 messages received, newest first, with what became of each',
        querystring: Hl7MessageListQuery,
        response: { 200: Hl7MessagePage, ...errors },
      },
    },
    (request) => hl7.list(contextOf(request), request.query),
  );

  app.get(
    '/api/hl7/messages/:id',
    {
      config: { policy: { permission: 'interop:write' } },
      schema: {
        tags: ['interop'],
        summary: 'One HL7 v2 message with its text (the read is audited)',
        params: IdParams,
        response: { 200: Hl7MessageDetail, ...errors },
      },
    },
    (request) => hl7.get(contextOf(request), request.params.id),
  );

  app.post(
    '/api/hl7/messages/:id/replay',
    {
      config: { policy: { permission: 'interop:write' } },
      schema: {
        tags: ['interop'],
        summary: 'Process a message that failed again, as if it had just arrived',
        params: IdParams,
        response: { 200: Hl7ReplayResult, ...errors },
      },
    },
    (request) => hl7.replay(contextOf(request), request.params.id),
  );
}
