import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { rowsOf } from '../../db/rows.js';
import { createTestApp, type TestApp, TestTenant } from '../../test/app.js';
import { TestClock } from '../../test/clock.js';
import { describeEachDatabase } from '../../test/databases.js';
import { type EhrSimulator, startEhrSimulator } from '../hl7/ehr-simulator.js';

/**
 * A message the EHR did not take waits EHR_RETRY_SECONDS before its next try, doubling each
 * time (the browser tests' servers set it short, so they need not wait a minute).
 */
describeEachDatabase('the EHR retry’s first wait', (kind) => {
  let app: TestApp;
  let tenant: TestTenant;
  let ehr: EhrSimulator;
  const clock = new TestClock('2026-12-06T09:00:00Z');

  beforeAll(async () => {
    // Refuses (AR) the first two messages, as an EHR that is down for a moment.
    ehr = await startEhrSimulator({ port: 0, rules: { refuseFirst: 2 } });
    const endpoint = `127.0.0.1:${ehr.listener.port}`;
    app = await createTestApp(
      kind,
      { EHR_MLLP_ENDPOINT: endpoint, EHR_RETRY_SECONDS: '7' },
      {
        clock,
      },
    );
    await app.services.jobs.start();
    tenant = await TestTenant.create(app);
  }, 120_000);

  afterAll(async () => {
    await app?.close();
    await ehr?.close();
  });

  /** The message's jobs: id → when it may start. */
  const jobsOf = async (messageId: string): Promise<Map<string, number>> => {
    const rows = rowsOf<{ id: string; at: Date | string }>(
      await app.database.system((tx) =>
        tx.execute(
          sql`select id, start_after as at from pgboss.job
              where name = 'outbox.send' and data->>'messageId' = ${messageId}`,
        ),
      ),
    );
    return new Map(rows.map((r) => [r.id, new Date(r.at).getTime()]));
  };

  /** Delivers the message; answers its outcome and, in seconds after now, its new job's start. */
  const deliverAndWait = async (orgId: string, messageId: string) => {
    const before = await jobsOf(messageId);
    const now = clock.now().getTime();
    const outcome = await app.services.outbox.deliver({ orgId, messageId });
    const added = [...(await jobsOf(messageId))].filter(([id]) => !before.has(id));
    return { outcome, waits: added.map(([, at]) => (at - now) / 1000) };
  };

  it('waits EHR_RETRY_SECONDS after the first refusal and twice that after the second', async () => {
    const messageId = await app.database.withTenant(tenant.orgId, (tx) =>
      app.services.outbox.queueHl7(tx, {
        orgId: tenant.orgId,
        patientId: null,
        endpoint: `127.0.0.1:${ehr.listener.port}`,
        text: 'MSH|^~\\&|CARELOOP|CARELOOP|EHR|EHR|20261206090000||SIU^S14^SIU_S12|retry-1|P|2.5.1',
        idempotencyKey: 'ehr-retry-1',
      }),
    );
    if (!messageId) throw new Error('the message was not queued');

    expect(await deliverAndWait(tenant.orgId, messageId)).toEqual({
      outcome: 'deferred',
      waits: [7],
    });
    expect(await deliverAndWait(tenant.orgId, messageId)).toEqual({
      outcome: 'deferred',
      waits: [14],
    });
    expect(await deliverAndWait(tenant.orgId, messageId)).toEqual({
      outcome: 'delivered',
      waits: [],
    });
    expect(ehr.received.map((r) => r.ack)).toEqual(['AR', 'AR', 'AA']);
  });
});
