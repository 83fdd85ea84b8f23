import type { AddressInfo } from 'node:net';
import { and, count, eq, inArray } from 'drizzle-orm';
import type { FastifyServerOptions } from 'fastify';
import pino from 'pino';
import { buildApp } from './app.js';
import type { Config } from './config.js';
import { FieldCipher } from './crypto/field-cipher.js';
import { Database } from './db/client.js';
import { loggableText } from './db/errors.js';
import { keepStatisticsFresh } from './db/statistics.js';
import { loggerOptions } from './logger.js';
import { AuditAnchor, seesEveryChain } from './modules/audit/anchor.js';
import { users } from './modules/auth/schema.js';
import { organizations } from './modules/directory/schema.js';
import { describeRefusal } from './modules/hl7/mllp/senders.js';
import { type RunningHl7, startHl7FromEnv } from './modules/hl7/runtime.js';
import {
  type RunningBounceMailbox,
  startBounceMailbox,
} from './modules/integrations/email-events/bounce-mailbox.js';
// Issue 12: the journey map's rollup.
import { startJourneyMapWorkers } from './modules/journey-map/worker.js';
import { onEncounterDischarged } from './modules/journeys/discharges.js';
import { JOURNEY_STEP_BATCH_SIZE } from './modules/journeys/runtime.js';
// Issue 11 (h11v): the post-visit survey's answers reach journeys.
import { onSurveyAnswered } from './modules/journeys/surveys.js';
// Issue 12: the KPI rollup workers.
import { startKpiWorkers } from './modules/kpis/worker.js';
import { deliverJobs, OUTBOX_BATCH_SIZE } from './modules/messaging/outbox.js';
// Issue 13: the waitlist and slot recovery.
import { startWaitlistWorkers } from './modules/waitlist/worker.js';
import { seedDemoDuplicates } from './seed/duplicates.js';
import { DEMO_LOGINS, DEMO_ORGANIZATION, DEMO_PASSWORD } from './seed/reference/staff.js';
import { seedOrganization } from './seed/seed.js';
import { createServices, type Services } from './services.js';

/**
 * Opens the database the configuration names: PostgreSQL when DATABASE_URL is set, else PGlite.
 * A broken server connection is a warning at LOG_LEVEL, on stderr (a command's stdout may be
 * its JSON result), without the error's data.
 */
export function openDatabase(
  config: Config,
  env: NodeJS.ProcessEnv = process.env,
): Promise<Database> {
  const log = pino(loggerOptions(config.logLevel), pino.destination(2));
  return Database.open({
    databaseUrl: config.databaseUrl,
    ownerUrl: env.DATABASE_OWNER_URL || null,
    dataDir: config.dataDir,
    poolSize: config.databasePoolSize,
    onConnectionError: (pool, error) => log.warn({ pool, err: error }, 'database connection lost'),
  });
}

/**
 * The key ring for encrypted fields: CARELOOP_ENCRYPTION_KEY (current) and
 * CARELOOP_ENCRYPTION_KEYS (earlier keys), else (embedded mode only) a key file created beside
 * the data. A server database needs the keys given: a key generated on one API node would not
 * decrypt what another wrote.
 */
export async function loadFieldCipher(config: Config, database: Database): Promise<FieldCipher> {
  const configured = FieldCipher.fromEnv(config.encryptionKey, config.encryptionKeys);
  if (configured) return configured;
  if (database.kind === 'pglite') return FieldCipher.fromDataDir(config.dataDir);
  throw new Error(
    'CARELOOP_ENCRYPTION_KEY is required with DATABASE_URL (32 random bytes, base64: `openssl rand -base64 32`). Every API node must use the same key.',
  );
}

/** A migrated database and the services on it, for the server and the CLI. */
export async function openRuntime(
  config: Config,
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ database: Database; services: Services }> {
  const database = await openDatabase(config, env);
  try {
    await database.migrate();
    const cipher = await loadFieldCipher(config, database);
    return { database, services: createServices(config, database, cipher) };
  } catch (error) {
    await database.close();
    throw error;
  }
}

/** The demo sign-ins that exist, for the start banner. */
export async function demoLogins(
  database: Database,
): Promise<{ email: string; role: string; orgId: string }[]> {
  const rows = await database.system((tx) =>
    tx
      .select({ email: users.email, role: users.role, orgId: users.orgId })
      .from(users)
      .innerJoin(organizations, eq(organizations.id, users.orgId))
      .where(
        and(
          eq(organizations.name, DEMO_ORGANIZATION),
          inArray(
            users.email,
            DEMO_LOGINS.map((l) => l.email),
          ),
        ),
      ),
  );
  const order = DEMO_LOGINS.map((l) => l.email);
  return rows.sort((a, b) => order.indexOf(a.email) - order.indexOf(b.email));
}

