import { can } from '../auth/permissions.js';
import type { Role } from '../auth/roles.js';
import { CareloopError } from '../errors/problem.js';

/**
 * Why a patient's record is restricted. Confidential (a patient's request, a sensitive
 * condition), a VIP (a public figure), or one of the organization's own employees.
 */
export const RESTRICTION_KINDS = ['confidential', 'vip', 'employee'] as const;
export type RestrictionKind = (typeof RESTRICTION_KINDS)[number];

/** What the database knows about one user and one patient, at one instant. */
export interface PatientAccessFacts {
  role: Role;
  /** The patient's active restriction, or null for an ordinary record. */
  restriction: RestrictionKind | null;
  /** The user is on the patient's care team. */
  onCareTeam: boolean;
  /** The latest expiry of the user's break-glass grants for the patient, if any. */
  grantExpiresAt: Date | null;
  /** The request's instant. */
  asOf: Date;
}

/**
 * May this user see this patient's detail? An unrestricted record is open to every role that
 * reaches the reader (the route's permission still applies). A restricted one is open to its
 * care team and to a user holding an unexpired break-glass grant; anyone else gets the record
 * as "restricted", and may break the glass only with clinical access.
 */
export type DetailAccess =
  | { kind: 'open' }
  | { kind: 'care-team' }
  | { kind: 'break-glass'; expiresAt: Date }
  | { kind: 'restricted'; mayBreakGlass: boolean };

export function detailAccess(facts: PatientAccessFacts): DetailAccess {
  if (facts.restriction === null) return { kind: 'open' };
  if (facts.role === 'patient') return { kind: 'restricted', mayBreakGlass: false };
  if (facts.onCareTeam) return { kind: 'care-team' };
  if (facts.grantExpiresAt && facts.grantExpiresAt.getTime() > facts.asOf.getTime()) {
    return { kind: 'break-glass', expiresAt: facts.grantExpiresAt };
  }
  return { kind: 'restricted', mayBreakGlass: mayBreakGlass(facts.role) };
}

export const mayOpen = (access: DetailAccess): boolean => access.kind !== 'restricted';

/**
 * Breaking the glass is for clinical emergencies: only roles with clinical access may. Front
 * desk, marketing and analytics never read clinical detail, so they have no emergency that
 * needs it; the front desk still sees a restricted patient's name in lists to schedule them.
 */
export function mayBreakGlass(role: Role): boolean {
  return role !== 'patient' && can(role, 'clinical:read');
}

export const BREAK_GLASS_REASON_MIN = 15;
export const BREAK_GLASS_REASON_MAX = 500;

/** The stated reason, trimmed; a 400 naming the field when it is too short to mean anything. */
export function breakGlassReason(reason: string): string {
  const trimmed = reason.trim().replace(/\s+/g, ' ');
  if (trimmed.length < BREAK_GLASS_REASON_MIN) {
    throw new CareloopError(
      'validation_failed',
      `State why you need this record (at least ${BREAK_GLASS_REASON_MIN} characters)`,
      '/body/reason',
    );
  }
  if (trimmed.length > BREAK_GLASS_REASON_MAX) {
    throw new CareloopError(
      'validation_failed',
      `Keep the reason under ${BREAK_GLASS_REASON_MAX} characters`,
      '/body/reason',
    );
  }
  return trimmed;
}

/** When a grant made at `grantedAt` ends. */
export function grantExpiry(grantedAt: Date, minutes: number): Date {
  return new Date(grantedAt.getTime() + minutes * 60_000);
}

/** The 403 a reader answers for a restricted record the user may not open. */
export function restrictedRecord(mayBreak: boolean): CareloopError {
  return new CareloopError(
    'restricted',
    mayBreak
      ? 'This record is restricted: state a reason to open it (break the glass)'
      : 'This record is restricted to its care team',
  );
}
