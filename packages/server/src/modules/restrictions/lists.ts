import type { PatientSummary, Task } from '@careloop/core';

/**
 * A restricted patient's row as someone outside the care team sees it in a list: the name (to
 * find and schedule them) and the flag; birth date, sex, contact points, MRN, language and
 * location are left out.
 */
export function restrictedSummary(row: PatientSummary): PatientSummary {
  return {
    id: row.id,
    givenName: row.givenName,
    familyName: row.familyName,
    restricted: true,
    preferredName: null,
    birthDate: null,
    administrativeSex: null,
    phone: null,
    email: null,
    mrn: null,
    preferredLanguage: null,
    preferredChannel: null,
    primaryLocation: null,
    createdAt: row.createdAt,
  };
}

/** A task about a restricted patient, outside the care team: that it exists, not what it says. */
export function restrictedTask(task: Task): Task {
  const title = 'Task about a restricted patient';
  return { ...task, title, nonClinicalTitle: title, description: null };
}
