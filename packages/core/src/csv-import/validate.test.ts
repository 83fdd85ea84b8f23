import { describe, expect, it } from 'vitest';
import { instantOf, parseBirthDate, parseDate, parseDateTime, parseTime } from './dates.js';
import { DirectoryIndex, directoryKey } from './directory-names.js';
import { MRN_SYSTEM, SSN_SYSTEM } from './fields.js';
import { checkMapping, fieldForHeader, parseMappingSpec, suggestMapping } from './mapping.js';
import { readCsvFile, validateAppointments, validatePatients } from './read.js';

/** The day the files are imported: a fixed clock, as every test passes one. */
const AS_OF = new Date('2026-12-06T12:00:00Z');

describe('dates', () => {
  it.each([
    ['1980-03-04', 'mdy', '1980-03-04'],
    ['19800304', 'mdy', '1980-03-04'],
    ['03/04/1980', 'mdy', '1980-03-04'],
    ['03/04/1980', 'dmy', '1980-04-03'],
    ['3.4.1980', 'dmy', '1980-04-03'],
    ['12-31-1999', 'mdy', '1999-12-31'],
  ] as const)('reads %s (%s) as %s', (text, order, iso) => {
    expect(parseDate(text, order)).toEqual({ ok: true, value: iso });
  });

  it('refuses two-digit years, impossible dates and says when the day may come first', () => {
    expect(parseDate('04/05/06')).toMatchObject({ ok: false, message: /two-digit year/ });
    expect(parseDate('1980-02-30')).toMatchObject({ ok: false, message: /not a real date/ });
    expect(parseDate('25/12/1980', 'mdy')).toMatchObject({ ok: false, message: /day first/ });
    expect(parseDate('yesterday')).toMatchObject({ ok: false });
  });

  it('refuses birth dates in the future', () => {
    const today = new Date('2026-01-01T12:00:00Z');
    expect(parseBirthDate('2026-06-01', 'mdy', today)).toMatchObject({ ok: false });
    expect(parseBirthDate('2026-01-03', 'mdy', today)).toMatchObject({ ok: false });
    expect(parseBirthDate('2025-06-01', 'mdy', today)).toEqual({ ok: true, value: '2025-06-01' });
    // Already January 2 in Kiritimati (UTC+14): the same rule as the API, HL7 and FHIR.
    expect(parseBirthDate('2026-01-02', 'mdy', today)).toEqual({ ok: true, value: '2026-01-02' });
  });

  it('reads times and date-times in the formats clinics export', () => {
    expect(parseTime('9:30 PM')).toEqual({ ok: true, value: '21:30:00' });
    expect(parseTime('12:05 am')).toEqual({ ok: true, value: '00:05:00' });
    expect(parseTime('0930')).toEqual({ ok: true, value: '09:30:00' });
    expect(parseTime('25:00')).toMatchObject({ ok: false });
    expect(parseDateTime('03/02/2026 9:30 AM')).toEqual({
      ok: true,
      value: { date: '2026-03-02', time: '09:30:00', offset: null },
    });
    expect(parseDateTime('2026-03-02T09:30:00+0100')).toEqual({
      ok: true,
      value: { date: '2026-03-02', time: '09:30:00', offset: '+01:00' },
    });
    expect(parseDateTime('2026-03-02')).toMatchObject({ ok: false, message: /no time/ });
  });

  it('turns wall-clock times into instants in the given zone, daylight saving included', () => {
    const winter = instantOf(
      { date: '2026-01-15', time: '09:00:00', offset: null },
      'America/New_York',
    );
    const summer = instantOf(
      { date: '2026-07-15', time: '09:00:00', offset: null },
      'America/New_York',
    );
    expect(winter.toISOString()).toBe('2026-01-15T14:00:00.000Z');
    expect(summer.toISOString()).toBe('2026-07-15T13:00:00.000Z');
    expect(
      instantOf({ date: '2026-07-15', time: '09:00:00', offset: '+02:00' }, 'UTC').toISOString(),
    ).toBe('2026-07-15T07:00:00.000Z');
  });
});

