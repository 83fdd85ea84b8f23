import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import { count, eq, sql } from 'drizzle-orm';
import { FieldCipher } from '../../packages/server/src/crypto/field-cipher.js';
import { rowsOf } from '../../packages/server/src/db/rows.js';
import { organizations, patients } from '../../packages/server/src/db/schema.js';
import {
  DEMO_ORGANIZATION,
  DEMO_PASSWORD,
} from '../../packages/server/src/seed/reference/staff.js';
import { seedOrganization } from '../../packages/server/src/seed/seed.js';
import { positiveInteger } from './args.js';
import { type BenchDatabase, benchDatabase } from './databases.js';
import { type LoadResult, load } from './load.js';
import { finish, fmt, say } from './report.js';

/**
 * One key for the seed and the server: seeded task descriptions are encrypted. A database kept
 * between runs (`--data-dir`, PostgreSQL) needs CARELOOP_ENCRYPTION_KEY set to stay readable.
 */
const BENCH_KEY = process.env.CARELOOP_ENCRYPTION_KEY || randomBytes(32).toString('base64');

/** Tops "Demo Health" up to `target` patients; returns a sample of their ids. */
async function prepare(bench: BenchDatabase, target: number, sample: number): Promise<string[]> {
  const database = await bench.open();
  try {
    await database.migrate();
    const existing = await database.system(async (tx) => {
      const [row] = await tx
        .select({ n: count() })
        .from(patients)
        .innerJoin(organizations, eq(organizations.id, patients.orgId))
        .where(eq(organizations.name, DEMO_ORGANIZATION));
      return row?.n ?? 0;
    });
    if (existing < target) {
      say(`Seeding ${fmt(target - existing)} patients into ${DEMO_ORGANIZATION} (${bench.kind})`);
      let lastLog = performance.now();
      const report = await seedOrganization(database, {
        cipher: FieldCipher.fromBase64(BENCH_KEY),
        patients: target - existing,
        onProgress: (done, total) => {
          if (performance.now() - lastLog < 10_000 && done < total) return;
          lastLog = performance.now();
          say(`  ${fmt(done)}/${fmt(total)} patients`);
        },
      });
      say(
        `  seeded in ${fmt(report.seconds, 1)} s (${fmt(report.patients / report.seconds)} patients/s)`,
      );
    } else {
      say(`${DEMO_ORGANIZATION} already has ${fmt(existing)} patients: not seeding`);
    }
    const rows = await database.system((tx) =>
      tx.execute(sql`select p.id from patients p join organizations o on o.id = p.org_id
        where o.name = ${DEMO_ORGANIZATION} order by random() limit ${sample}`),
    );
    return rowsOf<{ id: string }>(rows).map((r) => r.id);
  } finally {
    await database.close();
  }
}

interface AppThread {
  url: string;
  /** Starts V8's CPU profiler on the server's thread. */
  startProfile(): Promise<void>;
  /** Stops it and writes the profile to `file` (open it in Chrome DevTools or speedscope). */
  stopProfile(file: string): Promise<void>;
  /** CPU time the server's thread has used so far, in microseconds. */
  cpuMicros(): Promise<number>;
  stop(): Promise<void>;
}

function startAppThread(bench: BenchDatabase): Promise<AppThread> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: bench.databaseUrl ?? '',
    CARELOOP_DATA_DIR: bench.dataDir,
    HOST: '127.0.0.1',
    PORT: '0',
    CARELOOP_DEMO: '0',
    LOG_LEVEL: 'silent',
    CARELOOP_ENCRYPTION_KEY: BENCH_KEY,
  };
  const worker = new Worker(new URL('./server-worker.ts', import.meta.url), {
    workerData: { env },
  });
  const ask = (message: unknown) =>
    new Promise<{ error?: string; cpuMicros?: number }>((done) => {
      worker.once('message', done);
      worker.postMessage(message);
    });
  const checked = async (message: unknown) => {
    const reply = await ask(message);
    if (reply.error) throw new Error(reply.error);
  };
  return new Promise((resolve, reject) => {
    worker.once('error', reject);
    worker.once('message', (message: { url: string }) =>
      resolve({
        url: message.url,
        startProfile: () => checked({ profile: 'start' }),
        stopProfile: (file) => checked({ profile: 'stop', file }),
        cpuMicros: async () => {
          const reply = await ask('cpu');
          if (typeof reply.cpuMicros !== 'number') throw new Error('no CPU time from the server');
          return reply.cpuMicros;
        },
        stop: async () => {
          await ask('close');
          await worker.terminate();
        },
      }),
    );
  });
}

