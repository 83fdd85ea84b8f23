import { Type } from 'typebox';
import {
  LoginBody,
  MfaCodeBody,
  MfaDisableBody,
  MfaEnrolment,
  MfaPolicyInfo,
  MfaPolicyUpdate,
  MfaRecoveryCodes,
  MfaStatus,
  SessionInfo,
  SessionProbe,
} from '../auth.js';
import { IdParams } from '../common.js';
import { route } from '../contract.js';
import { User, UserCreate, UserCreated, UserPage, UserUpdate } from '../directory.js';
import {
  PasswordResetConfirm,
  PasswordResetDone,
  PasswordResetRequest,
  PasswordResetRequested,
} from '../messaging.js';
import { StaffList, StaffQuery, UserListQuery } from '../users.js';

const self = { permission: 'session:self' } as const;
const open = { public: true } as const;
const tags = ['auth'] as const;

/** Sign-in, the session, two-factor sign-in and password reset. */
export const authRoutes = {
  login: route({
    method: 'POST',
    path: '/api/auth/login',
    policy: open,
    tags,
    summary: 'Sign in; sets the session cookie and returns the CSRF token',
    body: LoginBody,
    reply: SessionInfo,
  }),
  logout: route({
    method: 'POST',
    path: '/api/auth/logout',
    policy: self,
    tags,
    summary: 'End this session',
    reply: Type.Null(),
    status: 204,
  }),
  session: route({
    method: 'GET',
    path: '/api/auth/session',
    policy: open,
    tags,
    summary: 'Who is signed in, if anyone: 200 either way (the sign-in page asks as it loads)',
    reply: SessionProbe,
  }),
  me: route({
    method: 'GET',
    path: '/api/auth/me',
    policy: self,
    tags,
    summary: 'The signed-in user',
    reply: SessionInfo,
  }),
  mfa: route({
    method: 'GET',
    path: '/api/auth/mfa',
    policy: self,
    tags,
    summary: "Whether this account's two-factor sign-in is on, and required",
    reply: MfaStatus,
  }),
  mfaVerify: route({
    method: 'POST',
    path: '/api/auth/mfa/verify',
    policy: self,
    tags,
    summary:
      'Second step of a sign-in: an authenticator code or a recovery code; replaces the session cookie',
    body: MfaCodeBody,
    reply: SessionInfo,
  }),
  mfaEnrol: route({
    method: 'POST',
    path: '/api/auth/mfa/enrol',
    policy: self,
    tags,
    summary: 'Start two-factor enrolment: a new TOTP secret and its otpauth URI',
    reply: MfaEnrolment,
  }),
  mfaConfirm: route({
    method: 'POST',
    path: '/api/auth/mfa/confirm',
    policy: self,
    tags,
    summary:
      'Confirm enrolment with a code; returns ten recovery codes, shown once (a sign-in waiting for enrolment gets a full session)',
    body: MfaCodeBody,
    reply: MfaRecoveryCodes,
  }),
  mfaDisable: route({
    method: 'POST',
    path: '/api/auth/mfa/disable',
    policy: self,
    tags,
    summary: 'Turn two-factor sign-in off, with the password and a code',
    body: MfaDisableBody,
    reply: Type.Null(),
    status: 204,
  }),
  organizationMfa: route({
    method: 'GET',
    path: '/api/organization/mfa',
    policy: { permission: 'user:read' },
    tags,
    summary: "The organization's two-factor policy",
    reply: MfaPolicyInfo,
  }),
  setOrganizationMfa: route({
    method: 'PATCH',
    path: '/api/organization/mfa',
    policy: { permission: 'user:write' },
    tags,
    summary: 'Require two-factor sign-in of all staff, or of admins only',
    body: MfaPolicyUpdate,
    reply: MfaPolicyInfo,
  }),
  passwordReset: route({
    method: 'POST',
    path: '/api/auth/password-reset',
    policy: open,
    tags,
    summary:
      'Ask for a password reset link by email; the same 202 whether or not the address has an account',
    body: PasswordResetRequest,
    reply: PasswordResetRequested,
    status: 202,
  }),
  passwordResetConfirm: route({
    method: 'POST',
    path: '/api/auth/password-reset/confirm',
    policy: open,
    tags,
    summary:
      "Set a new password with a reset link's token (once, within 30 minutes); ends the account's sessions",
    body: PasswordResetConfirm,
    reply: PasswordResetDone,
  }),
};

/** Staff accounts: the users page and the assignable staff list. */
export const userRoutes = {
  staff: route({
    method: 'GET',
    path: '/api/staff',
    policy: { permission: 'task:write' },
    tags: ['users'],
    summary: 'Active staff a task can be assigned to (name and role only)',
    query: StaffQuery,
    reply: StaffList,
  }),
  list: route({
    method: 'GET',
    path: '/api/users',
    policy: { permission: 'user:read' },
    tags: ['users'],
    summary: "The organization's accounts, by display name; q matches name or email",
    query: UserListQuery,
    reply: UserPage,
  }),
  create: route({
    method: 'POST',
    path: '/api/users',
    policy: { permission: 'user:write' },
    tags: ['users'],
    summary: 'Create an account; without a password one is generated and returned once',
    body: UserCreate,
    reply: UserCreated,
  }),
  update: route({
    method: 'PATCH',
    path: '/api/users/:id',
    policy: { permission: 'user:write' },
    tags: ['users'],
    summary:
      'Change, disable or reset an account; role, status and password changes end its sessions',
    params: IdParams,
    body: UserUpdate,
    reply: User,
  }),
};
