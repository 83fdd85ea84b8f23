import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { sealV1 } from '../test/legacy-cipher.js';
import {
  DecryptionError,
  type FieldAad,
  FieldCipher,
  keyIdOf,
  parseKeyList,
} from './field-cipher.js';

const AT: FieldAad = { table: 'notes', column: 'body_encrypted', row: 'r1', orgId: 'o1' };

describe('FieldCipher', () => {
  it('round-trips text and never stores it in the clear', () => {
    const cipher = FieldCipher.random();
    const sealed = cipher.encrypt('Prefers calls after 5pm — daughter translates', AT);
    expect(sealed).not.toContain('daughter');
    expect(sealed.startsWith(`v2.${cipher.currentKid}.`)).toBe(true);
    expect(cipher.decrypt(sealed, AT)).toBe('Prefers calls after 5pm — daughter translates');
  });

  it('rejects ciphertext that was tampered with', () => {
    const cipher = FieldCipher.random();
    const [v, kid, body] = cipher.encrypt('hello', AT).split('.');
    const flipped = Buffer.from(body ?? '', 'base64');
    flipped[14] = (flipped[14] ?? 0) ^ 1;
    expect(() => cipher.decrypt([v, kid, flipped.toString('base64')].join('.'), AT)).toThrow(
      DecryptionError,
    );
  });

  it('refuses a value moved to another table, column, row or organization', () => {
    const cipher = FieldCipher.random();
    const sealed = cipher.encrypt('serum potassium 7.2 mmol/L', AT);
    for (const moved of [
      { ...AT, table: 'tasks' },
      { ...AT, column: 'description_encrypted' },
      { ...AT, row: 'r2' },
      { ...AT, orgId: 'o2' },
    ]) {
      expect(() => cipher.decrypt(sealed, moved)).toThrow(DecryptionError);
    }
  });

  it('cannot be read with another key', () => {
    const sealed = FieldCipher.random('a').encrypt('secret', AT);
    expect(() => FieldCipher.random('a').decrypt(sealed, AT)).toThrow(DecryptionError);
    expect(() => FieldCipher.random('b').decrypt(sealed, AT)).toThrow(/No key "a"/);
  });

  it('decrypts with an earlier key of the ring and tells what is stale', () => {
    const old = { kid: 'k2025', key: randomBytes(32) };
    const now = { kid: 'k2026', key: randomBytes(32) };
    const sealedOld = FieldCipher.fromKeys([old]).encrypt('kept', AT);
    const ring = FieldCipher.fromKeys([now, old]);
    expect(ring.decrypt(sealedOld, AT)).toBe('kept');
    expect(ring.isStale(sealedOld)).toBe(true);
    expect(ring.isStale(ring.encrypt('kept', AT))).toBe(false);
  });

  it('still reads v1 values (no associated data) under any key of the ring, and calls them stale', () => {
    const old = randomBytes(32);
    const ring = FieldCipher.fromKeys([
      { kid: 'new', key: randomBytes(32) },
      { kid: 'old', key: old },
    ]);
    const v1 = sealV1(old, 'Daughter Ana translates');
    expect(ring.decrypt(v1, AT)).toBe('Daughter Ana translates');
    expect(ring.isStale(v1)).toBe(true);
    expect(() => FieldCipher.random().decrypt(v1, AT)).toThrow(DecryptionError);
  });

  it('reads CARELOOP_ENCRYPTION_KEY as current and CARELOOP_ENCRYPTION_KEYS as earlier keys', () => {
    const current = randomBytes(32);
    const earlier = randomBytes(32).toString('base64');
    const ring = FieldCipher.fromEnv(current.toString('base64'), `old1:${earlier}`);
    expect(ring?.kids).toEqual([keyIdOf(current), 'old1']);
    expect(
      FieldCipher.fromEnv(null, `a:${earlier}, b:${current.toString('base64')}`)?.kids,
    ).toEqual(['a', 'b']);
    expect(FieldCipher.fromEnv(null, null)).toBeNull();
    expect(() => parseKeyList('bad id:abc', 'X')).toThrow(/key id/);
    expect(() => parseKeyList('a:c2hvcnQ=', 'X')).toThrow(/32 bytes/);
    expect(() => FieldCipher.fromEnv(null, `a:${earlier},a:${earlier}`)).not.toThrow();
    expect(() =>
      FieldCipher.fromKeys([
        { kid: 'a', key: randomBytes(32) },
        { kid: 'a', key: randomBytes(32) },
      ]),
    ).toThrow(/twice/);
  });

  it('keeps a 0600 key ring in the data folder, reads a one-line legacy file, and adds keys first', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'careloop-keys-'));
    try {
      const first = await FieldCipher.fromDataDir(dir);
      const file = path.join(dir, 'encryption.key');
      expect((await stat(file)).mode & 0o777).toBe(0o600);
      const sealed = first.encrypt('x', AT);
      const kid = await FieldCipher.addKeyToDataDir(dir);
      const ring = await FieldCipher.fromDataDir(dir);
      expect(ring.kids).toEqual([kid, first.currentKid]);
      expect(ring.decrypt(sealed, AT)).toBe('x');
      expect((await readFile(file, 'utf8')).split('\n').filter(Boolean)).toHaveLength(2);
      expect((await stat(file)).mode & 0o777).toBe(0o600);
    } finally {
      await rm(dir, { recursive: true });
    }
  });

  it('reads a legacy key file holding one bare base64 key', () => {
    const key = randomBytes(32);
    expect(parseKeyList(`${key.toString('base64')}\n`, 'f')).toEqual([{ kid: keyIdOf(key), key }]);
  });
});
