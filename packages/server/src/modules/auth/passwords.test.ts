import { describe, expect, it } from 'vitest';
import {
  DUMMY_PASSWORD_HASH,
  hashPassword,
  passwordWeakness,
  verifyPassword,
} from './passwords.js';

const parameters = (hash: string) => hash.split('$').slice(1, 4).join('$');

describe('passwords', () => {
  it('verifies unknown emails against a hash made with the same argon2 parameters', async () => {
    const real = await hashPassword('correct horse battery staple');
    expect(parameters(DUMMY_PASSWORD_HASH)).toBe(parameters(real));
    expect(await verifyPassword(DUMMY_PASSWORD_HASH, 'correct horse battery staple')).toBe(false);
  });

  it('refuses short, repeated and common passwords, saying why', () => {
    expect(passwordWeakness('short')).toMatch(/at least 12 characters/);
    for (const weak of ['            ', 'aaaaaaaaaaaa', 'password1234', 'qwertyuiop12']) {
      expect(passwordWeakness(weak), weak).toMatch(/^This password is too easy to guess\./);
    }
    expect(passwordWeakness('aaaaaaaaaaaa')).toMatch(/Repeated characters/);
  });

  it('accepts passphrases, and the demo password', () => {
    for (const strong of [
      'careloop-demo',
      'correct horse battery staple',
      'a long passphrase 42',
    ]) {
      expect(passwordWeakness(strong), strong).toBeNull();
    }
  });

  it('estimates only the first 64 characters: the estimator is slow on long repeats', () => {
    // 1,024 characters (the API's maximum) took 2.5 s before the cut, on a loaded machine.
    expect(passwordWeakness('x1'.repeat(512))).toMatch(/too easy to guess/);
    expect(
      passwordWeakness(`${'x1'.repeat(32)}${'correct horse battery staple'.repeat(5)}`),
    ).toMatch(/too easy to guess/);
  });
});