describe('mapping suggestions', () => {
  it.each([
    ['DOB', 'birthDate'],
    ['Date of Birth', 'birthDate'],
    ['date_of_birth', 'birthDate'],
    ['Last Name', 'familyName'],
    ['Surname', 'familyName'],
    ['Patient Last Name', 'familyName'],
    ['FIRST', 'givenName'],
    ['Zip', 'postalCode'],
    ['Home ZIP', 'postalCode'],
    ['E-mail', 'email'],
    ['soc_sec_id', 'ssn'],
  ])('maps the header %s to %s', (header, field) => {
    expect(fieldForHeader('patients', header)?.key).toBe(field);
  });

  it('suggests each single field once and joins address columns', () => {
    const mapping = suggestMapping('patients', [
      'rec_id',
      'given_name',
      'surname',
      'street_number',
      'address_1',
      'DOB',
      'Birth Date',
      'Favourite colour',
    ]);
    expect(mapping).toEqual([
      { column: 'rec_id', field: 'sourceId' },
      { column: 'given_name', field: 'givenName' },
      { column: 'surname', field: 'familyName' },
      { column: 'street_number', field: 'line1' },
      { column: 'address_1', field: 'line1' },
      { column: 'DOB', field: 'birthDate' },
    ]);
  });

  it('reports missing required fields, unknown fields and columns', () => {
    const issues = checkMapping(
      'patients',
      ['First', 'Last'],
      [
        { column: 'First', field: 'givenName' },
        { column: 'Last', field: 'shoeSize' },
        { column: 'Nope', field: 'familyName' },
      ],
    );
    expect(issues.map((i) => i.message)).toEqual([
      '"shoeSize" is not a field of patients',
      'The file has no column "Nope"',
      'Map a column to Family name',
      'Map a column to Birth date',
    ]);
  });

  it('asks for the system of an identifier column mapped without one', () => {
    const issues = checkMapping(
      'patients',
      ['First', 'Last', 'DOB', 'Chart'],
      [
        { column: 'First', field: 'givenName' },
        { column: 'Last', field: 'familyName' },
        { column: 'DOB', field: 'birthDate' },
        { column: 'Chart', field: 'identifier: ' },
      ],
    );
    expect(issues.map((i) => i.message)).toEqual(['Name the identifier system of column "Chart"']);
  });

  it('reads the command line form, identifier systems and all', () => {
    expect(parseMappingSpec('Last Name=familyName, MRN=identifier:urn:acme:mrn')).toEqual({
      mapping: [
        { column: 'Last Name', field: 'familyName' },
        { column: 'MRN', field: 'identifier:urn:acme:mrn' },
      ],
      issues: [],
    });
    expect(parseMappingSpec('oops').issues).toEqual(['"oops" is not column=field']);
  });
});

const patientsCsv = [
  'MRN;Last Name;First Name;DOB;Sex;Phone;Cell;Email;Street;Zip;Lang;Hospital ID',
  'A1;Doe;Jane;02/28/1980;F;(617) 555-0101;617-555-0101;Jane@Example.org;1 Main St;02118;Spanish;H-9',
  'A2;;John;1980-13-01;Q;not a phone;;nope;;;;',
].join('\r\n');

