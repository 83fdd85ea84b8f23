import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import { runJourneysChaos } from '../../packages/server/src/modules/journeys/test/chaos.js';

/**
 * `npm run chaos -- journeys [--enrolments N] [--kills K] [--json]`: N enrolments in a journey
 * of two sends with a wait between, a worker process killed with SIGKILL K times and started
 * again; then each expected message must have reached the SMTP sink exactly once and none past
 * its window. Runs on PostgreSQL: DATABASE_URL_TEST's server, else a cluster of its own started
 * by scripts/ci/postgres.sh. The last line is `{ expected, delivered, duplicates, lost, late }`.
 */

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const run = promisify(execFile);
const say = (text: string) => process.stderr.write(`chaos journeys: ${text}\n`);

async function adminUrl(): Promise<string> {
  if (process.env.DATABASE_URL_TEST) return process.env.DATABASE_URL_TEST;
  const { stdout } = await run('bash', [`${ROOT}scripts/ci/postgres.sh`], {
    env: {
      ...process.env,
      CARELOOP_PG_DIR: '/tmp/careloop-chaos-journeys-pg',
      CARELOOP_PG_PORT: '54351',
      CARELOOP_PG_DB: 'postgres',
    },
  });
  const url = /DATABASE_URL_TEST=(\S+)/.exec(stdout)?.[1];
  if (!url) throw new Error('postgres.sh printed no URL');
  return url;
}

export async function journeysChaos(args: string[]): Promise<boolean> {
  const { values } = parseArgs({
    args,
    options: {
      json: { type: 'boolean' },
      enrolments: { type: 'string' },
      kills: { type: 'string' },
    },
  });
  const enrolments = Number(values.enrolments ?? 10_000);
  const kills = Number(values.kills ?? 4);
  if (!Number.isSafeInteger(enrolments) || enrolments < 1)
    throw new Error('--enrolments: a whole number');
  if (!Number.isSafeInteger(kills) || kills < 0) throw new Error('--kills: a whole number');
  const result = await runJourneysChaos({
    adminUrl: await adminUrl(),
    enrolments,
    kills,
    killAfterMs: 8_000,
    waitMinutes: 1,
    deadlineMs: 30 * 60_000,
    say,
  });
  if (!values.json) {
    process.stdout.write(
      `${result.expected} expected, ${result.delivered} delivered, ${result.duplicates} duplicates, ${result.lost} lost, ${result.late} late; ${result.kills} SIGKILLs, ${result.seconds} s\n`,
    );
  }
  const { expected, delivered, duplicates, lost, late } = result;
  process.stdout.write(`${JSON.stringify({ expected, delivered, duplicates, lost, late })}\n`);
  return duplicates === 0 && lost === 0 && late === 0;
}
