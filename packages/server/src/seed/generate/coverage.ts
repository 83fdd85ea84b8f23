import { isoDay } from '../calendar.js';
import type { Random } from '../random.js';
import {
  COMMERCIAL_PAYERS,
  MEDICARE_ADVANTAGE,
  MEDIGAP,
  type PayerPlan,
} from '../reference/clinical.js';
import type { Draw, PatientBundle } from './context.js';
import type { Person } from './person.js';

// Medicare Beneficiary Identifier letters: A–Z without S, L, O, I, B, Z.
const MBI_ALPHA = 'ACDEFGHJKMNPQRTUVWXY';
const MBI_ALNUM = `0123456789${MBI_ALPHA}`;

/** An 11-character MBI in CMS's format (e.g. 1EG4TE5MK73). */
export function medicareId(rng: Random): string {
  const n = () => String(rng.int(0, 9));
  const a = () => rng.pick([...MBI_ALPHA]);
  const an = () => rng.pick([...MBI_ALNUM]);
  return `${rng.int(1, 9)}${a()}${an()}${n()}${a()}${an()}${n()}${a()}${a()}${n()}${n()}`;
}

/**
 * Who pays: Medicare from 65 (some through Medicare Advantage, some with a Medigap or Medicaid
 * secondary), Medicaid or an employer plan before, and about one in eleven paying themselves.
 * Returns no rows for self-pay patients.
 */
export function drawCoverage(draw: Draw, person: Person): PatientBundle['coverages'] {
  const { rng, ctx } = draw;
  const birthDay = person.birthDay;
  const state = person.clinic.profile.state;
  const rows: PatientBundle['coverages'] = [];
  const since = () => Math.max(person.registeredDay - rng.int(0, 2000), birthDay);
  const add = (
    payer: string,
    plan: string | null,
    memberId: string,
    priority: number,
    startDay: number,
    groupNumber: string | null = null,
    endDay: number | null = null,
  ) =>
    rows.push({
      id: draw.newId(),
      orgId: ctx.directory.orgId,
      patientId: person.id,
      payer,
      plan,
      memberId,
      groupNumber,
      priority,
      status: endDay === null ? 'active' : 'cancelled',
      startDate: isoDay(startDay),
      endDate: endDay === null ? null : isoDay(endDay),
    });
  const commercial = (priority: number, startDay: number, endDay: number | null = null) => {
    const options = COMMERCIAL_PAYERS.filter(([p]) => !p.states || p.states.includes(state));
    const p = rng.weighted(options);
    add(p.payer, rng.pick(p.plans), memberId(rng, p), priority, startDay, rng.digits(6), endDay);
  };
  const medicaid = (priority: number) => {
    const m = person.clinic.profile.medicaid;
    add(m.payer, m.plan, `${state}${rng.digits(10)}`, priority, since());
  };

  if (person.age >= 65) {
    const eligible = birthDay + Math.round(65 * 365.25);
    // Some had an employer plan that ended when Medicare began.
    if (eligible > person.registeredDay && rng.chance(0.5)) {
      commercial(1, Math.max(person.registeredDay - rng.int(0, 1500), birthDay), eligible - 1);
    }
    const start = Math.max(eligible, person.registeredDay - rng.int(0, 400));
    if (rng.chance(0.35)) {
      const p = rng.pick(MEDICARE_ADVANTAGE);
      add(p.payer, rng.pick(p.plans), memberId(rng, p), 1, start, null);
    } else {
      add('Medicare', 'Original Medicare (Parts A and B)', medicareId(rng), 1, start);
      const secondary = rng.next();
      if (secondary < 0.3) {
        const p = rng.pick(MEDIGAP);
        add(p.payer, rng.pick(p.plans), memberId(rng, p), 2, start);
      } else if (secondary < 0.4) {
        medicaid(2);
      }
    }
    return rows;
  }
  const child = person.age < 18;
  const kind = rng.weighted<'medicaid' | 'commercial' | 'self'>(
    child
      ? [
          ['medicaid', 38],
          ['commercial', 55],
          ['self', 7],
        ]
      : [
          ['medicaid', 18],
          ['commercial', 72],
          ['self', 10],
        ],
  );
  if (kind === 'medicaid') medicaid(1);
  else if (kind === 'commercial') commercial(1, since());
  return rows;
}

function memberId(rng: Random, plan: PayerPlan): string {
  return `${plan.prefix}${rng.digits(12 - plan.prefix.length)}`;
}
