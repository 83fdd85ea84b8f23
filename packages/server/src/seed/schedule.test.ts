import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { FieldCipher } from '../crypto/field-cipher.js';
import type { Database } from '../db/client.js';
import type { RequestContext } from '../http/actor.js';
import { AuditLog } from '../modules/audit/service.js';
import { JobRunner } from '../modules/jobs/runner.js';
import { appointments, visitTypes } from '../modules/scheduling/schema.js';
import { SchedulingService } from '../modules/scheduling/service.js';
import { describeEachDatabase, openTestDatabase } from '../test/databases.js';
import { seedOrganization } from './seed.js';

const AS_OF = '2026-03-02';

describeEachDatabase('the demo schedule', (kind) => {
  let database: Database;
  let orgId: string;
  const cipher = FieldCipher.random();

  beforeAll(async () => {
    database = await openTestDatabase(kind);
    const report = await seedOrganization(database, {
      cipher,
      patients: 200,
      asOf: AS_OF,
      batchSize: 100,
    });
    orgId = report.orgId;
  });
  afterAll(async () => {
    await database?.close();
  });

  it('offers open slots from the demo’s day on, none over a seeded appointment', async () => {
    const scheduling = new SchedulingService(
      database,
      new AuditLog(database),
      new JobRunner(database),
      {
        cipher,
        clock: () => new Date(`${AS_OF}T12:00:00Z`),
      },
    );
    const ctx: RequestContext = {
      actor: {
        userId: orgId,
        orgId,
        orgName: 'Demo Health',
        email: 'desk@test.careloop.test',
        displayName: 'Desk',
        role: 'front-desk',
        patientId: null,
        sessionId: 'test',
        csrfToken: 'test',
        stage: 'active',
      },
      audit: { orgId, userId: null, email: null, role: 'front-desk', ip: null, userAgent: null },
    };
    const [service] = await database.system((tx) =>
      tx
        .select()
        .from(visitTypes)
        .where(and(eq(visitTypes.orgId, orgId), eq(visitTypes.name, 'Follow-up visit'))),
    );
    if (!service) throw new Error('no demo service');
    const from = `${AS_OF}T00:00:00.000Z`;
    const to = '2026-03-09T00:00:00.000Z';
    const slots = await scheduling.availability(ctx, { service: service.id, from, to, limit: 500 });
    expect(slots.length).toBeGreaterThan(100);
    expect(slots.every((s) => s.start >= `${AS_OF}T12:00:00.000Z`)).toBe(true);
    const booked = await database.system((tx) =>
      tx
        .select({
          practitionerId: appointments.practitionerId,
          start: appointments.startAt,
          end: appointments.endAt,
        })
        .from(appointments)
        .where(
          and(
            eq(appointments.orgId, orgId),
            sql`${appointments.status} in ('booked', 'arrived')`,
            sql`${appointments.startAt} >= ${from}::timestamptz`,
          ),
        ),
    );
    expect(booked.length).toBeGreaterThan(0);
    for (const s of slots) {
      const start = Date.parse(s.start);
      const end = Date.parse(s.end) + service.bufferMinutes * 60_000;
      const clash = booked.find(
        (b) =>
          b.practitionerId === s.practitionerId &&
          b.start.getTime() < end &&
          start < b.end.getTime(),
      );
      expect(clash).toBeUndefined();
    }
  });
});
