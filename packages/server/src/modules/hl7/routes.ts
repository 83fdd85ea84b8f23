import { IdParams } from '@careloop/core';
import { contextOf } from '../../http/actor.js';
import type { App } from '../../http/types.js';
import type { Services } from '../../services.js';
import {
  Hl7MessageDetail,
  Hl7MessageListQuery,
  Hl7MessagePage,
  type Hl7MessageSummary,
  Hl7ReplayResult,
} from './api.js';
import { restrictedDetail, restrictedSummary } from './log/message-view.js';

const problem = { $ref: 'Problem#' } as const;
const errors = { 400: problem, 401: problem, 403: problem, 404: problem, 409: problem };

/**
 * The message log, guarded like every reader of patient detail (docs/adr/0012, "The HL7 message
 * log"): a message about a restricted patient the caller may not open keeps its place, type,
 * status and error, and loses its patient and its values.
 */
export default async function hl7Routes(app: App, { hl7, restrictions }: Services): Promise<void> {
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
    async (request) => {
      const ctx = contextOf(request);
      const page = await hl7.list(ctx, request.query);
      const hidden = await restrictions.hiddenAmong(
        ctx.actor,
        page.items.flatMap((m) => (m.patientId ? [m.patientId] : [])),
      );
      if (hidden.size === 0) return page;
      const masked = (m: Hl7MessageSummary) =>
        m.patientId && hidden.has(m.patientId) ? restrictedSummary(m) : m;
      return { ...page, items: page.items.map(masked) };
    },
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
    async (request) => {
      const ctx = contextOf(request);
      const detail = await hl7.get(ctx, request.params.id);
      const hidden = await restrictions.hiddenAmong(ctx.actor, await hl7.patientsOf(ctx, detail));
      return hidden.size === 0 ? detail : restrictedDetail(detail);
    },
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
    async (request) => {
      const ctx = contextOf(request);
      const result = await hl7.replay(ctx, request.params.id);
      const { patientId } = result.message;
      const hidden = patientId ? await restrictions.hiddenAmong(ctx.actor, [patientId]) : null;
      return hidden?.size ? { ...result, message: restrictedSummary(result.message) } : result;
    },
  );
}
