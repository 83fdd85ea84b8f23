/**
 * Journey definitions for analysis: a named sequence of expected steps, each with a target
 * time from the step before, and the comparison of a patient's actual path against one.
 */

export interface JourneyStep {
  key: string;
  label: string;
  /** Touchpoint types that complete the step (`appointment.booked`, or a family `survey.*`). */
  types: string[];
  /** Days allowed since the previous step; none for the first step or an open-ended one. */
  targetDays?: number;
}

export interface JourneyPathDefinition {
  key: string;
  name: string;
  steps: JourneyStep[];
  /** Waiting this many days for the next step, a patient has dropped out. */
  dropAfterDays: number;
}

export const NEW_PATIENT_DEFINITION: JourneyPathDefinition = {
  key: 'new-patient',
  name: 'New patient',
  dropAfterDays: 60,
  steps: [
    {
      key: 'referral',
      label: 'Referral received',
      // The demo and most feeds know no referrals yet: registration starts the journey then.
      types: ['referral.received', 'referral.*', 'patient.registered'],
    },
    {
      key: 'first-contact',
      label: 'First contact',
      types: ['appointment.booked', 'appointment.reminder', 'communication.*', 'campaign.*'],
      targetDays: 2,
    },
    { key: 'booked', label: 'Appointment booked', types: ['appointment.booked'], targetDays: 7 },
    {
      key: 'visit',
      label: 'Visit',
      types: ['visit.completed', 'appointment.fulfilled', 'encounter.admitted'],
    },
    {
      key: 'follow-up',
      label: 'Follow-up booked',
      types: ['appointment.booked'],
      targetDays: 30,
    },
  ],
};

export const DEFAULT_DEFINITIONS: readonly JourneyPathDefinition[] = [NEW_PATIENT_DEFINITION];

export interface PathEvent {
  type: string;
  at: Date;
}

export type StepState = 'done' | 'late' | 'waiting' | 'overdue' | 'missed' | 'not-reached';

export interface StepStanding {
  key: string;
  label: string;
  state: StepState;
  at: Date | null;
  /** Days since the previous step when done; days waited so far when waiting or overdue. */
  waitDays: number | null;
}

export type PathStatus = 'completed' | 'on-track' | 'late' | 'dropped';

export interface PathStanding {
  definition: string;
  /** Never entered: the first step did not happen. */
  applies: boolean;
  status: PathStatus;
  steps: StepStanding[];
  /** Index of the last step reached (-1 when none). */
  reached: number;
}

const DAY = 86_400_000;

export function typeMatches(pattern: string, type: string): boolean {
  return pattern.endsWith('.*') ? type.startsWith(pattern.slice(0, -1)) : pattern === type;
}

const compiled = new WeakMap<JourneyPathDefinition, ((type: string) => boolean)[]>();

/** Each step's type test, made once per definition (a map compares 100,000s of paths). */
function stepMatchers(definition: JourneyPathDefinition): ((type: string) => boolean)[] {
  let matchers = compiled.get(definition);
  if (!matchers) {
    matchers = definition.steps.map((step) => {
      const exact = new Set(step.types.filter((p) => !p.endsWith('.*')));
      const prefixes = step.types.filter((p) => p.endsWith('.*')).map((p) => p.slice(0, -1));
      return (type: string) => exact.has(type) || prefixes.some((p) => type.startsWith(p));
    });
    compiled.set(definition, matchers);
  }
  return matchers;
}

/**
 * Where a patient stands against a definition at `asOf`. Each step is the first matching event
 * at or after the previous step's event: one touchpoint may complete consecutive steps (the
 * first call that also books the appointment is both first contact and booking). A step past
 * its target is late; a patient waiting past `dropAfterDays` for the next step has dropped.
 */
export function comparePath(
  definition: JourneyPathDefinition,
  events: readonly PathEvent[],
  asOf: Date,
): PathStanding {
  // Paths usually arrive oldest first (the map's columns, the on-read statement): sorted once
  // only when they are not.
  let inOrder = true;
  for (let i = 1; i < events.length && inOrder; i++)
    inOrder = (events[i - 1] as PathEvent).at.getTime() <= (events[i] as PathEvent).at.getTime();
  const sorted = inOrder ? events : [...events].sort((a, b) => a.at.getTime() - b.at.getTime());
  const matchers = stepMatchers(definition);
  const steps: StepStanding[] = [];
  let previous: Date | null = null;
  let cursor = 0;
  let late = false;
  let status: PathStatus | null = null;
  for (const [i, step] of definition.steps.entries()) {
    if (status !== null) {
      steps.push({
        key: step.key,
        label: step.label,
        state: 'not-reached',
        at: null,
        waitDays: null,
      });
      continue;
    }
    const from = previous;
    const matches = matchers[i] as (type: string) => boolean;
    let found = -1;
    for (let j = cursor; j < sorted.length; j++)
      if (matches((sorted[j] as PathEvent).type)) {
        found = j;
        break;
      }
    const event = found < 0 ? undefined : sorted[found];
    if (event) {
      const waitDays = from === null ? null : (event.at.getTime() - from.getTime()) / DAY;
      const isLate =
        step.targetDays !== undefined && waitDays !== null && waitDays > step.targetDays;
      late ||= isLate;
      steps.push({
        key: step.key,
        label: step.label,
        state: isLate ? 'late' : 'done',
        at: event.at,
        waitDays,
      });
      previous = event.at;
      cursor = found;
      continue;
    }
    if (from === null || i === 0) {
      return {
        definition: definition.key,
        applies: false,
        status: 'on-track',
        reached: -1,
        steps: definition.steps.map((s) => ({
          key: s.key,
          label: s.label,
          state: 'not-reached',
          at: null,
          waitDays: null,
        })),
      };
    }
    const waited = (asOf.getTime() - from.getTime()) / DAY;
    if (waited > definition.dropAfterDays) {
      status = 'dropped';
      steps.push({ key: step.key, label: step.label, state: 'missed', at: null, waitDays: waited });
    } else {
      const overdue = step.targetDays !== undefined && waited > step.targetDays;
      late ||= overdue;
      status = late ? 'late' : 'on-track';
      steps.push({
        key: step.key,
        label: step.label,
        state: overdue ? 'overdue' : 'waiting',
        at: null,
        waitDays: waited,
      });
    }
  }
  const reached = steps.filter((s) => s.state === 'done' || s.state === 'late').length - 1;
  return {
    definition: definition.key,
    applies: true,
    status: status ?? (late ? 'late' : 'completed'),
    steps,
    reached,
  };
}

/** The touchpoint types a definition looks at (for the query that fetches paths). */
export function definitionTypes(definition: JourneyPathDefinition): string[] {
  return [...new Set(definition.steps.flatMap((s) => s.types))];
}

export function definitionProblems(d: JourneyPathDefinition): { path: string; message: string }[] {
  const problems: { path: string; message: string }[] = [];
  if (d.steps.length < 2) problems.push({ path: '/steps', message: 'At least two steps' });
  if (d.steps.length > 12) problems.push({ path: '/steps', message: 'At most 12 steps' });
  d.steps.forEach((s, i) => {
    if (s.types.length === 0)
      problems.push({ path: `/steps/${i}/types`, message: 'At least one type' });
    if (s.targetDays !== undefined && !(s.targetDays > 0))
      problems.push({ path: `/steps/${i}/targetDays`, message: 'More than 0 days' });
  });
  if (!(d.dropAfterDays > 0))
    problems.push({ path: '/dropAfterDays', message: 'More than 0 days' });
  return problems;
}
