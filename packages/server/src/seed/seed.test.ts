import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
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

  beforeAll(async () => {
    database = await openTestDatabase(kind);
    report = await seedOrganization(database, {
      cipher: FieldCipher.random(),
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
      expect(stored, table).toBe(report.rows[key as keyof typeof tables]);
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
  });
});
