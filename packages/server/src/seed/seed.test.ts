import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { conversationBodyAad } from '../crypto/encrypted-fields.js';
import { FieldCipher } from '../crypto/field-cipher.js';
import type { Database } from '../db/client.js';
import { rowsOf } from '../db/rows.js';
import { verifyAuditChains } from '../modules/audit/service.js';
import { verifyPassword } from '../modules/auth/passwords.js';
import { describeEachDatabase, openTestDatabase } from '../test/databases.js';
import { DEMO_LOGINS, DEMO_PASSWORD } from './reference/staff.js';
import { type SeedReport, seedOrganization } from './seed.js';

const AS_OF = '2026-03-02';

async function count(database: Database, query: ReturnType<typeof sql>): Promise<number> {
  const [row] = rowsOf<{ n: number | string }>(await database.ownerDb.execute(query));
  return Number(row?.n ?? 0);
}

describeEachDatabase('seedOrganization', (kind) => {
  let database: Database;
  let report: SeedReport;
  const cipher = FieldCipher.random();

  beforeAll(async () => {
    database = await openTestDatabase(kind);
    report = await seedOrganization(database, {
      cipher,
      patients: 50,
      asOf: AS_OF,
      batchSize: 20,
    });
  });
  afterAll(async () => {
    await database?.close();
  });

  it('creates Demo Health with its clinics, clinicians and services', async () => {
    expect(report.createdOrganization).toBe(true);
    const org = report.orgId;
    expect(
      await count(database, sql`select count(*) as n from locations where org_id = ${org}`),
    ).toBe(3);
    expect(
      await count(database, sql`select count(*) as n from practitioners where org_id = ${org}`),
    ).toBe(25);
    expect(
      await count(database, sql`select count(*) as n from service_lines where org_id = ${org}`),
    ).toBe(8);
  });

  it('stores exactly the rows it reports, for 50 patients', async () => {
    const org = report.orgId;
    const tables = {
      patient: 'patients',
      appointments: 'appointments',
      encounters: 'encounters',
      touchpoints: 'touchpoints',
      consents: 'patient_consents',
      conditions: 'conditions',
    } as const;
    expect(report.rows.patient).toBe(50);
    for (const [key, table] of Object.entries(tables)) {
      const stored = await count(
        database,
        sql`select count(*) as n from ${sql.identifier(table)} where org_id = ${org}`,
      );
      // The demo's inbox and waitlist add their own visits and timeline rows (reported apart).
      const demo =
        key === 'touchpoints'
          ? (report.demo?.inbox.touchpoints ?? 0) + (report.demo?.waitlist.touchpoints ?? 0)
          : key === 'appointments'
            ? (report.demo?.waitlist.appointments ?? 0)
            : 0;
      expect(stored, table).toBe(report.rows[key as keyof typeof tables] + demo);
    }
    expect(report.rows.appointments).toBeGreaterThan(100);
  });

  it('gives every patient at least one touchpoint, and records no-shows', async () => {
    const silent = await count(
      database,
      sql`select count(*) as n from patients p where org_id = ${report.orgId}
          and not exists (select 1 from touchpoints t where t.patient_id = p.id)`,
    );
    expect(silent).toBe(0);
    const noShows = await count(
      database,
      sql`select count(*) as n from appointments where org_id = ${report.orgId} and status = 'noshow'`,
    );
    expect(noShows).toBeGreaterThan(0);
  });

  it('creates the demo sign-ins, the patient linked to someone with an upcoming visit', async () => {
    const rows = rowsOf<{
      email: string;
      role: string;
      password_hash: string;
      patient_id: string | null;
    }>(
      await database.ownerDb.execute(
        sql`select email, role, password_hash, patient_id from users where org_id = ${report.orgId}`,
      ),
    );
    expect(rows.map((r) => r.email).sort()).toEqual(DEMO_LOGINS.map((l) => l.email).sort());
    const patient = rows.find((r) => r.role === 'patient');
    expect(patient?.patient_id).toBeTruthy();
    expect(await verifyPassword(patient?.password_hash ?? '', DEMO_PASSWORD)).toBe(true);
    const upcoming = await count(
      database,
      sql`select count(*) as n from appointments where patient_id = ${patient?.patient_id ?? null}
          and status = 'booked' and start_at > ${`${AS_OF}T00:00:00Z`}`,
    );
    expect(upcoming).toBeGreaterThan(0);
  });

  it('saves a list to filter the journey map by: who missed an appointment in the last year', async () => {
    const members = await count(
      database,
      sql`select count(*) as n from patient_list_members m join patient_lists l
            on l.org_id = m.org_id and l.id = m.list_id
          where l.org_id = ${report.orgId} and l.name = 'Missed an appointment in the last year'`,
    );
    expect(members).toBeGreaterThan(0);
    // Each member missed one in the year before the seed's day.
    expect(
      await count(
        database,
        sql`select count(*) as n from patient_list_members m where m.org_id = ${report.orgId}
          and not exists (select 1 from touchpoints t where t.org_id = m.org_id
            and t.patient_id = m.patient_id and t.type = 'appointment.noshow'
            and t.occurred_at >= ${`${AS_OF}T00:00:00Z`}::timestamptz - interval '365 days')`,
      ),
    ).toBe(0);
  });

  it('fills the demo inbox: queues, statuses, assignees, unread messages, notes and a mention', async () => {
    const org = report.orgId;
    const inbox = report.demo?.inbox;
    expect(inbox?.conversations).toBeGreaterThanOrEqual(20);
    expect(inbox?.conversations).toBeLessThanOrEqual(40);
    const byStatus = rowsOf<{ status: string; channel: string; n: number | string }>(
      await database.ownerDb.execute(sql`select status, channel, count(*) as n from conversations
        where org_id = ${org} group by status, channel`),
    );
    const stored = byStatus.reduce((sum, r) => sum + Number(r.n), 0);
    expect(stored).toBe(inbox?.conversations);
    for (const status of ['open', 'pending', 'closed'])
      expect(
        byStatus.some((r) => r.status === status && Number(r.n) > 0),
        status,
      ).toBe(true);
    for (const channel of ['sms', 'portal'])
      expect(
        byStatus.some((r) => r.channel === channel),
        channel,
      ).toBe(true);
    expect(
      await count(
        database,
        sql`select count(distinct team) as n from conversations where org_id = ${org}`,
      ),
    ).toBe(3);
    // Every thread is a patient's of this organization, in the patient's clinic's queue.
    expect(
      await count(
        database,
        sql`select count(*) as n from conversations c where c.org_id = ${org} and not exists (
          select 1 from patients p where p.org_id = c.org_id and p.id = c.patient_id
            and p.primary_location_id is not distinct from c.location_id)`,
      ),
    ).toBe(0);
    const assignees = rowsOf<{ role: string }>(
      await database.ownerDb.execute(sql`select distinct u.role from conversations c
        join users u on u.org_id = c.org_id and u.id = c.assignee_id where c.org_id = ${org}`),
    );
    expect(assignees.map((a) => a.role).sort()).toEqual(['care-coordinator', 'front-desk']);
    expect(
      await count(
        database,
        sql`select count(*) as n from conversation_entries e join conversations c
          on c.org_id = e.org_id and c.id = e.conversation_id
          where e.org_id = ${org} and e.kind = 'patient' and e.read_at is null and c.status = 'open'`,
      ),
    ).toBeGreaterThan(0);
    expect(
      await count(
        database,
        sql`select count(*) as n from conversation_entries where org_id = ${org} and kind = 'note'`,
      ),
    ).toBeGreaterThan(0);
    expect(inbox?.mentions).toBeGreaterThan(0);
    expect(
      await count(
        database,
        sql`select count(*) as n from tasks t join users u on u.id = t.assignee_id
          where t.org_id = ${org} and u.role = 'care-coordinator'
            and t.title = 'You were mentioned in an inbox conversation'`,
      ),
    ).toBe(inbox?.mentions);
    // Bodies are sealed to their rows, and open with the seed's key.
    const [entry] = rowsOf<{ id: string; body_encrypted: string }>(
      await database.ownerDb.execute(sql`select id, body_encrypted from conversation_entries
        where org_id = ${org} and kind = 'patient' order by id limit 1`),
    );
    expect(entry).toBeDefined();
    expect(
      cipher.decrypt(entry?.body_encrypted ?? '', conversationBodyAad(entry?.id ?? '', org)),
    ).toMatch(/\w/);
  });

  it("puts every patient's message on their timeline, texts as the inbound messages they are", async () => {
    const org = report.orgId;
    const texts = await count(
      database,
      sql`select count(*) as n from conversation_entries e join conversations c
        on c.org_id = e.org_id and c.id = e.conversation_id
        where e.org_id = ${org} and e.kind = 'patient' and c.channel = 'sms'`,
    );
    expect(texts).toBeGreaterThan(0);
    expect(
      await count(
        database,
        sql`select count(*) as n from conversation_entries e
          join inbound_messages m on m.org_id = e.org_id and m.id = e.inbound_message_id
          join conversations c on c.org_id = e.org_id and c.id = e.conversation_id
          join touchpoints t on t.org_id = e.org_id and t.subject_id = m.id
            and t.type = 'message.received' and t.channel = 'sms' and t.patient_id = c.patient_id
          where e.org_id = ${org} and m.patient_id = c.patient_id and m.received_at = e.created_at`,
      ),
    ).toBe(texts);
    const portal = await count(
      database,
      sql`select count(*) as n from conversation_entries e join conversations c
        on c.org_id = e.org_id and c.id = e.conversation_id
        where e.org_id = ${org} and e.kind <> 'note' and c.channel = 'portal'`,
    );
    expect(portal).toBeGreaterThan(0);
    expect(
      await count(
        database,
        sql`select count(*) as n from touchpoints where org_id = ${org} and channel = 'portal'
          and type in ('message.received', 'inbox.reply') and subject_type = 'conversation'`,
      ),
    ).toBe(portal);
    // Everything before the seed's day: nothing in the future of its clock.
    expect(
      await count(
        database,
        sql`select count(*) as n from conversation_entries where org_id = ${org}
          and created_at >= ${`${AS_OF}T00:00:00Z`}`,
      ),
    ).toBe(0);
    expect(
      await count(
        database,
        sql`select count(*) as n from touchpoints where org_id = ${org}
          and type in ('message.received', 'inbox.reply', 'task.created', 'waitlist-joined',
            'waitlist-offer-sent', 'waitlist-offer-accepted', 'waitlist-offer-declined',
            'waitlist-offer-expired', 'appointment-booked')
          and occurred_at >= ${`${AS_OF}T00:00:00Z`}`,
      ),
    ).toBe(0);
  });

  it('fills the demo waitlist for its services and clinicians, with offers accepted, expired and declined', async () => {
    const org = report.orgId;
    const waitlist = report.demo?.waitlist;
    expect(waitlist?.entries).toBeGreaterThanOrEqual(15);
    expect(waitlist?.entries).toBeLessThanOrEqual(30);
    const entries = rowsOf<{ status: string; n: number | string }>(
      await database.ownerDb.execute(sql`select status, count(*) as n from waitlist_entries
        where org_id = ${org} group by status`),
    );
    expect(Object.fromEntries(entries.map((e) => [e.status, Number(e.n)]))).toEqual({
      waiting: (waitlist?.entries ?? 0) - 2,
      booked: 2,
    });
    const offers = rowsOf<{ status: string; n: number | string }>(
      await database.ownerDb.execute(sql`select status, count(*) as n from waitlist_offers
        where org_id = ${org} group by status order by status`),
    );
    expect(offers.map((o) => [o.status, Number(o.n)])).toEqual([
      ['accepted', 2],
      ['declined', 2],
      ['expired', 3],
    ]);
    // A clinician chosen has hours at the clinic chosen; the services are the demo's.
    expect(
      await count(
        database,
        sql`select count(*) as n from waitlist_entries e where e.org_id = ${org}
          and e.practitioner_id is not null and not exists (select 1 from availability_rules r
            where r.org_id = e.org_id and r.practitioner_id = e.practitioner_id
              and r.location_id = e.location_id)`,
      ),
    ).toBe(0);
    // A booked entry's visit is after the seed's day, free of the clinician's other visits.
    expect(
      await count(
        database,
        sql`select count(*) as n from waitlist_entries e
          join appointments a on a.org_id = e.org_id and a.id = e.appointment_id
          join waitlist_offers o on o.org_id = e.org_id and o.appointment_id = a.id
          where e.org_id = ${org} and e.status = 'booked' and a.status = 'booked'
            and a.visit_type_id = e.visit_type_id and a.start_at > ${`${AS_OF}T00:00:00Z`}
            and not exists (select 1 from appointments b where b.org_id = a.org_id
              and b.practitioner_id = a.practitioner_id and b.id <> a.id
              and b.status = 'booked' and b.start_at < a.end_at and b.end_at > a.start_at)`,
      ),
    ).toBe(2);
    expect(
      await count(
        database,
        sql`select count(*) as n from touchpoints where org_id = ${org} and type = 'waitlist-joined'`,
      ),
    ).toBe(waitlist?.entries);
    expect(
      await count(
        database,
        sql`select count(*) as n from slot_holds where org_id = ${org} and released_at is null`,
      ),
    ).toBe(0);
  });

  it('seeds the same demo inbox and waitlist again from the same seed and day', async () => {
    const twin = await openTestDatabase(kind);
    try {
      await seedOrganization(twin, {
        cipher: FieldCipher.random(),
        patients: 50,
        asOf: AS_OF,
        batchSize: 20,
      });
      // Users and services get random ids per database: compared by what they are.
      const demo = sql`(select id from organizations where name = 'Demo Health')`;
      const shape = (db: Database) =>
        Promise.all(
          [
            sql`select c.id, c.patient_id, c.channel, c.status, c.team, u.email, c.last_message_at
              from conversations c left join users u on u.id = c.assignee_id
              where c.org_id = ${demo} order by c.id`,
            sql`select id, conversation_id, kind, inbound_message_id, created_at, read_at
              from conversation_entries where org_id = ${demo} order by id`,
            sql`select e.id, e.patient_id, e.status, e.priority, v.name, e.practitioner_id,
                e.location_id, e.availability, e.book_before, e.created_at
              from waitlist_entries e join visit_types v on v.id = e.visit_type_id
              where e.org_id = ${demo} order by e.id`,
            sql`select o.id, o.status, o.sent_at, o.expires_at, o.answered_at, h.start_at
              from waitlist_offers o join slot_holds h on h.id = o.hold_id
              where o.org_id = ${demo} order by o.id`,
          ].map(async (query) => rowsOf(await db.ownerDb.execute(query))),
        );
      const [first, again] = [await shape(database), await shape(twin)];
      expect(first[0]?.length).toBeGreaterThan(0);
      expect(again).toEqual(first);
    } finally {
      await twin.close();
    }
  });

  it('writes one audit event for the run, on an intact chain', async () => {
    const reasons = rowsOf<{ reason: string }>(
      await database.ownerDb.execute(
        sql`select reason from audit_events where org_id = ${report.orgId} and record_type = 'seed'`,
      ),
    );
    expect(reasons.map((r) => r.reason)).toEqual(['seeded 50 patients']);
    expect((await verifyAuditChains(database.ownerDb)).breaks).toEqual([]);
  });

  it('adds patients on a second run instead of colliding, and seeds other organizations apart', async () => {
    const again = await seedOrganization(database, {
      cipher: FieldCipher.random(),
      patients: 10,
      asOf: AS_OF,
    });
    expect(again.createdOrganization).toBe(false);
    expect(again.firstIndex).toBe(50);
    expect(again.demo).toBeNull();
    const other = await seedOrganization(database, {
      cipher: FieldCipher.random(),
      organization: 'Riverside Family Practice',
      patients: 10,
      asOf: AS_OF,
    });
    expect(other.createdOrganization).toBe(true);
    expect(other.orgId).not.toBe(report.orgId);
    expect(
      await count(database, sql`select count(*) as n from patients where org_id = ${report.orgId}`),
    ).toBe(60);
    expect(
      await count(database, sql`select count(*) as n from users where org_id = ${other.orgId}`),
    ).toBe(0);
    // The demo's inbox and waitlist are seeded once, and only into the demo organization.
    expect(other.demo).toBeNull();
    expect(
      await count(
        database,
        sql`select count(*) as n from conversations where org_id = ${report.orgId}`,
      ),
    ).toBe(report.demo?.inbox.conversations);
    expect(
      await count(
        database,
        sql`select count(*) as n from conversations where org_id = ${other.orgId}`,
      ),
    ).toBe(0);
    expect(
      await count(
        database,
        sql`select count(*) as n from waitlist_entries where org_id = ${other.orgId}`,
      ),
    ).toBe(0);
  });
});
