import { canonicalJson, JsonTooDeep, pathOfNul } from '@careloop/core';
import type { BundleEntry, Resource } from '@medplum/fhirtypes';
import type { PreparedEntry } from '../mapping/context.js';
import { EntryError, entryPath, requestError, resourcePath } from '../outcome.js';
import { type ValidationResult, validateFhir } from '../validation/validation.js';
import { hashOfCanonical } from '../values.js';

/** The most entries one bundle may carry; larger feeds are split by the sender. */
export const MAX_BUNDLE_ENTRIES = 5000;

/** A JSON pointer into a resource as a FHIRPath-like path: `/name/0/family` → `name[0].family`. */
function fhirPathOf(pointer: string): string {
  let out = '';
  for (const segment of pointer.split('/').slice(1)) {
    const key = segment.replace(/~1/g, '/').replace(/~0/g, '~');
    out += /^\d+$/.test(key) ? `[${key}]` : `${out ? '.' : ''}${key}`;
  }
  return out;
}

export type BundleMode = 'transaction' | 'batch';

/** An entry refused before mapping: not a resource, invalid, or a request we do not serve. */
export interface InvalidEntry {
  kind: 'invalid';
  index: number;
  resourceType: string | null;
  sourceId: string | null;
  resource: Resource | null;
  hash: string | null;
  json: string | null;
  error: EntryError;
}

export type IncomingEntry = PreparedEntry | InvalidEntry;

