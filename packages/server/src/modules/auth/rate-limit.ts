import { createHash } from 'node:crypto';
import { RateLimitedError } from '@careloop/core';
import { sql } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { rowsOf } from '../../db/rows.js';

/** Where time comes from: the system's in production, a test's own clock in tests. */
export interface Clock {
  now(): Date;
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => new Date(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/**
 * Sign-in and sign-up limits (docs/adr/0007). Every attempt is counted in PostgreSQL before the
 * password is checked, so parallel attempts and several API processes share one count.
 */
export const SIGN_IN_LIMITS = {
  windowMs: 15 * 60_000,
  /** Attempts per (account, address) in a window; then 429 until the window ends. */
  perAccountAddress: 10,
  /** Failed attempts per address, whatever the account (password spraying); then 429. */
  perAddress: 50,
  /** Attempts per account from all addresses checked at once; later ones wait for a slot. */
  accountFree: 10,
  /** The first slot's spacing, doubling per attempt up to `accountMaxStepMs`. */
  accountStepMs: 500,
  accountMaxStepMs: 8_000,
  /** An attempt whose slot is further away than this is refused with 429 (it takes no slot). */
  accountMaxWaitMs: 30_000,
  /** Portal sign-ups per address in `signUpWindowMs`: a kiosk or a clinic's shared line. */
  signUpsPerAddress: 20,
  signUpWindowMs: 10 * 60_000,
  /** Second-factor codes tried per account in `windowMs` (a right one starts afresh). */
  codesPerAccount: 10,
  /** Password reset requests per address, and per email whatever the address, in `windowMs`. */
  resetsPerAddress: 10,
  resetsPerAccount: 3,
  /** Reset links tried (a new password set) per address in `windowMs`. */
  resetConfirmsPerAddress: 20,
  /** Verification emails sent again per account in `windowMs` (the sign-up's own is not counted). */
  verificationResendsPerAccount: 3,
  /** Verification links tried per address in `windowMs`. */
  verificationConfirmsPerAddress: 20,
} as const;

export type SignInLimits = typeof SIGN_IN_LIMITS;

/** What is counted is stored only as a hash: no email or address in clear. */
function attemptKey(
  kind:
    | 'pair'
    | 'address'
    | 'account'
    | 'signup'
    | 'code'
    | 'reset'
    | 'reset-confirm'
    | 'verify-resend'
    | 'verify-confirm',
  ...parts: string[]
): string {
  return createHash('sha256')
    .update(['careloop-attempt', kind, ...parts].join('\0'))
    .digest('hex');
}

/** A sign-in attempt let through; `signedIn` forgets it when the password was right. */
export interface AdmittedAttempt {
  pairKey: string;
  addressKey: string;
  /** How long the attempt waited for its account's slot (0 when the account is quiet). */
  waitedMs: number;
}

interface CountRow {
  attempts: number;
  began: string | Date;
}

interface ThrottleRow {
  attempts: number;
  wait_ms: number;
  refused: boolean;
}

export class SignInLimiter {
  constructor(
    private readonly database: Database,
    private readonly clock: Clock = systemClock,
    private readonly limits: SignInLimits = SIGN_IN_LIMITS,
  ) {}

  /**
   * Counts a sign-in attempt before its password is checked. Throws 429 when the (account,
   * address) pair or the address is over its limit; otherwise waits for the account's slot.
   */
  async admitSignIn(email: string, ip: string): Promise<AdmittedAttempt> {
    const pairKey = attemptKey('pair', email, ip);
    const addressKey = attemptKey('address', ip);
    const tooMany = 'Too many failed sign-in attempts. Wait and try again.';
    await this.count(pairKey, this.limits.windowMs, this.limits.perAccountAddress, tooMany);
    await this.count(addressKey, this.limits.windowMs, this.limits.perAddress, tooMany);
    const now = this.clock.now();
    const [slot] = rowsOf<ThrottleRow>(
      await this.database.db.execute(
        sql`select * from careloop_throttle_account(${attemptKey('account', email)},
          ${now.toISOString()}::timestamptz, ${this.limits.windowMs}, ${this.limits.accountFree},
          ${this.limits.accountStepMs}, ${this.limits.accountMaxStepMs},
          ${this.limits.accountMaxWaitMs})`,
      ),
    );
    if (!slot) throw new Error('careloop_throttle_account returned no row');
    if (slot.refused) {
      throw new RateLimitedError(
        'This account is receiving many sign-in attempts. Wait and try again.',
        Number(slot.wait_ms),
      );
    }
    const waitedMs = Number(slot.wait_ms);
    if (waitedMs > 0) await this.clock.sleep(waitedMs);
    return { pairKey, addressKey, waitedMs };
  }

  /** The password was right: the pair starts afresh and the address gets its attempt back. */
  async signedIn(attempt: AdmittedAttempt): Promise<void> {
    await this.database.db.execute(sql`select careloop_forget_attempts(${attempt.pairKey})`);
    await this.database.db.execute(sql`select careloop_refund_attempt(${attempt.addressKey})`);
  }

  /** Counts a portal sign-up from `ip` before any work; throws 429 past the limit. */
  async admitSignUp(ip: string): Promise<void> {
    await this.count(
      attemptKey('signup', ip),
      this.limits.signUpWindowMs,
      this.limits.signUpsPerAddress,
      'Too many sign-ups from here. Try again later.',
    );
  }

  /** Counts a second-factor code for an account before it is checked; 429 past the limit. */
  async admitCode(userId: string): Promise<void> {
    await this.count(
      attemptKey('code', userId),
      this.limits.windowMs,
      this.limits.codesPerAccount,
      'Too many codes tried. Wait and try again.',
    );
  }

  /**
   * Counts a password reset request before any work, per address and per email (known or
   * not, so the limit tells nothing about accounts); throws 429 past either limit.
   */
  async admitPasswordReset(email: string, ip: string): Promise<void> {
    const message = 'Too many password reset requests. Wait and try again.';
    await this.count(
      attemptKey('reset', 'address', ip),
      this.limits.windowMs,
      this.limits.resetsPerAddress,
      message,
    );
    await this.count(
      attemptKey('reset', 'account', email),
      this.limits.windowMs,
      this.limits.resetsPerAccount,
      message,
    );
  }

  /** Counts a use of a reset link from `ip` before the token is looked up; 429 past the limit. */
  async admitPasswordResetConfirm(ip: string): Promise<void> {
    await this.count(
      attemptKey('reset-confirm', ip),
      this.limits.windowMs,
      this.limits.resetConfirmsPerAddress,
      'Too many attempts. Wait and try again.',
    );
  }

  /** Counts a request for a new verification email by an account, before any work. */
  async admitVerificationResend(userId: string): Promise<void> {
    await this.count(
      attemptKey('verify-resend', userId),
      this.limits.windowMs,
      this.limits.verificationResendsPerAccount,
      'Too many emails asked for. Wait a few minutes and try again.',
    );
  }

  /** Counts a use of a verification link from `ip` before the token is looked up. */
  async admitVerificationConfirm(ip: string): Promise<void> {
    await this.count(
      attemptKey('verify-confirm', ip),
      this.limits.windowMs,
      this.limits.verificationConfirmsPerAddress,
      'Too many attempts. Wait and try again.',
    );
  }

  async forgetCodes(userId: string): Promise<void> {
    await this.database.db.execute(
      sql`select careloop_forget_attempts(${attemptKey('code', userId)})`,
    );
  }

  private async count(key: string, windowMs: number, limit: number, message: string) {
    const now = this.clock.now();
    const [row] = rowsOf<CountRow>(
      await this.database.db.execute(
        sql`select * from careloop_count_attempt(${key}, ${now.toISOString()}::timestamptz, ${windowMs})`,
      ),
    );
    if (!row) throw new Error('careloop_count_attempt returned no row');
    if (Number(row.attempts) > limit) {
      const endsAt = new Date(row.began).getTime() + windowMs;
      throw new RateLimitedError(message, endsAt - now.getTime());
    }
  }
}
