import { createCipheriv, randomBytes } from 'node:crypto';

/** A value as Careloop's first format wrote it (`v1`: no key id, no associated data). */
export function sealV1(key: Buffer, plaintext: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  const parts = [iv, cipher.getAuthTag(), body].map((p) => p.toString('base64'));
  return ['v1', ...parts].join('.');
}