export interface IncomingBundle {
  mode: BundleMode;
  /** `Bundle.meta.source`, when the sender names itself. */
  declaredSource: string | null;
  entries: IncomingEntry[];
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** `Patient/123`, `Patient/123/_history/2` or `http://x/fhir/Patient/123` → [type, id]. */
export function typeAndId(url: string): [string, string] | null {
  const path = url.split('?')[0]?.replace(/\/_history\/[^/]+$/, '') ?? '';
  const match = /(?:^|\/)([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})$/.exec(path);
  return match?.[1] && match[2] ? [match[1], match[2]] : null;
}

function sourceIdOf(resource: Resource, entry: BundleEntry, hash: string): string {
  if (resource.id) return resource.id;
  const fromRequest = entry.request?.url ? typeAndId(entry.request.url) : null;
  if (fromRequest && fromRequest[0] === resource.resourceType) return fromRequest[1];
  const fullUrl = entry.fullUrl;
  if (fullUrl?.startsWith('urn:uuid:') || fullUrl?.startsWith('urn:oid:')) {
    return fullUrl.slice(9);
  }
  const fromFullUrl = fullUrl ? typeAndId(fullUrl) : null;
  if (fromFullUrl) return fromFullUrl[1];
  return `sha256:${hash}`;
}

const SUPPORTED_METHODS = new Set(['POST', 'PUT']);

function prepareEntry(raw: unknown, index: number): IncomingEntry {
  // An entry refused before its resource was read whole: nothing of it is kept as a source
  // record (a resource too deep to walk, or holding a NUL character, could not be written).
  const invalid = (error: EntryError, resourceType: string | null = null): InvalidEntry => ({
    kind: 'invalid',
    index,
    resourceType,
    sourceId: null,
    resource: null,
    hash: null,
    json: null,
    error,
  });
  if (!isObject(raw)) return invalid(new EntryError('The entry is not an object', null));
  const entry = raw as BundleEntry;
  const method = entry.request?.method;
  if (method && !SUPPORTED_METHODS.has(method)) {
    return invalid(
      new EntryError(
        `${method} entries are not supported: Careloop imports resources (POST or PUT) and keeps its own history`,
        null,
        'not-supported',
        405,
      ),
    );
  }
  const resource = entry.resource as unknown;
  if (!isObject(resource) || typeof resource.resourceType !== 'string') {
    return invalid(new EntryError('The entry has no resource with a resourceType', ''));
  }
  const typed = resource as unknown as Resource;
  let json: string;
  try {
    json = canonicalJson(typed);
  } catch (error) {
    if (error instanceof JsonTooDeep) {
      return invalid(new EntryError(error.message, ''), typed.resourceType);
    }
    throw error;
  }
  // The canonical text shows a NUL character as \u0000 (a literal backslash before "u0000"
  // matches too, hence the walk to confirm and name it).
  const nul = json.includes('\\u0000') ? pathOfNul(typed) : null;
  if (nul !== null) {
    return invalid(
      new EntryError(
        'A value contains a NUL character (U+0000), which Careloop cannot store',
        fhirPathOf(nul),
      ),
      typed.resourceType,
    );
  }
  const hash = hashOfCanonical(json);
  return {
    kind: 'ready',
    index,
    fullUrl: typeof entry.fullUrl === 'string' ? entry.fullUrl : null,
    resource: typed,
    resourceType: typed.resourceType,
    sourceId: sourceIdOf(typed, entry, hash),
    hash,
    json,
    warnings: [],
  };
}

/**
 * Validates an entry's resource against the R4 definitions (the costly step of an import: it
 * is skipped for resources whose content was validated and stored before).
 */
export function validateEntry(entry: PreparedEntry): IncomingEntry {
  return validatedEntry(entry, validateFhir(entry.resource));
}

/** The entry as its validation left it: ready with its warnings, or invalid with the first error. */
export function validatedEntry(
  entry: PreparedEntry,
  { errors, warnings }: ValidationResult,
): IncomingEntry {
  const first = errors[0];
  if (first) {
    const type = entry.resourceType;
    const path = resourcePath(first.expression?.[0], type);
    const detail = first.details?.text ?? first.diagnostics ?? 'invalid';
    const more = errors.length > 1 ? ` (and ${errors.length - 1} more problems)` : '';
    return {
      kind: 'invalid',
      index: entry.index,
      resourceType: type,
      sourceId: entry.sourceId,
      resource: entry.resource,
      hash: entry.hash,
      json: entry.json,
      error: new EntryError(
        `${type} is not valid FHIR R4 at ${path || type}: ${detail}${more}`,
        path,
        first.code ?? 'invalid',
      ),
    };
  }
  return {
    ...entry,
    warnings: warnings.map((w) => ({
      ...w,
      expression: [entryPath(entry.index, resourcePath(w.expression?.[0], entry.resourceType))],
    })),
  };
}

/** Rejects a second entry for the same resource: a transaction must name each one once. */
function rejectRepeats(entries: IncomingEntry[]): IncomingEntry[] {
  const seen = new Map<string, number>();
  return entries.map((e) => {
    if (e.kind !== 'ready') return e;
    const key = `${e.resourceType}/${e.sourceId}`;
    const first = seen.get(key);
    if (first === undefined) {
      seen.set(key, e.index);
      return e;
    }
    return {
      kind: 'invalid',
      index: e.index,
      resourceType: e.resourceType,
      sourceId: e.sourceId,
      resource: e.resource,
      hash: e.hash,
      json: e.json,
      error: new EntryError(
        `${key} appears twice in the bundle (entries ${first} and ${e.index})`,
        'id',
        'duplicate',
        409,
      ),
    };
  });
}

/**
 * Reads a request body as a transaction or batch Bundle: each entry's resource, hash and source
 * id. Refuses the request as a whole (400/413 with an OperationOutcome) when it is not such a
 * Bundle; a malformed entry is reported on the entry. Validation comes later (`validateEntry`).
 */
export function readBundle(body: unknown): IncomingBundle {
  if (!isObject(body)) {
    throw requestError(400, 'structure', 'The body must be a FHIR Bundle (a JSON object)');
  }
  if (body.resourceType !== 'Bundle') {
    throw requestError(
      400,
      'invalid',
      `Expected a Bundle of type transaction or batch, got ${typeof body.resourceType === 'string' ? body.resourceType : 'no resourceType'}`,
      'Bundle.resourceType',
    );
  }
  if (body.type !== 'transaction' && body.type !== 'batch') {
    throw requestError(
      400,
      'not-supported',
      `Only transaction and batch bundles can be imported, not ${typeof body.type === 'string' ? body.type : 'a bundle without a type'}`,
      'Bundle.type',
    );
  }
  const entries = body.entry ?? [];
  if (!Array.isArray(entries)) {
    throw requestError(400, 'structure', 'Bundle.entry must be an array', 'Bundle.entry');
  }
  if (entries.length > MAX_BUNDLE_ENTRIES) {
    throw requestError(
      413,
      'too-costly',
      `The bundle has ${entries.length} entries; send at most ${MAX_BUNDLE_ENTRIES} per bundle`,
      'Bundle.entry',
    );
  }
  const meta = isObject(body.meta) ? body.meta : {};
  return {
    mode: body.type,
    declaredSource:
      typeof meta.source === 'string' && meta.source.trim() ? meta.source.trim() : null,
    entries: rejectRepeats(entries.map(prepareEntry)),
  };
}
