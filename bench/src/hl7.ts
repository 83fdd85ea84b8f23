import { readFile, writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { parseArgs } from 'node:util';
import { sql } from 'drizzle-orm';
import { loadConfig } from '../../packages/server/src/config.js';
import { FieldCipher } from '../../packages/server/src/crypto/field-cipher.js';
import type { Database } from '../../packages/server/src/db/client.js';
import { rowsOf } from '../../packages/server/src/db/rows.js';
import {
  type MllpOptions,
  startMllpListener,
} from '../../packages/server/src/modules/hl7/mllp/listener.js';
import { buildAck } from '../../packages/server/src/modules/hl7/parse/ack.js';
import {
  decodePayload,
  readMessage,
  splitMessages,
} from '../../packages/server/src/modules/hl7/parse/message.js';
import { organizationNamed } from '../../packages/server/src/modules/hl7/runtime.js';
import { seedOrganization } from '../../packages/server/src/seed/seed.js';
import { createServices } from '../../packages/server/src/services.js';
import { adt, siu } from '../../packages/server/src/test/hl7/messages.js';
import { MllpClient } from '../../packages/server/src/test/hl7/mllp-client.js';
import { benchDatabase } from './databases.js';
import { finish, fmt, say } from './report.js';

/**
 * `bench hl7 [--messages N] [--patients P] [--connections C] [--window W] [--json]`: HL7 v2 over
 * MLLP on loopback, every message acknowledged only after its effects commit, into an
 * organization that already holds P patients (default 10,000, the demo generator's). Each
 * simulated patient sends the feed a hospital sends: A04 (register + visit), SIU S12 (booking),
 * A08 (update), A03 (discharge); C senders in parallel, each waiting for its ACKs with at most
 * W messages in flight (W = 1 is classic MLLP). The baseline, in the same run, is the same
 * traffic answered by an MLLP echo that parses each message and builds its ACK without touching
 * the database.
 */

interface RunResult {
  messages: number;
  seconds: number;
  perSecond: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  notAccepted: number;
}

const GIVEN = 'Ada Bruno Chidi Dana Elif Farah Goran Hana Ivan Jun Kofi Lena Mateo Nia Omar Priya'
  .concat(' Quinn Rosa Sven Tariq Uma Vera Wen Ximena Yara Zoltan')
  .split(' ');
const SYLLABLES = 'ka lo mi ran so tev ul vi dor ne bar qui fen ho zel tra mon ash gri pel'.split(
  ' ',
);
const STREETS = ['Elm St', 'Oak Ave', 'Maple Rd', 'Harbor Way', 'Cedar Ln', 'Park Pl', 'Main St'];

/**
 * A distinct, plausible person for sender patient `n`: names, birth date (1935–2008) and street
 * drawn from a hash of n, so the master patient index sees a population, not thousands of
 * people born the same day with names one digit apart (which puts every earlier patient in each
 * newcomer's block and in the review queue).
 */
function personOf(n: number) {
  let h = Math.imul(n + 1, 2654435761) >>> 0;
  const next = (k: number) => {
    const v = h % k;
    h = Math.floor(h / k) ^ Math.imul(v + 7, 40503);
    h >>>= 0;
    return v;
  };
  const syllables = [next(20), next(20), next(20), next(20)]
    .map((i) => SYLLABLES[i] ?? 'ka')
    .join('');
  const family = `${syllables.charAt(0).toUpperCase()}${syllables.slice(1)}`;
  const born = new Date(Date.UTC(1935, 0, 1) + ((n * 7919 + next(997)) % 26_500) * 86_400_000);
  return {
    mrn: `B${n}`,
    family,
    given: GIVEN[next(GIVEN.length)] ?? 'Ada',
    sex: n % 2 === 0 ? 'F' : 'M',
    birthDate: born.toISOString().slice(0, 10).replace(/-/g, ''),
    street: `${1 + next(899)} ${STREETS[next(STREETS.length)] ?? 'Elm St'}`,
    phone: `617${String(2_000_000 + (n % 8_000_000)).padStart(7, '0')}`,
  };
}

function feed(patients: number, offset: number): string[][] {
  const sequences: string[][] = [];
  for (let i = 0; i < patients; i += 1) {
    const n = offset + i;
    const mrn = `B${n}`;
    const person = personOf(n);
    const day = String(1 + (n % 28)).padStart(2, '0');
    sequences.push([
      adt('A04', `${mrn}-1`, person, {
        visit: `${mrn}V`,
        patientClass: 'O',
        admitAt: `202405${day}0900-0400`,
      }),
      siu('S12', `${mrn}-2`, person, {
        filler: `${mrn}F`,
        start: `202406${day}1000-0400`,
        minutes: 20,
      }),
      adt('A08', `${mrn}-3`, { ...person, family: `${person.family}-Updated` }),
      adt('A03', `${mrn}-4`, person, {
        visit: `${mrn}V`,
        patientClass: 'O',
        dischargeAt: `202405${day}1030-0400`,
      }),
    ]);
  }
  return sequences;
}

const ORGANIZATION = 'HL7 Bench';

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;

/** Sends every sequence over `connections` connections; a sequence stays on one connection, in order. */
async function drive(
  port: number,
  sequences: string[][],
  connections: number,
  window: number,
): Promise<RunResult> {
  const latencies: number[] = [];
  let notAccepted = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: connections }, async (_, c) => {
      const client = await MllpClient.connect(port);
      try {
        const mine = sequences.filter((_, i) => i % connections === c);
        // Patients interleaved; a patient's messages go out in order on one connection, which
        // the listener processes in order.
        const queue = mine.flatMap((seq, j) =>
          seq.map((text, k) => ({ text, order: k * mine.length + j })),
        );
        queue.sort((a, b) => a.order - b.order);
        let next = 0;
        const lanes = Array.from({ length: window }, async () => {
          while (next < queue.length) {
            const item = queue[next];
            next += 1;
            if (!item) break;
            const t0 = performance.now();
            const reply = await client.send(item.text);
            latencies.push(performance.now() - t0);
            if (!reply.includes('MSA|AA|')) notAccepted += 1;
          }
        });
        await Promise.all(lanes);
      } finally {
        client.close();
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    messages: latencies.length,
    seconds,
    perSecond: latencies.length / seconds,
    p50Ms: percentile(latencies, 50),
    p95Ms: percentile(latencies, 95),
    p99Ms: percentile(latencies, 99),
    notAccepted,
  };
}

/** A V8 CPU profile of this process (listener, ingest and senders) during the measured run. */
async function startProfiler(): Promise<{ stop(file: string): Promise<void> }> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 250 });
  await session.post('Profiler.start');
  return {
    async stop(file) {
      const { profile } = await session.post('Profiler.stop');
      await writeFile(file, JSON.stringify(profile));
      session.disconnect();
      say(`  CPU profile of the run written to ${file}`);
    },
  };
}

