import { type Static, Type } from 'typebox';
import { Instant, ListQuery, Nullable, Page } from './common.js';

/**
 * One FHIR bundle import, as the audit log recorded it (the import writes one `fhir-bundle`
 * event per bundle): when, who sent it, whether it was committed, and its counts.
 */
export const FhirImport = Type.Object({
  id: Type.String({ description: 'The audit event that recorded the import' }),
  importedAt: Instant,
  actorEmail: Nullable(Type.String()),
  outcome: Type.String({ description: 'success, or failed when the bundle was refused' }),
  summary: Nullable(Type.String({ description: 'Mode, source system and counts, or why refused' })),
});

export const FhirImportQuery = Type.Object({
  outcome: Type.Optional(
    Type.Unsafe<'success' | 'failed'>({ type: 'string', enum: ['success', 'failed'] }),
  ),
  from: Type.Optional(Instant),
  to: Type.Optional(Instant),
  ...ListQuery,
});

export const FhirImportPage = Page(FhirImport);

export type FhirImport = Static<typeof FhirImport>;
export type FhirImportQuery = Static<typeof FhirImportQuery>;
