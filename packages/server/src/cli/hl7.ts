import { readFile, stat } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.js';
import { sqlState } from '../db/errors.js';
import { keepStatisticsFresh } from '../db/statistics.js';
import type { AuditActor } from '../modules/audit/service.js';
import {
  describeRefusal,
  type MllpSenderSettings,
  senderSettingsFromEnv,
} from '../modules/hl7/mllp/senders.js';
import { decodePayload, splitMessages } from '../modules/hl7/parse/message.js';
import { HL7_DEFAULT_PORT, organizationNamed, startHl7 } from '../modules/hl7/runtime.js';
import type { ReceivedMessage } from '../modules/hl7/service.js';
import { DEMO_ORGANIZATION } from '../seed/reference/staff.js';
import { openRuntime } from '../server.js';
import type { OptionSpecs, OptionValues } from './command.js';
import { integerOption, stringOption } from './command.js';
import { type CliIO, CommandError, EXIT, formatCount, Output, UsageError } from './output.js';
import { progress } from './progress.js';

/** Larger files are split by the operator; a batch file of this size holds ~100k messages. */
const MAX_FILE_BYTES = 512 * 1024 * 1024;

export const HL7_LISTEN_HELP = `careloop hl7 listen [--port N] [--host HOST] [--org NAME]

  Receives HL7 v2 messages over MLLP for one organization, created when it does not exist:
  ADT A01/A03/A04/A08/A11/A13/A28/A31/A40, SIU S12/S13/S14/S15/S26, REF I12 and ORM O01 (orders
  that need a visit, as referrals) are mapped, ORU is kept as received. Every message is stored and acknowledged after its effects are committed
  (AA, AE or AR). Stops cleanly on Ctrl-C (SIGINT) or SIGTERM.

  --port N      TCP port (default $HL7_PORT or ${HL7_DEFAULT_PORT}; 0 picks a free one)
  --host HOST   interface to listen on (default $HL7_HOST, else $HOST or 127.0.0.1)
  --org NAME    the organization the messages belong to (default $HL7_ORG or "${DEMO_ORGANIZATION}")

  Senders (docs/hl7.md): HL7_ALLOW (addresses and CIDR ranges), HL7_MAX_CONNECTIONS_PER_ADDRESS
  (16), HL7_IDLE_TIMEOUT_SECONDS (60); MLLP over TLS with HL7_TLS_CERT and HL7_TLS_KEY, client
  certificates required with HL7_TLS_CA.`;

export const IMPORT_HL7_HELP = `careloop import hl7 <files…> [--org NAME] [--json]

  Imports HL7 v2 messages from files: one message, several separated by blank lines, or a batch
  (FHS/BHS). Each message is processed as if it had arrived over MLLP, and stored. Exits 1 when
  any message was not accepted (AE or AR); the counts say which.

  --org NAME    the organization (default $HL7_ORG or "${DEMO_ORGANIZATION}"), created when missing`;

