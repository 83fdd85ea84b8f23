import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Bundle, Resource } from '@medplum/fhirtypes';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importOrder } from '../../cli/import-fhir.js';
import { rowsOf } from '../../db/rows.js';
import { createTestApp, type Session, type TestApp, TestTenant } from '../../test/app.js';
import { SHARED_DATA, sharedDataAvailable } from '../../test/shared-data.js';
import type { AuditActor } from '../audit/service.js';
import { addCounts, type ImportCounts, type ImportResult } from './import/import-service.js';
import { validateFhir } from './validation/validation.js';

const SYNTHEA = path.join(SHARED_DATA, 'synthea-fhir-r4');

interface IndexRow {
  file: string;
  patientId: string;
  Encounter: number;
  Condition: number;
  Claim: number;
}

function bundleIndex(): IndexRow[] {
  const [header = '', ...lines] = readFileSync(path.join(SYNTHEA, 'bundles_index.csv'), 'utf8')
    .trim()
    .split('\n');
  const columns = header.split(',');
  return lines.map((line) => {
    const cells = line.split(',');
    const get = (name: string) => cells[columns.indexOf(name)] ?? '';
    return {
      file: get('file'),
      patientId: get('patient_id'),
      Encounter: Number(get('Encounter')),
      Condition: Number(get('Condition')),
      Claim: Number(get('Claim')),
    };
  });
}

interface Pass {
  results: ImportResult[];
  counts: ImportCounts;
  resources: number;
  seconds: number;
}

async function importAll(t: TestApp, orgId: string, files: string[]): Promise<Pass> {
  const actor: AuditActor = {
    orgId,
    userId: null,
    email: 'careloop-cli',
    role: 'system',
    ip: null,
    userAgent: 'conformance test',
  };
  const bodies = files.map((f) => JSON.parse(readFileSync(f, 'utf8')) as unknown);
  const started = performance.now();
  const results: ImportResult[] = [];
  for (const body of bodies) {
    results.push(await t.services.fhir.imports.importBundle(orgId, actor, body));
  }
  const seconds = (performance.now() - started) / 1000;
  const counts: ImportCounts = {};
  for (const r of results) addCounts(counts, r.counts);
  return { results, counts, seconds, resources: results.reduce((n, r) => n + r.entries.length, 0) };
}

/** Tables an import writes, with whether they keep an `updated_at` (an update would move it). */
const TABLES: [string, boolean][] = [
  ['patients', true],
  ['patient_identifiers', false],
  ['patient_contact_points', false],
  ['patient_addresses', false],
  ['encounters', false],
  ['conditions', false],
  ['observations', true],
  ['procedures', true],
  ['immunizations', true],
  ['medication_requests', true],
  ['care_plans', true],
  ['claims', true],
  ['explanations_of_benefit', true],
  ['external_organizations', true],
  ['practitioners', false],
  ['touchpoints', false],
  ['fhir_source_records', true],
  ['source_links', true],
];

