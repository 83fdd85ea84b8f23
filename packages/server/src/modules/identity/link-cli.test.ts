import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseColumnMap, runMpiLink } from './link-cli.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../../../..');
const FEBRL = resolve(ROOT, '../shared/data/record-linkage-febrl');
const HAVE_FEBRL = existsSync(join(FEBRL, 'dataset1.csv'));
const CI = process.env.CI === 'true';

/** Runs the command and keeps what it printed. */
async function run(argv: string[]) {
  const text = { stdout: '', stderr: '' };
  const sink = (key: 'stdout' | 'stderr') =>
    new Writable({
      write(chunk, _encoding, done) {
        text[key] += String(chunk);
        done();
      },
    });
  const code = await runMpiLink(argv, { stdout: sink('stdout'), stderr: sink('stderr') });
  return { code, ...text };
}

const readPairs = async (path: string) =>
  (await readFile(path, 'utf8'))
    .trim()
    .split('\n')
    .map((line) => line.split(','));

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'careloop-mpi-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Writes a small CSV of our own (the shared data is not copied into the repository). */
async function csv(name: string, lines: string[]): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, `${lines.join('\n')}\n`);
  return path;
}

const CLINIC = [
  'mrn,first,last,dob,street_no,street,zip,phone',
  'A1,Maria,Gonzalez,19800304,12,Main Street,01105,413 555 0123',
  'A2,Mraia,Gonzales,1980-04-03,12,Main St,01105,(413) 555-0123',
  'A3,Sofia,Gonzalez,19800304,12,Main Street,01105,413 555 0123',
  'A4,Robert,Okafor,19551120,80,Elm Road,01602,',
  '"A5","Maria","Gonzalez","19800304","12","Main Street, Apt 4","01105",""',
];
const CLINIC_MAP =
  'first=given,last=family,dob=birthDate,street_no=line,street=line,zip=postalCode,phone=phone';

describe('mpi link', () => {
  it('deduplicates one file: every pair within a group, twins apart', async () => {
    const input = await csv('clinic.csv', CLINIC);
    const output = join(dir, 'pairs.csv');
    const result = await run([
      '--input',
      input,
      '--id',
      'mrn',
      '--map',
      CLINIC_MAP,
      '--output',
      output,
    ]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/3 matched pairs in 1 groups/);
    const rows = await readPairs(output);
    expect(rows[0]).toEqual(['id_a', 'id_b', 'score']);
    expect(rows.slice(1).map(([a, b]) => `${a}-${b}`)).toEqual(['A1-A2', 'A1-A5', 'A2-A5']);
    expect(rows.slice(1).every(([, , score]) => Number(score) > 0)).toBe(true);
  });

  it('links two files and writes the pairs to review', async () => {
    const left = await csv('left.csv', CLINIC.slice(0, 2));
    const right = await csv('right.csv', [
      'mrn,first,last,dob,street_no,street,zip,phone',
      'B7,Maria,Gonzalez,1980-03-04,12,Main St,01105,',
      'B8,Sofia,Gonzalez,1980-03-04,12,Main St,01105,',
    ]);
    const output = join(dir, 'linked.csv');
    const review = join(dir, 'review.csv');
    const result = await run(
      ['--input', left, '--input', right, '--id', 'mrn', '--map', CLINIC_MAP].concat([
        '--output',
        output,
        '--review',
        review,
        '--json',
        '--no-learn',
      ]),
    );
    expect(result.code).toBe(0);
    const summary = JSON.parse(result.stdout);
    expect(summary).toMatchObject({ ok: true, mode: 'link', records: 3, matchedPairs: 1 });
    expect((await readPairs(output)).slice(1).map(([a, b]) => [a, b])).toEqual([['A1', 'B7']]);
    expect((await readPairs(review)).slice(1).map(([a, b]) => [a, b])).toEqual([['A1', 'B8']]);
  });

  it('reports usage errors with exit code 2', async () => {
    const input = await csv('usage.csv', CLINIC);
    const output = join(dir, 'never.csv');
    const cases: [string[], RegExp][] = [
      [['--id', 'mrn', '--map', CLINIC_MAP, '--output', output], /--input is required/],
      [['--input', input, '--map', CLINIC_MAP, '--output', output], /--id is required/],
      [
        ['--input', input, '--id', 'mrn', '--map', 'first=nickname', '--output', output],
        /unknown field "nickname"/,
      ],
      [
        ['--input', input, '--id', 'mrn', '--map', 'middle=given', '--output', output],
        /no column "middle"/,
      ],
      [
        ['--input', input, '--id', 'mrn', '--map', CLINIC_MAP, '--output', output, '--colour'],
        /--colour/,
      ],
      [
        ['--input', input, '--id', 'mrn', '--map', CLINIC_MAP, '--output', output, '--window', '0'],
        /--window/,
      ],
    ];
    for (const [argv, message] of cases) {
      const result = await run(argv);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(message);
    }
    expect(existsSync(output)).toBe(false);
  });

  it('fails with the file name when a file cannot be read', async () => {
    const result = await run(
      ['--input', join(dir, 'absent.csv'), '--id', 'mrn', '--map', CLINIC_MAP].concat([
        '--output',
        join(dir, 'x.csv'),
        '--json',
      ]),
    );
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout).error.message).toMatch(/absent\.csv/);
  });

  it('prints its help', async () => {
    const result = await run(['--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/identifier:<system>/);
  });
});

