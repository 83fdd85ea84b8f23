import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import { prepareRecord } from '@careloop/core';
import { syntheticRecords } from '../../packages/core/src/identity/synthetic.js';
import { readCsv } from '../../packages/server/src/modules/identity/csv.js';
import { runMpiLink } from '../../packages/server/src/modules/identity/link-cli.js';
import { finish, fmt, rssSampler, say } from './report.js';

const COLUMNS = [
  'id',
  'given',
  'family',
  'sex',
  'birth_date',
  'address',
  'city',
  'state',
  'zip',
  'phone',
  'email',
  'mrn',
  'ssn',
];
const MAP = [
  'given=given',
  'family=family',
  'sex=sex',
  'birth_date=birthDate',
  'address=line',
  'city=city',
  'state=state',
  'zip=postalCode',
  'phone=phone',
  'email=email',
  'mrn=identifier:mrn',
  'ssn=identifier:ssn',
].join(',');

const quote = (cell: string) => (/[",\n]/.test(cell) ? `"${cell.replace(/"/g, '""')}"` : cell);

/** Writes `records` generated people to a CSV file; returns each record's person (the truth). */
async function writePeople(path: string, records: number, seed: number): Promise<Int32Array> {
  const truth = new Int32Array(records);
  const out = createWriteStream(path);
  out.write(`${COLUMNS.join(',')}\n`);
  let index = 0;
  for (const { id, person, record: r } of syntheticRecords({ records, seed })) {
    truth[index++] = person;
    const id0 = (system: string) => r.identifiers?.find((i) => i.system === system)?.value ?? '';
    const cells = [id, r.given, r.family, r.sex, r.birthDate, r.line, r.city, r.state]
      .concat([r.postalCode, r.phone, r.email, id0('mrn'), id0('ssn')])
      .map((c) => quote(c ?? ''));
    if (!out.write(`${cells.join(',')}\n`)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  return truth;
}

/** The baseline: stream the same file and normalize every record, nothing else. */
async function parseAndNormalize(path: string): Promise<{ records: number; seconds: number }> {
  const started = performance.now();
  const { header, rows } = await readCsv(path);
  const column = (name: string) => header.indexOf(name);
  const at = Object.fromEntries(COLUMNS.map((name) => [name, column(name)]));
  let records = 0;
  for await (const { cells } of rows) {
    const cell = (name: string) => cells[at[name] ?? -1] ?? '';
    prepareRecord({
      given: cell('given'),
      family: cell('family'),
      sex: cell('sex'),
      birthDate: cell('birth_date'),
      line: cell('address'),
      city: cell('city'),
      state: cell('state'),
      postalCode: cell('zip'),
      phone: cell('phone'),
      email: cell('email'),
      identifiers: [
        { system: 'mrn', value: cell('mrn') },
        { system: 'ssn', value: cell('ssn') },
      ],
    });
    records++;
  }
  return { records, seconds: (performance.now() - started) / 1000 };
}

/** Precision and recall of the output pairs against the generated truth. */
async function accuracy(path: string, truth: Int32Array) {
  const index = (id: string) => Number(id.slice(1)) - 1;
  const text = await readFile(path, 'utf8');
  let found = 0;
  let correct = 0;
  for (const line of text.split('\n').slice(1)) {
    if (line === '') continue;
    const [a = '', b = ''] = line.split(',');
    found++;
    if (truth[index(a)] === truth[index(b)]) correct++;
  }
  const sizes = new Map<number, number>();
  for (const person of truth) sizes.set(person, (sizes.get(person) ?? 0) + 1);
  let pairs = 0;
  for (const n of sizes.values()) pairs += (n * (n - 1)) / 2;
  const precision = found === 0 ? 1 : correct / found;
  const recall = pairs === 0 ? 1 : correct / pairs;
  return {
    truePairs: pairs,
    found,
    precision,
    recall,
    f1: (2 * precision * recall) / (precision + recall),
  };
}

/**
 * `bench mpi [--records N,N…] [--json]`: generates N people with duplicates (typos, nicknames,
 * swapped day and month, missing fields), twins and same-named parents, writes them as CSV and
 * deduplicates them with `careloop mpi link`. Reports records/s, peak RSS, and the ratio to a
 * baseline in the same run: streaming and normalizing the same file, nothing else.
 */
export async function benchMpi(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      records: { type: 'string', default: '10000' },
      seed: { type: 'string', default: '1' },
      json: { type: 'boolean', default: false },
    },
  });
  const sizes = values.records.split(',').map((n) => Number(n.replace(/_/g, '')));
  if (sizes.some((n) => !Number.isSafeInteger(n) || n < 2)) {
    throw new Error('--records must be whole numbers of at least 2, comma-separated');
  }
  const dir = await mkdtemp(join(tmpdir(), 'careloop-mpi-bench-'));
  const results: Record<string, unknown>[] = [];
  const lines: string[] = [];
  try {
    for (const records of sizes) {
      const input = join(dir, `people-${records}.csv`);
      const output = join(dir, `pairs-${records}.csv`);
      say(`mpi: generating ${fmt(records)} records`);
      const truth = await writePeople(input, records, Number(values.seed));
      say('mpi: baseline (stream and normalize)');
      const baseline = await parseAndNormalize(input);
      say('mpi: mpi link');
      const memory = rssSampler();
      const chunks: string[] = [];
      const stdout = new Writable({
        write(chunk, _encoding, done) {
          chunks.push(String(chunk));
          done();
        },
      });
      const started = performance.now();
      const code = await runMpiLink(
        ['--input', input, '--id', 'id', '--map', MAP, '--output', output, '--json'],
        { stdout, stderr: process.stderr },
      );
      const seconds = (performance.now() - started) / 1000;
      const { peakMb, maxRssMb } = memory.stop();
      if (code !== 0) throw new Error(`mpi link exited ${code}: ${chunks.join('')}`);
      const summary = JSON.parse(chunks.join('')) as Record<string, unknown>;
      const quality = await accuracy(output, truth);
      const result = {
        records,
        seconds: Number(seconds.toFixed(2)),
        recordsPerSecond: Math.round(records / seconds),
        baselineSeconds: Number(baseline.seconds.toFixed(2)),
        baselineRecordsPerSecond: Math.round(baseline.records / baseline.seconds),
        ratioToBaseline: Number((baseline.seconds / seconds).toFixed(3)),
        peakRssMb: Math.round(peakMb),
        maxRssMb: Math.round(maxRssMb),
        candidatePairs: summary.candidatePairs,
        matchedPairs: summary.matchedPairs,
        reviewPairs: summary.reviewPairs,
        truePairs: quality.truePairs,
        precision: Number(quality.precision.toFixed(4)),
        recall: Number(quality.recall.toFixed(4)),
        f1: Number(quality.f1.toFixed(4)),
      };
      results.push(result);
      lines.push(
        `mpi link, ${fmt(records)} records: ${fmt(seconds, 1)} s, ${fmt(result.recordsPerSecond)} records/s`,
        `  baseline (stream + normalize only): ${fmt(baseline.seconds, 1)} s, ${fmt(result.baselineRecordsPerSecond)} records/s; mpi link runs at ${fmt(result.ratioToBaseline * 100, 1)}% of it`,
        `  ${fmt(Number(summary.candidatePairs))} candidate pairs, ${fmt(Number(summary.matchedPairs))} matched, ${fmt(Number(summary.reviewPairs))} to review`,
        `  precision ${fmt(result.precision, 4)}, recall ${fmt(result.recall, 4)}, F1 ${fmt(result.f1, 4)} against ${fmt(quality.truePairs)} true pairs`,
        `  peak RSS ${fmt(peakMb)} MB (sampled every 250 ms; kernel high-water mark ${fmt(maxRssMb)} MB)`,
      );
      await rm(input, { force: true });
      await rm(output, { force: true });
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  finish(values.json, { benchmark: 'mpi', runs: results }, lines);
}
