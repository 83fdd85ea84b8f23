import {
  badRequest,
  normalizeEmail,
  PASSWORD_RESET_MINUTES,
  type PasswordResetConfirm,
  type PasswordResetDone,
  type PasswordResetRequest,
  type PasswordResetRequested,
} from '@careloop/core';
import { eq } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { appendAudit } from '../audit/service.js';
import type { OutboxService } from '../messaging/outbox.js';
import { patients } from '../patients/schema.js';
import { accountEmail, PASSWORD_RESET_TEMPLATE } from '../templates/account-emails.js';
import { OneTimeTokens } from './one-time-token.js';
import { assertStrongPassword } from './passwords.js';
import { passwordResetTokens } from './reset-schema.js';
import { users } from './schema.js';
import type { AuthService } from './service.js';

/** The one answer to every reset request, whether or not the address has an account. */
export const RESET_REQUESTED: PasswordResetRequested = {
  message:
    'If an account uses this address, we sent it a link to set a new password. The link works once, for 30 minutes.',
};

const RESET_DONE: PasswordResetDone = {
  message: 'Your password is set. Sign in with it.',
};

const LINKS = new OneTimeTokens(passwordResetTokens, {
  purpose: 'careloop-password-reset',
  lifetimeMs: PASSWORD_RESET_MINUTES * 60_000,
  malformed: 'This password reset link is not valid',
  unusable: 'This password reset link is not valid, was used or has expired',
});

interface From {
  ip: string;
  userAgent: string | null;
}

/**
 * Password reset by a one-time link, for staff and patients alike. A request answers the same
 * whether or not the address has an account, and is counted per address and per email before
 * any work (docs/adr/0007). The link carries a random token of which only a hash is stored; it
 * works once, for 30 minutes, and using it ends the account's other sessions and links.
 */
export class PasswordResetService {
  constructor(
    private readonly database: Database,
    private readonly auth: AuthService,
    private readonly outbox: OutboxService,
    /** Where users reach Careloop (CARELOOP_PUBLIC_URL): never the request's Host header. */
    private readonly publicUrl: string,
  ) {}

  async request(input: PasswordResetRequest, from: From): Promise<PasswordResetRequested> {
    const email = normalizeEmail(input.email);
    if (!email) throw badRequest(`"${input.email}" is not a valid email address`, '/body/email');
    await this.auth.limiter.admitPasswordReset(email, from.ip);
    const account = await this.auth.findAccount(email);
    if (!account) return RESET_REQUESTED;
    const now = this.auth.now();
    await this.database.withTenant(account.orgId, async (tx) => {
      const [user] = await tx
        .select({
          displayName: users.displayName,
          role: users.role,
          disabledAt: users.disabledAt,
          // A patient's email in their language; staff have none recorded (English).
          language: patients.preferredLanguage,
        })
        .from(users)
        .leftJoin(patients, eq(patients.id, users.patientId))
        .where(eq(users.id, account.userId));
      if (!user) return;
      const audit = (outcome: 'success' | 'denied', reason: string) =>
        appendAudit(tx, [
          {
            orgId: account.orgId,
            occurredAt: now,
            actorId: account.userId,
            actorEmail: email,
            actorRole: user.role,
            action: 'password-reset-requested',
            patientId: null,
            recordType: 'user',
            recordId: account.userId,
            ip: from.ip,
            userAgent: from.userAgent,
            outcome,
            reason,
          },
        ]);
      // A disabled account gets no link: a new password would not let it sign in anyway.
      if (user.disabledAt) return audit('denied', 'account disabled');
      const { id, token } = await LINKS.issue(tx, account, now);
      const path = user.role === 'patient' ? '/portal/reset-password' : '/reset-password';
      const link = `${this.publicUrl}${path}?token=${encodeURIComponent(token)}`;
      await this.outbox.queueEmail(tx, {
        orgId: account.orgId,
        userId: account.userId,
        purpose: 'account',
        to: email,
        ...(await accountEmail(tx, {
          orgId: account.orgId,
          key: PASSWORD_RESET_TEMPLATE,
          language: user.language?.toLowerCase().startsWith('es') ? 'es' : 'en',
          name: user.displayName,
          link,
          now,
        })),
        idempotencyKey: `password-reset:${id}`,
      });
      await audit('success', 'reset link sent by email');
    });
    return RESET_REQUESTED;
  }

  async confirm(input: PasswordResetConfirm, from: From): Promise<PasswordResetDone> {
    await this.auth.limiter.admitPasswordResetConfirm(from.ip);
    const { orgId, token } = LINKS.parse(input.token);
    const found = await this.database.withTenant(orgId, async (tx) => {
      const link = await LINKS.find(tx, token, this.auth.now());
      const [user] = await tx
        .select({
          id: users.id,
          email: users.email,
          displayName: users.displayName,
          role: users.role,
        })
        .from(users)
        .where(eq(users.id, link.userId));
      return user && { ...user, link };
    });
    if (!found) throw LINKS.unusable();
    assertStrongPassword(input.password, '/body/password', [
      found.email,
      ...found.displayName.split(/\s+/),
    ]);
    const passwordHash = await this.auth.hashPassword(input.password);
    const now = this.auth.now();
    await this.database.withTenant(orgId, async (tx) => {
      // Single use, also against a second request with the same link at the same moment; the
      // account's other links end with it.
      await LINKS.redeem(tx, found.link, now);
      await tx.update(users).set({ passwordHash }).where(eq(users.id, found.id));
      await this.auth.revokeUserSessions(tx, found.id);
      await appendAudit(tx, [
        {
          orgId,
          occurredAt: now,
          actorId: found.id,
          actorEmail: found.email,
          actorRole: found.role,
          action: 'password-reset',
          patientId: null,
          recordType: 'user',
          recordId: found.id,
          ip: from.ip,
          userAgent: from.userAgent,
          outcome: 'success',
          reason: 'new password set with a reset link; other sessions ended',
        },
      ]);
    });
    return RESET_DONE;
  }
}
