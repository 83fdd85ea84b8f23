import type { Services } from '../../services.js';

/** Offers expire within a minute of their time; proposals look for open slots every 15. */
export const WAITLIST_SWEEP_CRON = '* * * * *';
export const WAITLIST_PROPOSE_CRON = '*/15 * * * *';

/** The waitlist's workers (issue 13): freed slots, expiries, proposals. */
export async function startWaitlistWorkers({ jobs, waitlist }: Services): Promise<void> {
  await jobs.work('slot.freed', { concurrency: 1 }, async (job) => {
    await waitlist.recovery.onSlotFreed(job);
  });
  await jobs.work('waitlist.sweep', { concurrency: 1 }, async () => {
    await waitlist.recovery.sweep();
  });
  await jobs.work('waitlist.propose', { concurrency: 1 }, async () => {
    await waitlist.recovery.propose();
  });
  await jobs.schedule('waitlist.sweep', WAITLIST_SWEEP_CRON, {});
  await jobs.schedule('waitlist.propose', WAITLIST_PROPOSE_CRON, {});
}
