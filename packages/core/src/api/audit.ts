import { type Static, Type } from 'typebox';
import { Instant, ListQuery, Nullable, Page, Uuid } from './common.js';

export const AUDIT_ACTIONS = [
  'read',
  'search',
  'create',
  'update',
  'delete',
  'login',
  'logout',
  'login-failed',
  'export',
  'merge',
  'unmerge',
  /** The password was right; a second factor (code or enrolment) is due. */
  'login-password',
  /** A portal sign-up gave the email of an existing account (staff tell its owner). */
  'signup-existing-email',
  'mfa-enrol',
  'mfa-disable',
  'mfa-code-failed',
  'mfa-recovery-code-used',
  'mfa-policy-change',
  /** A restricted record opened by someone outside its care team, with a stated reason. */
  'break-glass',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];
export const AUDIT_OUTCOMES = ['success', 'denied', 'failed'] as const;
export type AuditOutcome = (typeof AUDIT_OUTCOMES)[number];

export const AuditEvent = Type.Object({
  id: Type.String({ description: 'Sequence number in the organization chain' }),
  occurredAt: Instant,
  actorId: Nullable(Uuid),
  actorEmail: Nullable(Type.String()),
  actorRole: Nullable(Type.String()),
  action: Type.String(),
  patientId: Nullable(Uuid),
  /** The patient's name, resolved for the page; null when unknown or restricted to the reader. */
  patientName: Type.Optional(Nullable(Type.String())),
  /** The patient is restricted and the reader is not on its care team: no name is shown. */
  patientRestricted: Type.Optional(Type.Boolean()),
  recordType: Type.String(),
  recordId: Nullable(Type.String()),
  ip: Nullable(Type.String()),
  userAgent: Nullable(Type.String()),
  outcome: Type.String(),
  reason: Nullable(Type.String()),
});
const AuditFilterFields = {
  actorId: Type.Optional(Uuid),
  patientId: Type.Optional(Uuid),
  action: Type.Optional(Type.Unsafe<AuditAction>({ type: 'string', enum: [...AUDIT_ACTIONS] })),
  recordType: Type.Optional(Type.String({ maxLength: 50 })),
  outcome: Type.Optional(Type.Unsafe<AuditOutcome>({ type: 'string', enum: [...AUDIT_OUTCOMES] })),
  from: Type.Optional(Instant),
  to: Type.Optional(Instant),
};
export const AuditListQuery = Type.Object({ ...AuditFilterFields, ...ListQuery });
/** The CSV export takes the page's filters; it is refused above `MAX_AUDIT_EXPORT_ROWS`. */
export const AuditExportQuery = Type.Object(AuditFilterFields);
export const MAX_AUDIT_EXPORT_ROWS = 100_000;

/** The result of `careloop audit verify` for the caller's organization. */
export const AuditVerifyResult = Type.Object({
  ok: Type.Boolean(),
  checked: Type.Integer(),
  breaks: Type.Array(
    Type.Object({
      seq: Type.Integer(),
      problem: Type.String(),
      detail: Nullable(Type.String()),
    }),
  ),
  checkpoint: Type.Object({
    exists: Type.Boolean(),
    lines: Type.Integer(),
    latestAt: Nullable(Type.String()),
    findings: Type.Integer(),
  }),
});
export const AuditPage = Page(AuditEvent);

export type AuditEvent = Static<typeof AuditEvent>;
export type AuditListQuery = Static<typeof AuditListQuery>;
export type AuditExportQuery = Static<typeof AuditExportQuery>;
export type AuditVerifyResult = Static<typeof AuditVerifyResult>;