// The 64 Synthea patients are imported once for the whole file (about half a minute on the
// embedded database) and every assertion reads that one import; PGlite only, to keep CI short.
describe.skipIf(!sharedDataAvailable('synthea-fhir-r4'))(
  'Synthea FHIR R4 conformance [pglite]',
  () => {
    let t: TestApp;
    let tenant: TestTenant;
    let first: Pass;
    let second: Pass;
    let before: Record<string, string>;
    let after: Record<string, string>;

    /** Row counts and latest change per table: equal snapshots mean nothing was written. */
    const snapshot = async () => {
      const out: Record<string, string> = {};
      for (const [table, updated] of TABLES) {
        const latest = updated ? 'max(updated_at)::text' : "''";
        const [row] = rowsOf<{ state: string }>(
          await t.database.withTenant(tenant.orgId, (tx) =>
            tx.execute(
              sql.raw(
                `select count(*)::text || ' ' || coalesce(${latest}, '') as state from ${table}`,
              ),
            ),
          ),
        );
        out[table] = row?.state ?? '';
      }
      return out;
    };

    beforeAll(async () => {
      t = await createTestApp('pglite');
      tenant = await TestTenant.create(t, `Synthea ${randomUUID().slice(0, 8)}`);
      const dir = path.join(SYNTHEA, 'bundles');
      const files = importOrder(readdirSync(dir).map((f) => path.join(dir, f)));
      first = await importAll(t, tenant.orgId, files);
      before = await snapshot();
      second = await importAll(t, tenant.orgId, files);
      after = await snapshot();
      console.info(
        `Synthea import: ${first.resources} resources in ${first.seconds.toFixed(1)} s ` +
          `(${Math.round(first.resources / first.seconds)} resources/s); re-import ` +
          `${second.seconds.toFixed(1)} s (${Math.round(second.resources / second.seconds)} resources/s)`,
      );
    }, 900_000);
    afterAll(() => t.close());

    it('imports all 66 bundles with no entry rejected', () => {
      expect(first.results).toHaveLength(66);
      expect(first.results.filter((r) => !r.committed).map((r) => r.failure)).toEqual([]);
      const rejected = Object.entries(first.counts).filter(([, c]) => c.rejected > 0);
      expect(rejected).toEqual([]);
      expect(first.resources).toBe(13_396);
      expect(first.counts.Patient?.created).toBe(64);
      expect(first.counts.Observation?.created).toBe(6832);
    });

    it('keeps exactly 64 patients: 33 male, 31 female, 8 deceased', async () => {
      const [row] = rowsOf<{
        total: number | string;
        male: number | string;
        female: number | string;
        deceased: number | string;
      }>(
        await t.database.withTenant(tenant.orgId, (tx) =>
          tx.execute(sql`select count(*) as total,
          count(*) filter (where administrative_sex = 'male') as male,
          count(*) filter (where administrative_sex = 'female') as female,
          count(*) filter (where deceased_at is not null) as deceased from patients`),
        ),
      );
      expect([row?.total, row?.male, row?.female, row?.deceased].map(Number)).toEqual([
        64, 33, 31, 8,
      ]);
    });

    it('gives each patient the encounters, conditions and claims of their bundle', async () => {
      const rows = rowsOf<{
        source_id: string;
        encounters: number;
        conditions: number;
        claims: number;
      }>(
        await t.database.withTenant(tenant.orgId, (tx) =>
          tx.execute(sql`select l.source_id,
          (select count(*) from encounters e where e.patient_id = l.record_id)::int as encounters,
          (select count(*) from conditions c where c.patient_id = l.record_id)::int as conditions,
          (select count(*) from claims c where c.patient_id = l.record_id)::int as claims
          from source_links l where l.source_type = 'Patient'`),
        ),
      );
      const bySource = new Map(rows.map((r) => [r.source_id, r]));
      const expected = bundleIndex().filter((r) => r.patientId);
      expect(expected).toHaveLength(64);
      for (const e of expected) {
        const got = bySource.get(e.patientId);
        expect(
          [got?.encounters, got?.conditions, got?.claims],
          `${e.file}: encounters, conditions, claims`,
        ).toEqual([e.Encounter, e.Condition, e.Claim]);
      }
    });

    it('keeps billed and paid amounts and the payer of each claim', async () => {
      const [row] = rowsOf<{
        billed: string;
        paid: string;
        payers: number | string;
        unpaid: number | string;
      }>(
        await t.database.withTenant(tenant.orgId, (tx) =>
          tx.execute(sql`select (select sum(billed_amount) from claims)::text as billed,
          (select sum(paid_amount) from explanations_of_benefit)::text as paid,
          (select count(distinct payer_name) from explanations_of_benefit) as payers,
          (select count(*) from explanations_of_benefit where claim_id is null) as unpaid`),
        ),
      );
      expect(Number(row?.billed)).toBeGreaterThan(0);
      expect(Number(row?.paid)).toBeGreaterThan(0);
      expect(Number(row?.payers)).toBeGreaterThan(1);
      expect(Number(row?.unpaid)).toBe(0);
    });

    it('changes nothing when the same bundles are imported again', () => {
      const changed = Object.entries(second.counts).filter(
        ([, c]) => c.created + c.updated + c.rejected + c.storedNotMapped > 0,
      );
      expect(changed).toEqual([]);
      expect(Object.values(second.counts).reduce((n, c) => n + c.unchanged, 0)).toBe(13_396);
      expect(after).toEqual(before);
    });

    describe('served back as FHIR', () => {
      let admin: Session;
      beforeAll(async () => {
        admin = await tenant.signIn('admin');
      });

      it('gives every patient a $everything that validates against R4', async () => {
        const search = await admin.get('/fhir/R4/Patient?_count=200');
        expect(search.statusCode).toBe(200);
        const patients = search.json<Bundle<Resource>>().entry ?? [];
        expect(patients).toHaveLength(64);
        let checked = 0;
        for (const entry of patients.slice(0, 8)) {
          const res = await admin.get(`/fhir/R4/Patient/${entry.resource?.id}/$everything`);
          expect(res.statusCode).toBe(200);
          const bundle = res.json<Bundle<Resource>>();
          for (const e of bundle.entry ?? []) {
            if (!e.resource) continue;
            const { errors } = validateFhir(e.resource);
            expect(errors, `${e.resource.resourceType}/${e.resource.id}`).toEqual([]);
            checked += 1;
          }
        }
        expect(checked).toBeGreaterThan(500);
      });
    });
  },
);