async function signIn(url: string): Promise<string> {
  const res = await fetch(`${url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'frontdesk@demo.careloop.test', password: DEMO_PASSWORD }),
  });
  if (res.status !== 200)
    throw new Error(`front-desk sign-in failed: ${res.status} ${await res.text()}`);
  const cookie = res.headers.getSetCookie().find((c) => c.startsWith('careloop_session='));
  if (!cookie) throw new Error('no session cookie');
  return cookie.split(';')[0] ?? '';
}

/**
 * Reads every path once, `parallel` at a time, each answer checked: the measured runs then read
 * cached views only, whatever the machine's load (a 3 s warm-up alone left some of the 1,000
 * uncached on a busy machine, and their misses raised the 360 run's CPU per request).
 */
async function readEach(
  origin: string,
  paths: readonly string[],
  headers: Record<string, string>,
  parallel: number,
): Promise<void> {
  let next = 0;
  const reader = async () => {
    for (let path = paths[next++]; path !== undefined; path = paths[next++]) {
      const res = await fetch(`${origin}${path}`, { headers });
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`warm-up: GET ${path} answered ${res.status}`);
    }
  };
  await Promise.all(Array.from({ length: parallel }, reader));
}

/** A load run and the CPU the server's thread spent per request during it (microseconds). */
type Measured = LoadResult & { cpuUsPerRequest: number };

const line = (name: string, r: Measured) =>
  `${name.padEnd(22)}${fmt(r.rps).padStart(9)} req/s   p50 ${fmt(r.p50Ms, 1)} ms   p95 ${fmt(r.p95Ms, 1)} ms   p99 ${fmt(r.p99Ms, 1)} ms   server CPU ${fmt(r.cpuUsPerRequest)} µs/req${r.non2xx > 0 ? `   (${fmt(r.non2xx)} non-2xx)` : ''}${r.errors > 0 ? `   (${fmt(r.errors)} errors)` : ''}`;

/**
 * `bench 360 [--patients N] [--json]`: the patient 360 view under load, against /api/health
 * on the same server in the same run as the baseline.
 */
export async function patient360Bench(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      patients: { type: 'string', default: '100000' },
      json: { type: 'boolean', default: false },
      connections: { type: 'string', default: '50' },
      duration: { type: 'string', default: '10' },
      'data-dir': { type: 'string' },
      'cpu-prof': { type: 'string' },
      'cpu-prof-health': { type: 'string' },
    },
  });
  const target = positiveInteger(values.patients, 'patients');
  const connections = positiveInteger(values.connections, 'connections');
  const seconds = positiveInteger(values.duration, 'duration');
  const bench = await benchDatabase({ fresh: false, dataDir: values['data-dir'] });
  try {
    const ids = await prepare(bench, target, 1000);
    if (ids.length === 0) throw new Error('no patients to read');
    const app = await startAppThread(bench);
    try {
      const headers = { cookie: await signIn(app.url) };
      const paths = ids.map((id) => `/api/patients/${id}`);
      say(`Warming up ${app.url}: every patient once, then 3 s`);
      await readEach(app.url, paths, headers, 10);
      await load({ origin: app.url, paths, headers, connections: 10, seconds: 3 });
      /** One measured run, with the server thread's CPU per request and, if asked, its profile. */
      const measure = async (
        paths: readonly string[],
        headers: Record<string, string>,
        profileFile: string | undefined,
      ): Promise<Measured> => {
        if (profileFile) await app.startProfile();
        const cpuBefore = await app.cpuMicros();
        const result = await load({ origin: app.url, paths, headers, connections, seconds });
        const cpuMicros = (await app.cpuMicros()) - cpuBefore;
        if (profileFile) {
          await app.stopProfile(profileFile);
          say(`CPU profile of the server thread: ${profileFile}`);
        }
        return { ...result, cpuUsPerRequest: cpuMicros / Math.max(1, result.requests) };
      };
      say(`GET /api/health, ${connections} connections, ${seconds} s`);
      const health = await measure(['/api/health'], {}, values['cpu-prof-health']);
      say(
        `GET /api/patients/:id over ${fmt(ids.length)} patients, ${connections} connections, ${seconds} s`,
      );
      const patient360 = await measure(paths, headers, values['cpu-prof']);
      const ratio = patient360.rps / health.rps;
      finish(
        values.json,
        {
          patient360: {
            rps: Math.round(patient360.rps),
            p50Ms: patient360.p50Ms,
            p95Ms: patient360.p95Ms,
            p99Ms: patient360.p99Ms,
            serverCpuUs: Math.round(patient360.cpuUsPerRequest),
          },
          health: { rps: Math.round(health.rps), serverCpuUs: Math.round(health.cpuUsPerRequest) },
          ratio: Number(ratio.toFixed(3)),
        },
        [
          `360 benchmark on ${bench.kind}, ${fmt(target)} patients`,
          line('GET /api/health', health),
          line('GET /api/patients/:id', patient360),
          `ratio patient360/health: ${ratio.toFixed(3)}`,
          ...(patient360.non2xx > 0
            ? ['warning: the 360 route answered non-2xx; the figures above are not a 360 read']
            : []),
        ],
      );
    } finally {
      await app.stop();
    }
  } finally {
    await bench.dispose();
  }
}
