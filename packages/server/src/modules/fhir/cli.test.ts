import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bundlesOf,
  importOrder,
  linesOf,
  ndjsonItems,
  runImportFhir,
} from '../../cli/import-fhir.js';
import { visitBundle } from '../../test/fhir/fixtures.js';

function collect() {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

interface Summary {
  ok: boolean;
  organization: { name: string; created: boolean };
  files: number;
  total: {
    created: number;
    updated: number;
    unchanged: number;
    rejected: number;
    storedNotMapped: number;
  };
  counts: Record<string, { created: number; unchanged: number }>;
  failedFiles: { file: string; message: string }[];
}

describe('careloop import fhir', () => {
  let dir: string;
  let env: NodeJS.ProcessEnv;

  const run = async (...args: string[]) => {
    const out = collect();
    const err = collect();
    const code = await runImportFhir(args, { env, stdout: out.stream, stderr: err.stream });
    return { code, stdout: out.text(), stderr: err.text() };
  };

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'careloop-fhir-cli-'));
    env = { LOG_LEVEL: 'silent', CARELOOP_DATA_DIR: path.join(dir, 'data') };
    await writeFile(path.join(dir, 'visit.json'), JSON.stringify(visitBundle().bundle));
    await writeFile(
      path.join(dir, 'one-patient.json'),
      JSON.stringify({
        resourceType: 'Patient',
        id: 'solo',
        name: [{ family: 'Solo' }],
        birthDate: '2001-01-01',
      }),
    );
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('imports a folder into a new organization and prints the counts with --json', async () => {
    const ran = await run('import', 'fhir', dir, '--org', 'Harbor Clinic', '--json');
    expect(ran.code, ran.stderr).toBe(0);
    const summary = JSON.parse(ran.stdout) as Summary;
    expect(summary.ok).toBe(true);
    expect(summary.organization).toMatchObject({ name: 'Harbor Clinic', created: true });
    expect(summary.files).toBe(2);
    expect(summary.counts.Patient?.created).toBe(2);
    expect(summary.total.storedNotMapped).toBe(1);
    expect(ran.stderr).toContain('Importing');
  }, 120_000);

  it('changes nothing the second time', async () => {
    const ran = await run(dir, '--org', 'Harbor Clinic', '--json');
    const summary = JSON.parse(ran.stdout) as Summary;
    expect(summary.organization.created).toBe(false);
    expect(summary.total).toMatchObject({
      created: 0,
      updated: 0,
      rejected: 0,
      storedNotMapped: 0,
    });
    expect(summary.total.unchanged).toBe(13);
  }, 120_000);

  it('exits 1 and names the file that is not FHIR JSON, importing the others', async () => {
    const bad = path.join(dir, 'broken.json');
    await writeFile(bad, '{"resourceType": "Bundle",');
    const ran = await run(dir, '--org', 'Harbor Clinic');
    expect(ran.code).toBe(1);
    expect(ran.stderr).toContain('broken.json');
    expect(ran.stdout).toMatch(/Imported 13 resources from 3 files/);
    await rm(bad);
  }, 120_000);

  it('imports an NDJSON file line by line, naming a broken line and keeping the rest', async () => {
    const file = path.join(dir, 'ndjson', 'Patient.ndjson');
    await mkdir(path.dirname(file), { recursive: true });
    const patient = (id: string) =>
      JSON.stringify({
        resourceType: 'Patient',
        id,
        name: [{ family: id }],
        birthDate: '1990-03-04',
      });
    await writeFile(file, [patient('Nd-a'), '{"resourceType":', patient('Nd-b'), ''].join('\r\n'));
    const ran = await run(path.dirname(file), '--org', 'Harbor Clinic', '--json');
    expect(ran.code).toBe(1);
    const summary = JSON.parse(ran.stdout) as Summary;
    expect(summary.counts.Patient?.created).toBe(2);
    expect(summary.failedFiles).toEqual([
      { file, message: expect.stringMatching(/^line 2 is not JSON/) },
    ]);
  }, 120_000);

  it('explains its usage', async () => {
    expect((await run('--help')).stdout).toContain('careloop import fhir');
    expect((await run('--json')).code).toBe(2);
    expect((await run(path.join(dir, 'missing'))).code).toBe(1);
  });

  it('splits a stream into lines whatever its chunks, and refuses a line over 10 MB', async () => {
    const take = async (chunks: string[]) => {
      async function* each() {
        yield* chunks;
      }
      const out: string[] = [];
      for await (const line of linesOf(each())) out.push(line);
      return out;
    };
    expect(await take(['a\r', '\nb\n\r\nc', 'd'])).toEqual(['a', 'b', '', 'cd']);
    expect(await take(['é\n', ''])).toEqual(['é']);
    await expect(take(['x'.repeat(6 * 1024 * 1024), 'y'.repeat(5 * 1024 * 1024)])).rejects.toThrow(
      /longer than 10 MB/,
    );
  });

  it('streams NDJSON in batches of 1,000, reporting a line that is not JSON by its number', async () => {
    const lines = Array.from({ length: 1501 }, (_, i) =>
      i === 700
        ? '{"resourceType": "Basic", broken'
        : JSON.stringify({ resourceType: 'Basic', id: `b${i}` }),
    );
    async function* each() {
      yield* ['', ...lines, ''];
    }
    const items = [];
    for await (const item of ndjsonItems('x.ndjson', each())) items.push(item);
    expect(items).toHaveLength(3);
    expect(items[0]?.unreadable).toMatch(/^line 702 is not JSON/);
    expect(items[1]?.bundle).toHaveProperty('entry.length', 1000);
    expect(items[2]?.bundle).toHaveProperty('entry.length', 500);
  });

  it('reads Synthea folders shared bundles first, and other bundles as batches', () => {
    expect(
      importOrder([
        'b/Zed_1.json',
        'b/practitionerInformation1.json',
        'b/Ann_2.json',
        'b/hospitalInformation1.json',
      ]),
    ).toEqual([
      'b/hospitalInformation1.json',
      'b/practitionerInformation1.json',
      'b/Ann_2.json',
      'b/Zed_1.json',
    ]);
    expect(
      bundlesOf(
        JSON.stringify({
          resourceType: 'Bundle',
          type: 'collection',
          entry: [{ resource: { resourceType: 'Basic' } }],
        }),
      ),
    ).toEqual([
      {
        resourceType: 'Bundle',
        type: 'batch',
        entry: [{ resource: { resourceType: 'Basic' }, request: { method: 'POST', url: 'Basic' } }],
      },
    ]);
  });
});