/**
 * CPU time of the database server's processes serving this benchmark's database, read from
 * /proc: only when PostgreSQL runs on this machine and its processes are readable (root), else
 * null. With the process's own CPU time it gives the cost of a message whatever else the
 * machine is running, which the messages per second do not.
 */
async function databaseCpu(database: Database): Promise<{ since(): Promise<number | null> }> {
  if (database.kind !== 'postgres') return { since: async () => null };
  const pids = async () =>
    rowsOf<{ pid: number }>(
      await database.db.execute(
        sql`select pid from pg_stat_activity where datname = current_database()`,
      ),
    ).map((r) => r.pid);
  const ticks = async (pid: number): Promise<number | null> => {
    try {
      const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // utime and stime, the 14th and 15th fields of the line (11th and 12th after the name).
      return Number(fields[11]) + Number(fields[12]);
    } catch {
      return null;
    }
  };
  const before = new Map<number, number>();
  for (const pid of await pids()) {
    const t = await ticks(pid);
    if (t === null) return { since: async () => null };
    before.set(pid, t);
  }
  return {
    async since() {
      let total = 0;
      for (const pid of await pids()) {
        const t = await ticks(pid);
        if (t === null) return null;
        total += t - (before.get(pid) ?? 0);
      }
      // Clock ticks of 10 ms (USER_HZ is 100 on Linux).
      return total * 10;
    },
  };
}

const echo: MllpOptions['handle'] = async (payload) => {
  const text = splitMessages(decodePayload(payload)).messages[0] ?? '';
  const read = readMessage(text);
  return buildAck({
    header: read.ok ? read.message.header : read.header,
    code: read.ok ? 'AA' : 'AR',
  });
};

