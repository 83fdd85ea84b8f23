import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import type { Config } from '../../config.js';
import { parseKeyList } from '../../crypto/field-cipher.js';
import type { Database } from '../../db/client.js';
import { rowsOf } from '../../db/rows.js';
import {
  type ChainHead,
  type Checkpoint,
  CheckpointKey,
  CheckpointUnavailable,
} from './checkpoint.js';
import { appendCheckpoint } from './checkpoint-file.js';

/** The embedded mode's checkpoint key, beside the database and never in it. */
export const AUDIT_KEY_FILE = 'audit.key';

/**
 * The key that signs checkpoints (docs/adr/0009): CARELOOP_AUDIT_KEY when set; in embedded mode
 * a key file of its own in the data folder (created on first use, 0600), so that rotating the
 * encryption key ring (`careloop keys rotate --new-key`) leaves old checkpoints verifiable; with
 * DATABASE_URL, a subkey of CARELOOP_ENCRYPTION_KEY (set CARELOOP_AUDIT_KEY before rotating
 * that key). Never stored in the database.
 */
export async function loadCheckpointKey(config: Config): Promise<CheckpointKey> {
  if (config.auditKey) return CheckpointKey.fromBase64(config.auditKey);
  if (!config.databaseUrl) {
    await mkdir(config.dataDir, { recursive: true });
    const file = path.join(config.dataDir, AUDIT_KEY_FILE);
    try {
      return CheckpointKey.fromBase64((await readFile(file, 'utf8')).trim());
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    try {
      await writeFile(file, `${randomBytes(32).toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
    } catch (error) {
      // Another process created it first: read theirs.
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    return CheckpointKey.fromBase64((await readFile(file, 'utf8')).trim());
  }
  if (config.encryptionKey) {
    const [current] = parseKeyList(config.encryptionKey, 'CARELOOP_ENCRYPTION_KEY');
    if (current) return CheckpointKey.derivedFrom(current.key.toString('base64'));
  }
  throw new CheckpointUnavailable(
    'CARELOOP_AUDIT_KEY or CARELOOP_ENCRYPTION_KEY is required with DATABASE_URL to sign audit checkpoints',
  );
}

/**
 * Whether the owning connection sees every organization's events: it must own audit_events
 * (or be a superuser), since row-level security shows the app's roles one organization only.
 */
export async function seesEveryChain(database: Database): Promise<boolean> {
  const [row] = rowsOf<{ ok: boolean }>(
    await database.ownerDb.execute(
      sql`select pg_has_role(current_user, relowner, 'USAGE') as ok from pg_class
          where oid = 'audit_events'::regclass`,
    ),
  );
  return row?.ok === true;
}

/** Every organization's chain head: its last event's seq and hash, and how many events. */
export async function readChainHeads(database: Database): Promise<ChainHead[]> {
  const rows = rowsOf<{ org_id: string; seq: number | string; hash: string; n: number | string }>(
    await database.system((tx) =>
      tx.execute(sql`
        select c.org_id, c.seq, a.hash, c.n
        from (select org_id, max(seq) as seq, count(*) as n from audit_events group by org_id) c
        join audit_events a on a.seq = c.seq`),
    ),
  );
  return rows.map((r) => ({
    orgId: r.org_id,
    seq: Number(r.seq),
    hash: r.hash,
    count: Number(r.n),
  }));
}

/** Writes checkpoints of the audit chains to a file outside the database. */
export class AuditAnchor {
  constructor(
    private readonly database: Database,
    private readonly key: CheckpointKey,
    readonly file: string,
  ) {}

  static async open(config: Config, database: Database): Promise<AuditAnchor> {
    return new AuditAnchor(database, await loadCheckpointKey(config), config.auditCheckpoints);
  }

  /** Reads every chain head now and appends them, signed, as the file's next line. */
  async checkpoint(at: Date): Promise<Checkpoint> {
    if (!(await seesEveryChain(this.database))) {
      throw new CheckpointUnavailable(
        'audit checkpoints need the role that owns the tables: set DATABASE_OWNER_URL (docs/adr/0002)',
      );
    }
    return appendCheckpoint(this.file, this.key, await readChainHeads(this.database), at);
  }

  /**
   * Takes a checkpoint every `minutes` (the first right away) until the returned function is
   * called; that function waits for a checkpoint in progress. A tick that finds the previous
   * checkpoint still running is skipped, so a slow database never queues them up. `now` is
   * the clock.
   */
  schedule(
    minutes: number,
    now: () => Date,
    onError: (error: unknown) => void,
  ): () => Promise<void> {
    let running: Promise<void> | null = null;
    const take = () => {
      running ??= this.checkpoint(now())
        .then(
          () => undefined,
          (error: unknown) => onError(error),
        )
        .finally(() => {
          running = null;
        });
    };
    take();
    const timer = setInterval(take, minutes * 60_000);
    timer.unref();
    return async () => {
      clearInterval(timer);
      await running;
    };
  }
}
