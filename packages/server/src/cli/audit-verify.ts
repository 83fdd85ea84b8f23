import { count } from 'drizzle-orm';
import { auditEvents } from '../modules/audit/schema.js';
import { verifyAuditChains } from '../modules/audit/service.js';
import { openDatabase } from '../server.js';
import type { Command } from './command.js';
import { EXIT, formatCount } from './output.js';
import { progress } from './progress.js';

export const auditVerifyCommand: Command = {
  name: 'audit verify',
  summary: 'Check that no audit event was changed or removed',
  help: `careloop audit verify

  Recomputes every organization's audit hash chain. Prints how many events were checked and
  every break (an event whose hash or link does not match); exits 1 when there is any.`,
  options: {},
  async run({ config, out, io }) {
    const database = await openDatabase(config, io.env);
    const bar = progress(io.stderr, 'Verifying', 'events', { json: out.json });
    try {
      await database.migrate();
      const [events] = await database.ownerDb.select({ n: count() }).from(auditEvents);
      const total = events?.n ?? 0;
      const result = await verifyAuditChains(database.ownerDb, (checked) =>
        bar.update(checked, Math.max(total, checked)),
      );
      bar.stop();
      out.result({ ok: result.breaks.length === 0, ...result }, () =>
        [
          `Checked ${formatCount(result.checked)} audit events in ${formatCount(result.organizations)} organizations.`,
          ...(result.breaks.length === 0
            ? ['Every chain is intact.']
            : [
                `${formatCount(result.breaks.length)} break(s):`,
                ...result.breaks.map(
                  (b) => `  organization ${b.orgId}, event ${b.seq}: ${b.problem}`,
                ),
              ]),
        ].join('\n'),
      );
      return result.breaks.length === 0 ? EXIT.ok : EXIT.failure;
    } finally {
      bar.stop();
      await database.close();
    }
  },
};