export async function benchHl7(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      messages: { type: 'string', default: '8000' },
      patients: { type: 'string', default: '10000' },
      connections: { type: 'string', default: '16' },
      window: { type: 'string', default: '1' },
      json: { type: 'boolean', default: false },
      'cpu-prof': { type: 'string' },
    },
  });
  const messages = Number(values.messages);
  const existing = Number(values.patients);
  const connections = Number(values.connections);
  const window = Number(values.window);
  for (const [name, n] of [
    ['--messages', messages],
    ['--connections', connections],
    ['--window', window],
  ] as const) {
    if (!Number.isSafeInteger(n) || n < 1) throw new Error(`${name} must be a positive integer`);
  }
  if (!Number.isSafeInteger(existing) || existing < 0) {
    throw new Error('--patients must be a whole number');
  }
  const patients = Math.max(1, Math.ceil(messages / 4));
  const bench = await benchDatabase({ fresh: true });
  const database = await bench.open();
  try {
    await database.migrate();
    const services = createServices(
      loadConfig({ LOG_LEVEL: 'silent' }),
      database,
      FieldCipher.random(),
    );
    if (existing > 0) {
      say(`Seeding ${fmt(existing)} existing patients into ${ORGANIZATION}`);
      const seeded = await seedOrganization(database, {
        cipher: services.cipher,
        organization: ORGANIZATION,
        patients: existing,
      });
      say(`  seeded in ${fmt(seeded.seconds, 1)} s`);
    }
    const org = await organizationNamed(services, ORGANIZATION);

    say(
      `HL7 v2 over MLLP on ${bench.kind}: ${fmt(patients * 4)} messages, ${connections} connections, window ${window}, ${fmt(existing)} existing patients`,
    );
    const echoListener = await startMllpListener({ port: 0, handle: echo });
    // Warm up both paths (JIT, connection pools, PGlite's caches) on traffic of their own.
    await drive(echoListener.port, feed(50, 9_000_000), connections, window);
    const baseline = await drive(echoListener.port, feed(patients, 0), connections, window);
    await echoListener.close();
    say(`  echo (no database): ${fmt(baseline.perSecond)} messages/s`);

    const listener = await startMllpListener({ port: 0, handle: services.hl7.mllpHandler(org.id) });
    await drive(listener.port, feed(50, 8_000_000), connections, window);
    if (existing > 0) {
      // A running database's statistics are kept current by autovacuum (within a minute of a
      // tenth of a table changing); a benchmark of seconds would otherwise run on the
      // statistics of empty tables. `--patients 0` measures that cold start.
      await database.ownerDb.execute(sql`analyze`);
    }
    const backends = await databaseCpu(database);
    const profiler = values['cpu-prof'] ? await startProfiler() : null;
    const cpu = process.cpuUsage();
    const hl7 = await drive(listener.port, feed(patients, 0), connections, window);
    const used = process.cpuUsage(cpu);
    if (profiler && values['cpu-prof']) await profiler.stop(values['cpu-prof']);
    const processCpuMs = (used.user + used.system) / 1000;
    const databaseCpuMs = await backends.since();
    await listener.close();
    await services.hl7.drain();
    if (hl7.notAccepted > 0) say(`  warning: ${hl7.notAccepted} messages were not answered AA`);

    const result = {
      database: bench.kind,
      existingPatients: existing,
      connections,
      window,
      hl7: {
        messages: hl7.messages,
        seconds: Number(hl7.seconds.toFixed(2)),
        messagesPerSecond: Math.round(hl7.perSecond),
        p50Ms: Number(hl7.p50Ms.toFixed(1)),
        p95Ms: Number(hl7.p95Ms.toFixed(1)),
        p99Ms: Number(hl7.p99Ms.toFixed(1)),
        notAccepted: hl7.notAccepted,
      },
      echo: {
        messagesPerSecond: Math.round(baseline.perSecond),
        p50Ms: Number(baseline.p50Ms.toFixed(2)),
      },
      ratio: Number((hl7.perSecond / baseline.perSecond).toFixed(3)),
      cpuMsPerMessage: {
        process: Number((processCpuMs / hl7.messages).toFixed(3)),
        database: databaseCpuMs === null ? null : Number((databaseCpuMs / hl7.messages).toFixed(3)),
      },
      goalMessagesPerSecond: 1000,
    };
    finish(values.json, result, [
      `hl7 on ${bench.kind}: ${fmt(hl7.messages)} messages in ${fmt(hl7.seconds, 1)} s = ${fmt(hl7.perSecond)} messages/s (ACK after commit; goal ≥ 1,000)`,
      `  latency p50 ${fmt(hl7.p50Ms, 1)} ms, p95 ${fmt(hl7.p95Ms, 1)} ms, p99 ${fmt(hl7.p99Ms, 1)} ms; not AA: ${hl7.notAccepted}`,
      `  baseline MLLP echo without database: ${fmt(baseline.perSecond)} messages/s; ratio ${result.ratio}`,
      `  CPU per message: ${fmt(result.cpuMsPerMessage.process, 3)} ms in this process (listener, ingest and senders)${
        result.cpuMsPerMessage.database === null
          ? ''
          : `, ${fmt(result.cpuMsPerMessage.database, 3)} ms in the database server's backends`
      }`,
    ]);
  } finally {
    await database.close();
    await bench.dispose();
  }
}
