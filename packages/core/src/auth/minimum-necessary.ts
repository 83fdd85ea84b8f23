import { ROLES, type Role } from './roles.js';

/**
 * The minimum-necessary policy: which role may read which sensitive field of which record, and
 * why. One table, read by every reader of patient data (the 360 view and its cache, the
 * timeline, FHIR read, search and `$everything`), so a field hidden in one place is hidden in
 * all of them. Fields not named here (demographics, contact points, times, services, statuses)
 * are what `patient:read` already grants.
 */

/** Who may read a field: every role named, so a new role cannot be forgotten. */
export type Audience = Readonly<Record<Role, boolean>>;

export interface FieldRule {
  readonly audience: Audience;
  /** Why the roles left out are left out, for the ADR, the API docs and the audit trail. */
  readonly reason: string;
}

/** Doctors, nurses and those who coordinate their care; the admin answers for the record. */
const CARE_TEAM: Audience = {
  admin: true,
  'front-desk': false,
  'care-coordinator': true,
  clinician: true,
  marketer: false,
  analyst: false,
  patient: false,
};

/** The care team, and the patient reading their own record in the portal. */
const CARE_TEAM_AND_PATIENT: Audience = { ...CARE_TEAM, patient: true };

/** Everyone who works with the patient's record day to day, not marketing or analytics. */
const STAFF_NOTES: Audience = { ...CARE_TEAM, 'front-desk': true };

/** Who checks eligibility and bills: registration, care coordination, the patient. */
const BILLING: Audience = {
  admin: true,
  'front-desk': true,
  'care-coordinator': true,
  clinician: false,
  marketer: false,
  analyst: false,
  patient: true,
};

const CLINICAL =
  'clinical detail (a diagnosis, a reason for care, a result) is for treatment: the care team reads it, marketing, analytics and registration do not need it';

export const FIELD_POLICY = {
  condition: {
    record: { audience: CARE_TEAM, reason: `A condition is a diagnosis: ${CLINICAL}` },
  },
  encounter: {
    record: {
      audience: CARE_TEAM,
      reason: `An encounter's type, reason and diagnosis are ${CLINICAL}`,
    },
  },
  clinicalHistory: {
    record: {
      audience: CARE_TEAM,
      reason: `Procedures, observations, immunizations, medications and allergies are ${CLINICAL}`,
    },
  },
  appointment: {
    reason: {
      audience: CARE_TEAM_AND_PATIENT,
      reason: `The reason for a visit ("Follow-up: hypertension") is ${CLINICAL}; the service and time are enough to schedule it`,
    },
    // Issue 13: the schedule's load is for everyone; who is booked when, for those who run it.
    patient: {
      audience: { ...STAFF_NOTES, patient: true },
      reason:
        'Who is booked when is for those who run the schedule and give the care: marketing and analytics read the calendar’s load, not its patients’ names',
    },
    // Issue 9: a cancellation's reason is free text staff type or a feed sends (SCH-6).
    cancelReason: {
      audience: STAFF_NOTES,
      reason:
        'Why a visit was cancelled is free text that may name a condition ("admitted with chest pain"): those who rebook and give the care read it, marketing, analytics and the portal do not',
    },
  },
  touchpoint: {
    clinicalSummary: {
      audience: CARE_TEAM_AND_PATIENT,
      reason: `A touchpoint's clinical summary ("Admitted: Psychiatry", the service of an HL7 admission) is ${CLINICAL}; every role sees its non-clinical summary`,
    },
  },
  communication: {
    topic: {
      audience: CARE_TEAM_AND_PATIENT,
      reason: `A message's topic ("HIV viral load result") is ${CLINICAL}`,
    },
  },
  coverage: {
    memberId: {
      audience: BILLING,
      reason:
        'An insurance member id is a key to claims: registration and billing need it, treatment, marketing and analytics do not',
    },
    groupNumber: {
      audience: BILLING,
      reason:
        "An insurance group number names the patient's employer plan: registration and billing need it, treatment, marketing and analytics do not",
    },
    // Issue 13 (h13r): the card a patient photographs when pre-registering.
    cardImage: {
      audience: BILLING,
      reason:
        'A photographed insurance card shows the member and group ids and the subscriber: registration and billing need it, treatment, marketing and analytics do not',
    },
  },
  // Issue 13 (h13r): pre-registration before a visit.
  preRegistration: {
    emergencyContact: {
      audience: STAFF_NOTES,
      reason:
        "An emergency contact names another person and their phone: staff who work with the patient's record need it, marketing and analytics do not",
    },
  },
  note: {
    body: {
      audience: STAFF_NOTES,
      reason:
        'Care-team notes are working notes about a patient: not for marketing, analytics, or the portal',
    },
  },
  clinicalNote: {
    body: {
      audience: CARE_TEAM,
      reason: `A note marked clinical is ${CLINICAL}`,
    },
  },
  // Issue 9: what a patient answered (symptoms, mood, habits), read on the 360 page.
  questionnaireResponse: {
    answers: {
      audience: CARE_TEAM,
      reason: `A patient's answers to a questionnaire ("Low, not sleeping") are ${CLINICAL}; every role that reads the patient sees that a response exists and when`,
    },
  },
  task: {
    title: {
      audience: CARE_TEAM,
      reason: `A task's title may name a condition or a result ("Review biopsy result"): ${CLINICAL}; everyone who reads the work queue sees its non-clinical title`,
    },
    description: {
      audience: CARE_TEAM,
      reason: `A task's description is free text about the patient's care ("Discharged after syncope; review medications"): ${CLINICAL}`,
    },
  },
  // Issue 11 (h11v): the post-visit survey's "what could we do better?" (docs/adr/0042).
  survey: {
    comment: {
      audience: CARE_TEAM,
      reason:
        'A survey\'s free text is the patient\'s own words about their care ("nobody explained my test results") and may carry clinical detail: those who call the patient back and answer for the care read it; every role that reads the patient sees the scores',
    },
  },
} as const satisfies Record<string, Record<string, FieldRule>>;

