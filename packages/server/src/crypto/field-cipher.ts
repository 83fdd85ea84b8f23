import {
  createCipheriv,
  createDecipheriv,
  createSecretKey,
  type KeyObject,
  randomBytes,
} from 'node:crypto';
import { chmod, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * Application-side encryption of sensitive free text (AES-256-GCM). The database only ever
 * sees ciphertext; the key lives outside it (env, or a 0600 file beside the embedded database).
 */
export class FieldCipher {
  /** A key object, made once: a cipher made from raw key bytes imports them each time. */
  private readonly key: KeyObject;

  private constructor(key: Buffer) {
    this.key = createSecretKey(key);
  }

  static fromBase64(keyBase64: string): FieldCipher {
    const key = Buffer.from(keyBase64, 'base64');
    if (key.length !== 32) {
      throw new Error('CARELOOP_ENCRYPTION_KEY must be 32 bytes, base64-encoded');
    }
    return new FieldCipher(key);
  }

  static random(): FieldCipher {
    return new FieldCipher(randomBytes(32));
  }

  /** Reads the key file in `dataDir`, creating it on first use. */
  static async fromDataDir(dataDir: string): Promise<FieldCipher> {
    const file = path.join(dataDir, 'encryption.key');
    try {
      return FieldCipher.fromBase64((await readFile(file, 'utf8')).trim());
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    const key = randomBytes(32).toString('base64');
    await writeFile(file, `${key}\n`, { mode: 0o600, flag: 'wx' });
    await chmod(file, 0o600);
    return FieldCipher.fromBase64(key);
  }

  encrypt(plaintext: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    const tag = cipher.getAuthTag();
    return ['v1', iv.toString('base64'), tag.toString('base64'), body.toString('base64')].join('.');
  }

  decrypt(sealed: string): string {
    const [version, iv, tag, body] = sealed.split('.');
    if (version !== 'v1' || !iv || !tag || body === undefined) {
      throw new Error('Unrecognized ciphertext format');
    }
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64'));
    decipher.setAuthTag(Buffer.from(tag, 'base64'));
    return Buffer.concat([decipher.update(Buffer.from(body, 'base64')), decipher.final()]).toString(
      'utf8',
    );
  }
}
