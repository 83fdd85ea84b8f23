import type { Db } from '../../db/client.js';
import type { JobRunner } from '../jobs/runner.js';

/** A referral an importer created (a ServiceRequest that is one and is news: core's referralIsNews). */
export interface ImportedReferral {
  orgId: string;
  serviceRequestId: string;
}

/**
 * Where importers announce the referrals they created (issue 11, h11j), so journeys react
 * (`referral.created`): a job sent in the importer's transaction, as appointments are announced
 * (scheduling/imported-events.ts). The importer decides what is news; this only sends.
 */
export interface ReferralEventSink {
  announce(tx: Db, referrals: readonly ImportedReferral[]): Promise<number>;
}

export function referralEventsTo(jobs: JobRunner): ReferralEventSink {
  return {
    async announce(tx, referrals) {
      // A process without the job runner (a tool, most test apps) has no journeys to tell.
      if (!jobs.running) return 0;
      for (const r of referrals) {
        await jobs.send(tx, 'referral.created', {
          orgId: r.orgId,
          serviceRequestId: r.serviceRequestId,
        });
      }
      return referrals.length;
    },
  };
}
