/**
 * A touchpoint's non-clinical summary derived from its type and channel alone ("Appointment
 * booked (portal)", "Discharged from hospital"): what every role may read on the timeline.
 * Writers with a better non-clinical text give their own; migration 0014 fills existing rows
 * with the same rule in SQL (careloop_touchpoint_label), and a test holds the two equal.
 */

/** Whole types whose words alone would read badly. */
const BY_TYPE: Readonly<Record<string, string>> = {
  'patient.registered': 'Registered',
  'patient.updated': 'Record updated',
  'patient.merged': 'Duplicate record merged',
  'patient.unmerged': 'Merge undone',
  'encounter.admitted': 'Admitted to hospital',
  'encounter.registered': 'Visit registered',
  'encounter.discharged': 'Discharged from hospital',
  'encounter.cancelled': 'Visit cancelled',
  'encounter.discharge-cancelled': 'Discharge cancelled',
  'consent.withdrawn': 'Consent withdrawn',
  'noshow.outreach': 'Missed appointment outreach',
  'transition.call': 'Transitional care call',
  'note.added': 'Care-team note added',
};

/** What the first word of a type names. */
const NOUNS: Readonly<Record<string, string>> = {
  appointment: 'Appointment',
  visit: 'Visit',
  encounter: 'Visit',
  communication: 'Message',
  task: 'Task',
  note: 'Care-team note',
  consent: 'Consent',
  preferences: 'Preferences',
  claim: 'Claim',
  questionnaire: 'Questionnaire',
  survey: 'Survey',
  statement: 'Statement',
  campaign: 'Campaign',
  patient: 'Record',
};

export function touchpointLabel(type: string, channel: string): string {
  const dot = type.indexOf('.');
  const head = dot < 0 ? type : type.slice(0, dot);
  const rest = dot < 0 ? '' : type.slice(dot + 1).replace(/[-_.]/g, ' ');
  const noun = NOUNS[head] ?? `${head.charAt(0).toUpperCase()}${head.slice(1)}`;
  const base = BY_TYPE[type] ?? (rest ? `${noun} ${rest}` : noun);
  return channel === 'system' ? base : `${base} (${channel.replace(/-/g, ' ')})`;
}

/** The rule's tables, for the migration test that holds the SQL copy equal. */
export const TOUCHPOINT_LABEL_TABLES = { byType: BY_TYPE, nouns: NOUNS } as const;
