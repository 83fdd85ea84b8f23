import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { rowsOf } from '../../db/rows.js';
import { createTestApp, type TestApp, TestTenant } from '../../test/app.js';
import { TestClock } from '../../test/clock.js';
import { describeEachDatabase } from '../../test/databases.js';
import { SHARED_DATA, sharedDataAvailable } from '../../test/shared-data.js';
import type { JobPayload } from '../jobs/names.js';
import { journeyEnrolments } from '../journeys/schema.js';

/**
 * Issue 11 (h11w): a REF^I12 referral over HL7 is announced to journeys (`referral.created`) by
 * the FHIR path's rule: once, when the message created it, and only when it is news (authored
 * within 14 days of its receipt). Over the real sample in ../shared/data (read, never copied).
 */
const SAMPLE = path.join(SHARED_DATA, 'hl7v2/samples/REF-I12-01.hl7');
const present = sharedDataAvailable('hl7v2/samples');

(present ? describeEachDatabase : () => {})('HL7 referrals announced to journeys', (kind) => {
  let app: TestApp;
  let tenant: TestTenant;
  const clock = new TestClock('2026-12-01T17:00:00Z');
  let sample: string;

  beforeAll(async () => {
    app = await createTestApp(kind, {}, { clock });
    await app.services.jobs.start();
    tenant = await TestTenant.create(app);
    await app.services.journeys.enableReady(
      { orgId: tenant.orgId, userId: null },
      'referral-follow-through',
    );
    sample = await readFile(SAMPLE, 'utf8');
  }, 300_000);
  afterAll(async () => {
    await app?.close();
  });

  /** The sample with another control id (MSH-10) and originating referral id (RF1-6). */
  const variant = (controlId: string, referralId: string) =>
    sample.replace('|MSG00112|', `|${controlId}|`).replace('|226839^EPIC|', `|${referralId}^EPIC|`);

  /** The sample's referral is authored 2022-01-25: received the next day it is news. */
  const receive = async (text: string, receivedAt: Date) => {
    const receipt = await app.services.hl7.receive(tenant.orgId, text, {
      channel: 'mllp',
      receivedAt,
    });
    const [first] = receipt.messages;
    if (!first) throw new Error('no outcome');
    return first;
  };

  const announced = async () =>
    rowsOf<{ id: string }>(
      await app.database.system((tx) =>
        tx.execute(
          sql`select data->>'serviceRequestId' as id from pgboss.job
              where name = 'referral.created' and data->>'orgId' = ${tenant.orgId}`,
        ),
      ),
    );

  const closedJobs = async () =>
    rowsOf<{ data: JobPayload<'referral.closed'> }>(
      await app.database.system((tx) =>
        tx.execute(
          sql`select data from pgboss.job
              where name = 'referral.closed' and data->>'orgId' = ${tenant.orgId}`,
        ),
      ),
    ).map((r) => r.data);

  /** The referrals the tests before announced. */
  const seen = new Set<string>();

  const nextDay = new Date('2022-01-26T09:00:00Z');

  it('a new REF^I12 is announced once; a re-sent one and a historic one start nothing; the follow-through journey enrols', async () => {
    const first = await receive(sample, nextDay);
    expect(first).toMatchObject({ type: 'REF^I12', ackCode: 'AA' });
    const jobs = await announced();
    expect(jobs).toHaveLength(1);

    // The same message again (same control id: a duplicate), and re-sent under a new control
    // id about the same referral (RF1-6): an update, not news.
    expect(await receive(sample, nextDay)).toMatchObject({ ackCode: 'AA', duplicate: true });
    expect(await receive(variant('MSG00112B', '226839'), nextDay)).toMatchObject({
      ackCode: 'AA',
      duplicate: false,
    });
    // Another referral authored in 2022, received now: history.
    expect(await receive(variant('MSG00112C', '990001'), clock.now())).toMatchObject({
      ackCode: 'AA',
    });
    expect(await announced()).toHaveLength(1);

    const [job] = jobs;
    if (!job) throw new Error('not announced');
    seen.add(job.id);
    await app.services.journeys.runtime.onReferralCreated({
      orgId: tenant.orgId,
      serviceRequestId: job.id,
    });
    const enrolled = await app.database.system((tx) =>
      tx
        .select({ id: journeyEnrolments.id })
        .from(journeyEnrolments)
        .where(
          and(
            eq(journeyEnrolments.orgId, tenant.orgId),
            eq(journeyEnrolments.contextKey, `referral:${job.id}`),
          ),
        ),
    );
    expect(enrolled).toHaveLength(1);
  });

  it('a REF^I12 without its RF1 segment is refused with an error ACK and announces nothing', async () => {
    const broken = variant('MSG00112D', '990002')
      .split(/\r\n|\r|\n/)
      .filter((segment) => !segment.startsWith('RF1'))
      .join('\r');
    const outcome = await receive(broken, nextDay);
    expect(['AE', 'AR']).toContain(outcome.ackCode);
    expect(await announced()).toHaveLength(1);
  });

  // Issue 11 (h11r): a referral rejected (RF1-1 R) ends the follow-through (docs/adr/0045).
  it('a REF^I12 rejecting a known referral (RF1-1 R) closes it once and ends the journey it started; a referral sent already rejected closes nothing', async () => {
    const pending = variant('MSG00112E', '990003');
    await receive(pending, nextDay);
    const [job] = (await announced()).filter((a) => !seen.has(a.id));
    if (!job) throw new Error('not announced');
    await app.services.journeys.runtime.onReferralCreated({
      orgId: tenant.orgId,
      serviceRequestId: job.id,
    });
    const rejected = (controlId: string) =>
      variant(controlId, '990003').replace('|P^Pending^HL70283|', '|R^Rejected^HL70283|');
    await receive(rejected('MSG00112F'), nextDay);
    await receive(rejected('MSG00112G'), nextDay);
    const closed = await closedJobs();
    expect(closed).toEqual([{ orgId: tenant.orgId, serviceRequestId: job.id, status: 'revoked' }]);
    const [enrolment] = await app.database.system((tx) =>
      tx
        .select({ id: journeyEnrolments.id })
        .from(journeyEnrolments)
        .where(eq(journeyEnrolments.contextKey, `referral:${job.id}`)),
    );
    for (const payload of closed) {
      expect(await app.services.journeys.runtime.onReferralClosed(payload)).toEqual([
        enrolment?.id,
      ]);
    }
    const [ended] = await app.database.system((tx) =>
      tx
        .select({ status: journeyEnrolments.status, state: journeyEnrolments.state })
        .from(journeyEnrolments)
        .where(eq(journeyEnrolments.contextKey, `referral:${job.id}`)),
    );
    expect(ended).toMatchObject({ status: 'exited', state: { endReason: 'referral.revoked' } });

    // Sent already rejected: it started nothing, so it closes nothing.
    await receive(
      variant('MSG00112H', '990004').replace('|P^Pending^HL70283|', '|R^Rejected^HL70283|'),
      nextDay,
    );
    expect(await closedJobs()).toHaveLength(1);
  });
});