export interface StartOptions {
  /** Print the URL, the docs URL and the demo sign-ins to stdout. Default true. */
  banner?: boolean;
  /** Shut down on SIGINT and SIGTERM. Default true. */
  handleSignals?: boolean;
  logger?: FastifyServerOptions['logger'];
  /** Progress of the demo seed on an empty database. */
  onSeedProgress?: (done: number, total: number) => void;
  /** Print in JSON (`careloop start --json`). */
  json?: boolean;
  /**
   * Run one part alone (`careloop start --only api|worker|hl7`), any number of times against
   * one PostgreSQL; all of them (the MLLP listener when HL7_PORT is set) when omitted.
   */
  only?: ServerRole;
}

/** The parts of a Careloop process. */
export const SERVER_ROLES = ['api', 'worker', 'hl7'] as const;
export type ServerRole = (typeof SERVER_ROLES)[number];

/** Jobs a worker process runs at once. */
const WORKER_CONCURRENCY = 4;

export interface RunningServer {
  /** The API's URL; null in a process without the API (`--only worker|hl7`). */
  url: string | null;
  services: Services;
  close(): Promise<void>;
}

/** The demo organization's portal sign-up link (the clinic publishes its own). */
const signUpUrl = (url: string, logins: { orgId: string }[]) => {
  const orgId = logins[0]?.orgId;
  return orgId ? `${url}/portal/register?org=${orgId}` : null;
};

