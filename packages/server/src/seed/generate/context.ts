import type { Team } from '@careloop/core';
import type {
  appointments,
  careTeamMembers,
  conditions,
  coverages,
  encounters,
  patientAddresses,
  patientConsents,
  patientContactPoints,
  patientIdentifiers,
  patients,
  tasks,
  touchpoints,
} from '../../db/schema.js';
import type { SeedDirectory } from '../directory.js';
import type { Random } from '../random.js';

/** What every patient of one seed run shares. */
export interface GeneratorContext {
  directory: SeedDirectory;
  /** Seed and organization: every patient's stream is keyed by it and the patient's index. */
  streamKey: string;
  /** 16 bits that lead every id of this run (see `Random.uuid`). */
  tag: number;
  /** "Today" (UTC day number): history lies before it, booked appointments after it. */
  anchorDay: number;
  /**
   * The staff member of each team whom generated tasks are assigned to (the demo sign-ins);
   * null when the organization has none: tasks then sit in their team's queue only.
   */
  taskAssignees: Record<Team, string> | null;
}

/** One patient's draw: its stream and how it names its rows. */
export interface Draw {
  ctx: GeneratorContext;
  rng: Random;
  index: number;
  anchorMs: number;
  newId(): string;
}

/** Every row one patient brings, in insertion (foreign key) order. */
export interface PatientBundle {
  patient: typeof patients.$inferInsert;
  addresses: (typeof patientAddresses.$inferInsert)[];
  contactPoints: (typeof patientContactPoints.$inferInsert)[];
  identifiers: (typeof patientIdentifiers.$inferInsert)[];
  consents: (typeof patientConsents.$inferInsert)[];
  coverages: (typeof coverages.$inferInsert)[];
  careTeam: (typeof careTeamMembers.$inferInsert)[];
  conditions: (typeof conditions.$inferInsert)[];
  appointments: (typeof appointments.$inferInsert)[];
  encounters: (typeof encounters.$inferInsert)[];
  touchpoints: (typeof touchpoints.$inferInsert)[];
  tasks: (typeof tasks.$inferInsert)[];
}

export type TouchpointRow = typeof touchpoints.$inferInsert;
export type TaskRow = typeof tasks.$inferInsert;
