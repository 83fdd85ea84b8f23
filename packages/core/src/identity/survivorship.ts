import type { MatchRecord } from './record.js';

/** Where a description of a person came from. */
export const SOURCE_KINDS = ['staff', 'portal', 'fhir', 'hl7', 'csv'] as const;
export type SourceKind = (typeof SOURCE_KINDS)[number];

/** One source's description of a person: what the matcher compares, plus what it may decide. */
export interface SourceDemographics extends MatchRecord {
  middle?: string | null;
  /** BCP 47 language tag. */
  language?: string | null;
  /** ISO instant; a source that says the person died. */
  deceasedAt?: string | null;
}

/** One linked source record, as survivorship sees it. */
export interface SurvivorshipSource {
  id: string;
  kind: SourceKind;
  /** When the source last sent this description: recency breaks trust ties. */
  receivedAt: Date;
  demographics: SourceDemographics;
}

/** The golden record's fields that survivorship decides. */
export const SURVIVING_FIELDS = [
  'givenName',
  'middleName',
  'familyName',
  'birthDate',
  'administrativeSex',
  'preferredLanguage',
  'deceasedAt',
] as const;
export type SurvivingField = (typeof SURVIVING_FIELDS)[number];

/**
 * How much each kind of source is trusted for a field, higher first. Identity (name, birth
 * date, sex, death) comes from registration: staff who saw an ID card and the clinical systems
 * (EHR via FHIR or HL7) rank equal, then bulk files, then what a patient typed into the portal.
 * Preferences are the patient's to state, so the portal ranks first for the language.
 */
const IDENTITY_TRUST: Readonly<Record<SourceKind, number>> = {
  staff: 3,
  fhir: 3,
  hl7: 3,
  csv: 2,
  portal: 1,
};
const PREFERENCE_TRUST: Readonly<Record<SourceKind, number>> = {
  portal: 3,
  staff: 3,
  fhir: 2,
  hl7: 2,
  csv: 1,
};

export const SURVIVORSHIP_RULES: Readonly<
  Record<SurvivingField, { trust: Readonly<Record<SourceKind, number>>; describe: string }>
> = {
  givenName: { trust: IDENTITY_TRUST, describe: 'most trusted source, then most recent' },
  middleName: { trust: IDENTITY_TRUST, describe: 'most trusted source, then most recent' },
  familyName: { trust: IDENTITY_TRUST, describe: 'most trusted source, then most recent' },
  birthDate: {
    trust: IDENTITY_TRUST,
    describe: 'most trusted source, then most recent; full dates before partial ones',
  },
  administrativeSex: { trust: IDENTITY_TRUST, describe: 'most trusted source, then most recent' },
  preferredLanguage: {
    trust: PREFERENCE_TRUST,
    describe: 'the patient (portal) or staff, then clinical systems, then most recent',
  },
  deceasedAt: {
    trust: { ...IDENTITY_TRUST, portal: 0, csv: 0 },
    describe: 'staff or a clinical system only; most recent',
  },
};

const text = (value: string | null | undefined): string | null => {
  const trimmed = value?.trim();
  return trimmed ? trimmed : null;
};

/** A full ISO date (or YYYYMMDD) as YYYY-MM-DD; null for partial or impossible dates. */
export function fullBirthDate(value: string | null | undefined): string | null {
  const raw = text(value);
  if (!raw) return null;
  const m = /^(\d{4})-?(\d{2})-?(\d{2})$/.exec(raw);
  if (!m) return null;
  const iso = `${m[1]}-${m[2]}-${m[3]}`;
  const d = new Date(`${iso}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().startsWith(iso) ? iso : null;
}

const SEXES = new Set(['male', 'female', 'other', 'unknown']);

/** The value a source gives for a field, or null when it says nothing usable. */
export function sourceValue(d: SourceDemographics, field: SurvivingField): string | null {
  switch (field) {
    case 'givenName':
      return text(d.given);
    case 'middleName':
      return text(d.middle);
    case 'familyName':
      return text(d.family);
    case 'birthDate':
      return fullBirthDate(d.birthDate);
    case 'administrativeSex': {
      const sex = text(d.sex)?.toLowerCase() ?? null;
      // "unknown" is a statement of no knowledge: it never outranks a known value.
      return sex && SEXES.has(sex) && sex !== 'unknown' ? sex : null;
    }
    case 'preferredLanguage':
      return text(d.language);
    case 'deceasedAt':
      return text(d.deceasedAt);
  }
}

/** The surviving value of one field and the source record it came from. */
export interface SurvivingValue {
  value: string;
  sourceId: string;
  kind: SourceKind;
  receivedAt: Date;
}

export type SurvivorshipResult = Partial<Record<SurvivingField, SurvivingValue>>;

/**
 * Decides each golden-record field from the linked source records: among the sources that give
 * a usable value, the most trusted kind for that field wins, then the most recent, then the
 * lowest id (so the result never depends on the order rows came back in). A field no source
 * speaks to is absent: the golden record keeps what it has.
 */
export function survivingValues(sources: readonly SurvivorshipSource[]): SurvivorshipResult {
  const result: SurvivorshipResult = {};
  for (const field of SURVIVING_FIELDS) {
    const trust = SURVIVORSHIP_RULES[field].trust;
    let best: SurvivingValue | null = null;
    let bestTrust = 0;
    for (const source of sources) {
      const value = sourceValue(source.demographics, field);
      const rank = trust[source.kind];
      if (value === null || rank <= 0) continue;
      const better =
        best === null ||
        rank > bestTrust ||
        (rank === bestTrust &&
          (source.receivedAt.getTime() > best.receivedAt.getTime() ||
            (source.receivedAt.getTime() === best.receivedAt.getTime() &&
              source.id < best.sourceId)));
      if (better) {
        best = { value, sourceId: source.id, kind: source.kind, receivedAt: source.receivedAt };
        bestTrust = rank;
      }
    }
    if (best) result[field] = best;
  }
  return result;
}

/** The golden record's surviving fields, as stored. */
export interface GoldenFields {
  givenName: string;
  middleName: string | null;
  familyName: string;
  birthDate: string;
  administrativeSex: string;
  preferredLanguage: string;
  deceasedAt: Date | null;
}

/** What survivorship changes on a golden record: the new values and the fields' names. */
export interface GoldenChanges {
  values: Partial<GoldenFields>;
  changed: SurvivingField[];
}

/**
 * The changes survivorship makes to a golden record, given every source record linked to it
 * (`survivingValues`): a field whose winner differs from what the record holds. A field no
 * source speaks to keeps its value, and so does a death no source dates validly.
 */
export function survivingChanges(
  current: GoldenFields,
  sources: readonly SurvivorshipSource[],
): GoldenChanges {
  const winners = survivingValues(sources);
  const values: Partial<GoldenFields> = {};
  const changed: SurvivingField[] = [];
  for (const field of SURVIVING_FIELDS) {
    const value = winners[field]?.value;
    if (value === undefined) continue;
    if (field === 'deceasedAt') {
      const at = new Date(value);
      if (Number.isNaN(at.getTime()) || at.getTime() === current.deceasedAt?.getTime()) continue;
      values.deceasedAt = at;
    } else if (value !== current[field]) {
      values[field] = value;
    } else continue;
    changed.push(field);
  }
  return { values, changed };
}
