/** The roles a Careloop user can hold. A user has exactly one role in one organization. */
export const ROLES = [
  'admin',
  'front-desk',
  'care-coordinator',
  'clinician',
  'marketer',
  'analyst',
  'patient',
] as const;

export type Role = (typeof ROLES)[number];

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

/** Staff roles: everyone who works in the console rather than the portal. */
export const STAFF_ROLES: readonly Role[] = ROLES.filter((r) => r !== 'patient');
