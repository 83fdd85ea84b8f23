import { DAY_MS, dayOf, nextWeekday, yearOf } from '../calendar.js';
import type { SeedClinician, SeedService } from '../directory.js';
import type { ClinicianKind, ServiceCode } from '../reference/clinical.js';
import type { Draw, PatientBundle } from './context.js';
import type { Person } from './person.js';
import type { Problem } from './problems.js';

export type VisitStatus = 'booked' | 'fulfilled' | 'noshow' | 'cancelled';
export type BookedVia = 'phone' | 'portal' | 'web' | 'in-person' | 'outreach';

/** An appointment and what happened to it: the journey is told from these. */
export interface Visit {
  id: string;
  service: SeedService;
  clinician: SeedClinician;
  day: number;
  minute: number;
  startMs: number;
  endMs: number;
  reason: string;
  status: VisitStatus;
  bookedMs: number;
  bookedVia: BookedVia;
  cancelledMs: number | null;
  cancelReason: string | null;
  /** Filled for fulfilled visits. */
  encounterId: string | null;
  /** For a no-show: when the outreach call was placed, and the visit it rebooked. */
  outreachMs: number | null;
  rebook: Visit | null;
}

interface PlannedVisit {
  code: ServiceCode;
  day: number;
  minute: number;
  reason: string;
  leadDays: number;
  clinician?: SeedClinician;
  status?: VisitStatus;
  bookedVia?: BookedVia;
  /** When it was booked, if not `leadDays` before at a random hour. */
  bookedMs?: number;
}

const ACUTE_REASONS = [
  'Cough and congestion',
  'Sore throat',
  'Ear pain',
  'Rash',
  'Back pain',
  'Urinary symptoms',
  'Fever',
  'Headache',
  'Abdominal pain',
  'Ankle sprain',
  'Fatigue',
  'Medication refill',
  'Dizziness',
  'Knee pain',
];
const CANCEL_REASONS = [
  'Scheduling conflict',
  'Feeling better',
  'Transportation unavailable',
  'Patient request',
  'Provider unavailable',
  'Illness',
  'Weather',
];

/** A weekday slot in clinic hours (8:00–16:30, quarter hours). */
const slot = (draw: Draw, day: number) => ({
  day: nextWeekday(day),
  minute: draw.rng.int(32, 66) * 15,
});

/**
 * The visits a patient would have had over the last three years and has booked for the next
 * two months: wellness visits, chronic-care follow-ups, sick visits, screening mammograms, flu
 * shots, diabetes education, cardiology consults and physical therapy courses.
 */
function planVisits(
  draw: Draw,
  person: Person,
  problems: readonly Problem[],
  forced: readonly PlannedVisit[],
): PlannedVisit[] {
  const { rng, ctx } = draw;
  const from = Math.max(person.registeredDay, ctx.anchorDay - 1095);
  const to = ctx.anchorDay + 60;
  const years = (to - from) / 365;
  const plans: PlannedVisit[] = [...forced];
  const add = (code: ServiceCode, day: number, reason: string, leadDays: number) =>
    plans.push({ code, ...slot(draw, day), reason, leadDays });
  const anyDay = () => rng.int(from, to);
  const active = problems.filter((p) => p.active);
  const has = (key: Problem['key']) => active.some((p) => p.key === key);

  if (person.age >= 18) {
    const p = person.age >= 65 ? 0.75 : 0.55;
    for (let day = from + rng.int(0, 365); day <= to; day += 365 + rng.int(-20, 40)) {
      if (rng.chance(p)) add('annual-wellness', day, 'Annual wellness visit', rng.int(14, 60));
    }
  }
  const chronic = active.filter((p) => p.chronic);
  if (chronic.length > 0) {
    const count = rng.poisson(Math.min(4, 0.8 + chronic.length * 0.7) * years);
    for (let i = 0; i < count; i++) {
      const problem = rng.pick(chronic);
      const code = rng.chance(0.15) ? 'telehealth-visit' : 'primary-care-visit';
      add(code, anyDay(), `Follow-up: ${problem.label}`, rng.int(7, 45));
    }
  }
  const sick = rng.poisson((person.age < 18 ? 1.1 : 0.7) * years);
  for (let i = 0; i < sick; i++) {
    const code = rng.chance(0.3) ? 'telehealth-visit' : 'primary-care-visit';
    add(code, anyDay(), rng.pick(ACUTE_REASONS), rng.int(0, 3));
  }
  if (person.bodySex === 'female' && person.age >= 40 && person.age <= 74) {
    for (let day = from + rng.int(0, 365); day <= to; day += rng.int(365, 730)) {
      if (rng.chance(0.7)) add('mammography', day, 'Screening mammogram', rng.int(7, 40));
    }
  }
  const flu = person.age >= 65 ? 0.65 : person.age < 18 ? 0.5 : 0.38;
  for (let year = yearOf(from); year <= yearOf(to); year++) {
    const day = dayOf(year, 9, 15) + rng.int(0, 76);
    if (day >= from && day <= to && rng.chance(flu)) {
      add('flu-vaccine', day, 'Seasonal flu vaccine', rng.int(0, 10));
    }
  }
  if ((has('type2-diabetes') && rng.chance(0.5)) || (has('prediabetes') && rng.chance(0.1))) {
    let day = anyDay();
    for (let i = rng.int(1, 3); i > 0; i--, day += rng.int(14, 60)) {
      add('diabetes-education', day, 'Diabetes self-management education', rng.int(7, 30));
    }
  }
  if (
    (has('hypertension') || has('coronary-artery-disease') || has('atrial-fibrillation')) &&
    rng.chance(0.3)
  ) {
    for (let i = rng.int(1, 2); i > 0; i--) {
      add('cardiology-consult', anyDay(), 'Cardiology consultation on referral', rng.int(10, 45));
    }
  }
  if ((has('low-back-pain') || has('knee-osteoarthritis')) && rng.chance(0.35)) {
    // A course of weekly sessions at the same time of day.
    const first = slot(draw, anyDay());
    const reason = has('knee-osteoarthritis') ? 'Knee osteoarthritis' : 'Low back pain';
    for (let i = 0, n = rng.int(4, 8); i < n; i++) {
      plans.push({
        code: 'physical-therapy',
        day: first.day + 7 * i,
        minute: first.minute,
        reason: i === 0 ? `PT evaluation: ${reason}` : `PT session: ${reason}`,
        leadDays: rng.int(3, 10) + 7 * i,
      });
    }
  }
  return plans.filter((p) => p.day >= from && p.day <= to);
}

