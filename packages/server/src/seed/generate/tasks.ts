import type { Team } from '@careloop/core';
import { DAY_MS, nextWeekday } from '../calendar.js';
import { Random } from '../random.js';
import type { Draw, TaskRow } from './context.js';
import type { Person } from './person.js';
import type { Problem } from './problems.js';
import type { HospitalStay, Visit } from './visits.js';

/**
 * Open work for the care team, each in its team's queue: no-shows nobody has reached yet (front
 * desk), recent discharges awaiting a transitional call (clinical), overdue screening mammograms
 * and diabetes follow-ups (care coordination). Most are assigned to the team's demo sign-in, the
 * rest wait in the queue. One draw per task decides, as before teams, so the rows stay the same
 * for a given seed and `asOf`.
 */
export function drawTasks(
  draw: Draw,
  person: Person,
  problems: readonly Problem[],
  visits: readonly Visit[],
  stays: readonly HospitalStay[],
): TaskRow[] {
  const { rng, ctx, anchorMs } = draw;
  const tasks: TaskRow[] = [];
  const dueDay = (days: number) =>
    new Date(person.clinic.clock.at(nextWeekday(ctx.anchorDay + days), 17 * 60));
  /** `title` may name the condition; `nonClinicalTitle` is what the front desk sees. */
  const add = (
    [title, nonClinicalTitle]: [string, string],
    description: string,
    priority: string,
    team: Team,
    createdMs: number,
    due: Date,
  ) =>
    tasks.push({
      id: draw.newId(),
      orgId: ctx.directory.orgId,
      patientId: person.id,
      title,
      nonClinicalTitle,
      description,
      assigneeId: ctx.taskAssignees && rng.chance(0.7) ? ctx.taskAssignees[team] : null,
      team,
      dueAt: due,
      status: rng.chance(0.2) ? 'in-progress' : 'open',
      priority,
      createdBy: null,
      createdAt: new Date(createdMs),
      completedAt: null,
    });
  const recent = anchorMs - 14 * DAY_MS;
  for (const v of visits) {
    if (v.status !== 'noshow' || v.rebook || v.startMs < recent) continue;
    const reschedule = `Reschedule missed ${v.service.profile.name.toLowerCase()}`;
    add(
      [reschedule, reschedule],
      `Missed ${v.service.profile.name} with ${v.clinician.displayName}. Reach the patient and rebook.`,
      'normal',
      'front-desk',
      v.startMs + 15 * 60_000,
      dueDay(1),
    );
  }
  for (const s of stays) {
    if (s.endMs < recent) continue;
    add(
      [
        'Transitional care follow-up after discharge',
        'Transitional care follow-up after discharge',
      ],
      `Discharged after ${s.reason.toLowerCase()}. Review discharge summary and medications.`,
      'high',
      'clinical',
      s.endMs,
      dueDay(1),
    );
  }
  const screened = visits.some(
    (v) => v.service.profile.code === 'mammography' && v.status !== 'cancelled',
  );
  if (
    person.bodySex === 'female' &&
    person.age >= 50 &&
    person.age <= 74 &&
    !screened &&
    rng.chance(0.12)
  ) {
    add(
      ['Outreach: screening mammogram overdue', 'Outreach: preventive screening due'],
      'No screening mammogram on record in the last two years.',
      'low',
      'care-coordination',
      anchorMs - rng.int(1, 20) * DAY_MS,
      dueDay(14),
    );
  }
  const diabetic = problems.some((p) => p.key === 'type2-diabetes' && p.active);
  const seenLately = visits.some(
    (v) => v.status === 'fulfilled' && v.startMs > anchorMs - 180 * DAY_MS,
  );
  if (diabetic && !seenLately && rng.chance(0.25)) {
    add(
      ['Schedule diabetes follow-up (A1c due)', 'Schedule a follow-up visit'],
      'No visit in six months; A1c is due.',
      'normal',
      'care-coordination',
      anchorMs - rng.int(1, 10) * DAY_MS,
      dueDay(7),
    );
  }
  tasks.push(...drawQueueWork(draw, person, visits));
  return tasks;
}

/**
 * Day-to-day work of the front desk and the clinical team: coverage to verify before a visit
 * in the coming week, results to review after a recent visit. Drawn from a stream of its own,
 * so that adding it left every other row of a seed (coverage is drawn after tasks) unchanged.
 */
function drawQueueWork(draw: Draw, person: Person, visits: readonly Visit[]): TaskRow[] {
  const { ctx, anchorMs } = draw;
  const rng = new Random(`${ctx.streamKey}:queues:${draw.index}`);
  const clock = person.clinic.clock;
  const task = (
    team: Team,
    title: string,
    description: string,
    createdMs: number,
    due: Date,
  ): TaskRow => {
    // Drawn with or without demo sign-ins, so both seeds queue the same tasks.
    const assigned = rng.chance(0.7);
    return {
      id: rng.uuid(ctx.tag, draw.index),
      orgId: ctx.directory.orgId,
      patientId: person.id,
      title,
      description,
      assigneeId: ctx.taskAssignees && assigned ? ctx.taskAssignees[team] : null,
      team,
      dueAt: due,
      status: 'open',
      priority: 'normal',
      createdBy: null,
      createdAt: new Date(createdMs),
      completedAt: null,
    };
  };
  const rows: TaskRow[] = [];
  for (const v of visits) {
    const name = v.service.profile.name;
    if (v.status === 'booked' && v.startMs > anchorMs && v.startMs <= anchorMs + 7 * DAY_MS) {
      if (rng.chance(0.35)) {
        rows.push(
          task(
            'front-desk',
            'Verify coverage before visit',
            `${name} with ${v.clinician.displayName}: confirm the plan and member id are current.`,
            anchorMs - rng.int(1, 3) * DAY_MS,
            new Date(clock.at(v.day, 8 * 60)),
          ),
        );
      }
    }
    if (v.status === 'fulfilled' && v.endMs > anchorMs - 10 * DAY_MS && v.endMs <= anchorMs) {
      if (rng.chance(0.3)) {
        rows.push(
          task(
            'clinical',
            `Review results from ${name.toLowerCase()}`,
            `Results from the visit with ${v.clinician.displayName} are in: review and tell the patient.`,
            v.endMs,
            new Date(clock.at(nextWeekday(ctx.anchorDay + 2), 17 * 60)),
          ),
        );
      }
    }
  }
  return rows;
}
