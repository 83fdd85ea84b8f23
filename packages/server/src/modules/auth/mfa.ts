import {
  type AuditAction,
  badRequest,
  CareloopError,
  conflict,
  type MfaEnrolment,
  type MfaPolicyInfo,
  type MfaStatus,
  mfaRequiredFor,
  notFound,
  type SessionInfo,
} from '@careloop/core';
import { eq, sql } from 'drizzle-orm';
import { totpSecretAad } from '../../crypto/encrypted-fields.js';
import type { FieldCipher } from '../../crypto/field-cipher.js';
import type { Database, Db } from '../../db/client.js';
import { rowsOf } from '../../db/rows.js';
import type { Actor } from '../../http/context.js';
import { appendAudit } from '../audit/service.js';
import { organizations } from '../directory/schema.js';
import { setMfaRequired } from '../directory/service.js';
import { verifyPassword } from './passwords.js';
import { users } from './schema.js';
import type { AuthService } from './service.js';
import { acceptTotp, newRecoveryCodes, newTotpSecret, recoveryCodeHash, totpUri } from './totp.js';

type From = { ip: string; userAgent: string | null };
type UserRow = typeof users.$inferSelect;
type Factor = 'totp' | 'recovery';

/**
 * The second factor (TOTP, RFC 6238) and its recovery codes: enrolment, the code step of a
 * sign-in, turning it off, and the organization's policy. Secrets are stored encrypted with the
 * field cipher; recovery codes as hashes, each usable once. Every step is audited.
 */
export class SecondFactorService {
  constructor(
    private readonly database: Database,
    private readonly auth: AuthService,
    private readonly cipher: FieldCipher,
  ) {}

  async status(actor: Actor): Promise<MfaStatus> {
    return this.database.withTenant(actor.orgId, async (tx) => {
      const user = await this.user(tx, actor);
      const policy = await this.orgPolicy(tx, actor.orgId);
      return {
        enabled: user.totpEnabledAt !== null,
        required: mfaRequiredFor(actor.role, policy),
        recoveryCodesLeft: user.recoveryCodeHashes.length,
      };
    });
  }

  /** A new secret to scan; it replaces any earlier unconfirmed one and counts once confirmed. */
  async startEnrolment(actor: Actor): Promise<MfaEnrolment> {
    this.requireStage(actor, ['active', 'mfa-enrol']);
    const secret = newTotpSecret();
    await this.database.withTenant(actor.orgId, async (tx) => {
      const user = await this.user(tx, actor);
      if (user.totpEnabledAt) {
        throw conflict('Two-factor sign-in is already on; turn it off first to change it');
      }
      await tx
        .update(users)
        .set({
          totpPendingSecret: this.cipher.encrypt(secret, totpSecretAad(actor.userId, actor.orgId)),
        })
        .where(eq(users.id, actor.userId));
    });
    return { secret, otpauthUri: totpUri(secret, actor.email) };
  }

  /**
   * Turns the second factor on once a code from the new secret matches, and returns ten recovery
   * codes, shown this once. A sign-in that was waiting for enrolment becomes a full session
   * (a new token: `session` is set, and the route sets its cookie).
   */
  async confirmEnrolment(
    actor: Actor,
    code: string,
    from: From,
  ): Promise<{ recoveryCodes: string[]; session: { token: string; info: SessionInfo } | null }> {
    this.requireStage(actor, ['active', 'mfa-enrol']);
    const now = this.auth.now();
    const recoveryCodes = newRecoveryCodes();
    const accepted = await this.database.withTenant(actor.orgId, async (tx) => {
      const user = await this.user(tx, actor);
      if (user.totpEnabledAt) throw conflict('Two-factor sign-in is already on');
      if (!user.totpPendingSecret) {
        throw badRequest('Start the set-up first: no secret is waiting for a code', '/body/code');
      }
      const step = acceptTotp(
        this.cipher.decrypt(user.totpPendingSecret, totpSecretAad(actor.userId, actor.orgId)),
        code,
        now,
        null,
      );
      if (step === null) {
        await this.audit(tx, actor, from, 'mfa-code-failed', 'denied', 'enrolment code');
        return false;
      }
      await tx
        .update(users)
        .set({
          totpSecret: user.totpPendingSecret,
          totpPendingSecret: null,
          totpEnabledAt: now,
          totpLastStep: step,
          recoveryCodeHashes: recoveryCodes.map(recoveryCodeHash),
        })
        .where(eq(users.id, actor.userId));
      await this.audit(tx, actor, from, 'mfa-enrol', 'success', null);
      return true;
    });
    if (!accepted) {
      throw badRequest(
        'The code does not match. Check the app and try the new code.',
        '/body/code',
      );
    }
    const session =
      actor.stage === 'mfa-enrol'
        ? await this.auth.openSession(
            subjectOf(actor),
            'active',
            from,
            actor.sessionId,
            'second factor enrolled',
          )
        : null;
    return { recoveryCodes, session };
  }