function clinicianFor(
  draw: Draw,
  person: Person,
  pcp: SeedClinician,
  kinds: readonly ClinicianKind[],
) {
  const { rng, ctx } = draw;
  if (kinds.includes(pcp.profile.kind) && rng.chance(0.8)) return pcp;
  const all = ctx.directory.clinicians.filter((c) => kinds.includes(c.profile.kind));
  const local = all.filter((c) => c.profile.clinic === person.clinic.index);
  return rng.pick(local.length > 0 ? local : all.length > 0 ? all : [pcp]);
}

/**
 * Turns plans into appointments with outcomes: in the past about 7% no-shows and 10%
 * cancellations, the rest fulfilled; upcoming ones booked (a few already cancelled). A
 * visit not yet booked by today is left out. Some no-shows are rebooked by the outreach call.
 */
export function drawVisits(
  draw: Draw,
  person: Person,
  problems: readonly Problem[],
  pcp: SeedClinician,
  forced: readonly PlannedVisit[] = [],
): Visit[] {
  const { rng, ctx, anchorMs } = draw;
  const clock = person.clinic.clock;
  const registeredMs = clock.at(person.registeredDay, person.registeredMinute);
  const plans = planVisits(draw, person, problems, forced).sort(
    (a, b) => a.day - b.day || a.minute - b.minute,
  );
  const visits: Visit[] = [];
  const settle = (plan: PlannedVisit, rebooked: boolean) => {
    const service = ctx.directory.services.get(plan.code);
    if (!service) return null;
    const startMs = clock.at(plan.day, plan.minute);
    let bookedMs =
      plan.bookedMs ??
      Math.max(registeredMs, clock.at(plan.day - plan.leadDays, rng.int(32, 72) * 15));
    if (bookedMs >= startMs) bookedMs = startMs - 3_600_000;
    if (bookedMs >= anchorMs) return null;
    let status: VisitStatus = plan.status ?? 'booked';
    if (!plan.status) {
      const r = rng.next();
      if (startMs < anchorMs) {
        status = r < (rebooked ? 0.04 : 0.07) ? 'noshow' : r < 0.17 ? 'cancelled' : 'fulfilled';
      } else if (r < 0.06) {
        status = 'cancelled';
      }
    }
    let cancelledMs: number | null = null;
    if (status === 'cancelled') {
      cancelledMs = bookedMs + Math.floor((startMs - bookedMs) * rng.next() * 0.95);
      if (cancelledMs >= anchorMs) {
        status = 'booked';
        cancelledMs = null;
      }
    }
    const visit: Visit = {
      id: draw.newId(),
      service,
      clinician: plan.clinician ?? clinicianFor(draw, person, pcp, service.profile.deliveredBy),
      day: plan.day,
      minute: plan.minute,
      startMs,
      endMs: startMs + service.profile.minutes * 60_000,
      reason: plan.reason,
      status,
      bookedMs,
      bookedVia:
        plan.bookedVia ??
        (rebooked
          ? 'outreach'
          : rng.weighted<BookedVia>([
              ['phone', 45],
              ['portal', person.reach.email ? 25 : 0],
              ['web', 10],
              ['in-person', plan.code === 'physical-therapy' ? 60 : 15],
            ])),
      cancelledMs,
      cancelReason: cancelledMs === null ? null : rng.pick(CANCEL_REASONS),
      encounterId: status === 'fulfilled' ? draw.newId() : null,
      outreachMs: null,
      rebook: null,
    };
    visits.push(visit);
    return visit;
  };
  for (const plan of plans) {
    const visit = settle(plan, false);
    if (visit?.status !== 'noshow') continue;
    // The outreach call the next weekday; it rebooks some, one to three weeks out.
    const callDay = nextWeekday(visit.day + 1);
    visit.outreachMs = clock.at(callDay, rng.int(40, 60) * 15);
    if (!rng.chance(0.4)) continue;
    visit.rebook = settle(
      {
        code: plan.code,
        ...slot(draw, callDay + rng.int(7, 21)),
        reason: plan.reason,
        leadDays: 0,
        clinician: visit.clinician,
        bookedMs: visit.outreachMs,
      },
      true,
    );
  }
  return visits.sort((a, b) => a.startMs - b.startMs);
}

