import { createHash, randomBytes } from 'node:crypto';
import {
  CareloopError,
  isRole,
  isSessionStage,
  mfaRequiredFor,
  type Role,
  type SessionInfo,
  type SessionStage,
} from '@careloop/core';
import { and, eq, isNull, sql } from 'drizzle-orm';
import type { Database, Db } from '../../db/client.js';
import { FeedCache } from '../../db/feed-cache.js';
import { rowsOf } from '../../db/rows.js';
import type { Actor } from '../../http/context.js';
import { type AuditActor, appendAudit } from '../audit/service.js';
import { DUMMY_PASSWORD_HASH, hashPassword, verifyPassword } from './passwords.js';

/** The password rules, for the forms that set one (the portal's sign-up). */
export { assertStrongPassword } from './passwords.js';

import { type Clock, SignInLimiter, type SignInLimits, systemClock } from './rate-limit.js';
import { sessions, users } from './schema.js';

export interface SessionPolicy {
  idleMinutes: number;
  absoluteHours: number;
}

/** Only the SHA-256 of a session token is stored, so a database leak yields no live sessions. */
const tokenId = (token: string) => createHash('sha256').update(token).digest('hex');
// last_seen_at is written at most this often, so reads do not each cost a write.
const TOUCH_INTERVAL_MS = 30_000;
/** Sessions kept per process, and how long at most (a backstop: changes evict them at once). */
const SESSION_CACHE_ENTRIES = 10_000;
const SESSION_CACHE_TTL_MS = 60_000;
/** How long a sign-in may stay half done (password accepted, code or enrolment due). */
export const PENDING_SESSION_MINUTES = 10;

interface SessionTags {
  userId: string;
}

export type SessionLookup =
  | { state: 'valid'; actor: Actor }
  | { state: 'expired' }
  | { state: 'none' };

/** What a test may replace: the clock, the limits, and the password check it counts. */
export interface AuthOptions {
  clock?: Clock;
  limits?: SignInLimits;
  verify?: (hash: string, password: string) => Promise<boolean>;
  /** How a new password is hashed (portal sign-up), for tests that count it. */
  hash?: (password: string) => Promise<string>;
}

export class AuthService {
  readonly limiter: SignInLimiter;
  private readonly clock: Clock;
  private readonly verify: (hash: string, password: string) => Promise<boolean>;
  /** Hashes a new password (argon2id unless a test counts it). */
  readonly hashPassword: (password: string) => Promise<string>;
  /**
   * Session rows by token id (docs/adr/0005); null on PGlite. Evicted when the session or its
   * user changes in any process (logout, expiry, disable, role or password change).
   */
  private readonly sessions: FeedCache<SessionTags, SessionRow> | null;

  constructor(
    private readonly database: Database,
    private readonly policy: SessionPolicy,
    options: AuthOptions = {},
  ) {
    this.clock = options.clock ?? systemClock;
    this.limiter = new SignInLimiter(database, this.clock, options.limits);
    this.verify = options.verify ?? verifyPassword;
    this.hashPassword = options.hash ?? hashPassword;
    this.sessions = database.changes
      ? new FeedCache(database.changes, {
          maxEntries: SESSION_CACHE_ENTRIES,
          ttlMs: SESSION_CACHE_TTL_MS,
          // Only changes to the session's row or its user's: an organization-wide change of the
          // 360 views (a location renamed, a bulk import) leaves sessions alone.
          affects: (change, tags) => change.kind === 'user' && change.userId === tags.userId,
        })
      : null;
  }

  /**
   * Verifies credentials and opens a session. Throws 401 on bad credentials, 429 when limited.
   * The attempt is counted before the password is checked (docs/adr/0007), and an unknown email
   * costs one password check like a known one, against a fixed hash.
   */
  async login(
    emailInput: string,
    password: string,
    from: { ip: string; userAgent: string | null },
  ): Promise<{ token: string; info: SessionInfo }> {
    const email = emailInput.trim().toLowerCase();
    const attempt = await this.limiter.admitSignIn(email, from.ip);
    const row = await this.lookupLogin(email);
    const ok = await this.verify(row?.password_hash ?? DUMMY_PASSWORD_HASH, password);
    if (!row || !ok || row.disabled || !isRole(row.role)) {
      if (row) {
        await this.database.withTenant(row.org_id, (tx) =>
          appendAudit(tx, [
            {
              ...this.auditFields({
                orgId: row.org_id,
                userId: row.user_id,
                email: row.email,
                role: row.role,
                ...from,
              }),
              occurredAt: this.clock.now(),
              action: 'login-failed',
              patientId: null,
              recordType: 'session',
              recordId: null,
              outcome: 'denied',
              reason: row.disabled ? 'account disabled' : 'wrong password',
            },
          ]),
        );
      }
      throw new CareloopError(
        'unauthenticated',
        'Email or password is incorrect',
        '/body/password',
      );
    }
    await this.limiter.signedIn(attempt);
    const policy = { mfaRequired: row.mfa_required, mfaAdminsExempt: row.mfa_admins_exempt };
    const stage: SessionStage = row.totp_enabled
      ? 'mfa-code'
      : mfaRequiredFor(row.role, policy)
        ? 'mfa-enrol'
        : (await this.awaitsEmailVerification(row.org_id, row.user_id, row.role))
          ? 'email-verify'
          : 'active';
    const subject: SessionSubject = {
      userId: row.user_id,
      orgId: row.org_id,
      orgName: row.org_name,
      email: row.email,
      displayName: row.display_name,
      role: row.role,
      patientId: row.patient_id,
    };
    return this.openSession(subject, stage, from, null);
  }

