import type { MatchRecord } from './record.js';

/**
 * Synthetic people with duplicates, twins and same-named parents, for tests and benchmarks (not
 * exported from the package: no product code needs fake people). Deterministic for a seed.
 */

/** A small seeded generator (mulberry32). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const words = (text: string) => text.trim().split(/\s+/);

const FEMALE = words(`mary patricia linda barbara elizabeth jennifer maria susan margaret dorothy
  lisa nancy karen betty helen sandra donna carol ruth sharon michelle laura sarah kimberly deborah
  jessica shirley cynthia angela melissa brenda amy anna rebecca virginia kathleen pamela martha
  debra amanda stephanie carolyn christine marie janet catherine frances ann joyce diane alice
  julie heather teresa doris gloria evelyn jean cheryl mildred katherine joan ashley judith rose
  janice kelly nicole judy christina kathy theresa beverly denise tammy irene jane lori rachel
  marilyn andrea kathryn louise sara anne jacqueline wanda bonnie julia ruby lois tina phyllis
  norma paula diana annie lillian emily robin peggy crystal gladys rita dawn connie florence
  emma olivia ava sophia isabella mia abigail madison chloe grace lily zoe hannah natalie ella`);
const MALE = words(`james john robert michael william david richard charles joseph thomas
  christopher daniel paul mark donald george kenneth steven edward brian ronald anthony kevin
  jason matthew gary timothy jose larry jeffrey frank scott eric stephen andrew raymond gregory
  joshua jerry dennis walter patrick peter harold douglas henry carl arthur ryan roger joe juan
  jack albert jonathan justin terry gerald keith samuel willie ralph lawrence nicholas roy
  benjamin bruce brandon adam harry fred wayne billy steve louis jeremy aaron randy howard
  eugene carlos russell bobby victor martin ernest phillip todd jesse craig alan shawn clarence
  sean philip chris johnny earl jimmy antonio liam noah ethan mason logan lucas jacob aiden`);
const SYLLABLES = words(`al an ar as ber bor bra by ca car chen cole da dal de del den der do
  dor dun e el en er es fer fitz gar gold gor gra ha hal han har hay hen her hol hu in ja jen
  ka kel ken kim ko kow la lan lar le len li lin lo lu ma mac man mar mc me mer mi mil mo mon
  mor mur na nel ne ni no nor o ol or pa par pe per pi po ra ran ray re ren ri ro ros ru sa
  san sch sel sha shi sil sin so son sta ste sto su ta tan ter tho ti to tor tra tu va van
  ve vi vo wa wal war we wen wil win wo ya yo za ze zi`);
const ENDINGS = words(`son sen s er ez ski ton ley man berg stein ford field wood well ley ard ini
  ez ova ic o a y ing more ridge`);
const STREET_TYPES = words(
  'street avenue road drive court place lane boulevard way terrace circle',
);
const SHORT_TYPES: Readonly<Record<string, string>> = {
  street: 'St',
  avenue: 'Ave',
  road: 'Rd',
  drive: 'Dr',
  court: 'Ct',
  place: 'Pl',
  lane: 'Ln',
  boulevard: 'Blvd',
  terrace: 'Ter',
  circle: 'Cir',
};
const STATES = words('ma ny ca tx fl il pa oh ga nc mi nj va wa az');
const DOMAINS = words('gmail.com yahoo.com outlook.com icloud.com aol.com example.org');
const NICKNAMES: Readonly<Record<string, string>> = {
  william: 'bill',
  robert: 'bob',
  richard: 'rick',
  james: 'jim',
  michael: 'mike',
  thomas: 'tom',
  joseph: 'joe',
  elizabeth: 'liz',
  margaret: 'peggy',
  katherine: 'kate',
  jennifer: 'jen',
  christopher: 'chris',
  daniel: 'dan',
  anthony: 'tony',
  patricia: 'pat',
  rebecca: 'becky',
};

type Random = () => number;

const pick = <T>(random: Random, list: readonly T[]): T => {
  const item = list[Math.floor(random() * list.length)];
  if (item === undefined) throw new RangeError('empty list');
  return item;
};

/**
 * A skewed draw in [0, n): a few common values and a long tail, as names are spread (with
 * n = 60,000 family names the commonest is about 1%, the top hundred about 8%).
 */
