import { type AdministrativeSex, searchColumns } from '@careloop/core';
import { DAY_MS, isoDay, yearOf } from '../calendar.js';
import type { SeedClinic } from '../directory.js';
import {
  ENGLISH_SPEAKER_POOLS,
  NAME_POOLS,
  type NamePoolKey,
  NICKNAMES,
  POOL_OF_LANGUAGE,
  US_GIVEN,
} from '../reference/names.js';
import type { Draw, PatientBundle } from './context.js';
import { consentRows, drawReach, emailFor, type Reach } from './reach.js';

export const MRN_SYSTEM = 'urn:careloop:mrn';
/** Seeded MRNs are eight digits from here on; the next run continues after the highest. */
export const MRN_BASE = 10_000_000;

/** Who a generated patient is: what the rest of their history is drawn from. */
export interface Person {
  id: string;
  clinic: SeedClinic;
  sex: AdministrativeSex;
  /** The sex prevalence tables use. */
  bodySex: 'female' | 'male';
  age: number;
  birthDay: number;
  language: string;
  givenName: string;
  familyName: string;
  /** Local day and minute the patient registered with the organization. */
  registeredDay: number;
  registeredMinute: number;
  reach: Reach;
}

/** Overrides for the showcase patient (the demo portal's patient). */
export interface PersonOverrides {
  age?: number;
  sex?: AdministrativeSex;
  language?: string;
  clinic?: number;
  registeredDaysAgo?: number;
  /** Has a mobile phone and an email, prefers text, and opted into email news. */
  reachable?: boolean;
}

const AGE_BANDS: readonly (readonly [readonly [number, number], number])[] = [
  [[0, 17], 13],
  [[18, 34], 19],
  [[35, 49], 18],
  [[50, 64], 22],
  [[65, 79], 20],
  [[80, 97], 8],
];

function givenNameFor(draw: Draw, pool: NamePoolKey, female: boolean, birthYear: number): string {
  const { rng } = draw;
  if (pool === 'general' || rng.chance(0.35)) {
    const cohort =
      birthYear < 1960
        ? US_GIVEN.before1960
        : birthYear < 1990
          ? US_GIVEN.before1990
          : US_GIVEN.recent;
    return rng.pick(female ? cohort.female : cohort.male);
  }
  const names = NAME_POOLS[pool];
  return rng.pick(female ? names.female : names.male);
}

/** Age, sex, language and a name that fits them (a Barbara is rarely under fifty). */
function drawIdentity(draw: Draw, clinic: SeedClinic, overrides: PersonOverrides) {
  const { rng, ctx } = draw;
  const [minAge, maxAge] = rng.weighted(AGE_BANDS);
  const age = overrides.age ?? rng.int(minAge, maxAge);
  const birthDay = ctx.anchorDay - Math.floor(age * 365.25) - rng.int(0, 364);
  const birthYear = yearOf(birthDay);
  const sex =
    overrides.sex ??
    rng.weighted<AdministrativeSex>([
      ['female', 52],
      ['male', 47.6],
      ['other', 0.2],
      ['unknown', 0.2],
    ]);
  const bodySex = sex === 'female' || sex === 'male' ? sex : rng.chance(0.5) ? 'female' : 'male';
  const female = bodySex === 'female';
  const language = overrides.language ?? rng.weighted(clinic.profile.languages);
  const pool =
    language === 'en'
      ? rng.weighted(ENGLISH_SPEAKER_POOLS)
      : (POOL_OF_LANGUAGE[language] ?? 'general');
  const names = NAME_POOLS[pool];
  const givenName = givenNameFor(draw, pool, female, birthYear);
  const family = rng.pick(names.family);
  const familyName = 'feminineFamily' in names && female ? `${family}a` : family;
  const middle = rng.chance(0.35) ? givenNameFor(draw, pool, female, birthYear) : null;
  const nickname = NICKNAMES[givenName];
  return {
    age,
    birthDay,
    birthYear,
    sex,
    bodySex,
    language,
    givenName,
    familyName,
    middleName: middle === givenName ? null : middle,
    preferredName: nickname && rng.chance(0.35) ? nickname : null,
    genderIdentity:
      sex === 'other'
        ? 'Non-binary'
        : age >= 16 && rng.chance(0.005)
          ? rng.pick(['Non-binary', female ? 'Transgender man' : 'Transgender woman'])
          : null,
  };
}

