import type { Patient360, PatientSummary } from '@careloop/core';
import { describe, expect, it } from 'vitest';
import { xlsxWorkbook } from '../../packages/server/src/test/xlsx-fixture.js';
import { DEMO_LOGINS, useCareloop, withScreenshotOnFailure } from './harness.js';

const { app, signIn, newPage } = useCareloop();

// A title line above the header, as EHR exports have; one row with two mistakes.
const FILE = [
  'Front desk export',
  'Chart;Surname;First Name;Date of Birth;Mobile;Clinic ID',
  'E2E-1;Quillfeather;Ottoline;04/12/1961;(617) 555-0177;C-77',
  'E2E-2;Quillfeather;Barnaby;1990-07-30;;',
  'E2E-3;;Nameless;1990-13-45;;',
].join('\r\n');

async function adminGet<T>(path: string): Promise<T> {
  const login = await fetch(`${app.url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(DEMO_LOGINS.admin),
  });
  const cookie = login.headers.getSetCookie().find((c) => c.startsWith('careloop_session='));
  const res = await fetch(`${app.url}${path}`, {
    headers: { cookie: cookie?.split(';')[0] ?? '' },
  });
  expect(res.status, `GET ${path}`).toBe(200);
  return (await res.json()) as T;
}

const patientsNamed = async (familyName: string) =>
  (await adminGet<{ items: PatientSummary[] }>(`/api/patients?q=${familyName}`)).items;

const identifiersOf = async (patientId: string) =>
  (await adminGet<Patient360>(`/api/patients/${patientId}`)).identifiers.map((i) => ({
    system: i.system,
    value: i.value,
  }));

describe('CSV import wizard', () => {
  it('admin maps a semicolon file, sees row errors in the dry run, imports the good rows', async () => {
    const page = await newPage();
    await withScreenshotOnFailure(page, 'csv-import-wizard', async () => {
      await signIn(page, 'admin');
      await page.getByRole('link', { name: 'Import' }).click();
      await page.waitForURL((url) => url.pathname === '/imports');

      await page.locator('input[type=file]').setInputFiles({
        name: 'front-desk.csv',
        mimeType: 'text/csv',
        buffer: Buffer.from(FILE, 'utf8'),
      });
      // Read: semicolons and the header on line 2 were found without help.
      await page.getByTestId('read-summary').getByText('6 columns, 3 data rows').waitFor();
      expect(await page.getByRole('combobox', { name: 'Delimiter' }).inputValue()).toBe(
        'Semicolon ( ; )',
      );
      await page.getByRole('button', { name: 'Next: map columns' }).click();

      // Map: suggested from the header names.
      expect(
        await page.getByRole('combobox', { name: 'Field for Date of Birth' }).inputValue(),
      ).toBe('Birth date *');
      expect(await page.getByRole('combobox', { name: 'Field for Surname' }).inputValue()).toBe(
        'Family name *',
      );
      expect(await page.getByRole('combobox', { name: 'Field for Chart' }).inputValue()).toBe(
        'MRN',
      );
      // An identifier of a system the catalog does not know: typed next to the field.
      await page.getByRole('combobox', { name: 'Field for Clinic ID' }).click();
      await page.getByRole('option', { name: 'Other identifier…' }).click();
      await page.getByText('Name the identifier system of column "Clinic ID"').waitFor();
      await page.getByLabel('Identifier system for Clinic ID').fill('urn:e2e:clinic');
      await page.getByRole('button', { name: 'Next: check every row' }).click();

      // Check: a dry run, nothing written yet; errors under the cells they are about.
      await page.getByTestId('count-will-create').getByText('2').waitFor();
      await page.getByTestId('count-errors').getByText('1').waitFor();
      const bad = page.locator('[data-testid=row-outcome][data-outcome=rejected]');
      await bad.getByText('Family name is empty').waitFor();
      await bad.getByText('"1990-13-45" is not a real date').waitFor();
      expect(await patientsNamed('Quillfeather')).toHaveLength(0);

      await page.getByRole('button', { name: 'Import 2 rows' }).click();
      await page.getByTestId('import-done').waitFor();
      await page.getByTestId('count-created').getByText('2').waitFor();
      const imported = await patientsNamed('Quillfeather');
      expect(imported.map((p) => p.givenName).sort()).toEqual(['Barnaby', 'Ottoline']);
      const ottoline = imported.find((p) => p.givenName === 'Ottoline');
      expect(ottoline?.birthDate).toBe('1961-04-12');
      expect(await identifiersOf(ottoline?.id ?? '')).toEqual(
        expect.arrayContaining([
          { system: 'urn:careloop:mrn', value: 'E2E-1' },
          { system: 'urn:e2e:clinic', value: 'C-77' },
        ]),
      );

      // The summary links to each created patient.
      await page.getByRole('link', { name: 'New patient' }).first().click();
      await page.waitForURL((url) => url.pathname.startsWith('/patients/'));
    });
    await page.context().close();
  });

  it('admin picks the sheet of an Excel workbook and checks its rows', async () => {
    const page = await newPage();
    await withScreenshotOnFailure(page, 'csv-import-workbook', async () => {
      await signIn(page, 'admin');
      await page.getByRole('link', { name: 'Import' }).click();
      const book = xlsxWorkbook([
        { name: 'Read me', rows: [['Exported from the scheduling system']] },
        {
          name: 'New patients',
          rows: [
            ['MRN', 'Last Name', 'First Name', 'DOB'],
            ['XL-1', 'Featherstonehaugh', 'Imogen', { date: '1984-09-17' }],
          ],
        },
      ]);
      await page.locator('input[type=file]').setInputFiles({
        name: 'registrations.xlsx',
        mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
        buffer: Buffer.from(book),
      });
      await page.getByRole('combobox', { name: 'Sheet' }).click();
      await page.getByRole('option', { name: 'New patients (2 rows)' }).click();
      await page.getByRole('button', { name: 'Use this sheet' }).click();
      await page.getByTestId('read-summary').getByText('4 columns, 1 data row').waitFor();
      await page.getByRole('button', { name: 'Next: map columns' }).click();
      await page.getByRole('button', { name: 'Next: check every row' }).click();
      await page.getByTestId('count-will-create').getByText('1').waitFor();
      await page.getByRole('button', { name: 'Import 1 row' }).click();
      await page.getByTestId('import-done').getByText('registrations.xlsx#New patients').waitFor();
      const [imported] = await patientsNamed('Featherstonehaugh');
      expect(imported?.birthDate).toBe('1984-09-17');
    });
    await page.context().close();
  });

  it('front desk has no Import entry and cannot open the wizard', async () => {
    const page = await newPage();
    await withScreenshotOnFailure(page, 'csv-import-front-desk', async () => {
      await signIn(page, 'frontdesk');
      await page.getByRole('link', { name: 'Patients' }).waitFor();
      expect(await page.getByRole('link', { name: 'Import' }).count()).toBe(0);
      await page.goto(`${app.url}/imports`);
      expect(await page.locator('input[type=file]').count()).toBe(0);
    });
    await page.context().close();
  });
});
