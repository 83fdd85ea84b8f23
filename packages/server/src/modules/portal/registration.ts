import {
  badRequest,
  CareloopError,
  isFutureDate,
  normalizeEmail,
  normalizePhone,
  notFound,
  type PortalRegistration,
  type PortalRegistrationReceived,
  searchColumns,
} from '@careloop/core';
import { eq } from 'drizzle-orm';
import type { Database, Db } from '../../db/client.js';
import { violatedUniqueConstraint } from '../../db/errors.js';
import { appendAudit } from '../audit/service.js';
import type { AuthService } from '../auth/service.js';
import { assertStrongPassword } from '../auth/service.js';
import { organizations } from '../directory/schema.js';
import type { OutboxService } from '../messaging/outbox.js';
import { matchPerson, type SourcePerson } from '../mpi/match.js';
import { PORTAL_SOURCE } from '../mpi/sources.js';
import { addContactPoints, createGoldenRecord } from '../patients/golden-record.js';
import { appendTouchpoints } from '../timeline/service.js';

/** Emails a new account its verification link (the auth module's EmailVerificationService). */
export type SendVerification = (
  tx: Db,
  to: { orgId: string; userId: string; email: string; displayName: string; language: 'en' | 'es' },
) => Promise<void>;

/** The one answer to an accepted sign-up, new email or not (no account enumeration). */
export const SIGN_UP_RECEIVED: PortalRegistrationReceived = {
  message:
    'Thank you. We sent a link to your email: open it to confirm your address, then sign in. If you already had an account, sign in with its password.',
};

/**
 * Patient self-registration. The person becomes a new golden record and a patient account
 * linked to it, through the master patient index like every other source: when they resemble
 * an existing patient the pair goes to the review queue (reason `self-registration`) and is
 * never linked by score, since typing someone's name and birth date must not open their chart.
 * When staff, having checked identity, merge the sign-up into the existing record, the account
 * follows the merge and the patient sees their whole record.
 *
 * A new account gets an email with a one-time link to verify the address (until then it signs
 * in only to a "check your email" step; EmailVerificationService).
 *
 * The answer is the same whether or not the email already has an account (in any
 * organization): for an existing one nothing is created, the owner gets an email saying so (at
 * most one an hour), and the account's organization an audit event (docs/security.md).
 * Sign-ups are counted per address in PostgreSQL before any work (docs/adr/0007).
 */
export class PortalRegistrationService {
  constructor(
    private readonly database: Database,
    private readonly auth: AuthService,
    private readonly outbox: OutboxService,
    /** Where users reach Careloop (CARELOOP_PUBLIC_URL), for the links in the notice. */
    private readonly publicUrl: string,
    /** Sends the link a new account opens to verify its email, in the sign-up's transaction. */
    private readonly sendVerification: SendVerification,
  ) {}

