import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { initialState, type JourneyDefinition, journeyStepKey } from '@careloop/core';
import { eq, sql } from 'drizzle-orm';
import pg from 'pg';
import { loadConfig } from '../../../config.js';
import { FieldCipher } from '../../../crypto/field-cipher.js';
import { Database } from '../../../db/client.js';
import { rowsOf } from '../../../db/rows.js';
import { createServices } from '../../../services.js';
import { SmtpSink } from '../../../test/smtp-sink.js';
import { messageIdFor } from '../../messaging/email.js';
import { patientContactPoints, patients } from '../../patients/schema.js';
import { systemActor } from '../runtime.js';
import { journeyEnrolments, journeyVersions } from '../schema.js';

/**
 * The journeys crash test (issue 11), shared by `npm run chaos -- journeys` and its vitest
 * version: N enrolments in a two-send journey with a wait between, run by a `careloop start
 * --only worker` process that is killed with SIGKILL several times and started again; then
 * every expected message must have reached the SMTP sink exactly once, none past its window.
 */

const BIN = fileURLToPath(new URL('../../../../bin/careloop.mjs', import.meta.url));
const FROM = 'Careloop <no-reply@careloop.localhost>';

export interface JourneysChaosOptions {
  /** A PostgreSQL URL allowed to create and drop databases. */
  adminUrl: string;
  enrolments: number;
  kills: number;
  /** At most this long between a worker's first sends and its kill. */
  killAfterMs: number;
  /** The wait between the two sends. */
  waitMinutes: number;
  /** Give up waiting for the last messages after this long. */
  deadlineMs: number;
  say?: (text: string) => void;
}

export interface JourneysChaosResult {
  expected: number;
  delivered: number;
  duplicates: number;
  lost: number;
  late: number;
  kills: number;
  seconds: number;
}

export function chaosJourney(waitMinutes: number): JourneyDefinition {
  const send = (template: string) => ({
    kind: 'send' as const,
    channel: 'email' as const,
    template,
    purpose: 'operations' as const,
    validFor: { kind: 'duration' as const, minutes: 60 },
  });
  return {
    key: 'chaos',
    name: 'Chaos',
    trigger: { kind: 'manual' },
    reentry: 'always',
    entry: 'first',
    nodes: [
      { id: 'first', type: 'action', action: send('post-visit-survey'), next: 'pause' },
      {
        id: 'pause',
        type: 'wait',
        wait: { kind: 'duration', minutes: waitMinutes },
        next: 'second',
      },
      { id: 'second', type: 'action', action: send('discharge-check-in'), next: 'done' },
      { id: 'done', type: 'exit' },
    ],
  };
}

