import { parseArgs } from 'node:util';
import { type Config, loadConfig } from '../config.js';
import { MPI_LINK_SUMMARY, runMpiLink } from '../modules/identity/link-cli.js';
import { auditCheckpointCommand } from './audit-checkpoint.js';
import { auditVerifyCommand } from './audit-verify.js';
import type { Command, OptionSpecs } from './command.js';
import { EHR_SIM_SUMMARY, runEhrSim } from './ehr-sim.js';
import { runHl7Listen, runImportHl7 } from './hl7.js';
import { IMPORT_CSV_SUMMARY, runImportCsv } from './import-csv.js';
import { runImportFhir } from './import-fhir.js';
import { JOURNEY_SUMMARY, runJourney } from './journey.js';
import { keysRotateCommand } from './keys.js';
import { migrateCommand } from './migrate.js';
import { type CliIO, CommandError, EXIT, Output, UsageError } from './output.js';
import { seedCommand } from './seed.js';
import { startCommand } from './start.js';
import { userAddCommand } from './user-add.js';

export const COMMANDS: readonly Command[] = [
  startCommand,
  migrateCommand,
  seedCommand,
  userAddCommand,
  auditVerifyCommand,
  auditCheckpointCommand,
  keysRotateCommand,
];

/** Commands that parse their own arguments (positionals, repeated flags). */
const DELEGATED: {
  name: string;
  summary: string;
  run: (argv: string[], io: CliIO) => Promise<number>;
}[] = [
  {
    name: 'import fhir',
    summary: 'Import FHIR R4 bundles, resources or NDJSON files',
    run: runImportFhir,
  },
  { name: 'import hl7', summary: 'Import HL7 v2 message files and batches', run: runImportHl7 },
  { name: 'import csv', summary: IMPORT_CSV_SUMMARY, run: runImportCsv },
  {
    name: 'hl7 listen',
    summary: 'Receive HL7 v2 over MLLP (default port 2575)',
    run: runHl7Listen,
  },
  { name: 'mpi link', summary: MPI_LINK_SUMMARY, run: runMpiLink },
  // Issue 11: journeys as files.
  { name: 'journey', summary: JOURNEY_SUMMARY, run: runJourney },
  // Issues 11 and 13: a stand-in EHR for EHR_MLLP_ENDPOINT.
  { name: 'ehr-sim', summary: EHR_SIM_SUMMARY, run: runEhrSim },
];

const GLOBAL: OptionSpecs = {
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
};
const GLOBAL_FLAGS = new Set(['--json', '--help', '-h']);

function usage(): string {
  const width = Math.max(...[...COMMANDS, ...DELEGATED].map((c) => c.name.length)) + 2;
  return [
    'Careloop: patient relationship management',
    '',
    'Usage: careloop <command> [options]',
    '',
    'Commands:',
    ...[...COMMANDS, ...DELEGATED].map((c) => `  ${c.name.padEnd(width)}${c.summary}`),
    '',
    'Options for every command:',
    '  --json      print one JSON object on stdout (progress and notes go to stderr)',
    '  -h, --help  show help (`careloop <command> --help` for a command)',
    '',
    'Configuration comes from the environment: DATABASE_URL (PostgreSQL; else an embedded',
    'database in CARELOOP_DATA_DIR, default ./.careloop), DATABASE_OWNER_URL, HOST, PORT,',
    'CARELOOP_ENCRYPTION_KEY(S), CARELOOP_AUDIT_KEY, CARELOOP_AUDIT_CHECKPOINTS,',
    'CARELOOP_AUDIT_CHECKPOINT_MINUTES, CARELOOP_DEMO, CARELOOP_DEMO_PATIENTS, LOG_LEVEL.',
    '',
    'Exit codes: 0 done, 1 failed, 2 usage error.',
  ].join('\n');
}

/** Finds the command named by the leading words; global flags may come before it. */
function resolve(argv: readonly string[]): {
  command: Command | null;
  words: string[];
  rest: string[];
} {
  const words: string[] = [];
  const leading: string[] = [];
  let i = 0;
  for (; i < argv.length; i++) {
    const token = argv[i] ?? '';
    if (GLOBAL_FLAGS.has(token)) {
      leading.push(token);
      continue;
    }
    if (token.startsWith('-')) break;
    words.push(token);
    const command = COMMANDS.find((c) => c.name === words.join(' '));
    if (command) return { command, words, rest: [...leading, ...argv.slice(i + 1)] };
  }
  return { command: null, words, rest: [...leading, ...argv.slice(i)] };
}

/** Runs the `careloop` command line; resolves to the exit code. */
export async function runCli(argv: readonly string[], io: CliIO): Promise<number> {
  const delegated = DELEGATED.find((d) => {
    const words = d.name.split(' ');
    return words.every((w, i) => argv[i] === w);
  });
  if (delegated) return delegated.run(argv.slice(delegated.name.split(' ').length), io);
  const out = new Output(io, argv.includes('--json'));
  try {
    const { command, words, rest } = resolve(argv);
    const wantsHelp = rest.includes('--help') || rest.includes('-h');
    if (!command) {
      if (words.length === 0 && (wantsHelp || rest.length === 0)) {
        (wantsHelp ? io.stdout : io.stderr).write(`${usage()}\n`);
        return wantsHelp ? EXIT.ok : EXIT.usage;
      }
      throw new UsageError(
        words.length === 0 ? 'no command given' : `unknown command "${words.join(' ')}"`,
      );
    }
    let values: Record<string, string | boolean | (string | boolean)[] | undefined>;
    try {
      ({ values } = parseArgs({
        args: rest,
        options: { ...GLOBAL, ...command.options },
        strict: true,
        allowPositionals: false,
      }));
    } catch (error) {
      throw new UsageError(error instanceof Error ? error.message : String(error));
    }
    if (values.help) {
      io.stdout.write(`${command.help}\n`);
      return EXIT.ok;
    }
    let config: Config;
    try {
      config = loadConfig(io.env);
    } catch (error) {
      throw new CommandError(error instanceof Error ? error.message : String(error));
    }
    return (await command.run({ values, out, config, io })) ?? EXIT.ok;
  } catch (error) {
    return out.fail(error);
  }
}
