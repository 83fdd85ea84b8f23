import { randomBytes } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import { loadConfig } from '../../packages/server/src/config.js';
import { FieldCipher } from '../../packages/server/src/crypto/field-cipher.js';
import type { Database } from '../../packages/server/src/db/client.js';
import { rowsOf } from '../../packages/server/src/db/rows.js';
import { organizations } from '../../packages/server/src/modules/directory/schema.js';
import { LocalMailbox } from '../../packages/server/src/modules/messaging/email.js';
import { deliverJobs, OutboxService } from '../../packages/server/src/modules/messaging/outbox.js';
import { SendPolicy } from '../../packages/server/src/modules/messaging/send-policy.js';
import type {
  OutboundSms,
  SmsProvider,
} from '../../packages/server/src/modules/messaging/sms/provider.js';
import { patients } from '../../packages/server/src/modules/patients/schema.js';
import { createServices, type Services } from '../../packages/server/src/services.js';
import { benchDatabase } from './databases.js';
import { finish, fmt, say } from './report.js';

/** Recipient i's number: +1 and ten digits from 2,000,000,000, so the sink reads i back. */
const NUMBER_BASE = 2_000_000_000;
const numberOf = (i: number) => `+1${NUMBER_BASE + i}`;

/**
 * The local SMS sink of the run, counting from its side: one counter per recipient (a byte,
 * read back from the number), so a million recipients cost a megabyte and duplicates and
 * losses are counted exactly, whatever the outbox believes it sent.
 */
class CountingSmsSink implements SmsProvider {
  readonly name = 'local-sms' as const;
  readonly from = 'Careloop';
  readonly received: Uint8Array;
  total = 0;
  strangers = 0;

  constructor(recipients: number) {
    this.received = new Uint8Array(recipients);
  }

  async send(sms: OutboundSms): Promise<string> {
    const i = Number(sms.to.slice(2)) - NUMBER_BASE;
    if (Number.isInteger(i) && i >= 0 && i < this.received.length) {
      this.received[i] = Math.min(255, (this.received[i] ?? 0) + 1);
    } else this.strangers++;
    this.total++;
    return `bench-${sms.idempotencyKey}`;
  }

  close(): void {}

  count(): { delivered: number; duplicates: number; lost: number } {
    let delivered = 0;
    let duplicates = 0;
    for (const n of this.received) {
      if (n > 0) delivered++;
      if (n > 1) duplicates += n - 1;
    }
    return { delivered, duplicates, lost: this.received.length - delivered };
  }
}

export interface RecipientsOptions {
  recipients: number;
  concurrency: number;
  batchSize: number;
  json: boolean;
  /** Give up after this long (the goal is 15 minutes). */
  deadlineMinutes: number;
}

/**
 * `npm run bench -- journeys --recipients N [--concurrency C] [--batch B] [--json]`: one text to
 * each of N patients, the way a journey's send step or a campaign queues it (an outbox row and
 * its job, written N at a time in bulk), then the outbox worker (batched, `C` batches of `B` at
 * a time) sends them through every send-time check to a local SMS sink that counts each
 * recipient's texts. Prints queued/s, sends/s, total minutes, RSS over the dispatch and the
 * ratio to a same-run baseline (a tenant transaction with one indexed read).
 */
export async function benchRecipients(options: RecipientsOptions): Promise<void> {
  const { recipients } = options;
  const bench = await benchDatabase({ fresh: true });
  const database = await bench.open();
  try {
    await database.migrate();
    const config = loadConfig({
      LOG_LEVEL: 'silent',
      ...(bench.databaseUrl ? { DATABASE_URL: bench.databaseUrl } : {}),
    });
    const cipher = FieldCipher.random();
    const services = createServices(config, database, cipher);
    await services.jobs.start();
    const orgId = await benchOrganization(services);
    const sink = new CountingSmsSink(recipients);
    const outbox = new OutboxService(
      database,
      cipher,
      services.audit,
      services.jobs,
      new LocalMailbox(),
      {
        from: config.mailFrom,
        clock: () => new Date(),
        sms: sink,
        sendPolicy: new SendPolicy(database, services.jobs),
        emailEvents: services.emailEvents,
      },
    );

    say(`recipients bench on ${bench.kind}: ${fmt(recipients)} patients, one text each`);
    const queueStarted = performance.now();
    await queueTexts(database, outbox, orgId, recipients);
    const queueSeconds = (performance.now() - queueStarted) / 1000;
    say(`  queued ${fmt(recipients)} in ${fmt(queueSeconds, 1)} s`);
    await database.ownerDb.execute(sql`analyze`);

    const baseline = await baselinePerSecond(database, orgId);
    say(`  baseline ${fmt(baseline)} tenant transactions/s`);

    const rss: { second: number; mb: number; sent: number }[] = [];
    const started = performance.now();
    const sample = () =>
      rss.push({
        second: Math.round((performance.now() - started) / 1000),
        mb: Math.round(process.memoryUsage().rss / 1_048_576),
        sent: sink.total,
      });
    sample();
    await services.jobs.workBatch(
      'outbox.send',
      { concurrency: options.concurrency, batchSize: options.batchSize },
      (jobs) => deliverJobs(outbox, jobs),
    );
    const deadline = started + options.deadlineMinutes * 60_000;
    let lastSample = performance.now();
    while (performance.now() < deadline) {
      await sleep(1000);
      if (performance.now() - lastSample >= 10_000) {
        sample();
        lastSample = performance.now();
        const last = rss.at(-1);
        say(`  ${last?.second} s: ${fmt(sink.total)} sent, RSS ${last?.mb} MB`);
        // Nothing left to send (a message lost would leave the sink short forever).
        if ((await queuedCount(database)) === 0) break;
      }
      if (sink.total >= recipients && (await queuedCount(database)) === 0) break;
    }
    const seconds = (performance.now() - started) / 1000;
    sample();
    await services.jobs.stop();
    const { delivered, duplicates, lost } = sink.count();
    const sendsPerSecond = delivered / seconds;
    const mbs = rss.map((r) => r.mb);
    const result = {
      kind: bench.kind,
      recipients,
      concurrency: options.concurrency,
      batchSize: options.batchSize,
      queuedPerSecond: Math.round(recipients / queueSeconds),
      delivered,
      duplicates,
      lost,
      strangers: sink.strangers,
      sendsPerSecond: Math.round(sendsPerSecond),
      minutes: Math.round((seconds / 60) * 100) / 100,
      baselinePerSecond: Math.round(baseline),
      ratio: Math.round((sendsPerSecond / baseline) * 1000) / 1000,
      rssMb: { first: mbs[0], min: Math.min(...mbs), max: Math.max(...mbs), last: mbs.at(-1) },
      rss,
    };
    finish(options.json, result, [
      `recipients on ${bench.kind}: ${fmt(recipients)} texts, ${options.concurrency} batches of ${options.batchSize} at a time`,
      `  queued ${fmt(result.queuedPerSecond)} texts/s (rows and jobs in bulk)`,
      `  sent ${fmt(delivered)} in ${fmt(seconds / 60, 2)} min: ${fmt(sendsPerSecond)} sends/s; ${duplicates} duplicates, ${lost} lost (counted by the sink)`,
      `  baseline ${fmt(baseline)} tenant transactions/s; ratio sends/baseline ${result.ratio}`,
      `  RSS over the dispatch: ${mbs.join(', ')} MB`,
    ]);
  } finally {
    await database.close();
    await bench.dispose();
  }
}

