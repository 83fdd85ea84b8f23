import type { Role } from './roles.js';

/** An organization's second-factor policy (TOTP). */
export interface MfaPolicy {
  /** Every staff account needs a second factor. */
  mfaRequired: boolean;
  /** Admins need none unless `mfaRequired` (seeded demo organizations only). */
  mfaAdminsExempt: boolean;
}

/**
 * Whether an account must sign in with a second factor: admins always, unless their
 * organization exempts them; other staff when the organization requires it for all; patients
 * never (the portal has no enrolment).
 */
export function mfaRequiredFor(role: Role, policy: MfaPolicy): boolean {
  if (role === 'patient') return false;
  if (policy.mfaRequired) return true;
  return role === 'admin' && !policy.mfaAdminsExempt;
}

/**
 * How far a sign-in has come: `active` is signed in; `mfa-code` has passed the password and
 * owes a code; `mfa-enrol` must enrol a second factor before anything else; `email-verify` is
 * a patient who signed up in the portal and has not yet opened the link sent to their email.
 */
export const SESSION_STAGES = ['active', 'mfa-code', 'mfa-enrol', 'email-verify'] as const;
export type SessionStage = (typeof SESSION_STAGES)[number];

export function isSessionStage(value: string): value is SessionStage {
  return (SESSION_STAGES as readonly string[]).includes(value);
}
