import type { AgreementLevel, ReviewItem, ReviewPerson } from '@careloop/core';
import { formatDate } from '../ui/format';

/** One compared field as the server scored it. */
export type FieldAgreement = ReviewItem['fields'][number];

/** One row of the side-by-side comparison: what each record says and how far they agree. */
export interface ComparisonRow {
  key: string;
  label: string;
  incoming: string[];
  candidate: string[];
  /** The row's overall agreement: the least agreeing of its fields (missing only when all are). */
  level: AgreementLevel;
  /** The server's fields behind this row (the address row has four), each with its weight. */
  fields: FieldAgreement[];
  /** Sum of the fields' weights: this row's contribution to the score. */
  weight: number;
}

const SEX_TEXT: Record<string, string> = {
  male: 'Male',
  female: 'Female',
  other: 'Other',
  unknown: 'Unknown',
};

interface RowSpec {
  key: string;
  label: string;
  /** The server's field names shown in this row. */
  fields: readonly string[];
  values: (person: ReviewPerson) => string[];
}

const present = (...values: (string | null)[]) =>
  values.filter((v): v is string => v !== null && v.trim() !== '');

// Rows in reading order; each names the matcher's fields it shows. The address is one text in
// the review contract, so its four compared parts share one row.
const ROWS: readonly RowSpec[] = [
  { key: 'given', label: 'Given name', fields: ['given'], values: (p) => present(p.givenName) },
  {
    key: 'family',
    label: 'Family name',
    fields: ['family'],
    values: (p) => present(p.familyName),
  },
  {
    key: 'birthDate',
    label: 'Birth date',
    fields: ['birthDate'],
    values: (p) => present(p.birthDate).map(formatDate),
  },
  {
    key: 'sex',
    label: 'Sex',
    fields: ['sex'],
    values: (p) => present(SEX_TEXT[p.administrativeSex] ?? p.administrativeSex),
  },
  {
    key: 'address',
    label: 'Address',
    fields: ['line', 'city', 'state', 'postalCode'],
    values: (p) => present(p.address),
  },
  { key: 'phone', label: 'Phone', fields: ['phone'], values: (p) => p.phones },
  { key: 'email', label: 'Email', fields: ['email'], values: (p) => p.emails },
  {
    key: 'identifier',
    label: 'Identifiers',
    fields: ['identifier'],
    values: (p) => p.identifiers.map((i) => `${i.value} (${i.system})`),
  },
];

/** Plain words for the matcher's field names, for the per-field badges of a row. */
export const MATCH_FIELD_LABELS: Record<string, string> = {
  given: 'Given name',
  family: 'Family name',
  birthDate: 'Birth date',
  sex: 'Sex',
  line: 'Street',
  city: 'City',
  state: 'State',
  postalCode: 'ZIP code',
  phone: 'Phone',
  email: 'Email',
  identifier: 'Identifier',
};

const LEVEL_ORDER: readonly AgreementLevel[] = ['disagree', 'similar', 'exact', 'missing'];

/** The least agreeing level among fields; `missing` counts only when nothing else is known. */
export function rowLevel(levels: readonly AgreementLevel[]): AgreementLevel {
  return LEVEL_ORDER.find((level) => levels.includes(level)) ?? 'missing';
}

/**
 * The comparison table of a review item: one row per compared field (the address parts share
 * one), in reading order. A field the server scores that this screen does not know still gets
 * its own row, so no part of the score goes unexplained.
 */
export function comparisonRows(item: ReviewItem): ComparisonRow[] {
  const scored = new Map(item.fields.map((f) => [f.field, f]));
  const rows: ComparisonRow[] = [];
  for (const spec of ROWS) {
    const fields = spec.fields.flatMap((name) => {
      const f = scored.get(name);
      return f ? [f] : [];
    });
    if (fields.length === 0) continue;
    rows.push({
      key: spec.key,
      label: spec.label,
      incoming: spec.values(item.incoming),
      candidate: spec.values(item.candidate),
      level: rowLevel(fields.map((f) => f.level)),
      fields,
      weight: fields.reduce((sum, f) => sum + f.weight, 0),
    });
  }
  const known = new Set(ROWS.flatMap((spec) => spec.fields));
  for (const f of item.fields) {
    if (known.has(f.field)) continue;
    rows.push({
      key: f.field,
      label: MATCH_FIELD_LABELS[f.field] ?? f.field,
      incoming: [],
      candidate: [],
      level: f.level,
      fields: [f],
      weight: f.weight,
    });
  }
  return rows;
}

/** A weight as evidence: `+4.2` for, `−3.1` against (a real minus sign), `0.0` for none. */
export function formatWeight(weight: number): string {
  const rounded = Math.round(weight * 10) / 10;
  if (rounded === 0) return '0.0';
  return `${rounded > 0 ? '+' : '−'}${Math.abs(rounded).toFixed(1)}`;
}

/** A match score (log2 likelihood ratio) to one decimal. */
export function formatScore(score: number): string {
  return (Math.round(score * 10) / 10).toFixed(1);
}

export const LEVEL_LABELS: Record<AgreementLevel, string> = {
  exact: 'Same',
  similar: 'Similar',
  disagree: 'Different',
  missing: 'Missing',
};

export const LEVEL_COLORS: Record<AgreementLevel, string> = {
  exact: 'teal',
  similar: 'yellow',
  disagree: 'red',
  missing: 'gray',
};