export type SensitiveRecord = keyof typeof FIELD_POLICY;
export type SensitiveField<R extends SensitiveRecord> = keyof (typeof FIELD_POLICY)[R] & string;

/** The rule for one field; a typo in the record or field name does not compile. */
export function fieldRule<R extends SensitiveRecord>(
  record: R,
  field: SensitiveField<R>,
): FieldRule {
  const rules: Record<string, FieldRule> = FIELD_POLICY[record];
  const rule = rules[field];
  if (!rule) throw new Error(`No minimum-necessary rule for ${record}.${field}`);
  return rule;
}

/** May this role read this field? */
export function mayRead<R extends SensitiveRecord>(
  role: Role,
  record: R,
  field: SensitiveField<R>,
): boolean {
  return fieldRule(record, field).audience[role];
}

/** Every field of the policy as `record.field`, in the table's order. */
export const POLICY_FIELDS: readonly string[] = Object.entries(FIELD_POLICY).flatMap(
  ([record, fields]) => Object.keys(fields).map((field) => `${record}.${field}`),
);

function ruleAt(path: string): FieldRule {
  const [record = '', field = ''] = path.split('.');
  const rules: Record<string, Record<string, FieldRule>> = FIELD_POLICY;
  const rule = rules[record]?.[field];
  if (!rule) throw new Error(`No minimum-necessary rule for ${path}`);
  return rule;
}

/** The fields this role may not read, as `record.field`, each with the reason. */
export function withheldFrom(role: Role): { field: string; reason: string }[] {
  return POLICY_FIELDS.map((field) => ({ field, rule: ruleAt(field) }))
    .filter(({ rule }) => !rule.audience[role])
    .map(({ field, rule }) => ({ field, reason: rule.reason }));
}

/**
 * Roles that see exactly the same fields share a policy class: a cache of redacted views can
 * be keyed by it instead of by role, and never hands one role what another may read.
 */
export function policyClass(role: Role): string {
  return POLICY_CLASSES.get(role) ?? classOf(role);
}

const classOf = (role: Role) =>
  POLICY_FIELDS.map((field) => (ruleAt(field).audience[role] ? '1' : '0')).join('');

/** Computed once: every cached read asks for its key. */
const POLICY_CLASSES: ReadonlyMap<Role, string> = new Map(ROLES.map((r) => [r, classOf(r)]));

/** The note category that marks a note clinical. */
export const CLINICAL_NOTE_CATEGORY = 'clinical';

/** May this role read a note of this category? */
export function mayReadNote(role: Role, category: string): boolean {
  return category === CLINICAL_NOTE_CATEGORY
    ? mayRead(role, 'clinicalNote', 'body')
    : mayRead(role, 'note', 'body');
}

/** Identifier types that are insurance ids (HL7 table 0203: member, subscriber number). */
export const INSURANCE_IDENTIFIER_TYPES: readonly string[] = ['MB', 'SN'];

export function isInsuranceIdentifier(type: string | null): boolean {
  return type !== null && INSURANCE_IDENTIFIER_TYPES.includes(type.toUpperCase());
}

/** May this role read an identifier of this type? Insurance ids follow the member id's rule. */
export function mayReadIdentifier(role: Role, type: string | null): boolean {
  return isInsuranceIdentifier(type) ? mayRead(role, 'coverage', 'memberId') : true;
}
