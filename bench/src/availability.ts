import { parseArgs } from 'node:util';
import type { AvailableSlot } from '@careloop/core';
import { sql } from 'drizzle-orm';
import { FieldCipher } from '../../packages/server/src/crypto/field-cipher.js';
import type { Database } from '../../packages/server/src/db/client.js';
import { rowsOf } from '../../packages/server/src/db/rows.js';
import type { RequestContext } from '../../packages/server/src/http/actor.js';
import { AuditLog } from '../../packages/server/src/modules/audit/service.js';
import { organizations } from '../../packages/server/src/modules/directory/schema.js';
import { JobRunner } from '../../packages/server/src/modules/jobs/runner.js';
import {
  SchedulingService,
  SlotTakenError,
} from '../../packages/server/src/modules/scheduling/service.js';
import { positiveInteger } from './args.js';
import { benchDatabase } from './databases.js';
import { finish, fmt, say } from './report.js';

/** The day the benchmark's calendar starts: fixed, so runs compare (never the wall clock). */
const AS_OF = '2031-01-06';
const DAY = 86_400_000;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

/** Timings of `runs` calls of `fn`, in ms, sorted. */
async function timed(runs: number, fn: (i: number) => Promise<unknown>): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    await fn(i);
    times.push(performance.now() - started);
  }
  return times.sort((a, b) => a - b);
}

/**
 * `npm run bench -- availability`: `--practitioners` (500) with weekday hours at 10 locations,
 * 90 days of them, `--appointments` (200,000) booked; availability search p50/p95 for one
 * practitioner over a week and for a location's 50 practitioners over a day, against the
 * baseline of one tenant round trip (reading the service); then booking throughput under
 * contention (`--contenders` requests for each of 20 slots, 8 by default, in flight together),
 * counting the practitioners' overlapping bookings afterwards (it fails on any).
 */
export async function benchAvailability(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      json: { type: 'boolean', default: false },
      practitioners: { type: 'string', default: '500' },
      appointments: { type: 'string', default: '200000' },
      runs: { type: 'string', default: '200' },
      contenders: { type: 'string', default: '8' },
    },
  });
  const practitioners = positiveInteger(values.practitioners, 'practitioners');
  const appointments = positiveInteger(values.appointments, 'appointments');
  const runs = positiveInteger(values.runs, 'runs');
  const contenders = positiveInteger(values.contenders, 'contenders');
  const target = await benchDatabase({ fresh: true });
  const database = await target.open();
  const jobs = new JobRunner(database);
  try {
    await database.migrate();
    say(`seeding ${practitioners} practitioners and ${appointments} appointments…`);
    const seeded = await seedCalendar(database, practitioners, appointments);
    await jobs.start();
    const asOf = Date.parse(`${AS_OF}T00:00:00Z`);
    const scheduling = new SchedulingService(database, new AuditLog(database), jobs, {
      // Seals cancellation reasons; this bench cancels nothing.
      cipher: FieldCipher.random(),
      clock: () => new Date(asOf),
    });
    const ctx = benchContext(seeded.orgId);
    const week = (i: number) => ({
      from: new Date(asOf + (i % 80) * DAY).toISOString(),
      to: new Date(asOf + ((i % 80) + 7) * DAY).toISOString(),
    });
    say('searching…');
    const baseline = await timed(runs, () =>
      database.withTenant(seeded.orgId, (tx) =>
        tx.execute(sql`select id from visit_types limit 1`),
      ),
    );
    let slotsSeen = 0;
    const byPractitioner = await timed(runs, async (i) => {
      const slots = await scheduling.availability(ctx, {
        service: seeded.serviceId,
        practitioner: seeded.practitionerIds[(i * 7919) % seeded.practitionerIds.length],
        ...week(i),
        limit: 500,
      });
      slotsSeen += slots.length;
    });
    const byLocation = await timed(Math.max(20, Math.floor(runs / 4)), (i) =>
      scheduling.availability(ctx, {
        service: seeded.serviceId,
        location: seeded.locationIds[i % seeded.locationIds.length],
        from: new Date(asOf + (i % 80) * DAY).toISOString(),
        to: new Date(asOf + ((i % 80) + 1) * DAY).toISOString(),
        limit: 500,
      }),
    );
    say('booking under contention…');
    const open = await scheduling.availability(ctx, {
      service: seeded.serviceId,
      location: seeded.locationIds[0],
      from: new Date(asOf + 85 * DAY).toISOString(),
      to: new Date(asOf + 89 * DAY).toISOString(),
      limit: 20,
    });
    const contention = await bookAll(scheduling, ctx, open, seeded.patientIds, contenders);
    const doubleBooked = await doubleBookings(database, seeded.orgId);
    const p95 = percentile(byPractitioner, 95);
    const base95 = percentile(baseline, 95);
    const result = {
      practitioners,
      appointments: seeded.appointments,
      search: {
        practitionerWeek: {
          p50Ms: percentile(byPractitioner, 50),
          p95Ms: p95,
          slotsPerSearch: slotsSeen / runs,
        },
        locationDay: { p50Ms: percentile(byLocation, 50), p95Ms: percentile(byLocation, 95) },
      },
      baseline: { p50Ms: percentile(baseline, 50), p95Ms: base95 },
      ratio: p95 / base95,
      booking: { ...contention, doubleBooked },
    };
    finish(values.json, result, [
      `availability (${target.kind}): ${practitioners} practitioners, ${fmt(seeded.appointments)} appointments over 90 days`,
      `  one practitioner, a week: p50 ${fmt(result.search.practitionerWeek.p50Ms, 1)} ms, p95 ${fmt(p95, 1)} ms (${fmt(result.search.practitionerWeek.slotsPerSearch)} slots)`,
      `  a location (50 practitioners), a day: p50 ${fmt(result.search.locationDay.p50Ms, 1)} ms, p95 ${fmt(result.search.locationDay.p95Ms, 1)} ms`,
      `  baseline (one tenant round trip): p50 ${fmt(result.baseline.p50Ms, 2)} ms, p95 ${fmt(base95, 2)} ms; ratio p95 ${fmt(result.ratio, 1)}x`,
      `  booking: ${contention.requests} requests, ${contenders} at once for each of ${contention.slots} slots: ${contention.booked} booked, ${contention.taken} slot_taken, ${fmt(contention.requestsPerSecond)} requests/s (${fmt(contention.bookingsPerSecond, 1)} bookings/s), p95 ${fmt(contention.p95Ms, 1)} ms; ${doubleBooked} double bookings`,
    ]);
    if (doubleBooked > 0)
      throw new Error(`${doubleBooked} overlapping bookings of one practitioner`);
  } finally {
    await jobs.stop();
    await database.close();
    await target.dispose();
  }
}