/** An organization that sends at any hour and caps nothing a single text could reach. */
async function benchOrganization(services: Services): Promise<string> {
  const name = `Bench ${randomBytes(4).toString('hex')}`;
  const [org] = await services.database.system((tx) =>
    tx.insert(organizations).values({ name }).returning({ id: organizations.id }),
  );
  if (!org) throw new Error('no organization');
  const orgId = org.id;
  await services.templates.setPolicy(
    {
      actor: {
        userId: '',
        orgId,
        orgName: name,
        email: '',
        displayName: 'bench',
        role: 'admin',
        patientId: null,
        sessionId: '',
        csrfToken: '',
        stage: 'active',
      },
      audit: { orgId, userId: null, email: null, role: 'system', ip: null, userAgent: null },
    },
    {
      defaultLanguage: 'en',
      quietStartMinute: 0,
      quietEndMinute: 1440,
      frequencyCaps: {
        treatment: { perDay: 1, perWeek: 3 },
        operations: { perDay: 5, perWeek: 20 },
        marketing: { perDay: 1, perWeek: 2 },
      },
    },
  );
  return orgId;
}

/** N patients and a text to each, 1,000 to a transaction: patients, outbox rows, jobs. */
async function queueTexts(
  database: Database,
  outbox: OutboxService,
  orgId: string,
  recipients: number,
): Promise<void> {
  const CHUNK = 1000;
  let lastSay = performance.now();
  for (let from = 0; from < recipients; from += CHUNK) {
    const size = Math.min(CHUNK, recipients - from);
    await database.withTenant(orgId, async (tx) => {
      const made = await tx
        .insert(patients)
        .values(
          Array.from({ length: size }, (_, i) => ({
            orgId,
            givenName: 'Bench',
            familyName: `Recipient${from + i}`,
            searchName: `recipient${from + i} bench`,
            searchGiven: 'bench',
            birthDate: '1970-01-01',
            administrativeSex: 'unknown',
            timeZone: 'America/New_York',
          })),
        )
        .returning({ id: patients.id });
      await outbox.queueSmsMany(
        tx,
        made.map((p, i) => ({
          orgId,
          patientId: p.id,
          purpose: 'operations',
          to: numberOf(from + i),
          text: 'Hello from your care team: the flu clinic is open this week, no appointment needed.',
          idempotencyKey: `bench:${p.id}`,
        })),
      );
    });
    if (performance.now() - lastSay > 10_000) {
      say(`  queued ${fmt(from + size)}`);
      lastSay = performance.now();
    }
  }
}

/** The same-run baseline: tenant transactions with one indexed read, 4 at a time. */
async function baselinePerSecond(database: Database, orgId: string): Promise<number> {
  const ids = rowsOf<{ id: string }>(
    await database.ownerDb.execute(sql`select id from patients limit 2000`),
  ).map((r) => r.id);
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      while (next < ids.length) {
        const id = ids[next++] ?? '';
        await database.withTenant(orgId, (tx) =>
          tx.select({ id: patients.id }).from(patients).where(eq(patients.id, id)),
        );
      }
    }),
  );
  return ids.length / ((performance.now() - started) / 1000);
}

async function queuedCount(database: Database): Promise<number> {
  const [row] = rowsOf<{ n: number | string }>(
    await database.ownerDb.execute(
      sql`select count(*) as n from outbound_messages where status = 'queued'`,
    ),
  );
  return Number(row?.n ?? 0);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
