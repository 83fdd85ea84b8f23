import { count } from 'drizzle-orm';
import { loadCheckpointKey } from '../modules/audit/anchor.js';
import { checkCheckpointFile } from '../modules/audit/checkpoint-file.js';
import { auditEvents } from '../modules/audit/schema.js';
import { type ChainBreak, verifyAuditChains } from '../modules/audit/service.js';
import { openDatabase } from '../server.js';
import { asCommandError } from './audit-checkpoint.js';
import type { Command } from './command.js';
import { EXIT, formatCount } from './output.js';
import { progress } from './progress.js';

const breakLine = (b: ChainBreak) =>
  `  organization ${b.orgId}, event ${b.seq}: ${b.problem}${b.detail ? ` (${b.detail})` : ''}`;

export const auditVerifyCommand: Command = {
  name: 'audit verify',
  summary: 'Check that no audit event was changed or removed',
  help: `careloop audit verify

  Recomputes every organization's audit hash chain, and checks the checkpoint file
  (CARELOOP_AUDIT_CHECKPOINTS): every line's signature and link to the line before, then every
  chain against the latest checkpoint. Prints how many events were checked and every finding:
  an event whose hash or link does not match, a chain cut (truncated) or rewritten below its
  checkpointed head, a checkpointed organization with no events left (missing-chain), a
  checkpoint line that is unreadable, badly signed or out of order. Exits 1 when there is any.`,
  options: {},
  async run({ config, out, io }) {
    const key = await loadCheckpointKey(config).catch(asCommandError);
    const database = await openDatabase(config, io.env);
    const bar = progress(io.stderr, 'Verifying', 'events', { json: out.json });
    try {
      await database.migrate();
      const file = config.auditCheckpoints;
      const { exists, check } = await checkCheckpointFile(file, key);
      const [events] = await database.ownerDb.select({ n: count() }).from(auditEvents);
      const total = events?.n ?? 0;
      const result = await verifyAuditChains(
        database.ownerDb,
        (checked) => bar.update(checked, Math.max(total, checked)),
        check.latest,
      );
      bar.stop();
      const latest = check.latest;
      const ok = result.breaks.length === 0 && check.findings.length === 0;
      const checkpoint = {
        file,
        exists,
        lines: check.lines,
        latest: latest ? { line: latest.line, at: latest.at } : null,
        findings: check.findings,
      };
      out.result({ ok, ...result, checkpoint }, () =>
        [
          `Checked ${formatCount(result.checked)} audit events in ${formatCount(result.organizations)} organizations.`,
          latest
            ? `Against checkpoint ${latest.line} of ${latest.at} (${file}).`
            : `No checkpoint in ${file}: a chain cut at its end cannot be seen (run \`careloop audit checkpoint\`).`,
          ...(check.findings.length === 0
            ? []
            : [
                `${formatCount(check.findings.length)} checkpoint line(s) not to be trusted:`,
                ...check.findings.map((f) => `  line ${f.line}: ${f.problem} (${f.detail})`),
              ]),
          ...(result.breaks.length === 0
            ? ['Every chain is intact.']
            : [`${formatCount(result.breaks.length)} break(s):`, ...result.breaks.map(breakLine)]),
        ].join('\n'),
      );
      return ok ? EXIT.ok : EXIT.failure;
    } finally {
      bar.stop();
      await database.close();
    }
  },
};
