import type { Direction, JourneyStage, TouchpointChannel } from '@careloop/core';

export type SourceSystem = 'ehr' | 'scheduling' | 'careloop' | 'billing';

/** A touchpoint as the generator tells it, before it becomes a row. */
export interface JourneyEvent {
  at: number;
  channel: TouchpointChannel;
  direction: Direction;
  type: string;
  stage: JourneyStage;
  source: SourceSystem;
  outcome: string | null;
  summary: string;
  /** The summary without its clinical detail, when it has some (docs/adr/0011). */
  nonClinicalSummary?: string;
  subject?: { type: string; id: string | null };
}

/** Records an event, unless it would happen after today. */
export type Tell = (event: JourneyEvent) => void;
