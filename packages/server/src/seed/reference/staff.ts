import type { Role } from '@careloop/core';
import type { ClinicianKind } from './clinical.js';

export interface ClinicianProfile {
  givenName: string;
  familyName: string;
  prefix: string | null;
  /** Letters after the name, for those without a prefix. */
  credential: string | null;
  specialty: string;
  kind: ClinicianKind;
  /** Index into CLINICS. */
  clinic: number;
}

const md = (
  givenName: string,
  familyName: string,
  specialty: string,
  kind: ClinicianKind,
  clinic: number,
): ClinicianProfile => ({
  givenName,
  familyName,
  prefix: 'Dr.',
  credential: null,
  specialty,
  kind,
  clinic,
});
const CREDENTIALS: Partial<Record<ClinicianKind, string>> = {
  'nurse-practitioner': 'NP',
  'physical-therapy': 'DPT',
  'diabetes-education': 'RD, CDCES',
};
const other = (
  givenName: string,
  familyName: string,
  specialty: string,
  kind: ClinicianKind,
  clinic: number,
): ClinicianProfile => ({
  givenName,
  familyName,
  prefix: null,
  credential: CREDENTIALS[kind] ?? null,
  specialty,
  kind,
  clinic,
});

/** Demo Health's 25 clinicians. Every clinic offers every service line. */
export const CLINICIANS: readonly ClinicianProfile[] = [
  md('Maya', 'Chen', 'Family Medicine', 'primary-care', 0),
  md('Robert', 'Sullivan', 'Internal Medicine', 'primary-care', 0),
  md('Aisha', 'Okafor', 'Family Medicine', 'primary-care', 0),
  md('David', 'Goldberg', 'Internal Medicine', 'primary-care', 0),
  other('Emily', 'Walsh', 'Family Nurse Practitioner', 'nurse-practitioner', 0),
  md('Rajesh', 'Patel', 'Cardiology', 'cardiology', 0),
  md('Laura', 'Kim', 'Endocrinology', 'endocrinology', 0),
  md('Susan', 'Murphy', 'Diagnostic Radiology', 'radiology', 0),
  other('Kevin', "O'Neill", 'Physical Therapy', 'physical-therapy', 0),
  other('Maria', 'Santos', 'Diabetes Education', 'diabetes-education', 0),
  md('Michael', 'Kowalski', 'Family Medicine', 'primary-care', 1),
  md('Jennifer', 'Washington', 'Internal Medicine', 'primary-care', 1),
  md('Carlos', 'Mendoza', 'Family Medicine', 'primary-care', 1),
  other('Angela', 'Russo', 'Family Nurse Practitioner', 'nurse-practitioner', 1),
  md('James', 'Whitaker', 'Cardiology', 'cardiology', 1),
  md('Hannah', 'Berg', 'Diagnostic Radiology', 'radiology', 1),
  other('Marcus', 'Johnson', 'Physical Therapy', 'physical-therapy', 1),
  other('Grace', 'Lopez', 'Diabetes Education', 'diabetes-education', 1),
  md('Sofia', 'Ramirez', 'Family Medicine', 'primary-care', 2),
  md('Daniel', 'Yazzie', 'Internal Medicine', 'primary-care', 2),
  other('Tyler', 'Morgan', 'Family Nurse Practitioner', 'nurse-practitioner', 2),
  md('Hassan', 'Farouk', 'Cardiology', 'cardiology', 2),
  md('Megan', 'Brooks', 'Diagnostic Radiology', 'radiology', 2),
  other('Lisa', 'Tran', 'Physical Therapy', 'physical-therapy', 2),
  other('Jordan', 'Ellis', 'Diabetes Education', 'diabetes-education', 2),
];

export const DEMO_ORGANIZATION = 'Demo Health';
export const DEMO_PASSWORD = 'careloop-demo';

export interface DemoLogin {
  email: string;
  role: Role;
  displayName: string;
}

/** The demo's sign-ins, one per role; the clinician is Dr. Maya Chen, the patient is patient 0. */
export const DEMO_LOGINS: readonly DemoLogin[] = [
  { email: 'admin@demo.careloop.test', role: 'admin', displayName: 'Alex Morgan' },
  { email: 'frontdesk@demo.careloop.test', role: 'front-desk', displayName: 'Jordan Lee' },
  {
    email: 'coordinator@demo.careloop.test',
    role: 'care-coordinator',
    displayName: 'Priya Shah, RN',
  },
  { email: 'clinician@demo.careloop.test', role: 'clinician', displayName: 'Dr. Maya Chen' },
  { email: 'marketer@demo.careloop.test', role: 'marketer', displayName: 'Sam Rivera' },
  { email: 'analyst@demo.careloop.test', role: 'analyst', displayName: 'Taylor Brooks' },
  { email: 'patient@demo.careloop.test', role: 'patient', displayName: 'Demo Patient' },
];
