import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp, TestTenant } from '../../test/app.js';
import { SHARED_DATA, sharedDataAvailable } from '../../test/shared-data.js';
import type { AuditActor } from '../audit/service.js';
import type { EntryResult } from './import/import-service.js';
import { MAPPED_TYPES, mapperOf } from './mapping/index.js';

const EXAMPLES = path.join(SHARED_DATA, 'fhir-r4-examples');

interface Example {
  file: string;
  resourceType: string;
}

function examples(): Example[] {
  const lines = readFileSync(path.join(EXAMPLES, 'index.csv'), 'utf8').trim().split('\n').slice(1);
  return lines.map((line) => {
    const [file = '', resourceType = ''] = line.split(',');
    return { file, resourceType };
  });
}

const rank = (type: string) => mapperOf(type)?.rank ?? MAPPED_TYPES.length;

// The official R4 examples, one batch bundle per file, directory resources first so that
// later examples' references (Patient/example, Practitioner/f201…) can resolve.
describe.skipIf(!sharedDataAvailable('fhir-r4-examples'))(
  'official FHIR R4 examples [pglite]',
  () => {
    let t: TestApp;
    const results = new Map<string, EntryResult>();

    beforeAll(async () => {
      t = await createTestApp('pglite');
      const tenant = await TestTenant.create(t);
      const actor: AuditActor = {
        orgId: tenant.orgId,
        userId: null,
        email: 'tests',
        role: 'system',
        ip: null,
        userAgent: null,
      };
      const all = examples()
        .filter((e) => e.resourceType !== 'Bundle')
        .sort(
          (a, b) => rank(a.resourceType) - rank(b.resourceType) || a.file.localeCompare(b.file),
        );
      for (const example of all) {
        const resource = JSON.parse(
          readFileSync(path.join(EXAMPLES, 'examples', example.file), 'utf8'),
        );
        const result = await t.services.fhir.imports.importBundle(
          tenant.orgId,
          actor,
          {
            resourceType: 'Bundle',
            type: 'batch',
            entry: [{ resource, request: { method: 'POST' } }],
          },
          { sourceSystem: 'hl7-examples' },
        );
        const [entry] = result.entries;
        if (entry) results.set(example.file, entry);
      }
    }, 300_000);
    afterAll(() => t.close());

    it('imports every example of a mapped type or rejects it with a clear OperationOutcome', () => {
      const mapped = examples().filter((e) => MAPPED_TYPES.includes(e.resourceType));
      expect(mapped.length).toBeGreaterThan(250);
      const rejected: string[] = [];
      for (const example of mapped) {
        const result = results.get(example.file);
        expect(result, example.file).toBeDefined();
        if (result?.outcome === 'rejected') {
          const first = result.issues[0];
          expect(first?.severity, example.file).toBe('error');
          expect(first?.diagnostics?.length ?? 0, example.file).toBeGreaterThan(20);
          expect(first?.expression?.[0], example.file).toMatch(/^Bundle\.entry\[0\]/);
          rejected.push(`${example.file}: ${first?.diagnostics}`);
        } else {
          expect(['created', 'updated', 'stored-not-mapped'], example.file).toContain(
            result?.outcome,
          );
        }
      }
      const imported = mapped.length - rejected.length;
      console.info(
        `official examples of mapped types: ${imported} imported, ${rejected.length} rejected\n  ${rejected.join('\n  ')}`,
      );
      // Most examples reference only each other; a rejection is a reference to an example that
      // is not in the set (or not valid R4), which the message names.
      expect(imported / mapped.length).toBeGreaterThan(0.8);
    });

    it('imports json-edge-cases.json as a patient', () => {
      const result = results.get('json-edge-cases.json');
      expect(result?.outcome).toBe('created');
      expect(result?.record?.recordType).toBe('patient');
    });

    it('keeps every other example as a source record or rejects it clearly, never crashing', () => {
      const others = examples().filter(
        (e) => e.resourceType !== 'Bundle' && !MAPPED_TYPES.includes(e.resourceType),
      );
      for (const example of others) {
        const result = results.get(example.file);
        expect(['stored-not-mapped', 'unchanged', 'rejected'], example.file).toContain(
          result?.outcome,
        );
        if (result?.outcome === 'rejected') expect(result.issues[0]?.diagnostics).toBeTruthy();
      }
    });
  },
);
