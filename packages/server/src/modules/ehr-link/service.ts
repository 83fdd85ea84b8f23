import { createHash } from 'node:crypto';
import { confirmationSiu } from '@careloop/core';
import { and, eq, inArray, like } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import type { OutboxService } from '../messaging/outbox.js';
import { sourceLinks } from '../mpi/schema.js';
import { appointments } from '../scheduling/schema.js';

/** The HL7 link types of an appointment's ids (hl7/parse/links.ts). */
const PLACER = 'SCH-1';
const FILLER = 'SCH-2';
const PATIENT = 'PID-3';

export interface Confirmed {
  orgId: string;
  appointmentId: string;
  patientId: string;
  at: Date;
  channel: 'sms' | 'email';
}

/** A PID-3 source id as the HL7 handlers keep it: `system|value` (hl7/handlers/patient-upsert). */
function identifierOf(key: string): { value: string; system: string | null } {
  const bar = key.lastIndexOf('|');
  return bar < 0
    ? { value: key, system: null }
    : { value: key.slice(bar + 1), system: key.slice(0, bar) || null };
}

/** A control id (MSH-10, at most 20 characters in 2.5.1) stable for one message's key. */
function controlIdOf(key: string): string {
  return `CL${createHash('sha256').update(key).digest('hex').slice(0, 18).toUpperCase()}`;
}

/**
 * The link back to an EHR that owns the schedule (issues 11 and 13). When a patient confirms an
 * appointment the EHR sent (an HL7 SIU feed: it has the EHR's filler or placer id), the EHR is
 * told with an SIU^S14 through the outbox, in the confirmation's transaction, retried until
 * it acknowledges. Appointments booked in Careloop, or from files, tell no one.
 */
export class EhrLink {
  constructor(
    private readonly outbox: OutboxService,
    /** `host:port` of the EHR's MLLP listener (EHR_MLLP_ENDPOINT); null: nothing is sent. */
    private readonly endpoint: string | null,
    private readonly clock: () => Date,
  ) {}

  /** Queues the S14 for a confirmed appointment, if an EHR sent it; returns the outbox id. */
  async confirmed(tx: Db, c: Confirmed): Promise<string | null> {
    if (!this.endpoint) return null;
    const links = await tx
      .select({
        sourceSystem: sourceLinks.sourceSystem,
        sourceType: sourceLinks.sourceType,
        sourceId: sourceLinks.sourceId,
      })
      .from(sourceLinks)
      .where(
        and(
          eq(sourceLinks.orgId, c.orgId),
          eq(sourceLinks.recordType, 'appointment'),
          eq(sourceLinks.recordId, c.appointmentId),
          inArray(sourceLinks.sourceType, [PLACER, FILLER]),
          like(sourceLinks.sourceSystem, 'hl7:%'),
        ),
      );
    const system = links[0]?.sourceSystem;
    if (!system) return null;
    const idOf = (type: string) =>
      links.find((l) => l.sourceSystem === system && l.sourceType === type)?.sourceId ?? null;
    const [patientLink] = await tx
      .select({ sourceId: sourceLinks.sourceId })
      .from(sourceLinks)
      .where(
        and(
          eq(sourceLinks.orgId, c.orgId),
          eq(sourceLinks.sourceSystem, system),
          eq(sourceLinks.sourceType, PATIENT),
          eq(sourceLinks.recordType, 'patient'),
          eq(sourceLinks.patientId, c.patientId),
        ),
      )
      .limit(1);
    const [appointment] = await tx
      .select({ startAt: appointments.startAt, endAt: appointments.endAt })
      .from(appointments)
      .where(and(eq(appointments.orgId, c.orgId), eq(appointments.id, c.appointmentId)));
    if (!appointment) return null;
    const sender = system.slice('hl7:'.length);
    const key = `ehr:confirm:${c.appointmentId}`;
    const text = confirmationSiu(
      {
        controlId: controlIdOf(key),
        receivingApplication: sender,
        receivingFacility: sender,
        placerId: idOf(PLACER),
        fillerId: idOf(FILLER),
        patient: patientLink ? identifierOf(patientLink.sourceId) : null,
        start: appointment.startAt,
        minutes: Math.round((appointment.endAt.getTime() - appointment.startAt.getTime()) / 60_000),
        confirmedAt: c.at,
        channel: c.channel,
      },
      this.clock(),
    );
    return this.outbox.queueHl7(tx, {
      orgId: c.orgId,
      patientId: c.patientId,
      endpoint: this.endpoint,
      text,
      idempotencyKey: key,
    });
  }
}
