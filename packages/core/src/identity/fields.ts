/** The fields the matcher compares, in a fixed order (weights, comparisons and tallies use it). */
export const MATCH_FIELDS = [
  'given',
  'family',
  'birthDate',
  'sex',
  'line',
  'city',
  'state',
  'postalCode',
  'phone',
  'email',
  'identifier',
] as const;

export type MatchField = (typeof MATCH_FIELDS)[number];

/**
 * How two values of one field compare. `missing` (either side empty) is no evidence either way;
 * `similar` is agreement up to a typing error, a nickname or a reordering.
 */
export const AGREEMENT_LEVELS = ['exact', 'similar', 'disagree', 'missing'] as const;

export type AgreementLevel = (typeof AGREEMENT_LEVELS)[number];

/** The agreement level of every field for one pair of records. */
export type Comparison = Readonly<Record<MatchField, AgreementLevel>>;

/** A record with one value per field, built by `value` (every field named, so none is missed). */
export function mapFields<T>(value: (field: MatchField) => T): Record<MatchField, T> {
  return {
    given: value('given'),
    family: value('family'),
    birthDate: value('birthDate'),
    sex: value('sex'),
    line: value('line'),
    city: value('city'),
    state: value('state'),
    postalCode: value('postalCode'),
    phone: value('phone'),
    email: value('email'),
    identifier: value('identifier'),
  };
}
