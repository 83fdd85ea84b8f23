import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createSecretKey,
  hkdfSync,
  type KeyObject,
  randomBytes,
} from 'node:crypto';
import { chmod, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * Where a sealed value lives: bound into the ciphertext as associated data, so a value copied
 * into another row, column, table or organization no longer decrypts (docs/adr/0010).
 */
export interface FieldAad {
  table: string;
  column: string;
  /** The row's id (or, for rows written by upsert, its natural key). */
  row: string;
  orgId: string;
}

/** A ciphertext that cannot be opened here: tampered with, moved, or sealed by an unknown key. */
export class DecryptionError extends Error {
  override readonly name = 'DecryptionError';
}

interface RingKey {
  kid: string;
  key: KeyObject;
}

const KID = /^[A-Za-z0-9_-]{1,32}$/;
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** The key file beside the embedded database: one key a line, `kid:base64`, first current. */
export const KEY_FILE = 'encryption.key';

function keyBytes(base64: string, name: string): Buffer {
  const key = Buffer.from(base64.trim(), 'base64');
  if (key.length !== 32) throw new Error(`${name} must be 32 bytes, base64-encoded`);
  return key;
}

/** A key's id when none is given: a short fingerprint (SHA-256 of a label and the key). */
export function keyIdOf(key: Buffer): string {
  return createHash('sha256')
    .update('careloop key id\0')
    .update(key)
    .digest('base64url')
    .slice(0, 8);
}

/** One `kid:base64` or bare `base64` entry of a key list. */
function parseKeyEntry(entry: string, name: string): { kid: string; key: Buffer } {
  const colon = entry.indexOf(':');
  if (colon === -1) {
    const key = keyBytes(entry, name);
    return { kid: keyIdOf(key), key };
  }
  const kid = entry.slice(0, colon).trim();
  if (!KID.test(kid)) {
    throw new Error(`${name}: a key id is 1–32 letters, digits, "-" or "_", got "${kid}"`);
  }
  return { kid, key: keyBytes(entry.slice(colon + 1), name) };
}

/** Parses a key list: `kid:base64,kid:base64` (commas or new lines), the first one current. */
export function parseKeyList(text: string, name: string): { kid: string; key: Buffer }[] {
  return text
    .split(/[,\n]/)
    .map((e) => e.trim())
    .filter((e) => e !== '' && !e.startsWith('#'))
    .map((e) => parseKeyEntry(e, name));
}

const aadOf = (aad: FieldAad) =>
  Buffer.from(JSON.stringify(['careloop', aad.table, aad.column, aad.row, aad.orgId]), 'utf8');

/**
 * Application-side encryption of sensitive free text (AES-256-GCM) under a key ring. The
 * database only ever sees ciphertext; the keys live outside it (env, or a 0600 file beside the
 * embedded database).
 *
 * Format v2 (written): `v2.<kid>.<base64 of iv ‖ ciphertext ‖ tag>`, associated data =
 * table, column, row and organization. Format v1 (read only, until `careloop keys rotate`):
 * `v1.<iv>.<tag>.<ciphertext>`, no key id and no associated data; every key is tried.
 */
export class FieldCipher {
  private readonly byKid: Map<string, KeyObject>;

  private constructor(private readonly ring: readonly RingKey[]) {
    const [current] = ring;
    if (!current) throw new Error('The key ring is empty');
    this.byKid = new Map();
    for (const k of ring) {
      if (this.byKid.has(k.kid)) throw new Error(`Key id "${k.kid}" appears twice in the ring`);
      this.byKid.set(k.kid, k.key);
    }
  }

  /** The id of the key new values are sealed with. */
  get currentKid(): string {
    return this.current.kid;
  }

  /** Every key id, current first. */
  get kids(): string[] {
    return this.ring.map((k) => k.kid);
  }

  private get current(): RingKey {
    const [current] = this.ring;
    if (!current) throw new Error('The key ring is empty');
    return current;
  }

  static fromKeys(keys: readonly { kid: string; key: Buffer }[]): FieldCipher {
    return new FieldCipher(keys.map(({ kid, key }) => ({ kid, key: createSecretKey(key) })));
  }

  /** One key, its id derived from it (`CARELOOP_ENCRYPTION_KEY`). */
  static fromBase64(keyBase64: string): FieldCipher {
    const key = keyBytes(keyBase64, 'CARELOOP_ENCRYPTION_KEY');
    return FieldCipher.fromKeys([{ kid: keyIdOf(key), key }]);
  }

  /**
   * The configured ring: `CARELOOP_ENCRYPTION_KEY` (current) and `CARELOOP_ENCRYPTION_KEYS`
   * (`kid:base64,…`: earlier keys kept to decrypt, or the whole ring, first current, when
   * `CARELOOP_ENCRYPTION_KEY` is unset).
   */
  static fromEnv(current: string | null, more: string | null): FieldCipher | null {
    const ring = [
      ...(current ? [parseKeyEntry(current, 'CARELOOP_ENCRYPTION_KEY')] : []),
      ...(more ? parseKeyList(more, 'CARELOOP_ENCRYPTION_KEYS') : []),
    ];
    const unique = ring.filter((k, i) => ring.findIndex((o) => o.kid === k.kid) === i);
    return unique.length === 0 ? null : FieldCipher.fromKeys(unique);
  }

  static random(kid?: string): FieldCipher {
    const key = randomBytes(32);
    return FieldCipher.fromKeys([{ kid: kid ?? keyIdOf(key), key }]);
  }

  /** Reads the key ring file in `dataDir`, creating it with one key on first use. */
  static async fromDataDir(dataDir: string): Promise<FieldCipher> {
    const file = path.join(dataDir, KEY_FILE);
    try {
      return FieldCipher.fromKeys(parseKeyList(await readFile(file, 'utf8'), file));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    const key = randomBytes(32);
    await writeFile(file, `${keyIdOf(key)}:${key.toString('base64')}\n`, {
      mode: 0o600,
      flag: 'wx',
    });
    await chmod(file, 0o600);
    return FieldCipher.fromDataDir(dataDir);
  }

  /**
   * Puts a new random key first in the data folder's key file (earlier keys stay, to decrypt
   * until `careloop keys rotate` has re-encrypted everything). Returns the new key's id.
   */
  static async addKeyToDataDir(dataDir: string): Promise<string> {
    await FieldCipher.fromDataDir(dataDir);
    const file = path.join(dataDir, KEY_FILE);
    const existing = await readFile(file, 'utf8');
    const key = randomBytes(32);
    const kid = keyIdOf(key);
    await writeFile(file, `${kid}:${key.toString('base64')}\n${existing}`, { mode: 0o600 });
    await chmod(file, 0o600);
    return kid;
  }

  // Issue 11 (h11v): survey links are signed with a subkey (docs/adr/0042-survey-links.md).
  /**
   * A subkey of every key of the ring for one purpose (HKDF-SHA256, `info` the purpose), current
   * first: the current one signs, every one verifies, so a key rotation keeps earlier links
   * working until the old key leaves the ring. No key is used as is for two purposes.
   */
  subkeys(info: string): KeyObject[] {
    return this.ring.map(({ key }) =>
      createSecretKey(Buffer.from(hkdfSync('sha256', key.export(), Buffer.alloc(0), info, 32))),
    );
  }

  encrypt(plaintext: string, aad: FieldAad): string {
    const { kid, key } = this.current;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    cipher.setAAD(aadOf(aad));
    const body = Buffer.concat([
      iv,
      cipher.update(plaintext, 'utf8'),
      cipher.final(),
      cipher.getAuthTag(),
    ]);
    return `v2.${kid}.${body.toString('base64')}`;
  }

  /** Opens a sealed value; throws DecryptionError when it was not sealed for `aad` by a known key. */
  decrypt(sealed: string, aad: FieldAad): string {
    if (sealed.startsWith('v2.')) return this.openV2(sealed, aad);
    if (sealed.startsWith('v1.')) return this.openV1(sealed);
    throw new DecryptionError('Unrecognized ciphertext format');
  }

  /** Whether `sealed` is in an older format or under a key other than the current one. */
  isStale(sealed: string): boolean {
    return !sealed.startsWith(`v2.${this.current.kid}.`);
  }

  private openV2(sealed: string, aad: FieldAad): string {
    const [, kid, body] = sealed.split('.');
    const key = kid === undefined ? undefined : this.byKid.get(kid);
    if (!key || body === undefined) {
      throw new DecryptionError(`No key "${kid ?? ''}" in the key ring`);
    }
    const bytes = Buffer.from(body, 'base64');
    if (bytes.length < IV_BYTES + TAG_BYTES) throw new DecryptionError('Ciphertext too short');
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, IV_BYTES));
      decipher.setAAD(aadOf(aad));
      decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
      return Buffer.concat([
        decipher.update(bytes.subarray(IV_BYTES, bytes.length - TAG_BYTES)),
        decipher.final(),
      ]).toString('utf8');
    } catch {
      // GCM says only "unable to authenticate": the value was altered or belongs elsewhere.
      throw new DecryptionError('Ciphertext does not authenticate for this row');
    }
  }

  private openV1(sealed: string): string {
    const [, iv, tag, body] = sealed.split('.');
    if (!iv || !tag || body === undefined) throw new DecryptionError('Malformed v1 ciphertext');
    for (const { key } of this.ring) {
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64'));
        decipher.setAuthTag(Buffer.from(tag, 'base64'));
        return Buffer.concat([
          decipher.update(Buffer.from(body, 'base64')),
          decipher.final(),
        ]).toString('utf8');
      } catch {
        // Not this key (v1 names none): try the next one.
      }
    }
    throw new DecryptionError('No key in the ring opens this v1 ciphertext');
  }
}

/** What a reader sees in place of a value that does not decrypt for its row. */
export const UNREADABLE = '[unreadable: this value does not decrypt for this record]';

/**
 * Opens a value for a list or a view: one value moved from another row or tampered with is
 * shown as UNREADABLE (and reported to `onError`, without the value), so the rest still reads.
 */
export function openForView(
  cipher: FieldCipher,
  sealed: string,
  aad: FieldAad,
  onError: (aad: FieldAad, error: DecryptionError) => void = reportUnreadable,
): string {
  try {
    return cipher.decrypt(sealed, aad);
  } catch (error) {
    if (!(error instanceof DecryptionError)) throw error;
    onError(aad, error);
    return UNREADABLE;
  }
}

/** Where no logger is at hand: stderr, naming the place (never the value). */
function reportUnreadable(aad: FieldAad, error: DecryptionError): void {
  process.stderr.write(
    `${JSON.stringify({ level: 'warn', msg: 'unreadable encrypted field', ...aad, error: error.message })}\n`,
  );
}