  /**
   * Opens a session at `stage` for `subject` (revoking `replaces`, the half-done sign-in it
   * completes, in the same transaction) and audits it. A half-done sign-in lives
   * `PENDING_SESSION_MINUTES` at most.
   */
  async openSession(
    subject: SessionSubject,
    stage: SessionStage,
    from: { ip: string; userAgent: string | null },
    replaces: string | null,
    reason: string | null = null,
  ): Promise<{ token: string; info: SessionInfo }> {
    const token = randomBytes(32).toString('base64url');
    const csrfToken = randomBytes(24).toString('base64url');
    const now = this.clock.now();
    const lifetimeMs =
      stage === 'active' ? this.policy.absoluteHours * 3_600_000 : PENDING_SESSION_MINUTES * 60_000;
    await this.database.withTenant(subject.orgId, async (tx) => {
      if (replaces) {
        await tx.update(sessions).set({ revokedAt: now }).where(eq(sessions.id, replaces));
      }
      await tx.insert(sessions).values({
        id: tokenId(token),
        orgId: subject.orgId,
        userId: subject.userId,
        csrfToken,
        stage,
        ip: from.ip,
        userAgent: from.userAgent,
        createdAt: now,
        lastSeenAt: now,
        expiresAt: new Date(now.getTime() + lifetimeMs),
      });
      if (stage === 'active') {
        await tx.update(users).set({ lastLoginAt: now }).where(eq(users.id, subject.userId));
      }
      await appendAudit(tx, [
        {
          ...this.auditFields({
            orgId: subject.orgId,
            userId: subject.userId,
            email: subject.email,
            role: subject.role,
            ...from,
          }),
          occurredAt: now,
          action: stage === 'active' ? 'login' : 'login-password',
          patientId: subject.patientId,
          recordType: 'session',
          recordId: null,
          outcome: 'success',
          reason:
            reason ??
            (stage === 'mfa-code'
              ? 'second factor due'
              : stage === 'mfa-enrol'
                ? 'second factor enrolment due'
                : stage === 'email-verify'
                  ? 'email verification due'
                  : null),
        },
      ]);
    });
    return {
      token,
      info: {
        user: {
          id: subject.userId,
          email: subject.email,
          displayName: subject.displayName,
          role: subject.role,
          orgId: subject.orgId,
          orgName: subject.orgName,
          patientId: subject.patientId,
        },
        csrfToken,
        stage,
      },
    };
  }

  /**
   * Resolves a session cookie, enforcing idle and absolute timeouts and disabled accounts.
   * `receivedAt`: when the request arrived; a cached session reflects every change committed
   * before then.
   */
  async resolve(token: string, receivedAt: number = performance.now()): Promise<SessionLookup> {
    const id = tokenId(token);
    const lookup = async () =>
      rowsOf<SessionRow>(
        await this.database.db.execute(sql`select * from careloop_session_lookup(${id})`),
      )[0] ?? null;
    const row = this.sessions
      ? await this.sessions.get(id, (r) => ({ userId: r.user_id }), receivedAt, lookup)
      : await lookup();
    if (!row || row.revoked || row.disabled || !isRole(row.role) || !isSessionStage(row.stage)) {
      return { state: 'none' };
    }
    const now = this.clock.now().getTime();
    const lastSeen = new Date(row.last_seen_at).getTime();
    const idleMs = this.policy.idleMinutes * 60_000;
    if (new Date(row.expires_at).getTime() <= now || lastSeen + idleMs <= now) {
      await this.database.withTenant(row.org_id, (tx) =>
        tx
          .update(sessions)
          .set({ revokedAt: new Date(now) })
          .where(eq(sessions.id, id)),
      );
      return { state: 'expired' };
    }
    if (now - lastSeen > TOUCH_INTERVAL_MS) {
      await this.database.withTenant(row.org_id, (tx) =>
        tx
          .update(sessions)
          .set({ lastSeenAt: new Date(now) })
          .where(eq(sessions.id, id)),
      );
    }
    return {
      state: 'valid',
      actor: {
        userId: row.user_id,
        orgId: row.org_id,
        orgName: row.org_name,
        email: row.email,
        displayName: row.display_name,
        role: row.role,
        patientId: row.patient_id,
        sessionId: id,
        csrfToken: row.csrf_token,
        stage: row.stage,
      },
    };
  }

