import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, readdirSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import pg from 'pg';
import { DEMO_LOGINS, DEMO_PASSWORD } from '../../packages/server/src/seed/reference/staff.js';
import { adt } from '../../packages/server/src/test/hl7/messages.js';
import { MllpClient } from '../../packages/server/src/test/hl7/mllp-client.js';

/**
 * `npm run chaos -- db-restart [--json]`: the real `careloop start` and `careloop hl7 listen`
 * processes on a PostgreSQL cluster of the scenario's own, under load (sessions reading 360
 * views, an MLLP feed whose senders resend what was not acknowledged), while PostgreSQL is
 * stopped (`pg_ctl stop -m fast`, then `-m immediate`) and started again. It then checks that
 * the processes are still running and every acknowledged message is stored exactly once.
 * The last line of output is the result as JSON.
 */

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CLI = `${ROOT}packages/server/bin/careloop.mjs`;
const DB = 'careloop_chaos';
/** How long after PostgreSQL is back a failed request still counts as part of the outage. */
const RECOVERY_ALLOWANCE_MS = 5_000;
const run = promisify(execFile);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const say = (text: string) => process.stderr.write(`chaos: ${text}\n`);

interface Result {
  requests: number;
  errors5xxOutsideOutage: number;
  processExits: number;
  ackedLost: number;
  ackedDuplicated: number;
  /** The longer of the two recoveries; null when the processes did not serve again within 30 s. */
  recoverySeconds: number | null;
}

/** The newest installed PostgreSQL server's bin directory. */
function pgBin(): string {
  const majors = readdirSync('/usr/lib/postgresql')
    .filter((d) => /^\d+$/.test(d))
    .sort((a, b) => Number(a) - Number(b));
  const major = majors.at(-1);
  if (!major) throw new Error('no PostgreSQL server in /usr/lib/postgresql');
  return `/usr/lib/postgresql/${major}/bin`;
}

class Cluster {
  constructor(
    readonly dir: string,
    readonly port: number,
  ) {}

  /** Initialises (first time) and starts the cluster with scripts/ci/postgres.sh; its admin URL. */
  async start(): Promise<string> {
    const { stdout } = await run('bash', [`${ROOT}scripts/ci/postgres.sh`], {
      env: {
        ...process.env,
        CARELOOP_PG_DIR: this.dir,
        CARELOOP_PG_PORT: String(this.port),
        CARELOOP_PG_DB: 'postgres',
      },
    });
    const url = /DATABASE_URL_TEST=(\S+)/.exec(stdout)?.[1];
    if (!url) throw new Error('postgres.sh printed no URL');
    return url;
  }

  async stop(mode: 'fast' | 'immediate'): Promise<void> {
    await run(
      'runuser',
      ['-u', 'postgres', '--', `${pgBin()}/pg_ctl`, '-D', this.dir, '-m', mode, '-w', 'stop'],
      { cwd: '/' },
    );
  }
}

/** A `careloop` process; its first JSON line on stdout, its stderr into a log file. */
class CareloopProcess {
  readonly child: ChildProcess;
  readonly ready: Promise<Record<string, unknown>>;
  stopping = false;
  unexpectedExits = 0;

