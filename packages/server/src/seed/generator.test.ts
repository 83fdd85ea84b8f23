import { describe, expect, it } from 'vitest';
import { DAY_MS, dayNumber, ZonedClock } from './calendar.js';
import { npiCheckDigit, planDirectory } from './directory.js';
import type { GeneratorContext, PatientBundle } from './generate/context.js';
import { generatePatient } from './generate/patient.js';
import { hash32, Random } from './random.js';

const AS_OF = '2026-03-02';

function context(seed: number, orgName = 'Demo Health'): GeneratorContext {
  const { directory } = planDirectory(orgName, null, dayNumber('2020-01-01'));
  return {
    directory,
    streamKey: `${seed}:${orgName}`,
    tag: hash32(`${seed}:${orgName}`) & 0xffff,
    anchorDay: dayNumber(AS_OF),
    taskAssignees: null,
  };
}

const population = (ctx: GeneratorContext, n: number) =>
  Array.from({ length: n }, (_, i) => generatePatient(ctx, i));

describe('Random', () => {
  it('repeats its sequence for the same key and differs for another', () => {
    const a = new Random('k');
    const b = new Random('k');
    const c = new Random('other');
    const seqA = Array.from({ length: 5 }, () => a.uint32());
    expect(Array.from({ length: 5 }, () => b.uint32())).toEqual(seqA);
    expect(Array.from({ length: 5 }, () => c.uint32())).not.toEqual(seqA);
  });

  it('makes version 8 uuids led by the run tag and the serial', () => {
    const id = new Random('k').uuid(0xabcd, 0x01020304);
    expect(id).toMatch(/^abcd0102-0304-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});

describe('ZonedClock', () => {
  it('follows daylight saving time in New York and not in Phoenix', () => {
    const ny = new ZonedClock('America/New_York');
    const phx = new ZonedClock('America/Phoenix');
    expect(ny.offsetMinutes(dayNumber('2026-01-15'))).toBe(-300);
    expect(ny.offsetMinutes(dayNumber('2026-07-15'))).toBe(-240);
    expect(phx.offsetMinutes(dayNumber('2026-01-15'))).toBe(-420);
    expect(phx.offsetMinutes(dayNumber('2026-07-15'))).toBe(-420);
    expect(new Date(ny.at(dayNumber('2026-07-15'), 9 * 60)).toISOString()).toBe(
      '2026-07-15T13:00:00.000Z',
    );
    expect(ny.describe(dayNumber('2026-03-03'), 9 * 60 + 30)).toBe('Tue, Mar 3 at 9:30 AM');
  });
});

describe('npiCheckDigit', () => {
  it('gives the check digit of CMS’s worked example (123456789 → 3)', () => {
    expect(npiCheckDigit('123456789')).toBe(3);
  });
});

describe('generatePatient', () => {
  it('gives byte-identical patients for the same seed', () => {
    const first = JSON.stringify(population(context(1), 5));
    const again = JSON.stringify(population(context(1), 5));
    expect(again).toBe(first);
  });

  it('gives different patients for a different seed', () => {
    const one = population(context(1), 5);
    const two = population(context(2), 5);
    expect(two.map((b) => b.patient.id)).not.toEqual(one.map((b) => b.patient.id));
    expect(two.map((b) => b.patient.familyName)).not.toEqual(one.map((b) => b.patient.familyName));
  });

  it('does not depend on which patients were generated before it', () => {
    const ctx = context(7);
    const alone = JSON.stringify(generatePatient(ctx, 42));
    population(ctx, 10);
    expect(JSON.stringify(generatePatient(context(7), 42))).toBe(alone);
  });

  it('gives the showcase patient contact details, history and an upcoming visit', () => {
    const showcase = generatePatient(context(1), 0);
    const asOf = dayNumber(AS_OF) * DAY_MS;
    expect(showcase.contactPoints.map((c) => c.system).sort()).toEqual(['email', 'phone']);
    expect(
      showcase.appointments.some(
        (a) => a.status === 'booked' && (a.startAt?.getTime() ?? 0) > asOf,
      ),
    ).toBe(true);
    expect(showcase.touchpoints.length).toBeGreaterThanOrEqual(5);
  });
});

describe('a generated population of 2,000', () => {
  const ctx = context(1);
  const people: PatientBundle[] = population(ctx, 2000);
  const asOf = ctx.anchorDay * DAY_MS;
  const share = (n: number, of: number) => n / of;

  it('has a realistic sex and language mix', () => {
    const female = people.filter((b) => b.patient.administrativeSex === 'female').length;
    expect(share(female, people.length)).toBeGreaterThan(0.46);
    expect(share(female, people.length)).toBeLessThan(0.58);
    const lang = (l: string) => people.filter((b) => b.patient.preferredLanguage === l).length;
    expect(share(lang('en'), people.length)).toBeGreaterThan(0.68);
    expect(share(lang('es'), people.length)).toBeGreaterThan(0.08);
    expect(lang('zh') + lang('vi')).toBeGreaterThan(20);
  });

  it('records conditions at prevalences that rise with age', () => {
    const ageOf = (b: PatientBundle) =>
      (asOf - Date.parse(`${b.patient.birthDate}T00:00:00Z`)) / (365.25 * DAY_MS);
    const rate = (from: number, to: number) => {
      const band = people.filter((b) => ageOf(b) >= from && ageOf(b) < to);
      return share(
        band.filter((b) => b.conditions.some((c) => c.code === 'I10')).length,
        band.length,
      );
    };
    expect(rate(18, 40)).toBeLessThan(0.15);
    expect(rate(65, 120)).toBeGreaterThan(0.45);
  });

  it('has about 7% no-shows and 10% cancellations among past appointments', () => {
    const past = people
      .flatMap((b) => b.appointments)
      .filter((a) => (a.startAt?.getTime() ?? 0) < asOf);
    const rate = (status: string) =>
      share(past.filter((a) => a.status === status).length, past.length);
    expect(rate('noshow')).toBeGreaterThan(0.04);
    expect(rate('noshow')).toBeLessThan(0.1);
    expect(rate('cancelled')).toBeGreaterThan(0.07);
    expect(rate('cancelled')).toBeLessThan(0.14);
    expect(rate('booked')).toBe(0);
  });

  it('books upcoming appointments within the next two months', () => {
    const upcoming = people
      .flatMap((b) => b.appointments)
      .filter((a) => (a.startAt?.getTime() ?? 0) >= asOf);
    expect(upcoming.length).toBeGreaterThan(100);
    for (const a of upcoming) {
      expect(['booked', 'cancelled']).toContain(a.status);
      expect((a.startAt?.getTime() ?? 0) - asOf).toBeLessThanOrEqual(61 * DAY_MS);
      expect(a.createdAt?.getTime()).toBeLessThan(asOf);
    }
  });

  it('gives every patient touchpoints, none after today, linked to their own appointments', () => {
    for (const b of people) {
      expect(b.touchpoints.length).toBeGreaterThan(0);
      const ids = new Set(b.appointments.map((a) => a.id));
      for (const t of b.touchpoints) {
        expect(t.occurredAt?.getTime()).toBeLessThan(asOf);
        if (t.subjectType === 'appointment') expect(ids.has(t.subjectId ?? '')).toBe(true);
      }
    }
    const types = new Set(people.flatMap((b) => b.touchpoints.map((t) => t.type)));
    for (const type of [
      'appointment.booked',
      'appointment.reminder',
      'visit.completed',
      'survey.sent',
      'appointment.noshow',
      'noshow.outreach',
    ]) {
      expect(types).toContain(type);
    }
  });

  it('gives every touchpoint a non-clinical summary, and copies the reason for a hospital stay into no summary', () => {
    const all = people.flatMap((b) => b.touchpoints);
    for (const t of all) expect(t.nonClinicalSummary.length).toBeGreaterThan(0);
    const reasons = new Map(people.flatMap((b) => b.encounters.map((e) => [e.id, e.reason])));
    const discharges = all.filter((t) => t.type === 'encounter.discharged');
    expect(discharges.length).toBeGreaterThan(50);
    for (const t of discharges) {
      // The reason ("Syncope") is the encounter's, stored encrypted; summaries are stored in clear.
      expect(t.nonClinicalSummary).toMatch(
        /^Discharged after (emergency department visit|hospital stay)$/,
      );
      const reason = t.subjectId ? reasons.get(t.subjectId) : null;
      expect(reason, 'the discharged stay').toBeTruthy();
      expect(t.summary).not.toContain(reason);
      expect(t.summary).toBe(t.nonClinicalSummary);
    }
  });

  it("keeps a cancellation's reason out of its non-clinical summary", () => {
    const reasons = new Map(
      people.flatMap((b) => b.appointments.map((a) => [a.id, a.cancelReason])),
    );
    const cancellations = people
      .flatMap((b) => b.touchpoints)
      .filter((t) => t.type === 'appointment.cancelled');
    expect(cancellations.length).toBeGreaterThan(20);
    for (const t of cancellations) {
      const reason = t.subjectId ? reasons.get(t.subjectId) : null;
      expect(reason, 'the cancelled appointment').toBeTruthy();
      // Marketing and analytics read the non-clinical summary, not the appointment's cancelReason.
      if (reason) expect(t.nonClinicalSummary).not.toContain(reason);
    }
  });

  it('normalizes phones to E.164 in the fictional 555-01xx range, with unique ids and MRNs', () => {
    const phones = people.flatMap((b) => b.contactPoints.filter((c) => c.system === 'phone'));
    for (const p of phones) expect(p.value).toMatch(/^\+1\d{3}55501\d{2}$/);
    const ids = people.flatMap((b) => [
      b.patient.id,
      ...b.appointments.map((a) => a.id),
      ...b.touchpoints.map((t) => t.id),
    ]);
    expect(new Set(ids).size).toBe(ids.length);
    const mrns = people.map((b) => b.identifiers[0]?.value);
    expect(new Set(mrns).size).toBe(people.length);
  });

  it('covers patients with Medicare, Medicaid, commercial plans, and leaves some self-pay', () => {
    const payers = new Set(people.flatMap((b) => b.coverages.map((c) => c.payer)));
    expect(payers).toContain('Medicare');
    expect(payers).toContain('MassHealth');
    expect(payers).toContain('Blue Cross Blue Shield');
    const selfPay = people.filter((b) => b.coverages.length === 0).length;
    expect(share(selfPay, people.length)).toBeGreaterThan(0.03);
    expect(people.filter((b) => b.patient.flags?.includes('self-pay')).length).toBe(selfPay);
  });
});

describe('tasks of a demo seed of 300 (the e2e size)', () => {
  const assignees = {
    'front-desk': '00000000-0000-4000-8000-00000000000f',
    'care-coordination': '00000000-0000-4000-8000-00000000000c',
    clinical: '00000000-0000-4000-8000-00000000000d',
  } as const;
  const tasks = population({ ...context(1), taskAssignees: assignees }, 300).flatMap(
    (b) => b.tasks,
  );

  it("gives each team's demo sign-in tasks of its own and leaves some in the team's queue", () => {
    for (const [team, userId] of Object.entries(assignees)) {
      const ofTeam = tasks.filter((t) => t.team === team);
      expect(ofTeam.filter((t) => t.assigneeId === userId).length, team).toBeGreaterThan(0);
      expect(
        ofTeam.every((t) => t.assigneeId === userId || t.assigneeId === null),
        team,
      ).toBe(true);
    }
    expect(tasks.every((t) => t.team !== null && t.team !== undefined)).toBe(true);
    expect(tasks.some((t) => t.assigneeId === null)).toBe(true);
  });

  it('assigns no one when the organization has no demo sign-ins', () => {
    const unassigned = population(context(1), 300).flatMap((b) => b.tasks);
    expect(unassigned.length).toBe(tasks.length);
    expect(unassigned.every((t) => t.assigneeId === null)).toBe(true);
  });
});
