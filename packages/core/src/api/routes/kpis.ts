import { Type } from 'typebox';
import { KpiQuery, KpiRefreshBody, KpiReportSchema } from '../../kpis/api.js';
import { route } from '../contract.js';

const read = { permission: 'analytics:read' } as const;
const tags = ['analytics'] as const;

/** The KPI dashboard, its CSV export and the rollup's refresh. */
export const kpiRoutes = {
  report: route({
    method: 'GET',
    path: '/api/kpis',
    policy: read,
    tags,
    summary:
      'The KPI dashboard: each KPI over the period, its change against the period before and its trend; small cells withheld from roles without clinical access',
    query: KpiQuery,
    reply: KpiReportSchema,
  }),
  /** Answers text/csv: no JSON reply; the web links to it (urlOf). */
  exportCsv: route({
    method: 'GET',
    path: '/api/kpis/export.csv',
    policy: read,
    tags,
    summary: 'The dashboard as CSV (same filters, same suppression); audited as an export',
    query: KpiQuery,
  }),
  refresh: route({
    method: 'POST',
    path: '/api/kpis/refresh',
    policy: { permission: 'analytics:refresh' },
    tags,
    summary: 'Queue a refresh of the KPI rollup (the given days, else the trailing window)',
    body: KpiRefreshBody,
    reply: Type.Object({ queued: Type.Boolean() }),
    status: 202,
  }),
};
