import { createReadStream } from 'node:fs';
import { appendFile, mkdir, open, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  type ChainHead,
  type Checkpoint,
  CheckpointFileCheck,
  type CheckpointKey,
  CheckpointUnavailable,
  parseCheckpoint,
  signCheckpoint,
} from './checkpoint.js';

const isMissing = (error: unknown) => (error as NodeJS.ErrnoException).code === 'ENOENT';
const ignoreMissing = (error: unknown) => {
  if (!isMissing(error)) throw error;
};

/** The file's last non-empty line, read from its end (the file only grows); null when none. */
export async function readLastLine(file: string): Promise<string | null> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(file, 'r');
  } catch (error) {
    if (isMissing(error)) return null;
    throw error;
  }
  try {
    const { size } = await handle.stat();
    let span = Math.min(size, 65_536);
    for (;;) {
      const buffer = Buffer.alloc(span);
      await handle.read(buffer, 0, span, size - span);
      const text = buffer.toString('utf8').replace(/\n+$/, '');
      const cut = text.lastIndexOf('\n');
      if (cut >= 0 || span === size) return text.slice(cut + 1) || null;
      span = Math.min(size, span * 4);
    }
  } finally {
    await handle.close();
  }
}

/**
 * Runs `fn` holding `<file>.lock`, so two processes appending to one checkpoint file (the
 * server's schedule and `careloop audit checkpoint`) do not both chain from the same line.
 * A lock left by a crashed process is taken over after a minute.
 */
async function withFileLock<T>(file: string, fn: () => Promise<T>): Promise<T> {
  const lock = `${file}.lock`;
  for (let attempt = 0; ; attempt++) {
    try {
      const handle = await open(lock, 'wx', 0o600);
      await handle.close();
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      // Gone between the two calls: held for no time, try again.
      const held = await stat(lock).then(
        (s) => Date.now() - s.mtimeMs,
        (e: unknown) => {
          ignoreMissing(e);
          return 0;
        },
      );
      if (held > 60_000) await unlink(lock).catch(ignoreMissing);
      else if (attempt >= 100) throw new Error(`the checkpoint file is locked (${lock})`);
      else await sleep(50);
    }
  }
  try {
    return await fn();
  } finally {
    await unlink(lock);
  }
}

/** Signs the chain heads and appends them as the file's next line (creating it, mode 0600). */
export async function appendCheckpoint(
  file: string,
  key: CheckpointKey,
  heads: ChainHead[],
  at: Date,
): Promise<Checkpoint> {
  await mkdir(path.dirname(file), { recursive: true });
  return withFileLock(file, async () => {
    const last = await readLastLine(file);
    const previous = last === null ? null : parseCheckpoint(last);
    if (typeof previous === 'string') {
      throw new CheckpointUnavailable(
        `the last line of ${file} is not a checkpoint (${previous}): run \`careloop audit verify\`, then move the file aside`,
      );
    }
    const checkpoint = signCheckpoint(key, previous, heads, at);
    await appendFile(file, `${JSON.stringify(checkpoint)}\n`, { mode: 0o600 });
    return checkpoint;
  });
}

/** Reads and checks every line of a checkpoint file; `exists` is false when there is none. */
export async function checkCheckpointFile(
  file: string,
  key: CheckpointKey,
): Promise<{ exists: boolean; check: CheckpointFileCheck }> {
  const check = new CheckpointFileCheck(key);
  const stream = createReadStream(file, { encoding: 'utf8' });
  try {
    for await (const line of createInterface({
      input: stream,
      crlfDelay: Number.POSITIVE_INFINITY,
    })) {
      check.add(line);
    }
  } catch (error) {
    if (isMissing(error)) return { exists: false, check };
    throw error;
  } finally {
    stream.destroy();
  }
  return { exists: true, check };
}