function parse(argv: readonly string[], options: OptionSpecs, positionals: boolean) {
  try {
    return parseArgs({
      args: [...argv],
      options: { ...options, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
      strict: true,
      allowPositionals: positionals,
    });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

/** A failure as a log line: the kind of error, never its text (which may quote a message). */
export function describeFailure(what: string, error: unknown): string {
  const kind = error instanceof Error ? error.name : typeof error;
  const state = sqlState(error);
  return `${what}: ${kind}${state ? ` (SQLSTATE ${state})` : ''}`;
}

function orgName(values: OptionValues, env: NodeJS.ProcessEnv): string {
  return stringOption(values, 'org')?.trim() || env.HL7_ORG?.trim() || DEMO_ORGANIZATION;
}

function waitForStop(signal: AbortSignal | undefined): Promise<string> {
  return new Promise((resolve) => {
    const stop = (why: string) => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      resolve(why);
    };
    const onInt = () => stop('SIGINT');
    const onTerm = () => stop('SIGTERM');
    process.on('SIGINT', onInt);
    process.on('SIGTERM', onTerm);
    if (signal?.aborted) stop('aborted');
    signal?.addEventListener('abort', () => stop('aborted'), { once: true });
  });
}

/**
 * `careloop hl7 listen`: the MLLP listener on its own. Resolves to the exit code once stopped
 * (by a signal, or `options.signal` for tests and embedding).
 */
export async function runHl7Listen(
  argv: readonly string[],
  io: CliIO,
  options: { signal?: AbortSignal; onListening?: (port: number) => void } = {},
): Promise<number> {
  const out = new Output(io, argv.includes('--json'));
  try {
    const { values } = parse(
      argv,
      { port: { type: 'string' }, host: { type: 'string' }, org: { type: 'string' } },
      false,
    );
    if (values.help) {
      io.stdout.write(`${HL7_LISTEN_HELP}\n`);
      return EXIT.ok;
    }
    const envPort = io.env.HL7_PORT ? Number(io.env.HL7_PORT) : HL7_DEFAULT_PORT;
    const port = integerOption(
      values,
      'port',
      Number.isInteger(envPort) ? envPort : HL7_DEFAULT_PORT,
      { min: 0, max: 65_535 },
    );
    let config: ReturnType<typeof loadConfig>;
    try {
      config = loadConfig(io.env);
    } catch (error) {
      throw new CommandError(error instanceof Error ? error.message : String(error));
    }
    const host = stringOption(values, 'host') ?? (io.env.HL7_HOST || config.host);
    let senders: MllpSenderSettings;
    try {
      senders = await senderSettingsFromEnv(io.env);
    } catch (error) {
      throw new CommandError(error instanceof Error ? error.message : String(error));
    }
    const { database, services } = await openRuntime(config, io.env);
    try {
      // SIU messages' appointments start journeys: their jobs are sent with the message.
      await services.jobs.start();
      const running = await startHl7(services, {
        port,
        host,
        organization: orgName(values, io.env),
        senders,
        onError: (error) => out.note(describeFailure('hl7 listener', error)),
        onRefused: (refusal) => out.note(describeRefusal(refusal)),
      }).catch((error: unknown) => {
        const code = (error as { code?: string }).code;
        throw new CommandError(
          code === 'EADDRINUSE'
            ? `Port ${port} on ${host} is in use; choose another with --port`
            : `Cannot listen on ${host}:${port}: ${error instanceof Error ? error.message : String(error)}`,
        );
      });
      const { listener, organization: org } = running;
      // Signals are handled before the listener says it is up: whoever reads that line may stop
      // it at once, and must not kill it mid-commit.
      const stopped = waitForStop(options.signal);
      out.result(
        {
          host: listener.host,
          port: listener.port,
          tls: listener.tls,
          organization: org,
          database: database.kind,
        },
        () =>
          `Listening for HL7 v2 (MLLP${listener.tls ? ' over TLS' : ''}) on ${listener.host}:${listener.port} for ${org.name}${org.created ? ' (created)' : ''}. Ctrl-C stops.`,
      );
      options.onListening?.(listener.port);
      const stopStatistics = keepStatisticsFresh(database, (error) =>
        out.note(describeFailure('analyze', error)),
      );
      const why = await stopped;
      out.note(`${why}: stopping the HL7 listener`);
      stopStatistics();
      await running.close();
      const stats = listener.stats();
      out.note(
        `Received ${formatCount(stats.frames)} frames on ${formatCount(stats.connections)} connections.`,
      );
      return EXIT.ok;
    } finally {
      await services.jobs.stop();
      await database.close();
    }
  } catch (error) {
    return out.fail(error);
  }
}

interface ImportCounts {
  files: number;
  messages: number;
  accepted: number;
  errors: number;
  rejected: number;
  duplicates: number;
  byType: Record<string, { AA: number; AE: number; AR: number }>;
  /** The first problems, to fix the source with. */
  problems: {
    file: string;
    index: number;
    controlId: string;
    ack: string;
    location: string | null;
    error: string;
  }[];
}

function tally(counts: ImportCounts, file: string, index: number, m: ReceivedMessage): void {
  counts.messages += 1;
  if (m.duplicate) counts.duplicates += 1;
  if (m.ackCode === 'AA') counts.accepted += 1;
  else if (m.ackCode === 'AE') counts.errors += 1;
  else counts.rejected += 1;
  const type = m.type || '(unreadable)';
  counts.byType[type] ??= { AA: 0, AE: 0, AR: 0 };
  const t = counts.byType[type];
  if (t) t[m.ackCode] += 1;
  if (m.ackCode !== 'AA' && counts.problems.length < 100) {
    counts.problems.push({
      file,
      index,
      controlId: m.controlId,
      ack: m.ackCode,
      location: m.error?.location ?? null,
      error: m.error?.text ?? '',
    });
  }
}

function report(counts: ImportCounts, orgName: string, seconds: number): string {
  const lines = [
    `Imported ${formatCount(counts.messages)} HL7 messages from ${formatCount(counts.files)} file(s) into ${orgName} in ${seconds.toFixed(1)} s:`,
    `  accepted (AA) ${formatCount(counts.accepted)}${counts.duplicates ? ` (${formatCount(counts.duplicates)} already imported)` : ''}, errors (AE) ${formatCount(counts.errors)}, rejected (AR) ${formatCount(counts.rejected)}`,
    ...Object.entries(counts.byType)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([type, c]) => `  ${type.padEnd(12)} AA ${c.AA}  AE ${c.AE}  AR ${c.AR}`),
  ];
  for (const p of counts.problems.slice(0, 20)) {
    lines.push(
      `  ${p.file} #${p.index + 1} (${p.controlId || 'no MSH-10'}): ${p.ack} ${p.location ?? ''} ${p.error}`.trimEnd(),
    );
  }
  if (counts.problems.length > 20) lines.push(`  … and more (--json lists the first 100)`);
  return lines.join('\n');
}

/** `careloop import hl7 <files…>`: messages from files, as if received over MLLP. */
export async function runImportHl7(argv: readonly string[], io: CliIO): Promise<number> {
  const out = new Output(io, argv.includes('--json'));
  try {
    const { values, positionals } = parse(argv, { org: { type: 'string' } }, true);
    if (values.help) {
      io.stdout.write(`${IMPORT_HL7_HELP}\n`);
      return EXIT.ok;
    }
    if (positionals.length === 0) throw new UsageError('name at least one file to import');
    const files: { path: string; messages: string[] }[] = [];
    for (const path of positionals) {
      const info = await stat(path).catch(() => null);
      if (!info?.isFile()) throw new CommandError(`${path} is not a readable file`);
      if (info.size > MAX_FILE_BYTES) {
        throw new CommandError(`${path} is larger than ${MAX_FILE_BYTES / 1_048_576} MB; split it`);
      }
      files.push({ path, messages: splitMessages(decodePayload(await readFile(path))).messages });
    }
    let config: ReturnType<typeof loadConfig>;
    try {
      config = loadConfig(io.env);
    } catch (error) {
      throw new CommandError(error instanceof Error ? error.message : String(error));
    }
    const { database, services } = await openRuntime(config, io.env);
    const bar = progress(io.stderr, 'Importing', 'messages', { json: out.json });
    try {
      // SIU messages' appointments start journeys: their jobs are sent with the message.
      await services.jobs.start();
      const org = await organizationNamed(services, orgName(values, io.env));
      const actor: AuditActor = {
        orgId: org.id,
        userId: null,
        email: null,
        role: 'cli',
        ip: null,
        userAgent: 'careloop import hl7',
      };
      const total = files.reduce((n, f) => n + f.messages.length, 0);
      const counts: ImportCounts = {
        files: files.length,
        messages: 0,
        accepted: 0,
        errors: 0,
        rejected: 0,
        duplicates: 0,
        byType: {},
        problems: [],
      };
      const started = performance.now();
      for (const file of files) {
        // A few hundred at a time: the pipeline batches them, memory stays flat.
        for (let i = 0; i < file.messages.length; i += 256) {
          const chunk = file.messages.slice(i, i + 256);
          const receipts = await Promise.all(
            chunk.map((text) => services.hl7.receive(org.id, text, { channel: 'file', actor })),
          );
          receipts.forEach((r, j) => {
            for (const m of r.messages) tally(counts, file.path, i + j, m);
          });
          bar.update(counts.messages, total);
        }
      }
      bar.stop();
      const seconds = (performance.now() - started) / 1000;
      out.result(
        {
          ok: counts.errors + counts.rejected === 0,
          organization: org,
          ...counts,
          seconds: Number(seconds.toFixed(2)),
        },
        () => report(counts, org.name, seconds),
      );
      return counts.errors + counts.rejected === 0 ? EXIT.ok : EXIT.failure;
    } finally {
      bar.stop();
      await services.jobs.stop();
      await database.close();
    }
  } catch (error) {
    return out.fail(error);
  }
}
