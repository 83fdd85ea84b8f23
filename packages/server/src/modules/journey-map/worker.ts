import type { Services } from '../../services.js';

/**
 * Every ten minutes: each organization's columns brought up to date (the last days;
 * whole once a day, and after a mapping change). Until then the map reads the touchpoints.
 */
export const STAGE_ROLLUP_CRON = '*/10 * * * *';

/** Makes this process a worker of the journey map's rollup jobs and schedules them. */
export async function startJourneyMapWorkers({ jobs, journeyMap }: Services): Promise<void> {
  await jobs.work('journey-map.refresh', { concurrency: 1 }, async (job) => {
    await journeyMap.columns.refresh(job.orgId);
  });
  await jobs.work('journey-map.refresh-all', { concurrency: 1 }, async () => {
    await journeyMap.columns.refreshAll();
  });
  await jobs.schedule('journey-map.refresh-all', STAGE_ROLLUP_CRON, {});
}