const zipf = (random: Random, n: number) => Math.floor(n * random() ** 2.5);

const capital = (w: string) => (w === '' ? w : w[0]?.toUpperCase() + w.slice(1));

function inventedName(index: number): string {
  const random = seededRandom(index * 7919 + 17);
  const parts = 1 + Math.floor(random() * 2);
  let name = '';
  for (let p = 0; p < parts; p++) name += pick(random, SYLLABLES);
  return name + pick(random, ENDINGS);
}

const FAMILY_NAMES = 60_000;
const familyName = (random: Random) => capital(inventedName(zipf(random, FAMILY_NAMES)));
const STREETS = 20_000;
const CITIES = 3_000;

interface Place {
  city: string;
  state: string;
  postalCode: string;
  area: string;
}

/** A city, one of its ten postcodes (`district`), its state and telephone area code. */
function place(index: number, district: number): Place {
  const random = seededRandom(index * 104_729 + 3);
  return {
    city: capital(inventedName(index + 500_000)),
    state: pick(random, STATES),
    postalCode: String(10_000 + ((index * 10 + district) % 89_000)),
    area: String(201 + Math.floor(random() * 780)),
  };
}

/** The truth about a generated record: which person it is. */
export interface SyntheticRecord {
  id: string;
  person: number;
  record: MatchRecord;
}

export interface SyntheticOptions {
  /** Records to generate, duplicates included. */
  records: number;
  seed?: number;
  /** Share of people who have duplicate records (1 to 3 of them). Default 0.2. */
  duplicateRate?: number;
  /** Share of people who have a twin (same birth date and address). Default 0.01. */
  twinRate?: number;
  /** Share of people living with a parent of the same name. Default 0.005. */
  juniorRate?: number;
}

interface Person {
  given: string;
  family: string;
  sex: 'M' | 'F';
  birth: [number, number, number];
  house: number;
  street: string;
  unit: string;
  place: Place;
  phone: string;
  email: string;
  ssn: string;
}

function newPerson(random: Random): Person {
  const sex = random() < 0.5 ? 'F' : 'M';
  const given = capital(pick(random, sex === 'F' ? FEMALE : MALE));
  const family = familyName(random);
  const where = place(zipf(random, CITIES), Math.floor(random() * 10));
  const number = (digits: number) =>
    String(Math.floor(random() * 10 ** digits)).padStart(digits, '0');
  return {
    given,
    family,
    sex,
    birth: [
      1925 + Math.floor(random() * 98),
      1 + Math.floor(random() * 12),
      1 + Math.floor(random() * 28),
    ],
    house: 1 + Math.floor(random() * 2000),
    street: `${capital(inventedName(zipf(random, STREETS) + 900_000))} ${pick(random, STREET_TYPES)}`,
    unit: random() < 0.15 ? `Apt ${1 + Math.floor(random() * 30)}` : '',
    place: where,
    phone:
      random() < 0.8
        ? `(${where.area}) ${2 + Math.floor(random() * 8)}${number(2)}-${number(4)}`
        : '',
    email:
      random() < 0.5
        ? `${given.toLowerCase()}.${family.toLowerCase()}${Math.floor(random() * 100)}@${pick(random, DOMAINS)}`
        : '',
    ssn: random() < 0.3 ? number(9) : '',
  };
}

