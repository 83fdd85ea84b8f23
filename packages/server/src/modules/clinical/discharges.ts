import { type EncounterState, importedDischarge } from '@careloop/core';
import type { Db } from '../../db/client.js';
import type { DomainEvent, DomainEventSink } from '../integrations/webhooks/events.js';
import type { JobRunner } from '../jobs/runner.js';

/** One encounter an importer created or changed, before and after. */
export interface ImportedEncounterChange {
  orgId: string;
  encounterId: string;
  patientId: string;
  /** As an earlier import left it; its status is what tells a discharge from a repeat. */
  before: Pick<EncounterState, 'status'> | null;
  after: EncounterState;
}

/**
 * Where importers announce the encounters they wrote (FHIR), so a discharge reaches journeys
 * and webhooks as an HL7 A03 does: `encounter.discharged` to subscribed webhooks and an
 * `encounter.discharged` job (the post-discharge journey) in the importer's transaction. Only
 * news is announced (core `importedDischarge`): a finished stay sent again, or a history
 * import, starts nothing.
 */
export interface EncounterEventSink {
  announce(tx: Db, changes: readonly ImportedEncounterChange[]): Promise<number>;
}

export function encounterEventsTo(
  jobs: JobRunner,
  events: DomainEventSink,
  clock: () => Date,
): EncounterEventSink {
  return {
    async announce(tx, changes) {
      // A process without the job runner (a test app, a tool) has no journeys or webhooks to
      // tell: the import goes on. `careloop start` and `import fhir` run it.
      if (!jobs.running) return 0;
      const now = clock();
      let sent = 0;
      for (const change of changes) {
        const dischargedAt = importedDischarge(change.before, change.after, now);
        if (!dischargedAt) continue;
        const { orgId, encounterId, patientId } = change;
        await events.emit(tx, orgId, [
          { type: 'encounter.discharged', data: { encounterId, patientId } },
        ]);
        await jobs.send(tx, 'encounter.discharged', {
          orgId,
          encounterId,
          dischargedAt: dischargedAt.toISOString(),
        });
        sent += 1;
      }
      return sent;
    },
  };
}

/**
 * A domain-event sink that also starts the post-discharge journey for every
 * `encounter.discharged` it passes on (an HL7 A03 of a stay): the journey job is sent in the
 * same transaction as the webhooks, and reads the discharge time from the encounter.
 */
export function withDischargeJourneys(jobs: JobRunner, events: DomainEventSink): DomainEventSink {
  return {
    async emit(tx, orgId, list: readonly DomainEvent[]) {
      const queued = await events.emit(tx, orgId, list);
      if (!jobs.running) return queued;
      for (const event of list) {
        const encounterId = event.data.encounterId;
        if (event.type !== 'encounter.discharged' || !encounterId) continue;
        await jobs.send(tx, 'encounter.discharged', { orgId, encounterId });
      }
      return queued;
    },
  };
}
