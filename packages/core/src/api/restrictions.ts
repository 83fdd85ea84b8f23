import { type Static, Type } from 'typebox';
import { BREAK_GLASS_REASON_MAX, RESTRICTION_KINDS } from '../restriction/access.js';
import { Instant, ListQuery, Nullable, Page, Uuid } from './common.js';
import { RoleSchema } from './enums.js';

export const RestrictionKindSchema = Type.Unsafe<(typeof RESTRICTION_KINDS)[number]>({
  type: 'string',
  enum: [...RESTRICTION_KINDS],
});

export const DETAIL_ACCESS_KINDS = ['open', 'care-team', 'break-glass', 'restricted'] as const;

/**
 * `GET /api/patients/:id/access`: what the caller may do with a patient's record, with the
 * name only (what a restricted row in a list shows). The kind of restriction is told only to
 * those who may open the record or manage restrictions: "employee" or "VIP" is itself detail.
 */
export const PatientAccess = Type.Object({
  patientId: Uuid,
  givenName: Type.String(),
  familyName: Type.String(),
  restricted: Type.Boolean(),
  kind: Nullable(RestrictionKindSchema),
  access: Type.Unsafe<(typeof DETAIL_ACCESS_KINDS)[number]>({
    type: 'string',
    enum: [...DETAIL_ACCESS_KINDS],
  }),
  mayBreakGlass: Type.Boolean(),
  /** Set while the caller holds a break-glass grant for this patient. */
  grantExpiresAt: Nullable(Instant),
  /** The caller may mark or clear the restriction and manage the care team (admins). */
  mayManage: Type.Boolean(),
});

export const BreakGlassRequest = Type.Object({
  reason: Type.String({
    maxLength: BREAK_GLASS_REASON_MAX * 4,
    description:
      'Why you need this record now; kept in the audit log and shown to privacy officers',
  }),
});

export const BreakGlassGrant = Type.Object({
  id: Uuid,
  patientId: Uuid,
  userId: Uuid,
  reason: Type.String(),
  grantedAt: Instant,
  expiresAt: Instant,
});

export const RestrictionUpdate = Type.Object({
  kind: Nullable(RestrictionKindSchema),
});

export const CareTeamAccessMember = Type.Object({
  userId: Uuid,
  displayName: Type.String(),
  role: RoleSchema,
  addedAt: Instant,
});
export const CareTeamAccess = Type.Object({ items: Type.Array(CareTeamAccessMember) });
export const CareTeamAdd = Type.Object({ userId: Uuid });
export const CareTeamMemberParams = Type.Object({ id: Uuid, userId: Uuid });

export const BreakGlassReportQuery = Type.Object({
  userId: Type.Optional(Uuid),
  patientId: Type.Optional(Uuid),
  ...ListQuery,
});
export const BreakGlassReportRow = Type.Object({
  id: Uuid,
  userId: Uuid,
  userName: Type.String(),
  userRole: Type.String(),
  patientId: Uuid,
  patientName: Type.String(),
  reason: Type.String(),
  grantedAt: Instant,
  expiresAt: Instant,
});
export const BreakGlassReport = Page(BreakGlassReportRow);

export type PatientAccess = Static<typeof PatientAccess>;
export type BreakGlassRequest = Static<typeof BreakGlassRequest>;
export type BreakGlassGrant = Static<typeof BreakGlassGrant>;
export type RestrictionUpdate = Static<typeof RestrictionUpdate>;
export type CareTeamAccessMember = Static<typeof CareTeamAccessMember>;
export type CareTeamAccess = Static<typeof CareTeamAccess>;
export type BreakGlassReportQuery = Static<typeof BreakGlassReportQuery>;
export type BreakGlassReportRow = Static<typeof BreakGlassReportRow>;
export type BreakGlassReport = Static<typeof BreakGlassReport>;
