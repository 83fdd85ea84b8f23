import { type Static, Type } from 'typebox';
import { Instant, ListQuery, Nullable, Uuid } from '../api/common.js';

/**
 * Patient lists (issue 11, h11l): lists of patients chosen by hand, kept by staff and by
 * journeys; entering one is the `list.entered` event a journey may start on (docs/adr/0040).
 */

/** A list's stable name for journeys: lower case, digits and dashes. */
export const LIST_KEY_PATTERN = '^[a-z][a-z0-9-]{0,63}$';

export const PatientListItem = Type.Object({
  id: Uuid,
  name: Type.String(),
  key: Nullable(Type.String()),
  source: Type.String(),
  size: Type.Integer(),
  createdAt: Instant,
  /** Who made it by hand or from the journey map (their display name); null for a journey's. */
  createdBy: Nullable(Type.String()),
});

/** A list made by hand in the console: a name, no members yet. */
export const PatientListNew = Type.Object(
  { name: Type.String({ minLength: 1, maxLength: 120, pattern: '\\S' }) },
  { additionalProperties: false },
);

export const PatientListMember = Type.Object({
  patientId: Uuid,
  givenName: Type.String(),
  familyName: Type.String(),
  /** A restricted patient the caller may not open: shown by name only. */
  restricted: Type.Boolean(),
  addedAt: Instant,
  /**
   * Issue 11 (h11l): who added them: `staff`, `journey:<key>` or the list's own source (a
   * journey-map save); null for members added before it was recorded.
   */
  source: Nullable(Type.String()),
  /** The staff member who added them (display name), when one did. */
  addedBy: Nullable(Type.String()),
});

export const PatientListMembersQuery = Type.Object(ListQuery, { additionalProperties: false });

export const PatientListMembers = Type.Object({
  list: PatientListItem,
  /** The newest members first, a page of them: pass `nextCursor` back as `cursor`. */
  items: Type.Array(PatientListMember),
  nextCursor: Nullable(Type.String()),
});

export const PatientListMemberAdd = Type.Object(
  { patientId: Uuid },
  { additionalProperties: false },
);

export const PatientListMemberParams = Type.Object({ id: Uuid, patientId: Uuid });

/** Whether the call changed the list (adding a member already there changes nothing). */
export const PatientListChange = Type.Object({ changed: Type.Boolean() });

export type PatientListItem = Static<typeof PatientListItem>;
export type PatientListMember = Static<typeof PatientListMember>;
export type PatientListMembers = Static<typeof PatientListMembers>;
export type PatientListMembersQuery = Static<typeof PatientListMembersQuery>;
export type PatientListNew = Static<typeof PatientListNew>;
export type PatientListMemberAdd = Static<typeof PatientListMemberAdd>;
export type PatientListChange = Static<typeof PatientListChange>;
