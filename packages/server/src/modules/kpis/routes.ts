import { KpiQuery, KpiRefreshBody, KpiReportSchema, kpiReportCsv } from '@careloop/core';
import { Type } from 'typebox';
import { contextOf } from '../../http/actor.js';
import type { App } from '../../http/types.js';
import type { Services } from '../../services.js';

const problem = { $ref: 'Problem#' } as const;
const errors = { 400: problem, 401: problem, 403: problem };

export default async function kpiRoutes(
  app: App,
  { kpis, jobs, database }: Services,
): Promise<void> {
  app.get(
    '/api/kpis',
    {
      config: { policy: { permission: 'analytics:read' } },
      schema: {
        tags: ['analytics'],
        summary:
          'The KPI dashboard: each KPI over the period, its change against the period before and its trend; small cells withheld from roles without clinical access',
        querystring: KpiQuery,
        response: { 200: KpiReportSchema, ...errors },
      },
    },
    async (request) => kpis.report(contextOf(request), request.query),
  );

  app.get(
    '/api/kpis/export.csv',
    {
      config: { policy: { permission: 'analytics:read' } },
      schema: {
        tags: ['analytics'],
        summary: 'The dashboard as CSV (same filters, same suppression); audited as an export',
        querystring: KpiQuery,
        response: { 200: Type.String(), ...errors },
      },
    },
    async (request, reply) => {
      const ctx = contextOf(request);
      const report = await kpis.report(ctx, request.query);
      await kpis.audited(ctx, 'export');
      return reply
        .type('text/csv; charset=utf-8')
        .header(
          'content-disposition',
          `attachment; filename="kpis-${report.filters.from}-${report.filters.to}.csv"`,
        )
        .send(kpiReportCsv(report));
    },
  );

  app.post(
    '/api/kpis/refresh',
    {
      config: { policy: { permission: 'analytics:refresh' } },
      schema: {
        tags: ['analytics'],
        summary: 'Queue a refresh of the KPI rollup (the given days, else the trailing window)',
        body: KpiRefreshBody,
        response: { 202: Type.Object({ queued: Type.Boolean() }), ...errors },
      },
    },
    async (request, reply) => {
      const { orgId } = contextOf(request).actor;
      await database.withTenant(orgId, (tx) =>
        jobs.send(tx, 'kpis.refresh', { orgId, ...request.body }),
      );
      jobs.wake('kpis.refresh');
      return reply.code(202).send({ queued: true });
    },
  );
}
