import { type Static, Type } from 'typebox';
import { Instant, ListQuery, Nullable, Page, Uuid } from './common.js';

/** One message the built-in local mailbox received (no SMTP server configured). */
export const MailboxMessage = Type.Object({
  id: Uuid,
  to: Type.String(),
  subject: Type.String(),
  text: Type.String(),
  html: Nullable(Type.String()),
  purpose: Type.Union([
    Type.Literal('treatment'),
    Type.Literal('operations'),
    Type.Literal('marketing'),
    Type.Literal('account'),
  ]),
  status: Type.String(),
  patientId: Nullable(Uuid),
  userId: Nullable(Uuid),
  messageId: Nullable(Type.String()),
  createdAt: Instant,
  sentAt: Nullable(Instant),
});
export type MailboxMessage = Static<typeof MailboxMessage>;

export const MailboxQuery = Type.Object({
  ...ListQuery,
  /** Only messages to this address (case-insensitive). */
  to: Type.Optional(Type.String({ minLength: 1, maxLength: 254 })),
});
export type MailboxQuery = Static<typeof MailboxQuery>;

export const MailboxPage = Page(MailboxMessage);
export type MailboxPage = Static<typeof MailboxPage>;

/** "Forgot password?": the address of the account. */
export const PasswordResetRequest = Type.Object({
  email: Type.String({ minLength: 3, maxLength: 254 }),
});
export type PasswordResetRequest = Static<typeof PasswordResetRequest>;

/** The same answer whether or not the address has an account. */
export const PasswordResetRequested = Type.Object({ message: Type.String() });
export type PasswordResetRequested = Static<typeof PasswordResetRequested>;

/** A new password, set with the token of a reset link. */
export const PasswordResetConfirm = Type.Object({
  token: Type.String({ minLength: 1, maxLength: 200 }),
  password: Type.String({ minLength: 12, maxLength: 1024 }),
});
export type PasswordResetConfirm = Static<typeof PasswordResetConfirm>;

export const PasswordResetDone = Type.Object({ message: Type.String() });
export type PasswordResetDone = Static<typeof PasswordResetDone>;
