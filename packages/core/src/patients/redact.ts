import type { Note, Patient360, Task, Touchpoint } from '../api/patients.js';
import { mayRead, mayReadIdentifier, mayReadNote } from '../auth/minimum-necessary.js';
import type { Role } from '../auth/roles.js';

/**
 * The minimum-necessary policy applied to the API's patient views: each reader builds the full
 * view and passes it through these on the way out, so the rule lives in one place.
 */

/** A touchpoint as stored: the summary that may carry clinical detail, and the one that never does. */
export type StoredTouchpoint = Touchpoint & { nonClinicalSummary: string };

/** The 360 view before redaction: its touchpoints still carry both summaries. */
export type Patient360Full = Omit<Patient360, 'recentTouchpoints'> & {
  recentTouchpoints: StoredTouchpoint[];
};

/**
 * What a task shows to roles that may not read its title, when no writer gave it a non-clinical
 * one: that it is the care team's, and nothing of what it is about.
 */
export const TASK_LABEL = 'Care team task';

/**
 * A task as this role may read it: the title, or its non-clinical title (`TASK_LABEL` when it
 * has none); the description only for roles allowed clinical detail. `nonClinicalTitle` is
 * filled either way, so every role can tell what the others see.
 */
export function taskFor(role: Role, task: Task): Task {
  const nonClinicalTitle = task.nonClinicalTitle ?? TASK_LABEL;
  return {
    ...task,
    title: mayRead(role, 'task', 'title') ? task.title : nonClinicalTitle,
    description: mayRead(role, 'task', 'description') ? task.description : null,
    nonClinicalTitle,
  };
}

/** A touchpoint as this role may read it: the clinical summary, or the non-clinical one. */
export function touchpointFor(role: Role, t: StoredTouchpoint): Touchpoint {
  const { nonClinicalSummary, ...rest } = t;
  return mayRead(role, 'touchpoint', 'clinicalSummary')
    ? rest
    : { ...rest, summary: nonClinicalSummary };
}

export function notesFor(role: Role, notes: Note[]): Note[] {
  return notes.filter((n) => mayReadNote(role, n.category));
}

export function identifiersFor(
  role: Role,
  identifiers: Patient360['identifiers'],
): Patient360['identifiers'] {
  return identifiers.filter((i) => mayReadIdentifier(role, i.type));
}

/** The 360 view as this role may read it; withheld fields are null and named in `redacted`. */
export function redact360(role: Role, view: Patient360Full): Patient360 {
  const reason = mayRead(role, 'appointment', 'reason');
  const memberId = mayRead(role, 'coverage', 'memberId');
  const groupNumber = mayRead(role, 'coverage', 'groupNumber');
  const conditions = mayRead(role, 'condition', 'record');
  const encounters = mayRead(role, 'encounter', 'record');
  const appointment = (a: Patient360['appointments']['past'][number]) =>
    reason ? a : { ...a, reason: null };
  const withheld = [
    ...(conditions ? [] : ['conditions']),
    ...(encounters ? [] : ['encounters']),
    ...(reason ? [] : ['appointments.reason']),
    ...(memberId ? [] : ['coverage.memberId']),
    ...(groupNumber ? [] : ['coverage.groupNumber']),
    ...(mayRead(role, 'touchpoint', 'clinicalSummary') ? [] : ['recentTouchpoints.summary']),
    ...(mayRead(role, 'task', 'title') || !view.openTasks ? [] : ['openTasks.title']),
    ...(mayRead(role, 'task', 'description') || !view.openTasks ? [] : ['openTasks.description']),
  ];
  return {
    ...view,
    identifiers: identifiersFor(role, view.identifiers),
    coverage: view.coverage.map((c) => ({
      ...c,
      memberId: memberId ? c.memberId : null,
      groupNumber: groupNumber ? c.groupNumber : null,
    })),
    conditions: conditions ? view.conditions : null,
    encounters: encounters ? view.encounters : null,
    appointments: {
      upcoming: view.appointments.upcoming.map(appointment),
      past: view.appointments.past.map(appointment),
    },
    notes: view.notes ? notesFor(role, view.notes) : null,
    openTasks: view.openTasks ? view.openTasks.map((t) => taskFor(role, t)) : null,
    recentTouchpoints: view.recentTouchpoints.map((t) => touchpointFor(role, t)),
    // Sections the reader left out (notes, tasks) stay named; the policy adds its own.
    redacted: [...new Set([...view.redacted, ...withheld])],
  };
}
