import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { type CsvImportRequest, parseCsv } from '@careloop/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp, TestTenant } from '../../test/app.js';
import { SHARED_DATA, sharedDataAvailable } from '../../test/shared-data.js';
import type { AuditActor } from '../audit/service.js';

/** FEBRL identity records: `rec-N-org` and `rec-N-dup-k` are the same person, with typos. */
const DATASET = path.join(SHARED_DATA, 'record-linkage-febrl', 'dataset1.csv');

const MAPPING: CsvImportRequest['mapping'] = [
  { column: 'rec_id', field: 'sourceId' },
  { column: 'given_name', field: 'givenName' },
  { column: 'surname', field: 'familyName' },
  { column: 'street_number', field: 'line1' },
  { column: 'address_1', field: 'line1' },
  { column: 'address_2', field: 'line2' },
  { column: 'suburb', field: 'city' },
  { column: 'postcode', field: 'postalCode' },
  { column: 'state', field: 'state' },
  { column: 'date_of_birth', field: 'birthDate' },
  { column: 'soc_sec_id', field: 'identifier:urn:febrl:soc-sec-id' },
];

const personOf = (recId: string) => /^rec-(\d+)-/.exec(recId)?.[1] ?? recId;

describe.runIf(sharedDataAvailable('record-linkage-febrl'))(
  'CSV import of FEBRL records through the master patient index [pglite]',
  () => {
    let app: TestApp;
    let actor: AuditActor;

    beforeAll(async () => {
      app = await createTestApp('pglite');
      const tenant = await TestTenant.create(app);
      actor = {
        orgId: tenant.orgId,
        userId: null,
        email: 'test',
        role: 'system',
        ip: null,
        userAgent: null,
      };
    });
    afterAll(() => app?.close());

    it('rejects incomplete records and links or flags the duplicates of the same person', async () => {
      const text = await readFile(DATASET, 'utf8');
      const lines = parseCsv(text, ',');
      const recIdOfLine = new Map(lines.slice(1).map((r) => [r.line, (r.cells[0] ?? '').trim()]));
      const prepared = await app.services.csvImport.prepare({
        type: 'patients',
        fileName: 'febrl-dataset1.csv',
        text,
        mapping: MAPPING,
        dateOrder: 'mdy',
      });
      const result = await app.services.csvImport.run(actor, prepared, { dryRun: false });
      expect(result.rows).toBe(1000);

      // Rows without a given name, surname or a real birth date cannot make a golden record.
      const incomplete = lines.slice(1).filter((r) => {
        const [, given, family, , , , , , , dob] = r.cells.map((c) => c.trim());
        return !given || !family || !dob;
      }).length;
      expect(result.counts.rejected).toBeGreaterThanOrEqual(incomplete);
      expect(result.counts.rejected).toBeLessThan(incomplete + 40);

      const patientOf = new Map<string, string>();
      const candidatesOf = new Map<string, string[]>();
      for (const o of result.outcomes) {
        const recId = recIdOfLine.get(o.row) ?? '';
        if (o.recordId) patientOf.set(recId, o.recordId);
        candidatesOf.set(recId, o.candidates);
      }
      // True pairs where both records were accepted: one golden record, or a review item.
      const recIds = [...patientOf.keys()];
      let pairs = 0;
      let found = 0;
      for (const dup of recIds.filter((id) => id.includes('-dup-'))) {
        const original = `rec-${personOf(dup)}-org`;
        const a = patientOf.get(original);
        const b = patientOf.get(dup);
        if (!a || !b) continue;
        pairs += 1;
        if (
          a === b ||
          candidatesOf.get(dup)?.includes(a) ||
          candidatesOf.get(original)?.includes(b)
        )
          found += 1;
      }
      // Different people merged into one golden record: the error that must stay rare.
      const peopleOf = new Map<string, Set<string>>();
      for (const [recId, patientId] of patientOf) {
        const people = peopleOf.get(patientId) ?? new Set<string>();
        people.add(personOf(recId));
        peopleOf.set(patientId, people);
      }
      const wrongLinks = [...peopleOf.values()].filter((p) => p.size > 1).length;
      console.info(
        `FEBRL dataset1: ${result.counts.rejected} rejected, ${pairs} true pairs, ${found} linked or flagged, ${wrongLinks} golden records holding two people, ${result.seconds} s`,
      );
      expect(pairs).toBeGreaterThan(300);
      expect(found / pairs).toBeGreaterThan(0.97);
      expect(wrongLinks).toBeLessThanOrEqual(2);
    }, 240_000);
  },
);
