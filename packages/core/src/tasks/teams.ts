import { mayRead } from '../auth/minimum-necessary.js';
import { ROLES, type Role } from '../auth/roles.js';

/**
 * The teams a task can be queued for. A team is a queue of work, not a group of people: who
 * works a team's queue follows from their role (`teamsOf`), so there is no membership to keep
 * in step with the users list, and a new front-desk hire sees the front-desk queue on day one.
 * A task may name a team and a person: the team's queue shows it until someone takes it.
 */
export const TEAMS = ['front-desk', 'care-coordination', 'clinical'] as const;

export type Team = (typeof TEAMS)[number];

export function isTeam(value: string): value is Team {
  return (TEAMS as readonly string[]).includes(value);
}

const TEAMS_OF_ROLE: Record<Role, readonly Team[]> = {
  admin: TEAMS,
  'front-desk': ['front-desk'],
  'care-coordinator': ['care-coordination'],
  clinician: ['clinical'],
  marketer: [],
  analyst: [],
  patient: [],
};

/** The team queues a role works: admins see every queue, non-task roles none. */
export function teamsOf(role: Role): readonly Team[] {
  return TEAMS_OF_ROLE[role];
}

/**
 * Whether everyone who works `team`'s queue may read a task's clinical title. When not (the
 * front desk), a task queued there is written for them: its title is the one they will read, so
 * it is kept as the task's non-clinical title too, or they would see "Care team task" for the
 * very work they are asked to do (docs/adr/0011, "Tasks").
 */
export function teamReadsTaskTitles(team: Team): boolean {
  return ROLES.filter((role) => role !== 'admin' && TEAMS_OF_ROLE[role].includes(team)).every(
    (role) => mayRead(role, 'task', 'title'),
  );
}
