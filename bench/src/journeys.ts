import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { initialState, type JourneyDefinition } from '@careloop/core';
import { eq, sql } from 'drizzle-orm';
import { loadConfig } from '../../packages/server/src/config.js';
import { FieldCipher } from '../../packages/server/src/crypto/field-cipher.js';
import type { Database } from '../../packages/server/src/db/client.js';
import { rowsOf } from '../../packages/server/src/db/rows.js';
import {
  journeyEnrolments,
  journeyVersions,
} from '../../packages/server/src/modules/journeys/schema.js';
import { chaosJourney } from '../../packages/server/src/modules/journeys/test/chaos.js';
import { OUTBOX_BATCH_SIZE } from '../../packages/server/src/modules/messaging/outbox.js';
import {
  patientContactPoints,
  patients,
} from '../../packages/server/src/modules/patients/schema.js';
import { createServices, type Services } from '../../packages/server/src/services.js';
import { positiveInteger } from './args.js';
import { benchDatabase } from './databases.js';
import { benchRecipients } from './recipients.js';
import { finish, fmt, rssSampler, say } from './report.js';

/** A journey that holds its enrolments in a week-long wait: the background load. */
const HOLDING: JourneyDefinition = {
  key: 'holding',
  name: 'Holding',
  trigger: { kind: 'manual' },
  reentry: 'always',
  entry: 'week',
  nodes: [
    { id: 'week', type: 'wait', wait: { kind: 'duration', minutes: 10_080 }, next: 'done' },
    { id: 'done', type: 'exit' },
  ],
};

/** Runs `work` for every item, `concurrency` at a time; resolves to the seconds it took. */
async function timed<T>(items: T[], concurrency: number, work: (item: T) => Promise<unknown>) {
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) {
        const item = items[next++] as T;
        await work(item);
      }
    }),
  );
  return (performance.now() - started) / 1000;
}

async function patientsAndEmails(database: Database, orgId: string, count: number, tag: string) {
  const ids: string[] = [];
  for (let from = 0; from < count; from += 1000) {
    const size = Math.min(1000, count - from);
    const made = await database.withTenant(orgId, async (tx) => {
      const rows = await tx
        .insert(patients)
        .values(
          Array.from({ length: size }, (_, i) => ({
            orgId,
            givenName: 'Bench',
            familyName: `${tag}${from + i}`,
            searchName: `${tag}${from + i} bench`,
            searchGiven: 'bench',
            birthDate: '1970-01-01',
            administrativeSex: 'unknown',
          })),
        )
        .returning({ id: patients.id });
      await tx.insert(patientContactPoints).values(
        rows.map((p, i) => ({
          orgId,
          patientId: p.id,
          system: 'email',
          value: `${tag}-${from + i}@example.org`,
          display: `${tag}-${from + i}@example.org`,
          isPrimary: true,
        })),
      );
      return rows.map((r) => r.id);
    });
    ids.push(...made);
  }
  return ids;
}

/** `count` active enrolments in `journeyId`, written in bulk (the background, not measured). */
async function bulkEnrol(
  services: Services,
  orgId: string,
  journeyId: string,
  patientIds: string[],
  wakeAt: Date,
): Promise<void> {
  const database = services.database;
  const [version] = await database.withTenant(orgId, (tx) =>
    tx
      .select({ id: journeyVersions.id })
      .from(journeyVersions)
      .where(eq(journeyVersions.journeyId, journeyId)),
  );
  if (!version) throw new Error('no version');
  const state = {
    ...initialState(HOLDING),
    occurrences: { week: 1 },
    wakeAt: wakeAt.toISOString(),
  };
  const now = new Date();
  for (let from = 0; from < patientIds.length; from += 2000) {
    await database.withTenant(orgId, (tx) =>
      tx.insert(journeyEnrolments).values(
        patientIds.slice(from, from + 2000).map((patientId) => ({
          orgId,
          journeyId,
          versionId: version.id,
          patientId,
          contextKey: `manual:${patientId}`,
          context: { times: {}, attributes: {}, timeZone: 'UTC' },
          state,
          status: 'active',
          currentNode: 'week',
          wakeAt,
          createdAt: now,
          updatedAt: now,
        })),
      ),
    );
  }
}

/**
 * `npm run bench -- journeys [--active N] [--steps M] [--concurrency C] [--json]`: engine steps/s
 * (each one the start of an enrolment that sends a message: lock, step, outbox row, audit,
 * next wake) with N other active enrolments in the tables; then sends/s from the outbox to the
 * local mailbox; the baseline is a tenant transaction doing one indexed read, same run.
 * With `--recipients N [--batch B] [--minutes M]`: the N-recipient send (bench/src/recipients.ts).
 */