  async register(
    input: PortalRegistration,
    from: { ip: string; userAgent: string | null },
  ): Promise<PortalRegistrationReceived> {
    // Every attempt counts, successful or not, before any work: sign-ups create records.
    await this.auth.limiter.admitSignUp(from.ip);
    const email = normalizeEmail(input.email);
    if (!email) throw badRequest(`"${input.email}" is not a valid email address`, '/body/email');
    const phone = input.phone?.trim() ? normalizePhone(input.phone) : null;
    if (input.phone?.trim() && !phone) {
      throw badRequest(`"${input.phone}" is not a valid phone number`, '/body/phone');
    }
    const contacts = [
      { system: 'email' as const, value: email, display: email, use: 'home', isPrimary: true },
      ...(phone
        ? [
            {
              system: 'phone' as const,
              value: phone.e164,
              display: phone.display,
              use: 'mobile',
              isPrimary: true,
            },
          ]
        : []),
    ];
    const givenName = input.givenName.trim();
    const familyName = input.familyName.trim();
    if (!givenName || !familyName) {
      throw new CareloopError(
        'bad_request',
        'Enter your given and family names',
        '/body/givenName',
      );
    }
    if (isFutureDate(input.birthDate, this.auth.now())) {
      throw new CareloopError('bad_request', 'The birth date is in the future', '/body/birthDate');
    }
    assertStrongPassword(input.password, '/body/password', [email, givenName, familyName]);
    const orgId = input.organizationId;
    const [org] = await this.database.withTenant(orgId, (tx) =>
      tx.select({ id: organizations.id }).from(organizations).where(eq(organizations.id, orgId)),
    );
    if (!org) throw notFound('Organization');
    // Hashed whether or not the account exists, so both answers cost the same.
    const passwordHash = await this.auth.hashPassword(input.password);
    const existing = await this.auth.findAccount(email);
    if (existing) {
      await this.reportExistingEmail(existing, orgId, from);
      return SIGN_UP_RECEIVED;
    }
    await this.database
      .withTenant(orgId, async (tx) => {
        const patientId = crypto.randomUUID();
        const userId = crypto.randomUUID();
        const person: SourcePerson = {
          kind: 'portal',
          system: PORTAL_SOURCE,
          sourceId: userId,
          demographics: {
            given: givenName,
            family: familyName,
            birthDate: input.birthDate,
            sex: input.administrativeSex ?? null,
            email,
            phone: phone?.e164 ?? null,
            identifiers: [],
          },
        };
        // No identifiers and no score links: the decision is always a new record, with any
        // resemblances as review candidates.
        const decision = await matchPerson(tx, person, {
          allowScoreLink: false,
          holdReason: 'self-registration',
        });
        await createGoldenRecord(
          tx,
          {
            id: patientId,
            orgId,
            givenName,
            familyName,
            ...searchColumns(familyName, givenName),
            birthDate: input.birthDate,
            administrativeSex: input.administrativeSex ?? 'unknown',
            preferredChannel: 'portal',
            ...(input.language ? { preferredLanguage: input.language } : {}),
            flags: ['self-registered'],
          },
          { person, decision },
        );
        await addContactPoints(
          tx,
          contacts.map((c) => ({ ...c, orgId, patientId })),
        );
        await this.auth.createPatientAccount(tx, {
          id: userId,
          orgId,
          email,
          displayName: `${givenName} ${familyName}`,
          passwordHash,
          patientId,
        });
        await this.sendVerification(tx, {
          orgId,
          userId,
          email,
          displayName: `${givenName} ${familyName}`,
          language: input.language ?? 'en',
        });
        await appendTouchpoints(tx, [
          {
            orgId,
            patientId,
            channel: 'portal',
            direction: 'inbound',
            type: 'patient.registered',
            stage: 'awareness',
            summary: 'Signed up in the patient portal',
            nonClinicalSummary: 'Signed up in the patient portal',
            subjectType: 'patient',
            subjectId: patientId,
          },
        ]);
        await appendAudit(tx, [
          {
            orgId,
            occurredAt: this.auth.now(),
            actorId: userId,
            actorEmail: email,
            actorRole: 'patient',
            action: 'create',
            patientId,
            recordType: 'patient',
            recordId: patientId,
            ip: from.ip,
            userAgent: from.userAgent,
            outcome: 'success',
            reason: 'portal self-registration',
          },
        ]);
      })
      .catch(async (error: unknown) => {
        // A sign-up with the same email committed first: the same answer as above.
        if (violatedUniqueConstraint(error) !== 'users_email_key') throw error;
        const winner = await this.auth.findAccount(email);
        if (!winner) throw error;
        await this.reportExistingEmail(winner, orgId, from);
      });
    return SIGN_UP_RECEIVED;
  }

  /**
   * A sign-up gave the email of an existing account: nothing is created; the owner is told by
   * email (one notice an hour at most, whoever tries), and the account's organization gets an
   * audit event naming the account and the organization signed up to.
   */
  private async reportExistingEmail(
    account: { userId: string; orgId: string },
    signUpOrgId: string,
    from: { ip: string; userAgent: string | null },
  ): Promise<void> {
    const now = this.auth.now();
    const hour = Math.floor(now.getTime() / 3_600_000);
    await this.database.withTenant(account.orgId, async (tx) => {
      const owner = await this.auth.accountContact(tx, account.userId);
      if (owner) {
        await this.outbox.queueEmail(tx, {
          orgId: account.orgId,
          userId: account.userId,
          purpose: 'account',
          to: owner.email,
          ...signUpNotice(owner.displayName, this.publicUrl, owner.role === 'patient'),
          idempotencyKey: `signup-existing:${account.userId}:${hour}`,
        });
      }
      await appendAudit(tx, [
        {
          orgId: account.orgId,
          occurredAt: this.auth.now(),
          actorId: null,
          actorEmail: null,
          actorRole: null,
          action: 'signup-existing-email',
          patientId: null,
          recordType: 'user',
          recordId: account.userId,
          ip: from.ip,
          userAgent: from.userAgent,
          outcome: 'denied',
          reason: `portal sign-up to organization ${signUpOrgId} with this account's email; its owner was told by email`,
        },
      ]);
    });
  }
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The email to the owner of an address someone tried to sign up with. */
export function signUpNotice(
  name: string,
  publicUrl: string,
  patient: boolean,
): { subject: string; text: string; html: string } {
  const base = `${publicUrl}${patient ? '/portal' : ''}`;
  const signIn = `${base}/`;
  const reset = `${base}/forgot-password`;
  const text = [
    `Hello ${name},`,
    '',
    'Someone tried to sign up for the patient portal with your email address, which already has a Careloop account. Nothing was changed.',
    '',
    `If it was you, sign in: ${signIn}`,
    `or, if you forgot your password, set a new one: ${reset}`,
    '',
    'If it was not you, ignore this email.',
  ].join('\n');
  const html = `<p>Hello ${escapeHtml(name)},</p>
<p>Someone tried to sign up for the patient portal with your email address, which already has a Careloop account. Nothing was changed.</p>
<p>If it was you, <a href="${escapeHtml(signIn)}">sign in</a>, or, if you forgot your password, <a href="${escapeHtml(reset)}">set a new one</a>.</p>
<p>If it was not you, ignore this email.</p>`;
  return { subject: 'Someone tried to sign up with your email address', text, html };
}
