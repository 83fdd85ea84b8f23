import { describe, expect, it } from 'vitest';
import { CsvSyntaxError, columnNames, detectDelimiter, detectHeaderRow, parseCsv } from './csv.js';
import { knownFieldCount } from './mapping.js';
import { readCsvFile } from './read.js';
import { sheetToCsv } from './sheet.js';

const cells = (text: string, delimiter: ',' | ';' | '\t' | '|' = ',') =>
  parseCsv(text, delimiter).map((r) => r.cells);

describe('parseCsv', () => {
  it('reads quoted fields holding delimiters, doubled quotes and line breaks', () => {
    expect(cells('a,b\n"Smith, Jane","say ""hi""\nthere"\n')).toEqual([
      ['a', 'b'],
      ['Smith, Jane', 'say "hi"\nthere'],
    ]);
  });

  it('accepts CRLF, LF and lone CR line ends and ignores a byte-order mark', () => {
    expect(cells('\uFEFFa,b\r\n1,2\n3,4\r5,6')).toEqual([
      ['a', 'b'],
      ['1', '2'],
      ['3', '4'],
      ['5', '6'],
    ]);
  });

  it('numbers each record by the line it starts on, across quoted line breaks and blank lines', () => {
    const records = parseCsv('h1,h2\n"multi\nline",x\n\n3,4\n', ',');
    expect(records.map((r) => r.line)).toEqual([1, 2, 5]);
  });

  it('keeps empty trailing cells and a last line without a line end', () => {
    expect(cells('a,b,c\n1,,\n2,3,4')).toEqual([
      ['a', 'b', 'c'],
      ['1', '', ''],
      ['2', '3', '4'],
    ]);
  });

  it('reads a quote inside an unquoted field as a character', () => {
    expect(cells('name\n5" floppy')).toEqual([['name'], ['5" floppy']]);
  });

  it('reads a quoted field after a space and trims cells outside quotes (FEBRL pads them)', () => {
    expect(cells('rec_id, given_name, surname\nrec-1, " Smith, Jo ",  Doe \n')).toEqual([
      ['rec_id', 'given_name', 'surname'],
      ['rec-1', ' Smith, Jo ', 'Doe'],
    ]);
  });

  it('skips lines of spaces and numbers records across CRLF inside quotes', () => {
    const records = parseCsv('a,b\r\n   \r\n"x\r\ny",z\r\n1,2\r\n', ',');
    expect(records.map((r) => [r.line, r.cells])).toEqual([
      [1, ['a', 'b']],
      [3, ['x\r\ny', 'z']],
      [5, ['1', '2']],
    ]);
  });

  it('stops after `limit` records without reading on to a broken quote', () => {
    expect(parseCsv('a\nb\n"open', ',', { limit: 2 }).map((r) => r.cells)).toEqual([['a'], ['b']]);
  });

  it('refuses a quoted field that never closes, naming its line', () => {
    expect(() => parseCsv('a\n"open\nstill open', ',')).toThrow(CsvSyntaxError);
    try {
      parseCsv('a\n"open\nstill open', ',');
    } catch (error) {
      expect((error as CsvSyntaxError).line).toBe(2);
    }
  });
});

describe('detectDelimiter', () => {
  it.each([
    ['a,b,c\n1,2,3\n', ','],
    ['a;b;c\n1;2,5;3\n', ';'],
    ['a\tb\n1\t2\n', '\t'],
    ['a|b|c\n1|2|3\n', '|'],
  ] as const)('finds the delimiter of %j', (text, expected) => {
    expect(detectDelimiter(text)).toBe(expected);
  });

  it('is not fooled by commas inside quoted fields of a semicolon file', () => {
    expect(detectDelimiter('name;city\n"Smith, Jane";"Boston, MA"\n"Doe, J";"Salem, MA"\n')).toBe(
      ';',
    );
  });
});

describe('header row', () => {
  it('finds the header below title lines by the field names it holds', () => {
    const records = parseCsv(
      'Patient export from Acme EHR\nGenerated 2026-01-05,,\nLast Name,First Name,DOB\nDoe,Jane,1980-01-02\n',
      ',',
    );
    expect(detectHeaderRow(records, (c) => knownFieldCount('patients', c))).toBe(2);
  });

  it('names blank and repeated columns so that each can be mapped', () => {
    expect(columnNames(['Phone', '', 'phone', ' Email '], 5)).toEqual([
      'Phone',
      'Column 2',
      'phone (2)',
      'Email',
      'Column 5',
    ]);
  });

  it('uses the header line given instead of guessing', () => {
    const file = readCsvFile('x,y\nfirst,last\nJane,Doe\n', { type: 'patients', headerLine: 1 });
    expect(file.table.columns).toEqual(['x', 'y']);
    expect(file.table.rows).toHaveLength(2);
  });
});

describe('sheetToCsv', () => {
  it('writes spreadsheet cells as CSV the parser reads back: dates, numbers, quotes', () => {
    const text = sheetToCsv([
      ['Name', 'DOB', 'Visit', 'Zip', 'Active'],
      [
        'Smith, "Jo"',
        new Date(Date.UTC(1980, 2, 4)),
        new Date(Date.UTC(2026, 2, 2, 9, 30)),
        2118,
        true,
      ],
      [null, undefined, 0.1 + 0.2, 1e21, false],
    ]);
    expect(parseCsv(text, ',').map((r) => r.cells)).toEqual([
      ['Name', 'DOB', 'Visit', 'Zip', 'Active'],
      ['Smith, "Jo"', '1980-03-04', '2026-03-02T09:30:00', '2118', 'true'],
      ['', '', '0.3', '1000000000000000000000', 'false'],
    ]);
  });
});

describe('readCsvFile', () => {
  it('reads a file of 200,000 rows, as wide as its widest row', () => {
    const text = `MRN,Last\n${'1,a\n'.repeat(200_000)}2,b,extra\n`;
    const file = readCsvFile(text, { type: 'patients' });
    expect(file.table.rows).toHaveLength(200_001);
    expect(file.table.columns).toHaveLength(3);
  });

  it('refuses a header line past the end of the file', () => {
    expect(() => readCsvFile('a,b\n1,2\n', { type: 'patients', headerLine: 9 })).toThrow(
      /no line 9/,
    );
  });
});
