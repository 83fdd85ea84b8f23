import type { PreRegistrationInput } from '../api/pre-registration.js';
import { normalizePhone } from '../contact/contact.js';
import { isFutureDate } from '../dates/past.js';
import { CareloopError, type FieldError } from '../errors/problem.js';

/** What can be wrong with one field of a pre-registration, in words the portal translates. */
export const PRE_REGISTRATION_ISSUES = [
  'required',
  'invalid-date',
  'future-date',
  'invalid-phone',
  'must-accept',
  'subscriber-required',
] as const;
export type PreRegistrationIssue = (typeof PRE_REGISTRATION_ISSUES)[number];

export const PRE_REGISTRATION_MESSAGES: Record<PreRegistrationIssue, { en: string; es: string }> = {
  required: { en: 'This is required', es: 'Este dato es obligatorio' },
  'invalid-date': { en: 'Enter a date as YYYY-MM-DD', es: 'Escriba la fecha como AAAA-MM-DD' },
  'future-date': { en: 'This date is in the future', es: 'Esta fecha es futura' },
  'invalid-phone': { en: 'Enter a valid phone number', es: 'Escriba un teléfono válido' },
  'must-accept': {
    en: 'Please accept to continue',
    es: 'Debe aceptar para continuar',
  },
  'subscriber-required': {
    en: 'Enter the policy holder when it is not you',
    es: 'Escriba el titular de la póliza cuando no es usted',
  },
};

/** One invalid field: where (`/body/insurance/memberId`) and what is wrong. */
export interface PreRegistrationFieldIssue {
  path: string;
  issue: PreRegistrationIssue;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

function validDate(value: string): boolean {
  if (!DATE.test(value)) return false;
  const parsed = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(parsed.getTime()) && parsed.toISOString().slice(0, 10) === value;
}

/**
 * Every invalid field of a pre-registration, in form order, so the portal (in the patient's
 * language) and the server (as a problem with per-field errors) refuse the same things.
 */
export function preRegistrationErrors(
  input: PreRegistrationInput,
  asOf: Date,
): PreRegistrationFieldIssue[] {
  const issues: PreRegistrationFieldIssue[] = [];
  const add = (path: string, issue: PreRegistrationIssue) =>
    issues.push({ path: `/body/${path}`, issue });
  const required = (path: string, value: string | undefined) => {
    if (!value?.trim()) add(path, 'required');
  };
  const date = (path: string, value: string | undefined, needed: boolean) => {
    if (!value?.trim()) {
      if (needed) add(path, 'required');
    } else if (!validDate(value)) add(path, 'invalid-date');
    else if (isFutureDate(value, asOf)) add(path, 'future-date');
  };
  const phone = (path: string, value: string | undefined, needed: boolean) => {
    if (!value?.trim()) {
      if (needed) add(path, 'required');
    } else if (!normalizePhone(value)) add(path, 'invalid-phone');
  };

  const { demographics: d, address: a, emergencyContact: e, insurance: i } = input;
  required('demographics/givenName', d.givenName);
  required('demographics/familyName', d.familyName);
  date('demographics/birthDate', d.birthDate, true);
  required('address/line1', a.line1);
  required('address/city', a.city);
  required('address/state', a.state);
  required('address/postalCode', a.postalCode);
  phone('phone', input.phone, false);
  required('emergencyContact/name', e.name);
  required('emergencyContact/relationship', e.relationship);
  phone('emergencyContact/phone', e.phone, true);
  if (i) {
    required('insurance/payer', i.payer);
    required('insurance/memberId', i.memberId);
    if (i.subscriberRelationship !== 'self' && !i.subscriberName?.trim()) {
      add('insurance/subscriberName', 'subscriber-required');
    }
    date('insurance/subscriberBirthDate', i.subscriberBirthDate, false);
  }
  if (!input.consents.treatment) add('consents/treatment', 'must-accept');
  if (!input.consents.privacyNotice) add('consents/privacyNotice', 'must-accept');
  return issues;
}

/** The issues as the one problem shape: a 400 naming each field, the first in `path`. */
export function preRegistrationProblem(
  issues: readonly PreRegistrationFieldIssue[],
): CareloopError {
  const errors: FieldError[] = issues.map((i) => ({
    path: i.path,
    message: PRE_REGISTRATION_MESSAGES[i.issue].en,
  }));
  const [first] = errors;
  const error = new CareloopError(
    'validation_failed',
    first ? first.message : 'The pre-registration is not valid',
    first?.path,
  );
  error.problem.errors = errors;
  return error;
}

/**
 * How long a pre-registration filled in from the portal's home counts for the patient's next
 * visits: a quarter, after which insurance and contacts are asked again, as front desks
 * re-verify them.
 */
export const PRE_REGISTRATION_VALID_DAYS = 90;
const DAY_MS = 24 * 60 * 60 * 1000;

export interface PreRegistrationSubmission {
  appointmentId: string | null;
  submittedAt: string;
}

export type PreRegistrationState =
  | { state: 'done'; submittedAt: string }
  | { state: 'not-started'; submittedAt: null };

/**
 * Whether a visit is pre-registered: by a submission made for it, or by one made at most
 * PRE_REGISTRATION_VALID_DAYS before it starts (from the home page, or for an earlier visit).
 * The latest such submission gives the time shown.
 */
export function preRegistrationOf(
  appointment: { id: string; start: string },
  submissions: readonly PreRegistrationSubmission[],
): PreRegistrationState {
  const start = Date.parse(appointment.start);
  let latest: string | null = null;
  for (const s of submissions) {
    const at = Date.parse(s.submittedAt);
    const counts =
      s.appointmentId === appointment.id ||
      (at <= start && start - at <= PRE_REGISTRATION_VALID_DAYS * DAY_MS);
    if (counts && (latest === null || at > Date.parse(latest))) latest = s.submittedAt;
  }
  return latest === null
    ? { state: 'not-started', submittedAt: null }
    : { state: 'done', submittedAt: latest };
}