export async function runJourneysChaos(
  options: JourneysChaosOptions,
): Promise<JourneysChaosResult> {
  const say = options.say ?? (() => {});
  const started = performance.now();
  const name = `careloop_chaos_j_${randomBytes(5).toString('hex')}`;
  await adminQuery(options.adminUrl, `create database ${name}`);
  const url = new URL(options.adminUrl);
  url.pathname = `/${name}`;
  const databaseUrl = url.toString();
  const key = randomBytes(32).toString('base64');
  const sink = await SmtpSink.start();
  const database = await Database.open({ databaseUrl });
  const children: ChildProcess[] = [];
  try {
    await database.migrate();
    const config = loadConfig({ LOG_LEVEL: 'silent', DATABASE_URL: databaseUrl, MAIL_FROM: FROM });
    const cipher = FieldCipher.fromEnv(key, null);
    if (!cipher) throw new Error('no cipher');
    const services = createServices(config, database, cipher);
    await services.jobs.start();
    // As organizations are made: with the ready templates, which the journey sends (a journey
    // naming one the organization lacks is not published).
    const org = await services.directory.createOrganization(`Chaos ${name}`);
    const orgId = org.id;
    // The send-time checks hold patient messages at night (quiet hours) and to one treatment
    // message a day: the run sends on the wall clock, two messages a patient, so its
    // organization sends at any hour and up to the caps' maximum, as an admin may set them.
    const cap = { perDay: 50, perWeek: 200 };
    await services.templates.setPolicy(
      {
        actor: {
          userId: '',
          orgId,
          orgName: `Chaos ${name}`,
          email: '',
          displayName: 'chaos run',
          role: 'admin',
          patientId: null,
          sessionId: '',
          csrfToken: '',
          stage: 'active',
        },
        audit: systemActor(orgId),
      },
      {
        defaultLanguage: 'en',
        quietStartMinute: 0,
        quietEndMinute: 1440,
        frequencyCaps: { treatment: cap, operations: cap, marketing: cap },
      },
    );
    const editor = { orgId, userId: null };
    const definition = chaosJourney(options.waitMinutes);
    const journeyId = await services.journeys.saveDraft(editor, definition);
    await services.journeys.publish(editor, journeyId);
    const [version] = await database.withTenant(orgId, (tx) =>
      tx
        .select({ id: journeyVersions.id })
        .from(journeyVersions)
        .where(eq(journeyVersions.journeyId, journeyId)),
    );
    if (!version) throw new Error('no published version');
    const versionId = version.id;

    say(`enrolling ${options.enrolments} patients`);
    const enrolmentIds: string[] = [];
    const BATCH = 500;
    for (let from = 0; from < options.enrolments; from += BATCH) {
      const size = Math.min(BATCH, options.enrolments - from);
      const ids = await database.withTenant(orgId, async (tx) => {
        const made = await tx
          .insert(patients)
          .values(
            Array.from({ length: size }, (_, i) => ({
              orgId,
              givenName: 'Chaos',
              familyName: `Patient${from + i}`,
              searchName: `patient${from + i} chaos`,
              searchGiven: 'chaos',
              birthDate: '1970-01-01',
              administrativeSex: 'unknown',
            })),
          )
          .returning({ id: patients.id });
        await tx.insert(patientContactPoints).values(
          made.map((p, i) => ({
            orgId,
            patientId: p.id,
            system: 'email',
            value: `chaos-${from + i}@example.org`,
            display: `chaos-${from + i}@example.org`,
            isPrimary: true,
          })),
        );
        // What `JourneyRuntime.enrol` writes for a new patient, 500 at a time: the enrolment at
        // its entry node and its first step job (the run is about the steps and the sends).
        const now = new Date();
        const enrolled = await tx
          .insert(journeyEnrolments)
          .values(
            made.map((p) => ({
              orgId,
              journeyId,
              versionId,
              patientId: p.id,
              contextKey: `manual:${p.id}`,
              context: { times: {}, attributes: {}, timeZone: 'UTC' },
              state: initialState(definition),
              status: 'active',
              currentNode: definition.entry,
              createdAt: now,
              updatedAt: now,
            })),
          )
          .returning({ id: journeyEnrolments.id });
        await services.jobs.sendMany(
          tx,
          'journey.step',
          enrolled.map((e) => ({ orgId, enrolmentId: e.id })),
        );
        return enrolled.map((e) => e.id);
      });
      enrolmentIds.push(...ids);
    }
    await services.jobs.stop();

    const worker = () => {
      const child = spawn(process.execPath, [BIN, 'start', '--only', 'worker', '--json'], {
        env: {
          PATH: process.env.PATH,
          HOME: process.env.HOME,
          LOG_LEVEL: 'silent',
          DATABASE_URL: databaseUrl,
          CARELOOP_ENCRYPTION_KEY: key,
          CARELOOP_DEMO: '0',
          SMTP_URL: sink.url,
          MAIL_FROM: FROM,
        },
        stdio: ['ignore', 'ignore', 'ignore'],
      });
      children.push(child);
      return child;
    };
    let kills = 0;
    const expected = enrolmentIds.length * 2;
    // Each worker is killed mid-run: once the sink has received another share of the messages
    // since it started (so it is sending), then after a short, varying delay.
    const share = Math.max(1, Math.floor(expected / (options.kills + 2)));
    for (; kills < options.kills; kills++) {
      const child = worker();
      const before = sink.messages.length;
      const until = performance.now() + 120_000;
      while (sink.messages.length < before + share && performance.now() < until) await sleep(50);
      await sleep((kills * 373) % options.killAfterMs);
      child.kill('SIGKILL');
      await new Promise((resolve) => child.once('exit', resolve));
      say(
        `killed worker ${kills + 1} of ${options.kills} with ${sink.messages.length} messages received`,
      );
    }
    worker();
    const deadline = performance.now() + options.deadlineMs;
    while (performance.now() < deadline) {
      const pending = await pendingWork(database);
      if (pending === 0) break;
      await sleep(1000);
    }
    const late = await lateMessages(database);
    const received = new Map<string, number>();
    for (const m of sink.messages) {
      if (m.messageId) received.set(m.messageId, (received.get(m.messageId) ?? 0) + 1);
    }
    let delivered = 0;
    let duplicates = 0;
    for (const id of enrolmentIds) {
      for (const node of ['first', 'second']) {
        const count = received.get(messageIdFor(orgId, journeyStepKey(id, node, 1), FROM)) ?? 0;
        if (count > 0) delivered++;
        duplicates += Math.max(0, count - 1);
      }
    }
    return {
      expected,
      delivered,
      duplicates,
      lost: expected - delivered,
      late,
      kills,
      seconds: Math.round((performance.now() - started) / 100) / 10,
    };
  } finally {
    for (const child of children) child.kill('SIGKILL');
    await database.close();
    await sink.close();
    await adminQuery(options.adminUrl, `drop database if exists ${name} with (force)`);
  }
}

/** Active enrolments plus queued messages: zero when the run is over. */
async function pendingWork(database: Database): Promise<number> {
  const rows = rowsOf<{ n: number }>(
    await database.ownerDb.execute(sql`
      select (select count(*) from journey_enrolments where status = 'active')
           + (select count(*) from outbound_messages where status = 'queued') as n`),
  );
  return Number(rows[0]?.n ?? 0);
}

/** Messages marked sent after their window closed: must be none. */
async function lateMessages(database: Database): Promise<number> {
  const rows = rowsOf<{ n: number }>(
    await database.ownerDb.execute(sql`
      select count(*) as n from outbound_messages
      where sent_at is not null and valid_until is not null and sent_at > valid_until`),
  );
  return Number(rows[0]?.n ?? 0);
}

async function adminQuery(adminUrl: string, text: string): Promise<void> {
  const admin = new pg.Client({ connectionString: adminUrl });
  admin.on('error', () => {});
  await admin.connect();
  try {
    await admin.query(text);
  } finally {
    await admin.end();
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
