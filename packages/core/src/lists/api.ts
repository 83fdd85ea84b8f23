import { type Static, Type } from 'typebox';
import { Instant, Nullable, Uuid } from '../api/common.js';

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
});

export const PatientListMember = Type.Object({
  patientId: Uuid,
  givenName: Type.String(),
  familyName: Type.String(),
  /** A restricted patient the caller may not open: shown by name only. */
  restricted: Type.Boolean(),
  addedAt: Instant,
});

export const PatientListMembers = Type.Object({
  list: PatientListItem,
  /** The newest members first, at most `PATIENT_LIST_PAGE` of them. */
  items: Type.Array(PatientListMember),
  truncated: Type.Boolean(),
});

export const PatientListMemberAdd = Type.Object(
  { patientId: Uuid },
  { additionalProperties: false },
);

export const PatientListMemberParams = Type.Object({ id: Uuid, patientId: Uuid });

/** Whether the call changed the list (adding a member already there changes nothing). */
export const PatientListChange = Type.Object({ changed: Type.Boolean() });

/** The members one read shows at most. */
export const PATIENT_LIST_PAGE = 500;

export type PatientListItem = Static<typeof PatientListItem>;
export type PatientListMember = Static<typeof PatientListMember>;
export type PatientListMembers = Static<typeof PatientListMembers>;
export type PatientListMemberAdd = Static<typeof PatientListMemberAdd>;
export type PatientListChange = Static<typeof PatientListChange>;
