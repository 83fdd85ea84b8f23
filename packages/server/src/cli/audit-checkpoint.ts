import { AuditAnchor } from '../modules/audit/anchor.js';
import { openDatabase } from '../server.js';
import type { Command } from './command.js';
import { formatCount } from './output.js';

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
    const database = await openDatabase(config, io.env);
    try {
      await database.migrate();
      const anchor = await AuditAnchor.open(config, database);
      const checkpoint = await anchor.checkpoint(new Date());
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