  constructor(args: string[], env: NodeJS.ProcessEnv, logFile: string) {
    this.child = spawn(process.execPath, [CLI, ...args], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const log = createWriteStream(logFile);
    this.child.stderr?.pipe(log);
    this.child.on('exit', (code, signal) => {
      if (!this.stopping) {
        this.unexpectedExits += 1;
        say(`${args.join(' ')} exited (${code ?? signal}); see ${logFile}`);
      }
    });
    this.ready = new Promise((resolve, reject) => {
      const lines = createInterface({ input: this.child.stdout ?? process.stdin });
      lines.on('line', (line) => {
        if (!line.startsWith('{')) return;
        const value: unknown = JSON.parse(line);
        if (value && typeof value === 'object') resolve(value as Record<string, unknown>);
      });
      this.child.once('exit', () => reject(new Error(`careloop ${args[0]} exited early`)));
    });
  }

  async stop(): Promise<void> {
    this.stopping = true;
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((r) => this.child.once('exit', r));
    this.child.kill('SIGTERM');
    await Promise.race([exited, sleep(10_000)]);
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }
}

interface Answer {
  startedAt: number;
  endedAt: number;
  /** 0: no HTTP answer (refused, reset, timed out). */
  status: number;
}

async function login(url: string, email: string): Promise<string> {
  const res = await fetch(`${url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: DEMO_PASSWORD }),
  });
  const cookie = res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0] ?? '')
    .find((c) => c.startsWith('careloop_session='));
  if (res.status !== 200 || !cookie) throw new Error(`sign-in of ${email}: ${res.status}`);
  return cookie;
}

async function get(url: string, cookie: string | null): Promise<number> {
  try {
    const res = await fetch(url, {
      headers: cookie ? { cookie } : {},
      signal: AbortSignal.timeout(10_000),
    });
    await res.arrayBuffer();
    return res.status;
  } catch {
    return 0;
  }
}

/**
 * One MLLP sender: each message until it is acknowledged, resending on no ACK (5 s) or a lost
 * connection; a message still unacknowledged when the run stops is left (not counted as acked).
 */
async function feedSender(
  port: number,
  messages: { controlId: string; text: string }[],
  running: () => boolean,
  onAck: (controlId: string, reply: string) => void,
): Promise<void> {
  let client: MllpClient | null = null;
  for (const m of messages) {
    if (!running()) break;
    for (;;) {
      try {
        client ??= await MllpClient.connect(port);
        const reply = await Promise.race([
          client.send(m.text),
          sleep(5_000).then(() => {
            throw new Error('no ACK within 5 s');
          }),
        ]);
        onAck(m.controlId, reply);
        break;
      } catch {
        client?.close();
        client = null;
        if (!running()) return;
        await sleep(200);
      }
    }
  }
  client?.close();
}

export async function dbRestart(argv: string[]): Promise<boolean> {
  const { values } = parseArgs({
    args: argv,
    options: {
      json: { type: 'boolean' },
      sessions: { type: 'string', default: '100' },
      patients: { type: 'string', default: '200' },
      port: { type: 'string', default: '54341' },
      senders: { type: 'string', default: '2' },
    },
  });
  const sessionCount = Number(values.sessions);
  const port = Number(values.port);
  const started = performance.now();
  const stamp = randomBytes(3).toString('hex');
  const work = `/tmp/careloop-chaos-${stamp}`;
  await mkdir(work, { recursive: true });
  const cluster = new Cluster(`/tmp/careloop-pg-chaos-${port}`, port);

  say(`starting PostgreSQL of its own on 127.0.0.1:${port} (${cluster.dir}); logs in ${work}`);
  const adminUrl = await cluster.start();
  const admin = new pg.Client({ connectionString: adminUrl });
  admin.on('error', () => {});
  await admin.connect();
  await admin.query(`drop database if exists ${DB} with (force)`);
  await admin.query(`create database ${DB}`);
  // postgres.sh starts test clusters with synchronous_commit=off, which lets a crash (the
  // immediate stop) lose the last commits PostgreSQL confirmed. A database in production runs
  // with it on; so does this one, or acknowledged messages would be lost by the setting alone.
  await admin.query(`alter database ${DB} set synchronous_commit = on`);
  await admin.end();
  const dbUrl = new URL(adminUrl);
  dbUrl.pathname = `/${DB}`;

  const env = {
    ...process.env,
    DATABASE_URL: dbUrl.toString(),
    CARELOOP_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    CARELOOP_DEMO_PATIENTS: String(values.patients),
    CARELOOP_DATA_DIR: `${work}/data`,
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: 'warn',
  };
  const processes: CareloopProcess[] = [];
  const stopAll = async () => {
    for (const p of processes) await p.stop();
  };
  try {
    say(`careloop start (demo with ${values.patients} patients)`);
    const api = new CareloopProcess(['start', '--json'], env, `${work}/start.log`);
    processes.push(api);
    const url = String((await api.ready).url);
    const hl7 = new CareloopProcess(
      ['hl7', 'listen', '--port', '0', '--json'],
      env,
      `${work}/hl7.log`,
    );
    processes.push(hl7);
    const hl7Port = Number((await hl7.ready).port);

    const readers = DEMO_LOGINS.filter((l) =>
      ['admin', 'front-desk', 'care-coordinator', 'clinician'].includes(l.role),
    );
    const cookies: string[] = [];
    for (let i = 0; i < sessionCount; i += 1) {
      const reader = readers[i % readers.length];
      if (reader) cookies.push(await login(url, reader.email));
    }
    const list = await fetch(`${url}/api/patients?limit=200`, {
      headers: { cookie: cookies[0] ?? '' },
    });
    const ids = ((await list.json()) as { items: { id: string }[] }).items.map((p) => p.id);
    if (ids.length === 0) throw new Error('no patients to read');
    say(
      `${cookies.length} sessions reading ${ids.length} patients' 360 views; HL7 feed on ${hl7Port}`,
    );

    // Load and feed, until stopped.
    let running = true;
    const t0 = performance.now();
    const now = () => performance.now() - t0;
    const answers: Answer[] = [];
    const loops = cookies.map(async (cookie, i) => {
      for (let n = i; running; n += 1) {
        const startedAt = now();
        const status = await get(`${url}/api/patients/${ids[n % ids.length]}`, cookie);
        answers.push({ startedAt, endedAt: now(), status });
        // No answer at all (the process is gone): a client backs off before trying again.
        if (status === 0) await sleep(50);
      }
    });
    const acked = new Map<string, string>();
    const ackTimes: number[] = [];
    let notAccepted = 0;
    const senderCount = Number(values.senders);
    const senders = Array.from({ length: senderCount }, (_, s) => {
      const messages = Array.from({ length: 100_000 }, (_, i) => ({
        controlId: `CH${stamp}-${s}-${i}`,
        text: adt('A28', `CH${stamp}-${s}-${i}`, {
          mrn: `CH${stamp}${s}X${i}`,
          family: `Zchaos${stamp}x${s}x${i}`,
          given: 'Feed',
        }),
      }));
      return feedSender(
        hl7Port,
        messages,
        () => running,
        (controlId, reply) => {
          if (reply.includes('|AA|')) {
            acked.set(controlId, `Zchaos${controlId.slice(2).replaceAll('-', 'x')}`);
            ackTimes.push(now());
          } else {
            notAccepted += 1;
          }
        },
      );
    });

    // Two restarts: a fast stop, then an immediate one (crash recovery on start).
    const outages: { from: number; to: number }[] = [];
    const recoveries: (number | null)[] = [];
    await sleep(4_000);
    for (const mode of ['fast', 'immediate'] as const) {
      const from = now();
      say(`pg_ctl stop -m ${mode}`);
      await cluster.stop(mode);
      await sleep(3_000);
      await cluster.start();
      const back = now();
      outages.push({ from, to: back + RECOVERY_ALLOWANCE_MS });
      say(`PostgreSQL is back after ${((back - from) / 1000).toFixed(1)} s`);
      // Serving again: ready, a 360 view read, and a message acknowledged, all after `back`.
      let recovery: number | null = null;
      while (recovery === null && now() - back < 30_000) {
        const ready = await get(`${url}/api/health/ready`, null);
        const view = await get(`${url}/api/patients/${ids[0]}`, cookies[0] ?? null);
        if (ready === 200 && view === 200 && ackTimes.some((t) => t > back)) {
          recovery = (now() - back) / 1000;
        } else {
          await sleep(100);
        }
      }
      recoveries.push(recovery);
      say(
        recovery === null
          ? 'not serving again 30 s after PostgreSQL returned'
          : `serving again ${recovery.toFixed(1)} s after PostgreSQL returned`,
      );
      await sleep(6_000);
    }
    running = false;
    await Promise.all(loops);
    await Promise.all(senders);

    // Every acknowledged message stored once, processed, with its one patient.
    const check = new pg.Client({ connectionString: dbUrl.toString() });
    check.on('error', () => {});
    await check.connect();
    const stored = await check.query<{ control_id: string; n: number; processed: boolean }>(
      `select control_id, count(*)::int as n, bool_and(status = 'processed') as processed
       from hl7_messages where control_id like $1 group by control_id`,
      [`CH${stamp}-%`],
    );
    const people = await check.query<{ family_name: string; n: number }>(
      `select family_name, count(*)::int as n from patients where family_name like $1
       group by family_name`,
      [`Zchaos${stamp}%`],
    );
    await check.end();
    const rows = new Map(stored.rows.map((r) => [r.control_id, r]));
    const persons = new Map(people.rows.map((r) => [r.family_name, r.n]));
    let ackedLost = 0;
    let ackedDuplicated = 0;
    for (const [controlId, family] of acked) {
      const row = rows.get(controlId);
      const n = persons.get(family) ?? 0;
      if (!row?.processed || n === 0) ackedLost += 1;
      else if (row.n > 1 || n > 1) ackedDuplicated += 1;
    }
    const inOutage = (a: Answer) => outages.some((o) => a.endedAt >= o.from && a.startedAt <= o.to);
    const failed = (a: Answer) => a.status === 0 || a.status >= 500;
    const during = answers.filter(inOutage);
    const result: Result = {
      requests: answers.length,
      errors5xxOutsideOutage: answers.filter((a) => failed(a) && !inOutage(a)).length,
      processExits: processes.reduce((sum, p) => sum + p.unexpectedExits, 0),
      ackedLost,
      ackedDuplicated,
      recoverySeconds: recoveries.every((r) => r !== null)
        ? Number(Math.max(...recoveries.filter((r) => r !== null)).toFixed(1))
        : null,
    };
    const slowest = Math.max(0, ...during.map((a) => a.endedAt - a.startedAt));
    say(
      `${answers.length} requests (${during.filter((a) => a.status === 503).length} answered 503 during the outages, ` +
        `${during.filter((a) => a.status === 0).length} unanswered, slowest ${(slowest / 1000).toFixed(1)} s); ` +
        `${acked.size} messages acknowledged, ${notAccepted} replies other than AA; ` +
        `${((performance.now() - started) / 1000).toFixed(0)} s in all`,
    );
    if (!values.json) say(JSON.stringify(result, null, 2));
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return (
      result.processExits === 0 &&
      result.errors5xxOutsideOutage === 0 &&
      result.ackedLost === 0 &&
      result.ackedDuplicated === 0 &&
      notAccepted === 0 &&
      result.recoverySeconds !== null &&
      result.recoverySeconds <= 5
    );
  } finally {
    await stopAll();
    await cluster
      .stop('fast')
      .catch((error: unknown) => say(`stopping PostgreSQL: ${String(error)}`));
  }
}
