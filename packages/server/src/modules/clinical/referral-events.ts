import type { ReferralClosedStatus } from '@careloop/core';
import type { Db } from '../../db/client.js';
import type { JobRunner } from '../jobs/runner.js';

/** A referral an importer created (a ServiceRequest that is one and is news: core's referralIsNews). */
export interface ImportedReferral {
  orgId: string;
  serviceRequestId: string;
}

// Issue 11 (h11r): a referral closed (docs/adr/0045).
/** A referral an importer closed (core's referralClosed): its new status. */
export interface ClosedReferral {
  orgId: string;
  serviceRequestId: string;
  status: ReferralClosedStatus;
}

/**
 * Where importers announce the referrals they created (issue 11, h11j), so journeys react
 * (`referral.created`): a job sent in the importer's transaction, as appointments are announced
 * (scheduling/imported-events.ts). The importer decides what is news; this only sends. The
 * referrals they closed (h11r) are announced the same way (`referral.closed`): the journeys
 * the referral started end.
 */
export interface ReferralEventSink {
  announce(tx: Db, referrals: readonly ImportedReferral[]): Promise<number>;
  announceClosed(tx: Db, referrals: readonly ClosedReferral[]): Promise<number>;
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
    async announceClosed(tx, referrals) {
      if (!jobs.running) return 0;
      for (const r of referrals) {
        await jobs.send(tx, 'referral.closed', {
          orgId: r.orgId,
          serviceRequestId: r.serviceRequestId,
          status: r.status,
        });
      }
      return referrals.length;
    },
  };
}
