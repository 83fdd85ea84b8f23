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

/** The signed-in user and the CSRF token to send as `x-csrf-token` on state-changing requests. */
export const SessionInfo = Type.Object({ user: SessionUser, csrfToken: Type.String() });

export type LoginBody = Static<typeof LoginBody>;
export type SessionUser = Static<typeof SessionUser>;
export type SessionInfo = Static<typeof SessionInfo>;