export async function benchJourneys(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      json: { type: 'boolean', default: false },
      active: { type: 'string', default: '100000' },
      steps: { type: 'string', default: '2000' },
      concurrency: { type: 'string', default: '4' },
      // Issue 11 at scale: one text to each of N recipients (bench/src/recipients.ts).
      recipients: { type: 'string' },
      batch: { type: 'string', default: String(OUTBOX_BATCH_SIZE) },
      minutes: { type: 'string', default: '30' },
    },
  });
  if (values.recipients !== undefined) {
    await benchRecipients({
      recipients: positiveInteger(values.recipients, 'recipients'),
      concurrency: positiveInteger(values.concurrency, 'concurrency'),
      batchSize: positiveInteger(values.batch, 'batch'),
      deadlineMinutes: positiveInteger(values.minutes, 'minutes'),
      json: values.json,
    });
    return;
  }
  const active = Number(values.active);
  const steps = Number(values.steps);
  const concurrency = Number(values.concurrency);
  const bench = await benchDatabase({ fresh: true });
  const database = await bench.open();
  const rss = rssSampler();
  try {
    await database.migrate();
    const config = loadConfig({
      LOG_LEVEL: 'silent',
      ...(bench.databaseUrl ? { DATABASE_URL: bench.databaseUrl } : {}),
    });
    const services = createServices(config, database, FieldCipher.random());
    await services.jobs.start();
    // As organizations are made, with the ready templates the measured journey sends.
    const org = await services.directory.createOrganization(
      `Bench ${randomBytes(4).toString('hex')}`,
    );
    const orgId = org.id;
    const editor = { orgId, userId: null };
    const holding = await services.journeys.saveDraft(editor, HOLDING);
    await services.journeys.publish(editor, holding);
    const measured = await services.journeys.saveDraft(editor, chaosJourney(60));
    await services.journeys.publish(editor, measured);

    say(`journeys bench on ${bench.kind}: ${fmt(active)} active enrolments in the background`);
    const background = await patientsAndEmails(database, orgId, active, 'bg');
    await bulkEnrol(services, orgId, holding, background, new Date(Date.now() + 7 * 86_400_000));
    const subjects = await patientsAndEmails(database, orgId, steps, 'st');
    const enrolments = await database.withTenant(orgId, async (tx) => {
      const ids: string[] = [];
      for (const patientId of subjects) {
        const id = await services.journeys.runtime.enrol(tx, {
          orgId,
          journeyId: measured,
          patientId,
          contextKey: `manual:${patientId}`,
          context: { times: {}, attributes: {}, timeZone: 'UTC' },
        });
        if (id) ids.push(id);
      }
      return ids;
    });
    await database.ownerDb.execute(sql`analyze`);

    say('baseline: a tenant transaction with one indexed read');
    const baselineSeconds = await timed(enrolments, concurrency, (id) =>
      database.withTenant(orgId, (tx) =>
        tx
          .select({ id: journeyEnrolments.id })
          .from(journeyEnrolments)
          .where(eq(journeyEnrolments.id, id)),
      ),
    );
    say(`engine: ${fmt(enrolments.length)} steps`);
    const stepSeconds = await timed(enrolments, concurrency, (id) =>
      services.journeys.runtime.runStep(orgId, id),
    );
    const queued = rowsOf<{ id: string }>(
      await database.ownerDb.execute(sql`select id from outbound_messages where status = 'queued'`),
    ).map((r) => r.id);
    say(`sends: ${fmt(queued.length)} messages to the local mailbox`);
    const sendSeconds = await timed(queued, concurrency, (messageId) =>
      services.outbox.deliver({ orgId, messageId }),
    );
    await services.jobs.stop();
    const { peakMb } = rss.stop();
    const baselinePerSecond = enrolments.length / baselineSeconds;
    const stepsPerSecond = enrolments.length / stepSeconds;
    const sendsPerSecond = queued.length / sendSeconds;
    const result = {
      kind: bench.kind,
      active,
      steps: enrolments.length,
      stepsPerSecond: Math.round(stepsPerSecond),
      sends: queued.length,
      sendsPerSecond: Math.round(sendsPerSecond),
      baselinePerSecond: Math.round(baselinePerSecond),
      ratio: Math.round((stepsPerSecond / baselinePerSecond) * 1000) / 1000,
      peakMb,
    };
    finish(values.json, result, [
      `journeys on ${bench.kind}: ${fmt(active)} active enrolments, concurrency ${concurrency}`,
      `  engine ${fmt(stepsPerSecond)} steps/s (${fmt(enrolments.length)} steps, each an outbox row)`,
      `  sends ${fmt(sendsPerSecond)} messages/s to the local mailbox`,
      `  baseline ${fmt(baselinePerSecond)} tenant transactions/s; ratio steps/baseline ${result.ratio}`,
      `  peak RSS ${fmt(peakMb)} MB`,
    ]);
  } finally {
    await database.close();
    await bench.dispose();
  }
}
