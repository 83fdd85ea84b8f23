import { DAY_MS, nextWeekday } from '../calendar.js';
import type { Draw, TaskRow } from './context.js';
import type { Person } from './person.js';
import type { Problem } from './problems.js';
import type { HospitalStay, Visit } from './visits.js';

/**
 * Open work for the care team: no-shows nobody has reached yet, recent discharges awaiting a
 * transitional call, overdue screening mammograms and diabetes follow-ups.
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
      assigneeId: ctx.coordinatorUserId && rng.chance(0.7) ? ctx.coordinatorUserId : null,
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
      anchorMs - rng.int(1, 10) * DAY_MS,
      dueDay(7),
    );
  }
  return tasks;
}