  /**
   * The second step of a sign-in: a TOTP code or a recovery code. Failures are counted per
   * account before the check (10 per 15 minutes) and audited; success replaces the half-done
   * session with a full one.
   */
  async verifySignIn(
    actor: Actor,
    code: string,
    from: From,
  ): Promise<{ token: string; info: SessionInfo }> {
    this.requireStage(actor, ['mfa-code']);
    await this.auth.limiter.admitCode(actor.userId);
    const factor = await this.database.withTenant(actor.orgId, async (tx) => {
      const used = await this.check(tx, actor, code, from);
      if (!used) await this.audit(tx, actor, from, 'mfa-code-failed', 'denied', 'sign-in code');
      return used;
    });
    // A 400, not a 401: the half-done session stays valid for another try (a 401 tells the
    // client that its session is gone).
    if (!factor) throw badRequest('The code is not valid', '/body/code');
    await this.auth.limiter.forgetCodes(actor.userId);
    return this.auth.openSession(
      subjectOf(actor),
      'active',
      from,
      actor.sessionId,
      factor === 'totp' ? 'second factor: authenticator code' : 'second factor: recovery code',
    );
  }

  /** Turns the second factor off, with the password and a code; not where it is required. */
  async disable(actor: Actor, password: string, code: string, from: From): Promise<void> {
    this.requireStage(actor, ['active']);
    await this.auth.limiter.admitCode(actor.userId);
    const outcome = await this.database.withTenant(actor.orgId, async (tx) => {
      const user = await this.user(tx, actor);
      if (!user.totpEnabledAt) throw conflict('Two-factor sign-in is not on');
      if (mfaRequiredFor(actor.role, await this.orgPolicy(tx, actor.orgId))) {
        throw new CareloopError(
          'forbidden',
          'Your organization requires two-factor sign-in for your account',
        );
      }
      if (!(await verifyPassword(user.passwordHash, password))) {
        await this.audit(tx, actor, from, 'mfa-disable', 'denied', 'wrong password');
        return 'password' as const;
      }
      if (!(await this.check(tx, actor, code, from))) {
        await this.audit(tx, actor, from, 'mfa-code-failed', 'denied', 'turning off');
        return 'code' as const;
      }
      await tx
        .update(users)
        .set({
          totpSecret: null,
          totpPendingSecret: null,
          totpEnabledAt: null,
          totpLastStep: null,
          recoveryCodeHashes: [],
        })
        .where(eq(users.id, actor.userId));
      await this.audit(tx, actor, from, 'mfa-disable', 'success', null);
      return 'done' as const;
    });
    if (outcome === 'password') throw badRequest('The password is not right', '/body/password');
    if (outcome === 'code') throw badRequest('The code is not valid', '/body/code');
    await this.auth.limiter.forgetCodes(actor.userId);
  }

  async policy(orgId: string): Promise<MfaPolicyInfo> {
    return this.database.withTenant(orgId, (tx) => this.orgPolicy(tx, orgId));
  }

