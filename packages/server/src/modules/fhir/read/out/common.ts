import type { CodeableConcept, Patient, Reference, Resource } from '@medplum/fhirtypes';
import { TEXT_SYSTEM } from '../../values.js';

/** Helpers for writing Careloop records as FHIR: FHIR forbids empty strings and nulls. */

/** Drops empty strings, nulls and empty arrays, so the output has only what is known. */
export function compact<T extends object>(value: T): T {
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    if (v === null || v === undefined || v === '') continue;
    if (Array.isArray(v) && v.length === 0) continue;
    out[key] = v;
  }
  return out as T;
}

export function concept(
  system: string | null | undefined,
  code: string | null | undefined,
  display: string | null | undefined,
): CodeableConcept | undefined {
  if (code && system && system !== TEXT_SYSTEM) {
    return compact({
      coding: [compact({ system, code, display: display ?? undefined })],
      text: display ?? undefined,
    });
  }
  const text = display || code;
  return text ? { text } : undefined;
}

export const textConcept = (text: string | null | undefined): CodeableConcept | undefined =>
  text ? { text } : undefined;

export const patientReference = (id: string): Reference<Patient> => ({
  reference: `Patient/${id}`,
});

/** A reference by name only, for records Careloop does not serve over FHIR. */
export function displayReference<T extends Resource = Resource>(
  display: string | null | undefined,
): Reference<T> | undefined {
  return display ? { display } : undefined;
}

/** Any timestamp the drivers return as an ISO instant. */
export const instant = (value: Date | string | null | undefined): string | undefined =>
  value === null || value === undefined ? undefined : new Date(value).toISOString();

/** A calendar date column (`YYYY-MM-DD`) as the drivers return it. */
export const calendarDate = (value: Date | string | null | undefined): string | undefined => {
  if (value === null || value === undefined) return undefined;
  return typeof value === 'string' ? value.slice(0, 10) : value.toISOString().slice(0, 10);
};

/** `value` when it is one of `allowed`, else `fallback`: output must use FHIR's codes. */
export function oneOf<T extends string>(
  value: string | null | undefined,
  allowed: readonly T[],
  fallback: T,
): T {
  return (allowed as readonly string[]).includes(value ?? '') ? (value as T) : fallback;
}
