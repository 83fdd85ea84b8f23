import type { Direction, JourneyStage, TouchpointChannel } from '@careloop/core';
import type { SQL } from 'drizzle-orm';
import { insertStatements } from '../../db/bulk-sql.js';
import type { Db } from '../../db/client.js';
import { touchpoints } from './schema.js';

export interface NewTouchpoint {
  orgId: string;
  patientId: string;
  channel: TouchpointChannel;
  direction: Direction;
  type: string;
  stage: JourneyStage;
  /**
   * What happened, for a person reading the timeline; may carry clinical detail (a reason for
   * care, a diagnosis), which only roles the minimum-necessary policy allows read. Never free
   * text a patient wrote.
   */
  summary: string;
  /**
   * What happened without clinical detail, for every role: the summary itself when it holds
   * none, else `touchpointLabel(type, channel)` or a writer's own non-clinical text.
   */
  nonClinicalSummary: string;
  sourceSystem?: string;
  outcome?: string | null;
  subjectType?: string | null;
  subjectId?: string | null;
  occurredAt?: Date;
}

/** A touchpoint as the row `touchpoints` stores, for writers that batch their rows. */
export function touchpointRow(e: NewTouchpoint) {
  return {
    orgId: e.orgId,
    patientId: e.patientId,
    channel: e.channel,
    direction: e.direction,
    type: e.type,
    stage: e.stage,
    summary: e.summary,
    nonClinicalSummary: e.nonClinicalSummary,
    sourceSystem: e.sourceSystem ?? 'careloop',
    outcome: e.outcome ?? null,
    subjectType: e.subjectType ?? null,
    subjectId: e.subjectId ?? null,
    occurredAt: e.occurredAt ?? new Date(),
  };
}

/** Appends touchpoints to the journey log; call inside the transaction of the change. */
export async function appendTouchpoints(tx: Db, events: NewTouchpoint[]): Promise<void> {
  if (events.length === 0) return;
  await tx.insert(touchpoints).values(events.map(touchpointRow));
}

/**
 * Touchpoints as statements, as `appendTouchpoints` writes them, for the writers that batch
 * their rows (the FHIR importer, the HL7 listener) into one round trip (`runAll`).
 */
export function touchpointStatements(events: NewTouchpoint[]): SQL[] {
  return insertStatements(touchpoints, events.map(touchpointRow));
}
