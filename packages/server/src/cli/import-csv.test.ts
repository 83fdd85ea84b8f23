import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SHARED_DATA, sharedDataAvailable } from '../test/shared-data.js';
import { xlsxWorkbook } from '../test/xlsx-fixture.js';
import { runCli } from './run.js';

function collect() {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

interface Summary {
  ok: boolean;
  dryRun: boolean;
  rows: number;
  counts: { created: number; updated: number; unchanged: number; review: number; rejected: number };
  rejected: { row: number; errors: { column: string | null; message: string }[] }[];
  organization: { name: string; created: boolean };
}

const SYNTHEA_PATIENTS = path.join(SHARED_DATA, 'synthea-csv', 'patients.csv');
const SYNTHEA_MAP =
  'Id=sourceId,FIRST=givenName,LAST=familyName,BIRTHDATE=birthDate,GENDER=sex,SSN=ssn,ADDRESS=line1,CITY=city,STATE=state,ZIP=postalCode';

describe('careloop import csv', () => {
  let dir: string;
  let env: NodeJS.ProcessEnv;

  const run = async (...args: string[]) => {
    const out = collect();
    const err = collect();
    const code = await runCli(args, { env, stdout: out.stream, stderr: err.stream });
    return { code, stdout: out.text(), stderr: err.text() };
  };
  const summaryOf = (stdout: string) => JSON.parse(stdout) as Summary;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'careloop-csv-cli-'));
    env = { LOG_LEVEL: 'silent', CARELOOP_DATA_DIR: path.join(dir, 'data') };
    await writeFile(
      path.join(dir, 'front-desk.tsv'),
      'Chart\tSurname\tGiven\tDate of Birth\n' +
        'C-1\tNakamura\tYuki\t05/06/1971\n' +
        'C-2\tOsei\tKwame\t31/12/1988\n',
    );
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('suggests the mapping from the headers, reads a TSV and reports row errors with exit 1', async () => {
    const ran = await run(
      'import',
      'csv',
      '--type',
      'patients',
      '--org',
      'Lakeside Practice',
      path.join(dir, 'front-desk.tsv'),
    );
    expect(ran.code, ran.stderr).toBe(1);
    expect(ran.stderr).toContain(
      'No --map given; mapping from the headers: Chart=mrn,Surname=familyName',
    );
    expect(ran.stderr).toContain('line 3 (Date of Birth): "31/12/1988" is not a date month-first');
    expect(ran.stdout).toContain('created 1');
    expect(ran.stdout).toContain('rejected 1');
  }, 120_000);

  it('reads day-first dates when told, and links the row imported before', async () => {
    const ran = await run(
      'import',
      'csv',
      '--type',
      'patients',
      '--org',
      'Lakeside Practice',
      '--date-order',
      'dmy',
      '--json',
      '--map',
      'Chart=mrn,Surname=familyName,Given=givenName,Date of Birth=birthDate',
      path.join(dir, 'front-desk.tsv'),
    );
    expect(ran.code, ran.stderr).toBe(0);
    // 05/06/1971 is now 5 June, not May 6: the same chart, a corrected birth date.
    expect(summaryOf(ran.stdout).counts).toEqual({
      created: 1,
      updated: 1,
      unchanged: 0,
      review: 0,
      rejected: 0,
    });
  }, 120_000);

  it('imports the sheet of an .xlsx workbook named with --sheet, dates and numbers included', async () => {
    const book = path.join(dir, 'registrations.xlsx');
    await writeFile(
      book,
      xlsxWorkbook([
        { name: 'Notes', rows: [['Exported by the front desk']] },
        {
          name: 'Patients',
          rows: [
            ['MRN', 'Last Name', 'First Name', 'DOB', 'Zip'],
            ['X-1', 'Abernathy', 'Clementine', { date: '1975-11-23' }, 2118],
          ],
        },
      ]),
    );
    const several = await run('import', 'csv', '--type', 'patients', '--json', book);
    expect(several.code).toBe(2);
    expect(several.stdout).toContain('name one with --sheet (\\"Notes\\", \\"Patients\\")');
    const ran = await run(
      'import',
      'csv',
      '--type',
      'patients',
      '--org',
      'Lakeside Practice',
      '--sheet',
      'Patients',
      '--json',
      book,
    );
    expect(ran.code, ran.stderr).toBe(0);
    const summary = JSON.parse(ran.stdout) as Summary & { sourceSystem: string };
    expect(summary.counts.created).toBe(1);
    expect(summary.sourceSystem).toBe('csv:registrations.xlsx#Patients');
  }, 120_000);

  it('is a usage error (exit 2) to leave out --type or map to an unknown field', async () => {
    const file = path.join(dir, 'front-desk.tsv');
    expect((await run('import', 'csv', file)).code).toBe(2);
    const unknown = await run(
      'import',
      'csv',
      '--type',
      'patients',
      '--map',
      'Chart=shoeSize',
      '--json',
      file,
    );
    expect(unknown.code).toBe(2);
    expect(JSON.parse(unknown.stdout)).toMatchObject({
      ok: false,
      error: { code: 'usage', message: expect.stringContaining('shoeSize') },
    });
  }, 120_000);

  describe.runIf(sharedDataAvailable('synthea-csv'))('Synthea patients.csv (shared data)', () => {
    const synthea = (...extra: string[]) =>
      run(
        'import',
        'csv',
        '--type',
        'patients',
        '--org',
        'Synthea',
        '--json',
        '--map',
        SYNTHEA_MAP,
        ...extra,
        SYNTHEA_PATIENTS,
      );

    it('dry-runs all 27 patients without writing, then imports them, then changes nothing', async () => {
      const dry = summaryOf((await synthea('--dry-run')).stdout);
      expect(dry).toMatchObject({ dryRun: true, rows: 27 });
      expect(dry.counts.created + dry.counts.review).toBe(27);

      const first = await synthea();
      expect(first.code, first.stderr).toBe(0);
      const imported = summaryOf(first.stdout);
      expect(imported.counts.created + imported.counts.review).toBe(27);
      expect(imported.counts.rejected).toBe(0);

      const again = summaryOf((await synthea()).stdout);
      expect(again.counts).toEqual({
        created: 0,
        updated: 0,
        unchanged: 27,
        review: 0,
        rejected: 0,
      });
    }, 180_000);
  });
});
