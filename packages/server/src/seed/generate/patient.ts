import { DAY_MS, nextWeekday } from '../calendar.js';
import { Random } from '../random.js';
import type { ConditionKey } from '../reference/clinical.js';
import type { Draw, GeneratorContext, PatientBundle } from './context.js';
import { drawCoverage } from './coverage.js';
import { tellJourney } from './journey.js';
import { drawPerson, type PersonOverrides } from './person.js';
import { drawCareTeam, drawProblems } from './problems.js';
import { drawTasks } from './tasks.js';
import { drawHospitalStays, drawVisits, visitRows } from './visits.js';

/**
 * The showcase patient (index 0, the demo portal's patient): an adult with a few chronic
 * conditions, reachable by text and email, with history and an appointment coming up.
 */
const SHOWCASE: { person: PersonOverrides; conditions: ConditionKey[] } = {
  person: {
    age: 54,
    sex: 'female',
    language: 'en',
    clinic: 0,
    registeredDaysAgo: 1500,
    reachable: true,
  },
  conditions: ['hypertension', 'hyperlipidemia', 'prediabetes'],
};

export function openDraw(ctx: GeneratorContext, index: number): Draw {
  const rng = new Random(`${ctx.streamKey}:patient:${index}`);
  return {
    ctx,
    rng,
    index,
    anchorMs: ctx.anchorDay * DAY_MS,
    newId: () => rng.uuid(ctx.tag, index),
  };
}

/** Every row of patient `index`: the same index and context always give the same rows. */
export function generatePatient(ctx: GeneratorContext, index: number): PatientBundle {
  const draw = openDraw(ctx, index);
  const showcase = index === 0;
  const { person, rows } = drawPerson(draw, showcase ? SHOWCASE.person : {});
  const { problems, rows: conditions } = drawProblems(
    draw,
    person,
    showcase ? SHOWCASE.conditions : [],
  );
  const { pcp, rows: careTeam } = drawCareTeam(draw, person, problems);
  const forced = showcase
    ? [
        {
          code: 'primary-care-visit' as const,
          day: nextWeekday(ctx.anchorDay + 6),
          minute: 10 * 60 + 30,
          reason: 'Follow-up: hypertension',
          leadDays: 12,
          clinician: pcp,
          status: 'booked' as const,
          bookedVia: 'portal' as const,
        },
        {
          code: 'annual-wellness' as const,
          day: nextWeekday(ctx.anchorDay - 300),
          minute: 9 * 60,
          reason: 'Annual wellness visit',
          leadDays: 30,
          clinician: pcp,
          status: 'fulfilled' as const,
        },
      ]
    : [];
  const visits = drawVisits(draw, person, problems, pcp, forced);
  const { appointments, encounters } = visitRows(draw, person, visits);
  const hospital = drawHospitalStays(draw, person, problems);
  const touchpoints = tellJourney(draw, person, visits, hospital.stays);
  const tasks = drawTasks(draw, person, problems, visits, hospital.stays);
  const coverages = drawCoverage(draw, person);

  const lastTouch = touchpoints.reduce(
    (max, t) => Math.max(max, t.occurredAt?.getTime() ?? 0),
    rows.patient.createdAt?.getTime() ?? 0,
  );
  const patient = {
    ...rows.patient,
    updatedAt: new Date(lastTouch),
    flags:
      coverages.length === 0 ? [...(rows.patient.flags ?? []), 'self-pay'] : rows.patient.flags,
  };
  return {
    patient,
    addresses: rows.addresses,
    contactPoints: rows.contactPoints,
    identifiers: rows.identifiers,
    consents: rows.consents,
    coverages,
    careTeam,
    conditions,
    appointments,
    encounters: [...encounters, ...hospital.rows],
    touchpoints,
    tasks,
  };
}
