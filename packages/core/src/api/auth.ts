import { type Static, Type } from 'typebox';
import { Nullable, Uuid } from './common.js';
import { RoleSchema } from './enums.js';

export const LoginBody = Type.Object({
  email: Type.String({ minLength: 3, maxLength: 254 }),
  password: Type.String({ minLength: 1, maxLength: 1024 }),
});

export const SessionUser = Type.Object({
  id: Uuid,
  email: Type.String(),
  displayName: Type.String(),
  role: RoleSchema,
  orgId: Uuid,
  orgName: Type.String(),
  patientId: Nullable(Uuid),
});

export const SessionStageSchema = Type.Union([
  Type.Literal('active'),
  Type.Literal('mfa-code'),
  Type.Literal('mfa-enrol'),
  Type.Literal('email-verify'),
]);

/**
 * The signed-in user and the CSRF token to send as `x-csrf-token` on state-changing requests.
 * `stage` other than `active`: the password was right, and a second-factor code (`mfa-code`) or
 * an enrolment (`mfa-enrol`) is due before anything else is allowed; `email-verify`: a patient
 * who signed up must open the link sent to their email first (docs/security.md).
 */
export const SessionInfo = Type.Object({
  user: SessionUser,
  csrfToken: Type.String(),
  stage: SessionStageSchema,
});

/**
 * Who is signed in, asked by a page as it loads: `session` null when nobody is (an answer, not
 * an error, so a sign-in page logs no failed request); `expired` when the cookie sent named a
 * session that timed out ("Your session expired").
 */
export const SessionProbe = Type.Object({
  session: Nullable(SessionInfo),
  expired: Type.Boolean(),
});

/** A TOTP code (6 digits) or a recovery code. */
export const MfaCodeBody = Type.Object({ code: Type.String({ minLength: 6, maxLength: 40 }) });

/** A new TOTP secret to enrol: shown once as a QR code (the URI) and as text. */
export const MfaEnrolment = Type.Object({ secret: Type.String(), otpauthUri: Type.String() });

/** Single-use recovery codes, shown once when enrolment is confirmed. */
export const MfaRecoveryCodes = Type.Object({ recoveryCodes: Type.Array(Type.String()) });

export const MfaStatus = Type.Object({
  enabled: Type.Boolean(),
  /** The organization requires a second factor of this account: it cannot be turned off. */
  required: Type.Boolean(),
  recoveryCodesLeft: Type.Integer(),
});

export const MfaDisableBody = Type.Object({
  password: Type.String({ minLength: 1, maxLength: 1024 }),
  code: Type.String({ minLength: 6, maxLength: 40 }),
});

/** An organization's second-factor policy; admins set `mfaRequired` for all staff. */
export const MfaPolicyInfo = Type.Object({
  mfaRequired: Type.Boolean(),
  mfaAdminsExempt: Type.Boolean(),
});
export const MfaPolicyUpdate = Type.Object({ mfaRequired: Type.Boolean() });

export type LoginBody = Static<typeof LoginBody>;
export type SessionUser = Static<typeof SessionUser>;
export type SessionInfo = Static<typeof SessionInfo>;
export type SessionProbe = Static<typeof SessionProbe>;
export type MfaCodeBody = Static<typeof MfaCodeBody>;
export type MfaEnrolment = Static<typeof MfaEnrolment>;
export type MfaRecoveryCodes = Static<typeof MfaRecoveryCodes>;
export type MfaStatus = Static<typeof MfaStatus>;
export type MfaDisableBody = Static<typeof MfaDisableBody>;
export type MfaPolicyInfo = Static<typeof MfaPolicyInfo>;
export type MfaPolicyUpdate = Static<typeof MfaPolicyUpdate>;
