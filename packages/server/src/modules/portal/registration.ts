import {
  badRequest,
  CareloopError,
  conflict,
  normalizeEmail,
  normalizePhone,
  notFound,
  type PortalRegistration,
  type SessionInfo,
  searchColumns,
} from '@careloop/core';
import { eq } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { violatedUniqueConstraint } from '../../db/errors.js';
import { appendAudit } from '../audit/service.js';
import { hashPassword } from '../auth/passwords.js';
import { FailureLimiter } from '../auth/rate-limit.js';
import { users } from '../auth/schema.js';
import type { AuthService } from '../auth/service.js';
import { organizations } from '../directory/schema.js';
import { matchPerson, type SourcePerson } from '../mpi/match.js';
import { recordSource } from '../mpi/sources.js';
import { patientContactPoints, patients } from '../patients/schema.js';
import { appendTouchpoints } from '../timeline/service.js';

/**
 * Portal sign-ups counted per source address: 20 in 10 minutes, enough for a waiting-room kiosk
 * or a clinic's shared connection, not for a script creating records.
 */
const SIGNUPS_PER_IP = 20;
const SIGNUP_WINDOW_MS = 10 * 60_000;

export const PORTAL_SOURCE = 'careloop:portal';

/**
 * Patient self-registration. The person becomes a new golden record and a patient account
 * linked to it, through the master patient index like every other source: when they resemble
 * an existing patient the pair goes to the review queue (reason `self-registration`) and is
 * never linked by score, since typing someone's name and birth date must not open their chart.
 * When staff, having checked identity, merge the sign-up into the existing record, the account
 * follows the merge and the patient sees their whole record.
 */
export class PortalRegistrationService {
  private readonly attempts = new FailureLimiter(SIGNUPS_PER_IP, SIGNUP_WINDOW_MS);

  constructor(
    private readonly database: Database,
    private readonly auth: AuthService,
  ) {}

  async register(
    input: PortalRegistration,
    from: { ip: string; userAgent: string | null },
  ): Promise<{ token: string; info: SessionInfo }> {
    const ipKey = `signup:${from.ip}`;
    if (this.attempts.isBlocked(ipKey)) {
      throw new CareloopError('rate_limited', 'Too many sign-ups from here. Try again later.');
    }
    // Every attempt counts, successful or not: sign-ups create records.
    this.attempts.recordFailure(ipKey);
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
    if (new Date(`${input.birthDate}T00:00:00Z`).getTime() > Date.now()) {
      throw new CareloopError('bad_request', 'The birth date is in the future', '/body/birthDate');
    }
    const passwordHash = await hashPassword(input.password);
    const orgId = input.organizationId;
    await this.database
      .withTenant(orgId, async (tx) => {
        const [org] = await tx
          .select({ id: organizations.id })
          .from(organizations)
          .where(eq(organizations.id, orgId));
        if (!org) throw notFound('Organization');
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
        await tx.insert(patients).values({
          id: patientId,
          orgId,
          givenName,
          familyName,
          ...searchColumns(familyName, givenName),
          birthDate: input.birthDate,
          administrativeSex: input.administrativeSex ?? 'unknown',
          preferredChannel: 'portal',
          flags: ['self-registered'],
        });
        await tx
          .insert(patientContactPoints)
          .values(contacts.map((c) => ({ ...c, orgId, patientId })));
        await tx.insert(users).values({
          id: userId,
          orgId,
          email,
          displayName: `${givenName} ${familyName}`,
          role: 'patient',
          passwordHash,
          patientId,
        });
        await recordSource(tx, orgId, patientId, person, decision);
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
            occurredAt: new Date(),
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
      .catch((error: unknown) => {
        if (violatedUniqueConstraint(error) === 'users_email_key') {
          throw conflict(
            'An account with this email already exists. Sign in instead.',
            '/body/email',
          );
        }
        throw error;
      });
    return this.auth.login(email, input.password, from);
  }
}