  async logout(actor: Actor, from: { ip: string; userAgent: string | null }): Promise<void> {
    await this.database.withTenant(actor.orgId, async (tx) => {
      await tx
        .update(sessions)
        .set({ revokedAt: this.clock.now() })
        .where(eq(sessions.id, actor.sessionId));
      await appendAudit(tx, [
        {
          ...this.auditFields({
            orgId: actor.orgId,
            userId: actor.userId,
            email: actor.email,
            role: actor.role,
            ...from,
          }),
          occurredAt: this.clock.now(),
          action: 'logout',
          patientId: actor.patientId,
          recordType: 'session',
          recordId: null,
          outcome: 'success',
          reason: null,
        },
      ]);
    });
  }

  /** The current time on this service's clock. */
  now(): Date {
    return this.clock.now();
  }

  /** The account with this (normalized) email, in any organization, or null. */
  async findAccount(email: string): Promise<{ userId: string; orgId: string } | null> {
    const row = await this.lookupLogin(email);
    return row ? { userId: row.user_id, orgId: row.org_id } : null;
  }

  /**
   * Opens the account of a patient who signed up in the portal, in the caller's transaction
   * (the sign-up's golden record is written in the same one). The password is already hashed.
   */
  async createPatientAccount(
    tx: Db,
    account: {
      id: string;
      orgId: string;
      email: string;
      displayName: string;
      passwordHash: string;
      patientId: string;
    },
  ): Promise<void> {
    // Unverified until the link sent to the email is opened (email-verification.ts).
    await tx.insert(users).values({ ...account, role: 'patient', emailVerifiedAt: null });
  }

  /** Where to write to a user of the transaction's organization: email, name, role; or null. */
  async accountContact(
    tx: Db,
    userId: string,
  ): Promise<{ email: string; displayName: string; role: string } | null> {
    const [row] = await tx
      .select({ email: users.email, displayName: users.displayName, role: users.role })
      .from(users)
      .where(eq(users.id, userId));
    return row ?? null;
  }

  /**
   * A patient who signed up in the portal and has not opened the verification link: signed in
   * only to the "check your email" step (docs/security.md, "Portal sign-up"). One more read,
   * for patients only.
   */
  private async awaitsEmailVerification(orgId: string, userId: string, role: Role) {
    if (role !== 'patient') return false;
    const [user] = await this.database.withTenant(orgId, (tx) =>
      tx.select({ verifiedAt: users.emailVerifiedAt }).from(users).where(eq(users.id, userId)),
    );
    return user !== undefined && user.verifiedAt === null;
  }

  /** Ends every open session of a user (on disable, role or password change), in `tx`. */
  async revokeUserSessions(tx: Db, userId: string): Promise<void> {
    await tx
      .update(sessions)
      .set({ revokedAt: this.clock.now() })
      .where(and(eq(sessions.userId, userId), isNull(sessions.revokedAt)));
  }

  private async lookupLogin(email: string): Promise<LoginRow | undefined> {
    const [row] = rowsOf<LoginRow>(
      await this.database.db.execute(sql`select * from careloop_login_lookup(${email})`),
    );
    return row;
  }

  private auditFields(a: AuditActor) {
    return {
      orgId: a.orgId,
      actorId: a.userId,
      actorEmail: a.email,
      actorRole: a.role,
      ip: a.ip,
      userAgent: a.userAgent?.slice(0, 500) ?? null,
    };
  }
}

interface LoginRow {
  user_id: string;
  org_id: string;
  org_name: string;
  email: string;
  display_name: string;
  role: string;
  password_hash: string;
  patient_id: string | null;
  disabled: boolean;
  totp_enabled: boolean;
  mfa_required: boolean;
  mfa_admins_exempt: boolean;
}

/** Who a session is for. */
export interface SessionSubject {
  userId: string;
  orgId: string;
  orgName: string;
  email: string;
  displayName: string;
  role: Role;
  patientId: string | null;
}

interface SessionRow {
  session_id: string;
  org_id: string;
  org_name: string;
  user_id: string;
  email: string;
  display_name: string;
  role: string;
  patient_id: string | null;
  csrf_token: string;
  last_seen_at: string | Date;
  expires_at: string | Date;
  revoked: boolean;
  disabled: boolean;
  stage: string;
}
