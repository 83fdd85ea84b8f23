import { kpiReportCsv, routes } from '@careloop/core';
import { contextOf } from '../../http/actor.js';
import { defineRoute } from '../../http/route.js';
import type { App } from '../../http/types.js';
import type { Services } from '../../services.js';

export default async function kpiRoutes(
  app: App,
  { kpis, jobs, database }: Services,
): Promise<void> {
  defineRoute(app, routes.kpis.report, async (request) =>
    kpis.report(contextOf(request), request.query),
  );

  defineRoute(app, routes.kpis.exportCsv, async (request, reply) => {
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
  });

  defineRoute(app, routes.kpis.refresh, async (request, reply) => {
    const { orgId } = contextOf(request).actor;
    await database.withTenant(orgId, (tx) =>
      jobs.send(tx, 'kpis.refresh', { orgId, ...request.body }),
    );
    jobs.wake('kpis.refresh');
    return reply.code(202).send({ queued: true });
  });
}
