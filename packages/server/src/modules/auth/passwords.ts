import { randomBytes } from 'node:crypto';
import { badRequest } from '@careloop/core';
import { hash, verify } from '@node-rs/argon2';
import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import * as zxcvbnCommon from '@zxcvbn-ts/language-common';
import * as zxcvbnEn from '@zxcvbn-ts/language-en';

/**
 * argon2id with OWASP's recommended minimum (19 MiB memory, 2 iterations, 1 lane), raised to
 * 3 iterations. The parameters are stored in the hash, so raising them later keeps old hashes
 * verifiable.
 */
const ARGON2 = {
  algorithm: 2 /* Argon2id */ as const,
  memoryCost: 19_456,
  timeCost: 3,
  parallelism: 1,
};

export function hashPassword(password: string): Promise<string> {
  return hash(password, ARGON2);
}

export async function verifyPassword(stored: string, password: string): Promise<boolean> {
  try {
    return await verify(stored, password);
  } catch {
    return false;
  }
}

/** A password for accounts created without one: 20 characters from a 57-letter alphabet. */
export function generatePassword(): string {
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789';
  const bytes = randomBytes(20);
  return Array.from(bytes, (b) => alphabet[b % alphabet.length]).join('');
}

/**
 * A fixed argon2id hash, of a random password nobody kept, with the parameters of `ARGON2`: a
 * sign-in for an unknown email verifies against it, so it costs what a known email costs (no
 * enumeration by timing), from the first request on. passwords.test.ts checks its parameters.
 */
export const DUMMY_PASSWORD_HASH =
  '$argon2id$v=19$m=19456,t=3,p=1$+KgJCT/bxl+OWbh/HL1p/Q$tYooK4AZj3QkpvWo4TUoelVeg+M3YdPJ9CKCkh6BaqI';

/** The shortest password anyone may set (the API's schemas say the same). */
export const MIN_PASSWORD_LENGTH = 12;
/** zxcvbn's score 3: "safely unguessable", about 10^8 guesses, against an offline dictionary. */
const MIN_PASSWORD_SCORE = 3;
const ESTIMATED_LENGTH = 64;

let estimator: ZxcvbnFactory | null = null;
function strengthEstimator(): ZxcvbnFactory {
  estimator ??= new ZxcvbnFactory({
    dictionary: { ...zxcvbnCommon.dictionary, ...zxcvbnEn.dictionary },
    graphs: zxcvbnCommon.adjacencyGraphs,
    translations: zxcvbnEn.translations,
  });
  return estimator;
}

/**
 * Why `password` may not be set, or null when it may: too short, or guessable by zxcvbn-ts
 * (common passwords, words, names, repeats, sequences, keyboard walks, and `context`: the
 * account's own email and name). Offline: nothing leaves the process.
 */
export function passwordWeakness(password: string, context: string[] = []): string | null {
  if (password.length < MIN_PASSWORD_LENGTH) {
    return `The password must have at least ${MIN_PASSWORD_LENGTH} characters`;
  }
  const inputs = context.flatMap((c) => [c, ...c.split(/[@.\s_-]+/)]).filter((c) => c.length > 2);
  // The estimator's repeat matching grows fast with length (1,024 characters took 2.5 s): the
  // first 64 characters decide, which can only make a long password look weaker.
  const result = strengthEstimator().check(password.slice(0, ESTIMATED_LENGTH), inputs);
  if (result.score >= MIN_PASSWORD_SCORE) return null;
  const why = [result.feedback.warning, ...result.feedback.suggestions].filter(
    (s): s is string => typeof s === 'string' && s.length > 0,
  );
  return ['This password is too easy to guess.', ...why].join(' ');
}

/** Throws a 400 naming `path` when `password` is too weak to set (see `passwordWeakness`). */
export function assertStrongPassword(password: string, path: string, context: string[] = []) {
  const weakness = passwordWeakness(password, context);
  if (weakness) throw badRequest(weakness, path);
}
