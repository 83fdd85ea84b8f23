import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENCRYPTED_COLUMNS } from '../crypto/rotate.js';
import { runCli } from './run.js';

async function careloop(argv: string[], env: NodeJS.ProcessEnv) {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  const code = await runCli(argv, {
    env: { LOG_LEVEL: 'silent', ...env },
    stdout: out,
    stderr: new PassThrough(),
  });
  return { code, stdout: Buffer.concat(chunks).toString('utf8') };
}

describe('careloop keys rotate (embedded)', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'careloop-keys-cli-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('adds a key at the top of the key file with --new-key, rotates to it, and finds nothing left after', async () => {
    const env = { CARELOOP_DATA_DIR: dir };
    const first = await careloop(['keys', 'rotate', '--new-key', '--json'], env);
    expect(first.code).toBe(0);
    const result = JSON.parse(first.stdout) as { currentKey: string; columns: unknown[] };
    const lines = (await readFile(path.join(dir, 'encryption.key'), 'utf8')).trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]?.startsWith(`${result.currentKey}:`)).toBe(true);
    expect(result.columns).toHaveLength(ENCRYPTED_COLUMNS.length);
    const again = await careloop(['keys', 'rotate'], env);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain(`current key ${result.currentKey}`);
  }, 120_000);

  it('refuses --new-key when the keys come from the environment (exit 2)', async () => {
    const ran = await careloop(['keys', 'rotate', '--new-key'], {
      CARELOOP_DATA_DIR: dir,
      CARELOOP_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    });
    expect(ran.code).toBe(2);
  });
});
