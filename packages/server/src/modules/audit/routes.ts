import { Readable } from 'node:stream';
import {
  type AuditEvent,
  badRequest,
  decodeCursor,
  encodeCursor,
  MAX_AUDIT_EXPORT_ROWS,
  routes,
} from '@careloop/core';
import type { Db } from '../../db/client.js';
import { contextOf } from '../../http/actor.js';
import type { Actor } from '../../http/context.js';
import { defineRoute } from '../../http/route.js';
import type { App } from '../../http/types.js';
import type { Services } from '../../services.js';
import { patientDisplayNames } from '../patients/names.js';
import { loadCheckpointKey } from './anchor.js';
import { checkCheckpointFile } from './checkpoint-file.js';
import { auditCsvHeader, auditCsvRow } from './csv.js';
import type { auditEvents } from './schema.js';
import { type AuditFilter, verifyAuditChains } from './service.js';

const EXPORT_PAGE = 1000;

/** The cursor is the `seq` of the last event shown; the next page holds older events. */
function beforeSeq(cursor: string | undefined): number | undefined {
  if (cursor === undefined) return undefined;
  const [seq] = decodeCursor(cursor, 1);
  if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 1) {
    throw badRequest('The cursor is not valid', '/query/cursor');
  }
  return seq;
}

function checkedRange(filter: AuditFilter): AuditFilter {
  if (filter.from && filter.to && Date.parse(filter.from) > Date.parse(filter.to)) {
    throw badRequest('from must not be after to', '/query/from');
  }
  return filter;
}

type AuditRow = typeof auditEvents.$inferSelect;

function toAuditEvent(row: AuditRow, names: PatientNames): AuditEvent {
  const restricted = row.patientId !== null && names.hidden.has(row.patientId);
  return {
    id: String(row.seq),
    occurredAt: row.occurredAt.toISOString(),
    actorId: row.actorId,
    actorEmail: row.actorEmail,
    actorRole: row.actorRole,
    action: row.action,
    patientId: row.patientId,
    patientName:
      row.patientId === null || restricted ? null : (names.names.get(row.patientId) ?? null),
    patientRestricted: restricted,
    recordType: row.recordType,
    recordId: row.recordId,
    ip: row.ip,
    userAgent: row.userAgent,
    outcome: row.outcome,
    reason: row.reason,
  };
}

interface PatientNames {
  names: Map<string, string>;
  /** Restricted patients the reader may not see: shown as restricted, without a name. */
  hidden: Set<string>;
}

export default async function auditRoutes(
  app: App,
  { audit, database, restrictions, config }: Services,
): Promise<void> {
  /** Names of the patients a page of events is about, as the restrictions guard allows. */
  const namesOf = async (tx: Db, actor: Actor, rows: AuditRow[]): Promise<PatientNames> => {
    const ids = [...new Set(rows.flatMap((r) => (r.patientId ? [r.patientId] : [])))];
    const [names, hidden] = await Promise.all([
      patientDisplayNames(tx, ids),
      restrictions.hiddenAmong(actor, ids, tx),
    ]);
    return { names, hidden };
  };

  defineRoute(app, routes.audit.list, async (request) => {
    const ctx = contextOf(request);
    const { cursor, limit = 25, ...filter } = request.query;
    checkedRange(filter);
    const { page, names, more } = await database.withTenant(ctx.actor.orgId, async (tx) => {
      const rows = await audit.list(tx, {
        ...filter,
        beforeSeq: beforeSeq(cursor),
        limit: limit + 1,
      });
      const shown = rows.slice(0, limit);
      return {
        page: shown,
        names: await namesOf(tx, ctx.actor, shown),
        more: rows.length > limit,
      };
    });
    const last = page.at(-1);
    // The log names patients and who saw them: reading it is itself audited, before it is shown.
    await audit.read(ctx.audit, {
      action: 'search',
      recordType: 'audit-event',
      patientId: filter.patientId ?? null,
      reason: `${page.length} events listed`,
    });
    return {
      items: page.map((row) => toAuditEvent(row, names)),
      nextCursor: more && last ? encodeCursor([last.seq]) : null,
    };
  });

  defineRoute(app, routes.audit.export, async (request, reply) => {
    const ctx = contextOf(request);
    const filter = checkedRange(request.query);
    // Counted before anything is read or sent: a narrower filter, not a truncated file.
    const total = await database.withTenant(ctx.actor.orgId, (tx) => audit.count(tx, filter));
    if (total > MAX_AUDIT_EXPORT_ROWS) {
      throw badRequest(
        `${total.toLocaleString('en-US')} events match; an export holds at most ${MAX_AUDIT_EXPORT_ROWS.toLocaleString('en-US')}: narrow the date range`,
        '/query/from',
      );
    }
    await audit.read(ctx.audit, {
      action: 'export',
      recordType: 'audit-event',
      patientId: filter.patientId ?? null,
      reason: `${total} events exported as CSV`,
    });
    const pages = async function* () {
      yield auditCsvHeader();
      let before: number | undefined;
      for (;;) {
        const chunk = await database.withTenant(ctx.actor.orgId, async (tx) => {
          const rows = await audit.list(tx, { ...filter, beforeSeq: before, limit: EXPORT_PAGE });
          return { rows, names: await namesOf(tx, ctx.actor, rows) };
        });
        if (chunk.rows.length > 0) {
          yield chunk.rows.map((row) => auditCsvRow(toAuditEvent(row, chunk.names))).join('');
        }
        const last = chunk.rows.at(-1);
        if (!last || chunk.rows.length < EXPORT_PAGE) return;
        before = last.seq;
      }
    };
    const stream = Readable.from(pages());
    stream.on('error', (error) => request.log.error({ err: error }, 'audit export failed'));
    const day = new Date().toISOString().slice(0, 10);
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="audit-log-${day}.csv"`)
      .header('cache-control', 'no-store')
      .send(stream);
  });

  defineRoute(app, routes.audit.verify, async (request) => {
    const ctx = contextOf(request);
    const key = await loadCheckpointKey(config);
    const { exists, check } = await checkCheckpointFile(config.auditCheckpoints, key);
    // As the tenant, not the owner: row-level security keeps the check to this organization's
    // chain, and it works where the owning role is not configured (a server installation).
    const result = await database.withTenant(ctx.actor.orgId, (tx) =>
      verifyAuditChains(tx, undefined, check.latest, ctx.actor.orgId),
    );
    const ok = result.breaks.length === 0 && check.findings.length === 0;
    await audit.read(ctx.audit, {
      action: 'read',
      recordType: 'audit-chain',
      reason: ok
        ? `verified: ${result.checked} events, intact`
        : `verified: ${result.checked} events, ${result.breaks.length} breaks, ${check.findings.length} checkpoint findings`,
    });
    return {
      ok,
      checked: result.checked,
      breaks: result.breaks.map((b) => ({
        seq: b.seq,
        problem: b.problem,
        detail: b.detail ?? null,
      })),
      checkpoint: {
        exists,
        lines: check.lines,
        latestAt: check.latest?.at ?? null,
        findings: check.findings.length,
      },
    };
  });
}
