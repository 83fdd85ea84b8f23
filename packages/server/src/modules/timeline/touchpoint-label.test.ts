import { TOUCHPOINT_CHANNELS, TOUCHPOINT_LABEL_TABLES, touchpointLabel } from '@careloop/core';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Database } from '../../db/client.js';
import { rowsOf } from '../../db/rows.js';
import { describeEachDatabase, openTestDatabase } from '../../test/databases.js';

/** Every type a writer uses, each noun and whole type of the rule, and some it never heard of. */
const TYPES = [
  ...Object.keys(TOUCHPOINT_LABEL_TABLES.byType),
  ...Object.keys(TOUCHPOINT_LABEL_TABLES.nouns).map((noun) => `${noun}.some-thing_done.twice`),
  'appointment.booked',
  'communication.received',
  'visit.completed',
  'campaign.sms',
  'referral',
  'unheard.of',
];

/**
 * Migration 0014 fills the non-clinical summary of rows written before it with
 * careloop_touchpoint_label, the SQL copy of core's touchpointLabel; the two must agree.
 */
describeEachDatabase('careloop_touchpoint_label', (kind) => {
  let database: Database;
  beforeAll(async () => {
    database = await openTestDatabase(kind);
  });
  afterAll(() => database.close());

  it('labels every type on every channel as touchpointLabel does', async () => {
    const pairs = TYPES.flatMap((type) =>
      TOUCHPOINT_CHANNELS.map((channel) => ({ type, channel })),
    );
    const rows = await database.system(async (tx) =>
      rowsOf<{ type: string; channel: string; label: string }>(
        await tx.execute(sql`select p.type, p.channel, careloop_touchpoint_label(p.type, p.channel) as label
          from json_to_recordset(${JSON.stringify(pairs)}::json) as p(type text, channel text)`),
      ),
    );
    expect(rows).toHaveLength(pairs.length);
    for (const row of rows) {
      expect(row.label, `${row.type} ${row.channel}`).toBe(touchpointLabel(row.type, row.channel));
    }
  });
});