interface Seeded {
  orgId: string;
  serviceId: string;
  practitionerIds: string[];
  locationIds: string[];
  patientIds: string[];
  appointments: number;
}

/** The calendar, written in bulk as the owner (a generator, not a client of the service). */
async function seedCalendar(
  database: Database,
  practitioners: number,
  appointments: number,
): Promise<Seeded> {
  return database.system(async (tx) => {
    const [org] = await tx
      .insert(organizations)
      .values({ name: `Bench Scheduling ${Date.parse(`${AS_OF}T00:00:00Z`)}` })
      .returning({ id: organizations.id });
    if (!org) throw new Error('no organization');
    const orgId = org.id;
    await tx.execute(sql`insert into locations (org_id, name, time_zone)
      select ${orgId}, 'Clinic ' || g, case when g % 2 = 0 then 'America/New_York' else 'America/Chicago' end
      from generate_series(1, 10) g`);
    await tx.execute(sql`insert into practitioners (org_id, given_name, family_name, location_id)
      select ${orgId}, 'Given' || g, 'Family' || g,
        (select id from locations where org_id = ${orgId} order by name offset (g % 10) limit 1)
      from generate_series(1, ${practitioners}) g`);
    await tx.execute(sql`insert into availability_rules (org_id, practitioner_id, location_id, weekday, kind, start_time, end_time)
      select ${orgId}, p.id, p.location_id, w, k.kind, k.s, k.e
      from practitioners p, generate_series(1, 5) w,
        (values ('hours', '08:00', '17:00'), ('break', '12:00', '13:00')) k(kind, s, e)
      where p.org_id = ${orgId}`);
    const [service] = rowsOf<{ id: string }>(
      await tx.execute(sql`insert into visit_types (org_id, name, duration_minutes, buffer_minutes, modality)
        values (${orgId}, 'Follow-up visit', 20, 10, 'in-person') returning id`),
    );
    await tx.execute(sql`insert into patients (org_id, given_name, family_name, search_name, search_given, birth_date, administrative_sex)
      select ${orgId}, 'Pat' || g, 'Bench' || g, 'bench' || g, 'pat' || g, '1970-01-01', 'unknown'
      from generate_series(1, 2000) g`);
    // Weekday visits of 30 minutes at 14:00–21:30 UTC (the clinics' working hours), as many as
    // `appointments` asks, spread over every practitioner and the 90 days.
    await tx.execute(sql`
      with p as (select id, location_id, row_number() over (order by id) - 1 as n from practitioners where org_id = ${orgId}),
      pat as (select id, row_number() over (order by id) - 1 as n from patients where org_id = ${orgId}),
      grid as (
        select p.id as practitioner_id, p.location_id, p.n,
          ${AS_OF}::timestamptz + d * interval '1 day' + interval '14 hours' + k * interval '30 minutes' as start_at,
          row_number() over (order by d, k, p.n) as seq
        from p, generate_series(0, 89) d, generate_series(0, 15) k
        where extract(isodow from ${AS_OF}::date + d) < 6 and k <> 6 and k <> 7
      )
      insert into appointments (org_id, patient_id, status, practitioner_id, location_id, start_at, end_at, occupies)
      select ${orgId}, pat.id, 'booked', g.practitioner_id, g.location_id, g.start_at, g.start_at + interval '20 minutes',
        tstzrange(g.start_at, g.start_at + interval '30 minutes')
      from grid g join pat on pat.n = g.seq % 2000
      where g.seq <= ${appointments}`);
    await tx.execute(sql`analyze appointments`);
    const read = async (q: ReturnType<typeof sql>) =>
      rowsOf<{ id: string }>(await tx.execute(q)).map((r) => r.id);
    const count = rowsOf<{ n: number | string }>(
      await tx.execute(sql`select count(*) as n from appointments where org_id = ${orgId}`),
    );
    return {
      orgId,
      serviceId: service?.id ?? '',
      practitionerIds: await read(
        sql`select id from practitioners where org_id = ${orgId} order by id`,
      ),
      locationIds: await read(sql`select id from locations where org_id = ${orgId} order by name`),
      patientIds: await read(
        sql`select id from patients where org_id = ${orgId} order by id limit 200`,
      ),
      appointments: Number(count[0]?.n ?? 0),
    };
  });
}

