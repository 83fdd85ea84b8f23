import {
  type AuditEvent,
  AuditListQuery,
  AuditPage,
  badRequest,
  decodeCursor,
  encodeCursor,
} from '@careloop/core';
import { contextOf } from '../../http/actor.js';
import type { App } from '../../http/types.js';
import type { Services } from '../../services.js';
import type { auditEvents } from './schema.js';

const problem = { $ref: 'Problem#' } as const;
const errors = { 400: problem, 401: problem, 403: problem };

/** The cursor is the `seq` of the last event shown; the next page holds older events. */
function beforeSeq(cursor: string | undefined): number | undefined {
  if (cursor === undefined) return undefined;
  const [seq] = decodeCursor(cursor, 1);
  if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 1) {
    throw badRequest('The cursor is not valid', '/query/cursor');
  }
  return seq;
}

function toAuditEvent(row: typeof auditEvents.$inferSelect): AuditEvent {
  return {
    id: String(row.seq),
    occurredAt: row.occurredAt.toISOString(),
    actorId: row.actorId,
    actorEmail: row.actorEmail,
    actorRole: row.actorRole,
    action: row.action,
    patientId: row.patientId,
    recordType: row.recordType,
    recordId: row.recordId,
    ip: row.ip,
    userAgent: row.userAgent,
    outcome: row.outcome,
    reason: row.reason,
  };
}

export default async function auditRoutes(app: App, { audit, database }: Services): Promise<void> {
  app.get(
    '/api/audit',
    {
      config: { policy: { permission: 'audit:read' } },
      schema: {
        tags: ['audit'],
        summary: "The organization's audit log, newest first",
        querystring: AuditListQuery,
        response: { 200: AuditPage, ...errors },
      },
    },
    async (request) => {
      const ctx = contextOf(request);
      const { cursor, limit = 25, ...filter } = request.query;
      if (filter.from && filter.to && Date.parse(filter.from) > Date.parse(filter.to)) {
        throw badRequest('from must not be after to', '/query/from');
      }
      const rows = await database.withTenant(ctx.actor.orgId, (tx) =>
        audit.list(tx, { ...filter, beforeSeq: beforeSeq(cursor), limit: limit + 1 }),
      );
      const page = rows.slice(0, limit);
      const last = page.at(-1);
      // The log names patients and who saw them: reading it is itself audited, before it is shown.
      await audit.read(ctx.audit, {
        action: 'search',
        recordType: 'audit-event',
        patientId: filter.patientId ?? null,
        reason: `${page.length} events listed`,
      });
      return {
        items: page.map(toAuditEvent),
        nextCursor: rows.length > limit && last ? encodeCursor([last.seq]) : null,
      };
    },
  );
}