function bannerText(url: string, logins: { email: string; role: string; orgId: string }[]): string {
  const lines = [`Careloop is running at ${url}`, `API docs:  ${url}/api/docs`];
  const signUp = signUpUrl(url, logins);
  if (signUp) lines.push(`Patient portal sign-up: ${signUp}`);
  if (logins.length > 0) {
    const width = Math.max(...logins.map((l) => l.email.length)) + 2;
    const roleWidth = Math.max(...logins.map((l) => l.role.length)) + 2;
    lines.push('', `Demo sign-ins (${DEMO_ORGANIZATION}):`);
    lines.push(`  ${'email'.padEnd(width)}${'role'.padEnd(roleWidth)}password`);
    for (const l of logins) {
      lines.push(`  ${l.email.padEnd(width)}${l.role.padEnd(roleWidth)}${DEMO_PASSWORD}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/**
 * Starts Careloop: opens and migrates the database, seeds the demo organization into an empty
 * one (CARELOOP_DEMO=0 leaves it empty), and listens. `close()` stops the server and closes
 * the database; PGlite must be closed, or the process never exits and recent writes can be lost.
 */
export async function startServer(
  config: Config,
  options: StartOptions = {},
): Promise<RunningServer> {
  const { database, services } = await openRuntime(config);
  const runs = (role: ServerRole) => options.only === undefined || options.only === role;
  // The API's logger when it runs, else one of the same shape on stderr (`--only hl7`).
  let refusalLog: { warn(message: string): void } = pino(
    loggerOptions(config.logLevel),
    pino.destination(2),
  );
  const say = (text: string) => {
    if (options.banner !== false && !options.json) process.stdout.write(text);
  };
  let app: Awaited<ReturnType<typeof buildApp>>['app'] | null = null;
  let hl7: RunningHl7 | null = null;
  // Issue 11 (h11d): the bounce mailbox (BOUNCE_SMTP_PORT).
  let bounces: RunningBounceMailbox | null = null;
  let anchor: AuditAnchor | null = null;
  let stopCheckpoints: (() => Promise<void>) | null = null;
  let closing: Promise<void> | null = null;
  const checkpointFailed = (error: unknown) => {
    process.stderr.write(`audit checkpoint failed: ${loggableText(error)}\n`);
  };
  // PGlite runs no autovacuum: the server analyzes what changed, as autovacuum would.
  const stopStatistics = keepStatisticsFresh(database, (error) => {
    process.stderr.write(`analyze failed: ${loggableText(error)}\n`);
  });
  const close = () => {
    closing ??= (async () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      stopStatistics();
      try {
        await stopCheckpoints?.();
        await hl7?.close();
        await bounces?.close();
        await app?.close();
        // Jobs in hand finish (or go back to the queue) before the database closes.
        await services.jobs.stop();
        services.outbox.channel.close();
        // The last events of this process, anchored before the database closes.
        await anchor?.checkpoint(new Date()).catch(checkpointFailed);
      } finally {
        await database.close();
      }
    })();
    return closing;
  };
  const onSignal = (signal: NodeJS.Signals) => {
    if (closing) process.exit(1); // a second signal: stop waiting
    say(`\n${signal}: shutting down\n`);
    close().then(
      () => {
        // Exit even if a stray handle (a timer, a socket) would keep the process alive.
        setTimeout(() => process.exit(0), 2000).unref();
      },
      (error: unknown) => {
        process.stderr.write(`shutdown failed: ${loggableText(error)}\n`);
        process.exit(1);
      },
    );
  };
  if (options.handleSignals !== false) {
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  }

  try {
    if (config.demo && runs('api')) {
      const [row] = await database.system((tx) => tx.select({ n: count() }).from(organizations));
      if ((row?.n ?? 0) === 0) {
        say(
          `Seeding the demo organization "${DEMO_ORGANIZATION}" (${config.demoPatients} patients)\n`,
        );
        const report = await seedOrganization(database, {
          cipher: services.cipher,
          patients: config.demoPatients,
          ...(config.demoAsOf ? { asOf: config.demoAsOf } : {}),
          onProgress: options.onSeedProgress,
        });
        say(`Seeded ${report.patients} patients in ${report.seconds.toFixed(1)} s\n`);
        if (report.demo) {
          const { inbox, waitlist, seconds } = report.demo;
          say(
            `Inbox: ${inbox.conversations} conversations; waitlist: ${waitlist.entries} entries (${seconds.toFixed(2)} s)\n`,
          );
        }
        // A second source with a few duplicates, so the Duplicates queue has work to show.
        if (report.patients >= 10) await seedDemoDuplicates(database, report.orgId);
      }
    }
    await services.jobs.start();
    if (runs('worker')) {
      // Issue 11 at scale: the outbox takes its jobs in batches (docs/adr/0033).
      await services.jobs.workBatch(
        'outbox.send',
        { concurrency: WORKER_CONCURRENCY, batchSize: OUTBOX_BATCH_SIZE },
        (jobs) => deliverJobs(services.outbox, jobs),
      );
      // Issue 11: journeys.
      await services.jobs.workBatch(
        'journey.step',
        { concurrency: WORKER_CONCURRENCY, batchSize: JOURNEY_STEP_BATCH_SIZE },
        (jobs) => services.journeys.runtime.handleStepJobs(jobs),
      );
      await services.jobs.work('appointment.changed', { concurrency: 1 }, async (job, attempt) => {
        await services.journeys.runtime.onAppointmentChanged(job);
        // Issue 11: signed webhooks; the job's id names the event (the same on a retry).
        if (attempt.jobId) await services.webhooks.onAppointmentChanged(job, attempt.jobId);
      });
      // A patient's reply reaches the journeys waiting for one (a keyword was handled already).
      await services.jobs.work('message.received', { concurrency: 1 }, async (job, attempt) => {
        const message = await services.smsInbox.message(job.orgId, job.inboundId);
        // Issue 11: signed webhooks (ids only: never the message's words).
        if (attempt.jobId) {
          await services.webhooks.onMessageReceived(job, attempt.jobId, message?.patientId ?? null);
        }
        if (!message?.patientId || message.keyword) return;
        // Issue 11 (h11r): 1, 2, 3 or N answers the patient's open offer of times, not a journey.
        if (await services.rescheduleOffers.answer(message)) return;
        await services.journeys.runtime.onMessageReceived(
          job.orgId,
          message.patientId,
          message.body,
        );
      });
      // Issue 11 (h11j): a referral arrived; journeys that start on one enrol the patient.
      await services.jobs.work('referral.created', { concurrency: 1 }, (job) =>
        services.journeys.runtime.onReferralCreated(job),
      );
      // Issue 11 (h11r): a referral closed; the journeys it started end (docs/adr/0045).
      await services.jobs.work('referral.closed', { concurrency: 1 }, async (job) => {
        await services.journeys.runtime.onReferralClosed(job);
      });
      // Issue 11 (h11l): a patient entered a list; journeys that start on it enrol them.
      await services.jobs.work('list.entered', { concurrency: 1 }, async (job) => {
        await services.journeys.runtime.onListEntered(job);
      });
      say(
        `Worker running (email: ${services.outbox.channel.provider === 'smtp' ? 'SMTP' : 'the local test mailbox'}; SMS: ${services.outbox.sms.name === 'twilio' ? 'Twilio' : 'the local test phone'})\n`,
      );
      // Issue 12: the KPI rollup, refreshed nightly and on demand (docs/adr/0027).
      await startKpiWorkers(services);
      // Issue 12: the journey map's stage-entry rollup, every ten minutes (docs/adr/0026).
      await startJourneyMapWorkers(services);
      // Issue 13: freed slots, offer expiry and proposals (docs/adr/0030-slot-holds-and-offers.md).
      await startWaitlistWorkers(services);
      // Issue 11 (h11r): an offer of times unanswered at its end goes to the front desk.
      await services.jobs.work('reschedule-offer.expire', { concurrency: 1 }, (job) =>
        services.rescheduleOffers.expireJob(job),
      );
      // Issue 11 (h11d): a discharge (HL7 A03, FHIR Encounter) starts the post-discharge journey.
      await services.jobs.work('encounter.discharged', { concurrency: 1 }, async (job) => {
        await onEncounterDischarged(services.database, services.journeys.runtime, job);
      });
      // Issue 11 (h11v): a survey answered; the patient's waiting and triggered journeys get it.
      await services.jobs.work('survey.answered', { concurrency: 1 }, async (job) => {
        await onSurveyAnswered(services.database, services.journeys.runtime, job);
      });
    }
    // The MLLP listener listens before the API answers: once /api/health answers, feeds can send.
    if (runs('hl7')) {
      hl7 = await startHl7FromEnv(services, process.env, config.host, {
        onRefused: (refusal) => refusalLog.warn(describeRefusal(refusal)),
      });
      if (!hl7 && options.only === 'hl7') {
        throw new Error('careloop start --only hl7 needs HL7_PORT');
      }
      if (hl7)
        say(
          `HL7 v2 (MLLP${hl7.listener.tls ? ' over TLS' : ''}) on ${hl7.listener.host}:${hl7.listener.port} for ${hl7.organization.name}\n`,
        );
    }
    // Issue 11 (h11d): bounces and complaints by SMTP, beside the API (docs/delivery.md).
    if (runs('api') && config.bounceSmtp && config.bounceAddress) {
      bounces = await startBounceMailbox(services.emailEvents, {
        ...config.bounceSmtp,
        bounceAddress: config.bounceAddress,
        clock: () => services.auth.now(),
        warn: (message) => refusalLog.warn(message),
      });
      say(`Bounce mailbox (SMTP) on ${bounces.host}:${bounces.port}\n`);
    }
    let url: string | null = null;
    if (runs('api')) url = await startApi();
    const logins = url ? await demoLogins(database) : [];
    if (options.json && options.banner !== false) {
      process.stdout.write(
        `${JSON.stringify({
          ok: true,
          url,
          docsUrl: url ? `${url}/api/docs` : null,
          database: database.kind,
          roles: SERVER_ROLES.filter(runs),
          demoLogins: logins.map(({ email, role }) => ({ email, role, password: DEMO_PASSWORD })),
          portalSignUpUrl: url ? signUpUrl(url, logins) : null,
        })}\n`,
      );
    }
    if (url) say(bannerText(url, logins));
    return { url, services, close };
  } catch (error) {
    // A signal during start-up (SIGTERM right after /api/health first answers, say) closes
    // the server under the starting code: that is a shutdown, not a failed start.
    const interrupted = closing !== null;
    await close();
    if (interrupted) return { url: null, services, close };
    throw error;
  }

  /** The HTTP API and web app, with the audit checkpoints; resolves to its URL. */
  async function startApi(): Promise<string> {
    const built = await buildApp(
      services,
      options.logger === undefined ? {} : { logger: options.logger },
    );
    app = built.app;
    refusalLog = built.app.log;
    // The caches (docs/adr/0005) stay off until the change notifications are live.
    await database.changes?.start();
    await app.listen({ host: config.host, port: config.port });
    // The journey map's recent months decoded in the background, so its first readers after a
    // start do not wait for them (docs/adr/0048). Best effort: a failure costs a cold read.
    services.journeyMap.columns.warm().catch((error: unknown) => {
      if (closing === null)
        refusalLog.warn(
          `journey map columns not warmed: ${error instanceof Error ? error.name : 'error'}`,
        );
    });
    const address = app.server.address() as AddressInfo;
    if (config.auditCheckpointMinutes > 0) {
      if (await seesEveryChain(database)) {
        anchor = await AuditAnchor.open(config, database);
        stopCheckpoints = anchor.schedule(
          config.auditCheckpointMinutes,
          () => new Date(),
          checkpointFailed,
        );
      } else {
        process.stderr.write(
          'Audit checkpoints are off: they need the owning role (set DATABASE_OWNER_URL).\n',
        );
      }
    }
    const host = ['0.0.0.0', '::', ''].includes(config.host) ? 'localhost' : config.host;
    return `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`;
  }
}