describe('parseColumnMap', () => {
  it('maps several columns to one field and identifiers by system', () => {
    expect(parseColumnMap('street_number=line, address_1=line,ssn=identifier:ssn')).toEqual([
      { column: 'street_number', target: { kind: 'field', field: 'line' } },
      { column: 'address_1', target: { kind: 'field', field: 'line' } },
      { column: 'ssn', target: { kind: 'identifier', system: 'ssn' } },
    ]);
  });
});

// FEBRL's synthetic registry extracts: truth is in rec_id, rec-N-org and rec-N-dup-k being one
// person. rec_id is only the id here: it takes no part in matching.
const FEBRL_MAP = [
  'given_name=given',
  'surname=family',
  'street_number=line',
  'address_1=line',
  'address_2=line',
  'suburb=city',
  'postcode=postalCode',
  'state=state',
  'date_of_birth=birthDate',
  'soc_sec_id=identifier:ssn',
].join(',');

const person = (recId: string) => recId.split('-')[1] ?? recId;

async function truthPairs(path: string): Promise<Set<string>> {
  const ids = (await readFile(path, 'utf8'))
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => (line.split(',')[0] ?? '').trim());
  const groups = new Map<string, string[]>();
  for (const id of ids) groups.set(person(id), [...(groups.get(person(id)) ?? []), id]);
  const pairs = new Set<string>();
  for (const group of groups.values()) {
    for (let i = 0; i < group.length; i++) {
      for (let j = i + 1; j < group.length; j++) pairs.add([group[i], group[j]].sort().join('|'));
    }
  }
  return pairs;
}

describe.skipIf(!HAVE_FEBRL && !CI)('mpi link on FEBRL (conformance)', () => {
  it('has the shared data under CI', () => {
    expect(HAVE_FEBRL, `FEBRL data missing at ${FEBRL}`).toBe(true);
  });

  for (const [dataset, records, truePairs] of [
    ['dataset1', 1000, 500],
    ['dataset2', 5000, 1934],
  ] as const) {
    it(`deduplicates ${dataset} with F1 of at least 0.95`, async () => {
      const input = join(FEBRL, `${dataset}.csv`);
      const output = join(dir, `${dataset}-pairs.csv`);
      const result = await run(
        ['--input', input, '--id', 'rec_id', '--map', FEBRL_MAP].concat([
          '--output',
          output,
          '--json',
        ]),
      );
      expect(result.code, result.stderr).toBe(0);
      expect(JSON.parse(result.stdout).records).toBe(records);
      const truth = await truthPairs(input);
      expect(truth.size).toBe(truePairs);
      const found = (await readPairs(output))
        .slice(1)
        .map(([a = '', b = '']) => [a, b].sort().join('|'));
      const correct = found.filter((pair) => truth.has(pair)).length;
      const precision = correct / found.length;
      const recall = correct / truth.size;
      const f1 = (2 * precision * recall) / (precision + recall);
      console.log(
        `FEBRL ${dataset}: precision ${precision.toFixed(4)}, recall ${recall.toFixed(4)}, F1 ${f1.toFixed(4)} (${found.length} pairs found, ${truth.size} true)`,
      );
      expect(f1).toBeGreaterThanOrEqual(0.95);
    });
  }
});

if (!HAVE_FEBRL && !CI) {
  console.warn(`mpi link FEBRL conformance skipped: no data at ${FEBRL} (it runs under CI=true)`);
}
