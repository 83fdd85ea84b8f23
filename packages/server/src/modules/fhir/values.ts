import { createHash } from 'node:crypto';
import { canonicalJson } from '@careloop/core';
import type {
  CodeableConcept,
  Coding,
  HumanName,
  Money,
  Period,
  Quantity,
} from '@medplum/fhirtypes';

/** A code as Careloop stores it: system, code and a display a person can read. */
export interface Code {
  system: string;
  code: string;
  display: string;
}

/** Codes given only as text get this system, so `code` is never empty. */
export const TEXT_SYSTEM = 'urn:careloop:text';

/** The first coding of a concept (or its text alone), or null when it carries nothing. */
export function codeOf(concept: CodeableConcept | undefined): Code | null {
  if (!concept) return null;
  const coding: Coding | undefined = concept.coding?.find((c) => c.code) ?? concept.coding?.[0];
  const text = concept.text?.trim() || undefined;
  if (coding?.code) {
    return {
      system: coding.system ?? TEXT_SYSTEM,
      code: coding.code,
      display: coding.display?.trim() || text || coding.code,
    };
  }
  const display = coding?.display?.trim() || text;
  return display ? { system: TEXT_SYSTEM, code: display.slice(0, 200), display } : null;
}

/** A concept as one readable label. */
export function labelOf(concept: CodeableConcept | undefined): string | null {
  return codeOf(concept)?.display ?? null;
}

export const firstLabel = (concepts: CodeableConcept[] | undefined): string | null =>
  labelOf(concepts?.[0]);

/** The code of the first coding of a concept, e.g. a status held as a CodeableConcept. */
export function codeValue(concept: CodeableConcept | undefined): string | null {
  return concept?.coding?.find((c) => c.code)?.code ?? null;
}

const PARTIAL_DATE = /^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?$/;

/**
 * A FHIR date or dateTime as an instant. Partial dates (`1974`, `1974-12`) and dates without a
 * time become the first instant they cover, in UTC. Null when absent or unreadable.
 */
export function instantOf(value: string | undefined): Date | null {
  if (!value) return null;
  const partial = PARTIAL_DATE.exec(value);
  if (partial) {
    const [, y, m, d] = partial;
    return new Date(Date.UTC(Number(y), Number(m ?? '1') - 1, Number(d ?? '1')));
  }
  const parsed = new Date(value);
  return Number.isNaN(parsed.getTime()) ? null : parsed;
}

/** A FHIR date or dateTime as a calendar date, `YYYY-MM-DD`, with its precision. */
export function calendarDateOf(
  value: string | undefined,
): { date: string; precision: 'year' | 'month' | 'day' } | null {
  if (!value) return null;
  const partial = PARTIAL_DATE.exec(value.slice(0, 10));
  if (!partial) return null;
  const [, y, m, d] = partial;
  const precision = d ? 'day' : m ? 'month' : 'year';
  return { date: `${y}-${m ?? '01'}-${d ?? '01'}`, precision };
}

export function periodOf(period: Period | undefined): { start: Date | null; end: Date | null } {
  return { start: instantOf(period?.start), end: instantOf(period?.end) };
}

/** Money as an exact two-decimal string for a `numeric(14,2)` column. */
export function moneyOf(money: Money | undefined): { amount: string; currency: string } | null {
  if (money?.value === undefined || !Number.isFinite(money.value)) return null;
  return { amount: money.value.toFixed(2), currency: money.currency ?? 'USD' };
}

export function quantityText(q: Quantity | undefined): string | null {
  if (q?.value === undefined) return null;
  const unit = q.unit ?? q.code;
  return unit ? `${q.value} ${unit}` : String(q.value);
}

/** The name a person goes by in this record: official, then usual, then the first not old. */
export function pickName(names: HumanName[] | undefined): HumanName | undefined {
  if (!names?.length) return undefined;
  return (
    names.find((n) => n.use === 'official') ??
    names.find((n) => n.use === 'usual' && n.family) ??
    names.find((n) => n.use !== 'old' && n.use !== 'maiden') ??
    names[0]
  );
}

/** Given, middle and family name of a HumanName; `text` is split when the parts are missing. */
export function nameParts(name: HumanName | undefined): {
  given: string;
  middle: string | null;
  family: string;
} {
  let given = (name?.given ?? []).map((g) => g.trim()).filter(Boolean);
  let family = name?.family?.trim() ?? '';
  if (given.length === 0 && !family && name?.text) {
    const words = name.text.trim().split(/\s+/);
    family = words.pop() ?? '';
    given = words;
  }
  return {
    given: given[0] ?? '',
    middle: given.length > 1 ? given.slice(1).join(' ') : null,
    family,
  };
}

export function contentHash(value: unknown): string {
  return hashOfCanonical(canonicalJson(value));
}

/** `contentHash` of a value whose `canonicalJson` is at hand. */
export function hashOfCanonical(canonical: string): string {
  return createHash('sha256').update(canonical).digest('hex');
}

/**
 * Whether every element of `part` is present, equal, in `whole`: objects by key, arrays
 * element by element in order. A partial copy of a record carries nothing new.
 */
export function isContainedIn(part: unknown, whole: unknown): boolean {
  if (Array.isArray(part)) {
    return (
      Array.isArray(whole) &&
      part.length === whole.length &&
      part.every((p, i) => isContainedIn(p, whole[i]))
    );
  }
  if (part && typeof part === 'object') {
    if (!whole || typeof whole !== 'object' || Array.isArray(whole)) return false;
    const w = whole as Record<string, unknown>;
    return Object.entries(part as Record<string, unknown>).every(([k, v]) =>
      isContainedIn(v, w[k]),
    );
  }
  return part === whole;
}

/** Primary language subtag of a BCP 47 code: `en-US` → `en`. */
export function languageOf(code: string | undefined): string | null {
  const primary = code?.trim().split(/[-_]/)[0]?.toLowerCase();
  return primary && /^[a-z]{2,3}$/.test(primary) ? primary : null;
}
