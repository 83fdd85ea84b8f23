import { AuditAnchor, loadCheckpointKey } from '../modules/audit/anchor.js';
import { CheckpointUnavailable } from '../modules/audit/checkpoint.js';
import { openDatabase } from '../server.js';
import type { Command } from './command.js';
import { CommandError, formatCount } from './output.js';

/** A checkpoint the configuration does not allow is the operator's to fix, not a crash. */
export function asCommandError(error: unknown): never {
  throw error instanceof CheckpointUnavailable ? new CommandError(error.message) : error;
}

export const auditCheckpointCommand: Command = {
  name: 'audit checkpoint',
  summary: 'Record every audit chain head, signed, in the checkpoint file',
  help: `careloop audit checkpoint

  Reads every organization's audit chain head (last event, its hash, how many events) and
  appends them, signed and chained to the line before, to the checkpoint file
  (CARELOOP_AUDIT_CHECKPOINTS, default <data folder>/audit-checkpoints.jsonl). \`careloop audit
  verify\` then finds chains cut or rewritten below it. \`careloop start\` takes one every
  CARELOOP_AUDIT_CHECKPOINT_MINUTES (default 5). Needs the owning role (DATABASE_OWNER_URL when
  DATABASE_URL owns nothing) and the signing key (CARELOOP_AUDIT_KEY, else a subkey of the
  encryption key).`,
  options: {},
  async run({ config, out, io }) {
    const key = await loadCheckpointKey(config).catch(asCommandError);
    const database = await openDatabase(config, io.env);
    try {
      await database.migrate();
      const anchor = new AuditAnchor(database, key, config.auditCheckpoints);
      const checkpoint = await anchor.checkpoint(new Date()).catch(asCommandError);
      const events = checkpoint.chains.reduce((sum, h) => sum + h.count, 0);
      out.result(
        {
          file: anchor.file,
          line: checkpoint.line,
          at: checkpoint.at,
          chains: checkpoint.chains.length,
          events,
        },
        () =>
          `Checkpoint ${checkpoint.line} written to ${anchor.file}: ${formatCount(checkpoint.chains.length)} chains, ${formatCount(events)} events.`,
      );
      return undefined;
    } finally {
      await database.close();
    }
  },
};