const iso = ([y, m, d]: readonly number[]) =>
  `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;

function toRecord(p: Person, mrn: string): MatchRecord {
  return {
    given: p.given,
    family: p.family,
    sex: p.sex,
    birthDate: iso(p.birth),
    line: [String(p.house), p.street, p.unit].filter(Boolean).join(' '),
    city: p.place.city,
    state: p.place.state,
    postalCode: p.place.postalCode,
    phone: p.phone,
    email: p.email,
    identifiers: [
      { system: 'mrn', value: mrn },
      ...(p.ssn ? [{ system: 'ssn', value: p.ssn }] : []),
    ],
  };
}

/** One keystroke error: a letter replaced, dropped, doubled or swapped with its neighbour. */
export function typo(random: Random, text: string): string {
  if (text.length < 2) return text;
  const i = Math.floor(random() * (text.length - 1));
  const letter = 'abcdefghijklmnopqrstuvwxyz'[Math.floor(random() * 26)] ?? 'e';
  switch (Math.floor(random() * 4)) {
    case 0:
      return text.slice(0, i) + letter + text.slice(i + 1);
    case 1:
      return text.slice(0, i) + text.slice(i + 1);
    case 2:
      return text.slice(0, i) + text[i] + text.slice(i);
    default:
      return text.slice(0, i) + (text[i + 1] ?? '') + (text[i] ?? '') + text.slice(i + 2);
  }
}

/** A duplicate as another clerk or system would have typed it: one to three changes. */
function corrupt(random: Random, p: Person): Person {
  const d: Person = { ...p, birth: [...p.birth], place: { ...p.place } };
  const changes = 1 + Math.floor(random() * 3);
  for (let c = 0; c < changes; c++) {
    switch (Math.floor(random() * 10)) {
      case 0:
        d.given = NICKNAMES[d.given.toLowerCase()] ?? typo(random, d.given);
        break;
      case 1:
        d.family = typo(random, d.family);
        break;
      case 2: {
        // Day and month swapped, or one digit of the date mistyped.
        const [y, m, day] = d.birth;
        if (day <= 12 && random() < 0.5) d.birth = [y, day, m];
        else if (random() < 0.5) d.birth = [y - (y % 10) + Math.floor(random() * 10), m, day];
        else d.birth = [y, m, day - (day % 10) + (day < 20 ? Math.floor(random() * 9) + 1 : 1)];
        break;
      }
      case 3: {
        const type = d.street.split(' ').pop() ?? '';
        d.street = d.street.replace(type, SHORT_TYPES[type] ?? type);
        d.unit = d.unit.replace('Apt', '#');
        break;
      }
      case 4:
        d.street = typo(random, d.street);
        break;
      case 5:
        d.phone = '';
        break;
      case 6:
        d.email = '';
        break;
      case 7:
        d.place.postalCode = typo(random, d.place.postalCode);
        break;
      case 8:
        d.given = d.given.toUpperCase();
        d.family = d.family.toUpperCase();
        break;
      default:
        d.unit = '';
        d.phone = d.phone ? `${d.phone.slice(0, -1)}${Math.floor(random() * 10)}` : '';
    }
  }
  return d;
}

/** A twin: same family, birth date, address and phone; their own given name and SSN. */
function twinOf(random: Random, p: Person): Person {
  let given = p.given;
  while (given === p.given || given[0] === p.given[0]) {
    given = capital(pick(random, random() < 0.5 ? FEMALE : MALE));
  }
  return { ...p, given, email: '', ssn: p.ssn ? String(Math.floor(random() * 1e9)) : '' };
}

/** A parent of the same name at the same address, born 20 to 40 years earlier. */
function seniorOf(random: Random, p: Person): Person {
  const [y, m, d] = p.birth;
  const years = 20 + Math.floor(random() * 20);
  return { ...p, birth: [y - years, m === 12 ? 1 : m + 1, d], email: '', ssn: '' };
}

/**
 * Generates records in person order (a person's duplicates follow them). `person` is the truth:
 * records with the same `person` are the same human being.
 */
export function* syntheticRecords(options: SyntheticOptions): Generator<SyntheticRecord> {
  const random = seededRandom(options.seed ?? 1);
  const duplicateRate = options.duplicateRate ?? 0.2;
  const twinRate = options.twinRate ?? 0.01;
  const juniorRate = options.juniorRate ?? 0.005;
  let made = 0;
  let person = 0;
  // Medical record numbers are per record (a duplicate is a second chart) and not sequential.
  const emit = (p: Person, who: number): SyntheticRecord => {
    made++;
    const mrn = `M${String(Math.floor(random() * 1e8)).padStart(8, '0')}`;
    return { id: `r${made}`, person: who, record: toRecord(p, mrn) };
  };
  while (made < options.records) {
    const p = newPerson(random);
    const self = person++;
    yield emit(p, self);
    if (made < options.records && random() < duplicateRate) {
      const copies = 1 + Math.floor(random() * 3);
      for (let k = 0; k < copies && made < options.records; k++)
        yield emit(corrupt(random, p), self);
    }
    if (made < options.records && random() < twinRate) yield emit(twinOf(random, p), person++);
    if (made < options.records && random() < juniorRate) yield emit(seniorOf(random, p), person++);
  }
}
