import {
  CareloopError,
  conflict,
  EMAIL_VERIFICATION_HOURS,
  type EmailVerificationAnswer,
  type EmailVerificationConfirm,
} from '@careloop/core';
import { and, eq, isNull } from 'drizzle-orm';
import type { Database, Db } from '../../db/client.js';
import type { Actor } from '../../http/context.js';
import { appendAudit } from '../audit/service.js';
import type { OutboxService } from '../messaging/outbox.js';
import { patients } from '../patients/schema.js';
import { accountEmail, EMAIL_VERIFICATION_TEMPLATE } from '../templates/account-emails.js';
import { OneTimeTokens } from './one-time-token.js';
import { users } from './schema.js';
import type { AuthService } from './service.js';
import { emailVerificationTokens } from './verification-schema.js';

export type VerificationLanguage = 'en' | 'es';

const VERIFIED: EmailVerificationAnswer = {
  message: 'Your email is verified. Sign in to book visits and message your care team.',
};

const RESENT: EmailVerificationAnswer = {
  message: 'We sent a new link to your email. It works once, for 24 hours.',
};

const LINKS = new OneTimeTokens(emailVerificationTokens, {
  purpose: 'careloop-email-verification',
  lifetimeMs: EMAIL_VERIFICATION_HOURS * 3_600_000,
  malformed: 'This verification link is not valid',
  unusable: 'This verification link is not valid, was used or has expired',
});

interface From {
  ip: string;
  userAgent: string | null;
}

/** The account a link is for, as the email addresses it. */
export interface VerificationRecipient {
  orgId: string;
  userId: string;
  email: string;
  displayName: string;
  language: VerificationLanguage;
}

/**
 * Email verification of portal sign-ups by a one-time link (issue 13). Until the link is
 * opened the patient signs in only to a "check your email" step (session stage
 * `email-verify`), from which they can ask for the email again. The link carries a random
 * token of which only a hash is stored; it works once, for a day; opening it verifies the
 * address, ends the account's other links and its half-done sessions, and the patient signs in.
 */
export class EmailVerificationService {
  constructor(
    private readonly database: Database,
    private readonly auth: AuthService,
    private readonly outbox: OutboxService,
    /** Where patients reach Careloop (CARELOOP_PUBLIC_URL): never the request's Host header. */
    private readonly publicUrl: string,
  ) {}

  /** A new link for `to`, emailed through the outbox in the caller's transaction. */
  async issue(tx: Db, to: VerificationRecipient): Promise<void> {
    const now = this.auth.now();
    const { id, token } = await LINKS.issue(tx, to, now);
    const link = `${this.publicUrl}/portal/verify-email?token=${encodeURIComponent(token)}`;
    await this.outbox.queueEmail(tx, {
      orgId: to.orgId,
      userId: to.userId,
      purpose: 'account',
      to: to.email,
      ...(await accountEmail(tx, {
        orgId: to.orgId,
        key: EMAIL_VERIFICATION_TEMPLATE,
        language: to.language,
        name: to.displayName,
        link,
        now,
      })),
      idempotencyKey: `email-verification:${id}`,
    });
  }

  /** Opens a link: the address is verified, and the patient signs in again to a full session. */
  async confirm(input: EmailVerificationConfirm, from: From): Promise<EmailVerificationAnswer> {
    await this.auth.limiter.admitVerificationConfirm(from.ip);
    const { orgId, token } = LINKS.parse(input.token);
    const now = this.auth.now();
    await this.database.withTenant(orgId, async (tx) => {
      const link = await LINKS.find(tx, token, now);
      // Single use, also against a second request with the same link at the same moment.
      await LINKS.redeem(tx, link, now);
      const [found] = await tx
        .select({ userId: users.id, email: users.email, patientId: users.patientId })
        .from(users)
        .where(eq(users.id, link.userId));
      if (!found) throw LINKS.unusable();
      await tx
        .update(users)
        .set({ emailVerifiedAt: now })
        .where(and(eq(users.id, found.userId), isNull(users.emailVerifiedAt)));
      // The "check your email" sessions end: signing in again opens the portal.
      await this.auth.revokeUserSessions(tx, found.userId);
      await appendAudit(tx, [
        {
          orgId,
          occurredAt: now,
          actorId: found.userId,
          actorEmail: found.email,
          actorRole: 'patient',
          action: 'email-verified',
          patientId: found.patientId,
          recordType: 'user',
          recordId: found.userId,
          ip: from.ip,
          userAgent: from.userAgent,
          outcome: 'success',
          reason: 'email verified with the link sent at sign-up',
        },
      ]);
    });
    return VERIFIED;
  }

  /**
   * Sends the signed-in patient a new link. Counted per account before any work; an account
   * already verified is told so (409) and gets no email.
   */
  async resend(actor: Actor): Promise<EmailVerificationAnswer> {
    await this.auth.limiter.admitVerificationResend(actor.userId);
    await this.database.withTenant(actor.orgId, async (tx) => {
      const [user] = await tx
        .select({
          email: users.email,
          displayName: users.displayName,
          verifiedAt: users.emailVerifiedAt,
          language: patients.preferredLanguage,
        })
        .from(users)
        .leftJoin(patients, eq(patients.id, users.patientId))
        .where(eq(users.id, actor.userId));
      if (!user || actor.role !== 'patient') {
        throw new CareloopError('forbidden', 'Only a patient account verifies its email here');
      }
      if (user.verifiedAt !== null) throw conflict('Your email is already verified');
      await this.issue(tx, {
        orgId: actor.orgId,
        userId: actor.userId,
        email: user.email,
        displayName: user.displayName,
        language: user.language?.toLowerCase().startsWith('es') ? 'es' : 'en',
      });
    });
    return RESENT;
  }
}
