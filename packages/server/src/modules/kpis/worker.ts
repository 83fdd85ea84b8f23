import type { Services } from '../../services.js';

/** Every night at 02:30 UTC: each organization's trailing window (late data, closing windows). */
export const KPI_REFRESH_CRON = '30 2 * * *';

/**
 * Makes this process a worker of the KPI refresh jobs and schedules the nightly refresh. An
 * organization never refreshed (a fresh demo) gets its whole history at the first run, queued
 * now, so the dashboard has figures minutes after start rather than the next night.
 */
export async function startKpiWorkers({ jobs, kpis }: Services): Promise<void> {
  await jobs.work('kpis.refresh', { concurrency: 1 }, async (job) => {
    await kpis.refresh(job.orgId, { from: job.from, to: job.to });
  });
  await jobs.work('kpis.refresh-all', { concurrency: 1 }, async () => {
    await kpis.refreshAll();
  });
  await jobs.schedule('kpis.refresh-all', KPI_REFRESH_CRON, {});
  await kpis.queueFirstRefreshes(jobs);
}
