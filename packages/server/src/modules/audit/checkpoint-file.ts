import { createReadStream } from 'node:fs';
import { appendFile, mkdir, open, readFile, unlink } from 'node:fs/promises';
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

/** Whether a process of this machine with that id is running (`kill -0`). */
function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it runs, as another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The process id written in a lock file, or null while it is being written (or gone). */
async function lockHolder(lock: string): Promise<number | null> {
  try {
    const pid = Number.parseInt(await readFile(lock, 'utf8'), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch (error) {
    ignoreMissing(error);
    return null;
  }
}

/**
 * Runs `fn` holding `<file>.lock`, so two processes appending to one checkpoint file (the
 * server's schedule and `careloop audit checkpoint`) do not both chain from the same line.
 * The lock holds its owner's process id: a lock whose process no longer runs (it crashed) is
 * taken over. Not its age: a file's time comes from the kernel's clock and `Date.now()` from the
 * process's, and the two disagree whenever the clock is stepped (a test a year ahead took over
 * live locks and two writers unlinked one lock).
 */
async function withFileLock<T>(file: string, fn: () => Promise<T>): Promise<T> {
  const lock = `${file}.lock`;
  for (let attempt = 0; ; attempt++) {
    try {
      const handle = await open(lock, 'wx', 0o600);
      try {
        await handle.writeFile(String(process.pid));
      } finally {
        await handle.close();
      }
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = await lockHolder(lock);
      if (holder !== null && holder !== process.pid && !processAlive(holder)) {
        await unlink(lock).catch(ignoreMissing);
      } else if (attempt >= 100) {
        throw new Error(`the checkpoint file is locked (${lock})`);
      } else {
        await sleep(50);
      }
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