/** Appointment and encounter rows of settled visits. */
export function visitRows(
  draw: Draw,
  person: Person,
  visits: readonly Visit[],
): Pick<PatientBundle, 'appointments' | 'encounters'> {
  const { rng, ctx } = draw;
  const orgId = ctx.directory.orgId;
  const appointments: PatientBundle['appointments'] = [];
  const encounters: PatientBundle['encounters'] = [];
  for (const v of visits) {
    const telehealth = v.service.profile.telehealth;
    appointments.push({
      id: v.id,
      orgId,
      patientId: person.id,
      status: v.status,
      serviceLineId: v.service.id,
      practitionerId: v.clinician.id,
      locationId: person.clinic.id,
      startAt: new Date(v.startMs),
      endAt: new Date(v.endMs),
      telehealth,
      reason: v.reason,
      cancelReason: v.cancelReason,
      createdAt: new Date(v.bookedMs),
    });
    if (v.encounterId) {
      const start = v.startMs + rng.int(0, 12) * 60_000;
      encounters.push({
        id: v.encounterId,
        orgId,
        patientId: person.id,
        class: telehealth ? 'virtual' : 'ambulatory',
        type: v.service.profile.name,
        reason: v.reason,
        status: 'finished',
        locationId: person.clinic.id,
        practitionerId: v.clinician.id,
        serviceLineId: v.service.id,
        startAt: new Date(start),
        endAt: new Date(start + (v.service.profile.minutes + rng.int(-5, 15)) * 60_000),
      });
    }
  }
  return { appointments, encounters };
}

/** An emergency or inpatient stay elsewhere, known from the hospital's ADT feed. */
export interface HospitalStay {
  encounterId: string;
  kind: 'emergency' | 'inpatient';
  reason: string;
  startMs: number;
  endMs: number;
}

const ED_REASONS = [
  'Chest pain',
  'Shortness of breath',
  'Fall',
  'Abdominal pain',
  'Asthma exacerbation',
  'Laceration',
  'Syncope',
  'Cellulitis',
];
const INPATIENT_REASONS = [
  'Pneumonia',
  'COPD exacerbation',
  'Heart failure exacerbation',
  'Sepsis',
];

export function drawHospitalStays(
  draw: Draw,
  person: Person,
  problems: readonly Problem[],
): { stays: HospitalStay[]; rows: PatientBundle['encounters'] } {
  const { rng, ctx, anchorMs } = draw;
  const from = Math.max(person.registeredDay, ctx.anchorDay - 1095);
  const years = (ctx.anchorDay - from) / 365;
  const risk = 1 + problems.filter((p) => p.active && p.chronic).length * 0.4;
  const stays: HospitalStay[] = [];
  const visits = rng.poisson(0.06 * risk * years);
  const admissions = person.age >= 65 ? rng.poisson(0.03 * risk * years) : 0;
  for (let i = 0; i < visits + admissions; i++) {
    const kind = i < visits ? 'emergency' : 'inpatient';
    const startMs = (from + rng.next() * (ctx.anchorDay - from)) * DAY_MS;
    const endMs =
      startMs + (kind === 'emergency' ? rng.int(3, 9) * 3_600_000 : rng.int(2, 6) * DAY_MS);
    if (endMs >= anchorMs) continue;
    stays.push({
      encounterId: draw.newId(),
      kind,
      reason: rng.pick(kind === 'emergency' ? ED_REASONS : INPATIENT_REASONS),
      startMs: Math.floor(startMs),
      endMs: Math.floor(endMs),
    });
  }
  const rows: PatientBundle['encounters'] = stays.map((s) => ({
    id: s.encounterId,
    orgId: ctx.directory.orgId,
    patientId: person.id,
    class: s.kind,
    type: s.kind === 'emergency' ? 'Emergency department visit' : 'Inpatient admission',
    reason: s.reason,
    status: 'finished',
    locationId: null,
    practitionerId: null,
    serviceLineId: null,
    startAt: new Date(s.startMs),
    endAt: new Date(s.endMs),
  }));
  return { stays, rows };
}
