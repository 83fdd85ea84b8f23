import { readdirSync, readFileSync } from 'node:fs';
import { type JourneyDefinition, validateJourney } from '@careloop/core';

/** The ready care journeys shipped with Careloop (packages/server/journeys/*.json). */
export const READY_JOURNEYS_DIR = new URL('../../../journeys/', import.meta.url);

let cache: JourneyDefinition[] | null = null;

/** The ready journeys, each validated (a broken file is a bug: it throws, naming the file). */
export function readyJourneys(): JourneyDefinition[] {
  if (cache) return cache;
  const files = readdirSync(READY_JOURNEYS_DIR)
    .filter((f) => f.endsWith('.json'))
    .sort();
  cache = files.map((file) => {
    const checked = validateJourney(
      JSON.parse(readFileSync(new URL(file, READY_JOURNEYS_DIR), 'utf8')),
    );
    if (!checked.ok)
      throw new Error(
        `ready journey ${file}: ${checked.issues.map((i) => `${i.path} ${i.message}`).join('; ')}`,
      );
    return checked.journey;
  });
  return cache;
}

// Issue 11 (h11l): the lists ready journeys name, by key, with the name an organization gets.
/** Enabling a ready journey that names one of these creates it (or uses the one there). */
export const READY_LISTS: Partial<Record<string, string>> = {
  'due-for-preventive-screening': 'Due for preventive screening',
};
