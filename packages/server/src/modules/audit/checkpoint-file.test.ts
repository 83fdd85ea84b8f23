import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ChainHead, CheckpointKey } from './checkpoint.js';
import { appendCheckpoint, checkCheckpointFile, readLastLine } from './checkpoint-file.js';

const key = CheckpointKey.fromBase64(randomBytes(32).toString('base64'));
const at = (minute: number) => new Date(Date.UTC(2026, 11, 5, 12, minute));
const heads = (n: number): ChainHead[] =>
  Array.from({ length: n }, (_, i) => ({
    orgId: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    seq: i + 1,
    hash: 'a'.repeat(64),
    count: i + 1,
  }));

describe('the checkpoint file', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'careloop-checkpoints-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('keeps one unbroken chain when several writers append at once', async () => {
    const file = path.join(dir, 'concurrent', 'audit-checkpoints.jsonl');
    await Promise.all(
      Array.from({ length: 8 }, (_, i) => appendCheckpoint(file, key, heads(2), at(i))),
    );
    const { exists, check } = await checkCheckpointFile(file, key);
    expect(exists).toBe(true);
    expect(check.findings).toEqual([]);
    expect(check.lines).toBe(8);
    expect(check.latest?.line).toBe(8);
  });

  it('takes over a lock left by a process that no longer runs, whatever the clock says', async () => {
    const file = path.join(dir, 'crashed', 'audit-checkpoints.jsonl');
    await mkdir(path.dirname(file), { recursive: true });
    // A writer that crashed holding the lock: its process has ended (a lock file's age is the
    // kernel's clock, not the process's, so it is not what decides).
    const { pid } = spawnSync(process.execPath, ['-e', '']);
    await writeFile(`${file}.lock`, String(pid));
    await appendCheckpoint(file, key, heads(1), at(0));
    const { check } = await checkCheckpointFile(file, key);
    expect(check.findings).toEqual([]);
    expect(check.lines).toBe(1);
  });

  it('reads the last line from the end, also when it is longer than one read', async () => {
    const file = path.join(dir, 'long.jsonl');
    await appendCheckpoint(file, key, heads(1), at(0));
    // About 150 bytes an organization: 2,000 make a line of 290 kB, past the first 64 kB read.
    const last = await appendCheckpoint(file, key, heads(2000), at(1));
    expect(JSON.stringify(last).length).toBeGreaterThan(200_000);
    expect(await readLastLine(file)).toBe(JSON.stringify(last));
    const { check } = await checkCheckpointFile(file, key);
    expect(check.findings).toEqual([]);
    expect(check.latest?.chains).toHaveLength(2000);
  });

  it('says there is none when the file is missing, and refuses to chain from a damaged last line', async () => {
    const missing = await checkCheckpointFile(path.join(dir, 'nothing.jsonl'), key);
    expect(missing).toMatchObject({ exists: false, check: { lines: 0, latest: null } });
    expect(await readLastLine(path.join(dir, 'nothing.jsonl'))).toBeNull();
    const file = path.join(dir, 'damaged.jsonl');
    await writeFile(file, '{"v":1,"line":1,\n');
    await expect(appendCheckpoint(file, key, heads(1), at(0))).rejects.toThrow(/not a checkpoint/);
  });
});
