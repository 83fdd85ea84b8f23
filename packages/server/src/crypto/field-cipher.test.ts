import { describe, expect, it } from 'vitest';
import { FieldCipher } from './field-cipher.js';

describe('FieldCipher', () => {
  it('round-trips text and never stores it in the clear', () => {
    const cipher = FieldCipher.random();
    const sealed = cipher.encrypt('Prefers calls after 5pm — daughter translates');
    expect(sealed).not.toContain('daughter');
    expect(cipher.decrypt(sealed)).toBe('Prefers calls after 5pm — daughter translates');
  });

  it('rejects ciphertext that was tampered with', () => {
    const cipher = FieldCipher.random();
    const [v, iv, tag, body] = cipher.encrypt('hello').split('.');
    const flipped = Buffer.from(body ?? '', 'base64');
    flipped[0] = (flipped[0] ?? 0) ^ 1;
    expect(() => cipher.decrypt([v, iv, tag, flipped.toString('base64')].join('.'))).toThrow();
  });

  it('cannot be read with another key', () => {
    const sealed = FieldCipher.random().encrypt('secret');
    expect(() => FieldCipher.random().decrypt(sealed)).toThrow();
  });
});
