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
  recordType: Type.String(),
  recordId: Nullable(Type.String()),
  ip: Nullable(Type.String()),
  userAgent: Nullable(Type.String()),
  outcome: Type.String(),
  reason: Nullable(Type.String()),
});
export const AuditListQuery = Type.Object({
  actorId: Type.Optional(Uuid),
  patientId: Type.Optional(Uuid),
  action: Type.Optional(Type.Unsafe<AuditAction>({ type: 'string', enum: [...AUDIT_ACTIONS] })),
  recordType: Type.Optional(Type.String({ maxLength: 50 })),
  outcome: Type.Optional(Type.Unsafe<AuditOutcome>({ type: 'string', enum: [...AUDIT_OUTCOMES] })),
  from: Type.Optional(Instant),
  to: Type.Optional(Instant),
  ...ListQuery,
});
export const AuditPage = Page(AuditEvent);

export type AuditEvent = Static<typeof AuditEvent>;
export type AuditListQuery = Static<typeof AuditListQuery>;
