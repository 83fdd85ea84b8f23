import {
  DEFAULT_STAGE_MAPPING,
  resolveStage,
  type StageMappingRule,
  TOUCHPOINT_CHANNELS,
} from '@careloop/core';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Database } from '../../db/client.js';
import { rowsOf } from '../../db/rows.js';
import { describeEachDatabase, openTestDatabase } from '../../test/databases.js';
import { stageCase } from './queries.js';

const TYPES = [
  'patient.registered',
  'appointment.booked',
  'appointment.noshow',
  'appointment_x.booked',
  'survey.completed',
  'campaign.email',
  'visit.completed',
  'unheard.of',
];
const WRITER_STAGES = ['awareness', 'scheduling', 'visit', 'billing', 'nowhere'];
const RULES: StageMappingRule[] = [
  ...DEFAULT_STAGE_MAPPING,
  { type: 'appointment.booked', channel: 'portal', stage: 'awareness' },
  { type: 'appointment.*', channel: 'sms', stage: 'registration' },
  { channel: 'mail', writerStage: 'billing', stage: 'visit' },
];

/** The map's SQL places every touchpoint where core's resolveStage does (the patient view's). */
describeEachDatabase('stageCase', (kind) => {
  let database: Database;
  beforeAll(async () => {
    database = await openTestDatabase(kind);
  });
  afterAll(() => database.close());

  it('agrees with resolveStage on every type, channel and writer stage', async () => {
    const rows = TYPES.flatMap((type) =>
      TOUCHPOINT_CHANNELS.flatMap((channel) =>
        WRITER_STAGES.map((stage) => ({ type, channel, stage })),
      ),
    );
    const result = await database.system(async (tx) =>
      rowsOf<{ type: string; channel: string; stage: string; mapped: string }>(
        await tx.execute(sql`select t.type, t.channel, t.stage, ${stageCase(RULES)} as mapped
          from json_to_recordset(${JSON.stringify(rows)}::json) as t(type text, channel text, stage text)`),
      ),
    );
    expect(result).toHaveLength(rows.length);
    for (const r of result)
      expect(r.mapped, `${r.type} ${r.channel} ${r.stage}`).toBe(resolveStage(RULES, r));
  });
});