describe('validatePatients', () => {
  const file = readCsvFile(patientsCsv, { type: 'patients' });
  const mapping = [
    ...suggestMapping('patients', file.table.columns),
    { column: 'Hospital ID', field: 'identifier:urn:hospital' },
  ];

  it('types a good row: normalized contacts, identifiers, ISO birth date, address', () => {
    const [first] = validatePatients(file.table, mapping, {
      dateOrder: 'mdy',
      asOf: AS_OF,
    }).results;
    expect(first).toEqual({
      ok: true,
      row: 2,
      value: {
        sourceId: null,
        givenName: 'Jane',
        middleName: null,
        familyName: 'Doe',
        birthDate: '1980-02-28',
        sex: 'female',
        address: { line1: '1 Main St', line2: null, city: '', state: '', postalCode: '02118' },
        phones: [{ e164: '+16175550101', display: '(617) 555-0101' }],
        emails: ['jane@example.org'],
        identifiers: [
          { system: MRN_SYSTEM, value: 'A1', type: 'MR' },
          { system: 'urn:hospital', value: 'H-9', type: null },
        ],
        preferredLanguage: 'es',
      },
    });
  });

  it('collects every problem of a bad row with its column and field', () => {
    const [, second] = validatePatients(file.table, mapping, {
      dateOrder: 'mdy',
      asOf: AS_OF,
    }).results;
    expect(second?.ok).toBe(false);
    if (second?.ok !== false) return;
    expect(second.errors.map((e) => [e.row, e.column, e.field])).toEqual([
      [3, 'Last Name', 'familyName'],
      [3, 'DOB', 'birthDate'],
      [3, 'Sex', 'sex'],
      [3, 'Phone', 'phone'],
      [3, 'Email', 'email'],
    ]);
    expect(second.errors[0]?.message).toBe('Family name is empty');
  });

  it('returns mapping issues instead of rows when the mapping is incomplete', () => {
    const result = validatePatients(file.table, [{ column: 'MRN', field: 'mrn' }], {
      dateOrder: 'mdy',
      asOf: AS_OF,
    });
    expect(result.results).toEqual([]);
    expect(result.mappingIssues.map((i) => i.field)).toEqual([
      'givenName',
      'familyName',
      'birthDate',
    ]);
  });

  it('maps SSN columns to the US SSN system', () => {
    const table = readCsvFile('First,Last,DOB,SSN\nA,B,2000-01-01,999-12-3456\n', {
      type: 'patients',
    }).table;
    const [row] = validatePatients(table, suggestMapping('patients', table.columns), {
      dateOrder: 'mdy',
      asOf: AS_OF,
    }).results;
    expect(row?.ok && row.value.identifiers).toEqual([
      { system: SSN_SYSTEM, value: '999-12-3456', type: 'SS' },
    ]);
  });
});

describe('validateAppointments', () => {
  const csv =
    'Appt ID,MRN,Date,Time,Duration,Status,Provider,Location,Virtual\n' +
    'X1,A1,03/02/2026,9:30 AM,20,Completed,"Smith, Jane MD",Main Clinic,no\n' +
    'X2,,2026-03-02,25:00,0,Maybe,,,perhaps\n';
  const table = readCsvFile(csv, { type: 'appointments' }).table;
  const mapping = suggestMapping('appointments', table.columns);

  it('suggests the appointment fields from common headers', () => {
    expect(mapping.map((m) => m.field)).toEqual([
      'sourceId',
      'patientMrn',
      'date',
      'time',
      'durationMinutes',
      'status',
      'practitioner',
      'location',
      'telehealth',
    ]);
  });

  it('types a good row and rejects a bad one with each error', () => {
    const [good, bad] = validateAppointments(table, mapping, { dateOrder: 'mdy' }).results;
    expect(good).toMatchObject({
      ok: true,
      value: {
        sourceId: 'X1',
        patientMrn: 'A1',
        start: { date: '2026-03-02', time: '09:30:00', offset: null },
        durationMinutes: 20,
        status: 'fulfilled',
        practitioner: 'Smith, Jane MD',
        telehealth: false,
      },
    });
    expect(bad?.ok).toBe(false);
    if (bad?.ok !== false) return;
    expect(bad.errors.map((e) => e.field)).toEqual([
      'patientMrn',
      'time',
      'durationMinutes',
      'status',
      'telehealth',
    ]);
  });
});

describe('directory names', () => {
  it('finds practitioners however a file writes their name, and says when two share one', () => {
    const index = new DirectoryIndex([
      { id: 'p1', names: ['Jane Smith', '1234567893'] },
      { id: 'p2', names: ['John Roe'] },
      { id: 'p3', names: ['John Roe'] },
    ]);
    expect(directoryKey('Dr. Smith, Jane, MD')).toBe('jane smith');
    expect(index.find('Smith, Jane MD')).toBe('p1');
    expect(index.find('1234567893')).toBe('p1');
    expect(index.find('John Roe')).toBe('ambiguous');
    expect(index.find('Nobody')).toBeNull();
  });
});