  /**
   * Sets whether all staff need a second factor; audited. Turning it on ends the open sessions
   * of staff without one (but the acting admin's own), so they enrol at their next sign-in
   * instead of working on for up to 12 hours.
   */
  async setPolicy(actor: Actor, mfaRequired: boolean, from: From): Promise<MfaPolicyInfo> {
    return this.database.withTenant(actor.orgId, async (tx) => {
      await setMfaRequired(tx, actor.orgId, mfaRequired);
      if (mfaRequired) {
        await tx.execute(sql`update sessions set revoked_at = ${this.auth.now().toISOString()}::timestamptz
          where revoked_at is null and id <> ${actor.sessionId}
            and user_id in (select id from users
                            where role <> 'patient' and totp_enabled_at is null)`);
      }
      await appendAudit(tx, [
        {
          ...this.auditBase(actor, from),
          action: 'mfa-policy-change',
          recordType: 'organization',
          recordId: actor.orgId,
          outcome: 'success',
          reason: mfaRequired ? 'required for all staff' : 'required for admins only',
        },
      ]);
      return this.orgPolicy(tx, actor.orgId);
    });
  }

  /**
   * Checks `code` as a TOTP code (later than the last accepted step) or else as an unused
   * recovery code, and uses it up atomically: two requests with one code cannot both pass.
   */
  private async check(tx: Db, actor: Actor, code: string, from: From): Promise<Factor | null> {
    const user = await this.user(tx, actor);
    if (!user.totpSecret) return null;
    const now = this.auth.now();
    const step = acceptTotp(
      this.cipher.decrypt(user.totpSecret, totpSecretAad(actor.userId, actor.orgId)),
      code,
      now,
      user.totpLastStep,
    );
    if (step !== null) {
      const taken = rowsOf<{ id: string }>(
        await tx.execute(sql`update users set totp_last_step = ${step}
          where id = ${actor.userId} and (totp_last_step is null or totp_last_step < ${step})
          returning id`),
      );
      return taken.length > 0 ? 'totp' : null;
    }
    const hash = recoveryCodeHash(code);
    const left = rowsOf<{ left: number }>(
      await tx.execute(sql`update users
        set recovery_code_hashes = array_remove(recovery_code_hashes, ${hash})
        where id = ${actor.userId} and ${hash} = any(recovery_code_hashes)
        returning cardinality(recovery_code_hashes) as left`),
    );
    const [used] = left;
    if (!used) return null;
    await this.audit(
      tx,
      actor,
      from,
      'mfa-recovery-code-used',
      'success',
      `${Number(used.left)} recovery codes left`,
    );
    return 'recovery';
  }

  private requireStage(actor: Actor, stages: Actor['stage'][]): void {
    if (!stages.includes(actor.stage)) {
      throw new CareloopError('forbidden', 'This step does not apply to this sign-in');
    }
  }

  private async user(tx: Db, actor: Actor): Promise<UserRow> {
    const [user] = await tx.select().from(users).where(eq(users.id, actor.userId));
    if (!user) throw notFound('User');
    return user;
  }

  private async orgPolicy(tx: Db, orgId: string): Promise<MfaPolicyInfo> {
    const [org] = await tx
      .select({
        mfaRequired: organizations.mfaRequired,
        mfaAdminsExempt: organizations.mfaAdminsExempt,
      })
      .from(organizations)
      .where(eq(organizations.id, orgId));
    if (!org) throw notFound('Organization');
    return org;
  }

  private auditBase(actor: Actor, from: From) {
    return {
      orgId: actor.orgId,
      occurredAt: this.auth.now(),
      actorId: actor.userId,
      actorEmail: actor.email,
      actorRole: actor.role,
      patientId: null,
      ip: from.ip,
      userAgent: from.userAgent,
    };
  }

  private audit(
    tx: Db,
    actor: Actor,
    from: From,
    action: AuditAction,
    outcome: 'success' | 'denied',
    reason: string | null,
  ): Promise<void> {
    return appendAudit(tx, [
      {
        ...this.auditBase(actor, from),
        action,
        recordType: 'user',
        recordId: actor.userId,
        outcome,
        reason,
      },
    ]);
  }
}

function subjectOf(actor: Actor) {
  return {
    userId: actor.userId,
    orgId: actor.orgId,
    orgName: actor.orgName,
    email: actor.email,
    displayName: actor.displayName,
    role: actor.role,
    patientId: actor.patientId,
  };
}
