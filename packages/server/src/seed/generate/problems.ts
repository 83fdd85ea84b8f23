import { isoDay } from '../calendar.js';
import type { SeedClinician } from '../directory.js';
import { CONDITIONS, type ConditionKey, ICD10_CM } from '../reference/clinical.js';
import type { Draw, PatientBundle } from './context.js';
import type { Person } from './person.js';

export interface Problem {
  key: ConditionKey;
  display: string;
  label: string;
  active: boolean;
  chronic: boolean;
}

/** What makes another condition likelier (obesity and diabetes, smoking and COPD…). */
const RISK: Partial<Record<ConditionKey, (has: Set<ConditionKey>) => number>> = {
  'type2-diabetes': (has) => (has.has('obesity') ? 1.8 : 1),
  hypertension: (has) => (has.has('obesity') || has.has('type2-diabetes') ? 1.3 : 1),
  copd: (has) => (has.has('nicotine-dependence') ? 2.5 : 1),
  'coronary-artery-disease': (has) => (has.has('hyperlipidemia') ? 1.6 : 1),
  'knee-osteoarthritis': (has) => (has.has('obesity') ? 1.5 : 1),
};
// Risk factors first, so the conditions they raise see them.
const ORDER: readonly ConditionKey[] = ['obesity', 'nicotine-dependence', 'hyperlipidemia'];
const ORDERED = [...CONDITIONS].sort(
  (a, b) =>
    (ORDER.includes(a.key) ? ORDER.indexOf(a.key) : ORDER.length) -
    (ORDER.includes(b.key) ? ORDER.indexOf(b.key) : ORDER.length),
);

/** The problem list: each condition drawn at its prevalence for this age and sex. */
export function drawProblems(
  draw: Draw,
  person: Person,
  forced: readonly ConditionKey[] = [],
): { problems: Problem[]; rows: PatientBundle['conditions'] } {
  const { rng, ctx } = draw;
  const has = new Set<ConditionKey>();
  const problems: Problem[] = [];
  const rows: PatientBundle['conditions'] = [];
  const adultDay = person.birthDay + Math.round(18 * 365.25);
  for (const c of ORDERED) {
    const p = c.prevalence(person.age, person.bodySex) * (RISK[c.key]?.(has) ?? 1);
    const drawn = rng.chance(p);
    if (!drawn && !forced.includes(c.key)) continue;
    if (c.key === 'prediabetes' && has.has('type2-diabetes')) continue;
    has.add(c.key);
    const earliest = Math.max(
      person.age >= 18 ? adultDay : person.birthDay + 365,
      ctx.anchorDay - 7300,
    );
    const onset = rng.int(Math.min(earliest, ctx.anchorDay - 31), ctx.anchorDay - 30);
    const resolved = rng.chance(c.resolves) && !forced.includes(c.key);
    const abatement = resolved
      ? rng.int(onset + 14, Math.max(onset + 14, ctx.anchorDay - 1))
      : null;
    problems.push({
      key: c.key,
      display: c.display,
      label: c.label,
      active: !resolved,
      chronic: c.chronic,
    });
    const recordedDay = Math.max(onset, person.registeredDay);
    rows.push({
      id: draw.newId(),
      orgId: ctx.directory.orgId,
      patientId: person.id,
      codeSystem: ICD10_CM,
      code: c.icd10,
      display: c.display,
      clinicalStatus: resolved ? 'resolved' : 'active',
      onsetDate: isoDay(onset),
      abatementDate: abatement === null ? null : isoDay(abatement),
      recordedAt: new Date(person.clinic.clock.at(recordedDay, rng.int(32, 68) * 15)),
    });
  }
  return { problems, rows };
}

/**
 * The care team: a primary care provider at the patient's clinic (usually a physician), a
 * cardiologist or endocrinologist for some with heart disease or diabetes, and a care
 * coordinator for patients with several chronic conditions.
 */
export function drawCareTeam(
  draw: Draw,
  person: Person,
  problems: readonly Problem[],
): { pcp: SeedClinician; rows: PatientBundle['careTeam'] } {
  const { rng, ctx } = draw;
  const atClinic = ctx.directory.clinicians.filter((c) => c.profile.clinic === person.clinic.index);
  const physicians = atClinic.filter((c) => c.profile.kind === 'primary-care');
  const nps = atClinic.filter((c) => c.profile.kind === 'nurse-practitioner');
  const pool = nps.length > 0 && rng.chance(0.12) ? nps : physicians;
  const pcp = pool.length > 0 ? rng.pick(pool) : rng.pick(ctx.directory.clinicians);
  const since = isoDay(person.registeredDay);
  const rows: PatientBundle['careTeam'] = [
    {
      id: draw.newId(),
      orgId: ctx.directory.orgId,
      patientId: person.id,
      practitionerId: pcp.id,
      name: pcp.displayName,
      role: 'Primary care provider',
      since,
    },
  ];
  const active = (key: ConditionKey) => problems.some((p) => p.key === key && p.active);
  const specialist = (kind: 'cardiology' | 'endocrinology', role: string) => {
    const options = ctx.directory.clinicians.filter((c) => c.profile.kind === kind);
    const local = options.filter((c) => c.profile.clinic === person.clinic.index);
    const chosen = local[0] ?? options[0];
    if (!chosen) return;
    rows.push({
      id: draw.newId(),
      orgId: ctx.directory.orgId,
      patientId: person.id,
      practitionerId: chosen.id,
      name: chosen.displayName,
      role,
      since: isoDay(rng.int(person.registeredDay, ctx.anchorDay - 1)),
    });
  };
  if ((active('coronary-artery-disease') || active('atrial-fibrillation')) && rng.chance(0.7)) {
    specialist('cardiology', 'Cardiologist');
  }
  if (active('type2-diabetes') && rng.chance(0.3)) specialist('endocrinology', 'Endocrinologist');
  const chronic = problems.filter((p) => p.active && p.chronic).length;
  if (chronic >= 3 && rng.chance(0.6)) {
    rows.push({
      id: draw.newId(),
      orgId: ctx.directory.orgId,
      patientId: person.id,
      practitionerId: null,
      name: 'Priya Shah, RN',
      role: 'Care coordinator',
      since: isoDay(rng.int(person.registeredDay, ctx.anchorDay - 1)),
    });
  }
  return { pcp, rows };
}