/** Draws a patient's demographics and the rows that describe them directly. */
export function drawPerson(
  draw: Draw,
  overrides: PersonOverrides = {},
): {
  person: Person;
  rows: Pick<PatientBundle, 'patient' | 'addresses' | 'contactPoints' | 'identifiers' | 'consents'>;
} {
  const { rng, ctx, index } = draw;
  const orgId = ctx.directory.orgId;
  const id = draw.newId();
  const clinics = ctx.directory.clinics;
  const clinic =
    clinics[overrides.clinic ?? -1] ??
    rng.weighted(clinics.map((c) => [c, c.profile.share] as const));
  const who = drawIdentity(draw, clinic, overrides);
  // Over half were patients before the three-year window began.
  const registeredDay = Math.max(
    who.birthDay + 1,
    overrides.registeredDaysAgo !== undefined
      ? ctx.anchorDay - overrides.registeredDaysAgo
      : rng.chance(0.55)
        ? ctx.anchorDay - 1095 - rng.int(1, 2200)
        : ctx.anchorDay - rng.int(14, 1095),
  );
  const registeredMinute = rng.int(8 * 4, 17 * 4) * 15;
  const registeredAt = clinic.clock.at(registeredDay, registeredMinute);
  const reach = drawReach(
    draw,
    { id, age: who.age, clinic, registeredDay },
    (chance) => {
      if (!rng.chance(chance)) return null;
      // A child's email is a parent's.
      return who.age < 13
        ? emailFor(draw, rng.pick(US_GIVEN.before1990.female), who.familyName, who.birthYear - 30)
        : emailFor(draw, who.givenName, who.familyName, who.birthYear);
    },
    overrides.reachable === true,
  );
  const person: Person = { id, clinic, ...who, registeredDay, registeredMinute, reach };
  const city = rng.pick(clinic.profile.cities);
  const houseNumber = rng.weighted([
    [rng.int(1, 99), 3],
    [rng.int(100, 999), 4],
    [rng.int(1000, 9999), 3],
  ]);
  const line2 = rng.chance(0.15)
    ? rng.chance(0.6)
      ? `Apt ${rng.int(1, 30)}${rng.pick(['A', 'B', 'C', 'D'])}`
      : `Unit ${rng.int(1, 400)}`
    : null;
  return {
    person,
    rows: {
      patient: {
        id,
        orgId,
        givenName: who.givenName,
        middleName: who.middleName,
        familyName: who.familyName,
        preferredName: who.preferredName,
        ...searchColumns(who.familyName, who.givenName),
        birthDate: isoDay(who.birthDay),
        administrativeSex: who.sex,
        genderIdentity: who.genderIdentity,
        preferredLanguage: who.language,
        preferredChannel: reach.channel,
        timeZone: clinic.profile.timeZone,
        primaryLocationId: clinic.id,
        flags: who.language === 'en' || rng.chance(0.4) ? [] : ['interpreter-needed'],
        status: 'active',
        createdAt: new Date(registeredAt),
        updatedAt: new Date(Math.min(draw.anchorMs, registeredAt + 30 * DAY_MS)),
      },
      addresses: [
        {
          id: draw.newId(),
          orgId,
          patientId: id,
          use: 'home',
          line1: `${houseNumber} ${rng.pick(clinic.profile.streets)}`,
          line2,
          city: city.name,
          state: clinic.profile.state,
          postalCode: rng.pick(city.postalCodes),
          country: 'US',
          position: 0,
        },
      ],
      contactPoints: reach.contactPoints,
      identifiers: [
        {
          id: draw.newId(),
          orgId,
          patientId: id,
          system: MRN_SYSTEM,
          value: String(MRN_BASE + index),
          type: 'MR',
          source: 'ehr',
        },
      ],
      consents: consentRows(draw, person, reach),
    },
  };
}
