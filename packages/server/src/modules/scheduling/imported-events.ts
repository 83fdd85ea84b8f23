import {
  APPOINTMENT_STATUSES,
  type AppointmentEvent,
  type AppointmentState,
  type AppointmentStatus,
  importedAppointmentEvent,
  importedEventIsNews,
} from '@careloop/core';
import type { Db } from '../../db/client.js';
import type { JobRunner } from '../jobs/runner.js';

/** One appointment an importer created or changed, before and after. */
export interface ImportedAppointmentChange {
  orgId: string;
  appointmentId: string;
  before: AppointmentState | null;
  after: AppointmentState;
}

const STATUSES: ReadonlySet<string> = new Set(APPOINTMENT_STATUSES);

/**
 * An appointment row as it was before an importer changed it. The column holds only the
 * statuses core names (the writers check them); another value reads as cancelled, which turns
 * no change into a reminder.
 */
export function stateOf(row: { status: string; startAt: Date }): AppointmentState {
  const status = STATUSES.has(row.status) ? (row.status as AppointmentStatus) : 'cancelled';
  return { status, startAt: row.startAt };
}

/**
 * Where importers announce the appointments they wrote (HL7 SIU, FHIR, CSV), so journeys react
 * to an EHR's booking as to one made in Careloop: the same `appointment.changed` job, sent in
 * the importer's transaction. Only news is announced (`importedEventIsNews`): a history import
 * starts no reminders for the past.
 */
export interface AppointmentEventSink {
  announce(tx: Db, changes: readonly ImportedAppointmentChange[]): Promise<number>;
}

export function appointmentEventsTo(jobs: JobRunner, clock: () => Date): AppointmentEventSink {
  return {
    async announce(tx, changes) {
      // A process without the job runner (a test app, a tool) has no journeys to tell: the
      // import goes on. `careloop start`, `hl7 listen` and `import hl7|csv` all run it.
      if (!jobs.running) return 0;
      const now = clock();
      let sent = 0;
      for (const change of changes) {
        const event: AppointmentEvent | null = importedAppointmentEvent(
          change.before,
          change.after,
        );
        if (!event || !importedEventIsNews(event, change.after.startAt, now)) continue;
        await jobs.send(tx, 'appointment.changed', {
          orgId: change.orgId,
          appointmentId: change.appointmentId,
          event,
        });
        sent += 1;
      }
      return sent;
    },
  };
}