/** Every slot asked for by `contenders` requests at once; counts what each got. */
async function bookAll(
  scheduling: SchedulingService,
  ctx: RequestContext,
  slots: AvailableSlot[],
  patientIds: string[],
  contenders: number,
) {
  const latencies: number[] = [];
  let booked = 0;
  let taken = 0;
  // Slot by slot, `contenders` requests for each in flight at once (the pool's size bounds
  // what a real server would run at once too).
  const requests = slots.flatMap((slot, s) =>
    Array.from({ length: contenders }, (_, c) => ({
      slot,
      patientId: patientIds[(s * contenders + c) % patientIds.length] ?? '',
    })),
  );
  const started = performance.now();
  let next = 0;
  const worker = async () => {
    for (let r = requests[next++]; r; r = requests[next++]) {
      const t0 = performance.now();
      try {
        await scheduling.book(ctx, {
          patientId: r.patientId,
          serviceId: r.slot.serviceId,
          practitionerId: r.slot.practitionerId,
          locationId: r.slot.locationId,
          start: r.slot.start,
        });
        booked++;
      } catch (error) {
        if (!(error instanceof SlotTakenError)) throw error;
        taken++;
      }
      latencies.push(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: contenders }, worker));
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    slots: slots.length,
    requests: latencies.length,
    booked,
    taken,
    requestsPerSecond: latencies.length / seconds,
    bookingsPerSecond: booked / seconds,
    p95Ms: percentile(latencies, 95),
  };
}

/**
 * Pairs of the organization's appointments that hold one practitioner's overlapping time: the
 * exclusion constraint should make this 0 whatever the contention (checked, not assumed).
 */
async function doubleBookings(database: Database, orgId: string): Promise<number> {
  const [row] = rowsOf<{ n: number | string }>(
    await database.system((tx) =>
      tx.execute(sql`select count(*) as n from appointments a join appointments b
        on a.org_id = b.org_id and a.practitioner_id = b.practitioner_id and a.id < b.id
        and a.start_at < b.end_at and b.start_at < a.end_at
        where a.org_id = ${orgId} and a.status in ('booked', 'arrived', 'fulfilled')
          and b.status in ('booked', 'arrived', 'fulfilled')
          and a.start_at >= ${AS_OF}::timestamptz + interval '84 days'
          and b.start_at >= ${AS_OF}::timestamptz + interval '84 days'`),
    ),
  );
  return Number(row?.n ?? 0);
}

function benchContext(orgId: string): RequestContext {
  return {
    actor: {
      userId: orgId,
      orgId,
      orgName: 'Bench',
      email: 'bench@bench.careloop.test',
      displayName: 'Bench',
      role: 'front-desk',
      patientId: null,
      sessionId: 'bench',
      csrfToken: 'bench',
      stage: 'active',
    },
    audit: { orgId, userId: null, email: null, role: 'front-desk', ip: null, userAgent: 'bench' },
  };
}
