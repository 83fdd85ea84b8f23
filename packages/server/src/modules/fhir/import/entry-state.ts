import type { LinkedRecord } from '../mapping/context.js';
import type { EntryError } from '../outcome.js';

/**
 * What happened to one entry of a bundle. Its own file so that the bundle's references, which
 * the run uses, need not import the run (the circle issue 10 §2 broke).
 */
export type EntryState =
  | { kind: 'created' | 'updated'; record: LinkedRecord }
  | { kind: 'unchanged'; record: LinkedRecord | null }
  | { kind: 'stored-not-mapped'; reason: string | null }
  | { kind: 'rejected'; error: EntryError };
