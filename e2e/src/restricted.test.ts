import type { BreakGlassReport, Patient360 } from '@careloop/core';
import { beforeAll, expect, it } from 'vitest';
import { type ApiSession, useCareloop, withScreenshotOnFailure } from './harness.js';

const { app, signIn, newPage, apiSession } = useCareloop();
let admin: ApiSession;
let patientId: string;
const family = `Sealed${Math.random()
  .toString(36)
  .replace(/[^a-z]/g, '')
  .slice(0, 6)}`;
const REASON = 'Patient collapsed in clinic, need medication list';

async function apiCall<T>(session: ApiSession, method: string, path: string, body?: unknown) {
  const res = await fetch(`${app.url}${path}`, {
    method,
    headers: {
      cookie: session.cookie,
      'x-csrf-token': session.csrfToken,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  expect(res.status, `${method} ${path}: ${text.slice(0, 300)}`).toBe(200);
  return JSON.parse(text) as T;
}

beforeAll(async () => {
  admin = await apiSession('admin');
  const created = await apiCall<Patient360>(admin, 'POST', '/api/patients', {
    givenName: 'Vera',
    familyName: family,
    birthDate: '1966-06-16',
    administrativeSex: 'female',
  });
  patientId = created.patient.id;
  await apiCall(admin, 'PUT', `/api/patients/${patientId}/restriction`, { kind: 'vip' });
});

it('a clinician outside the care team breaks the glass with a reason and the record opens', async () => {
  const page = await newPage();
  await withScreenshotOnFailure(page, 'restricted-break-glass', async () => {
    await signIn(page, 'clinician');
    await page.goto(`${app.url}/patients?q=${family}`);
    const row = page.getByRole('row').filter({ hasText: family });
    await row.getByTestId('restricted-badge').waitFor();
    await row.getByRole('link').click();

    await page.getByText('Restricted record', { exact: true }).waitFor();
    expect(await page.getByText('1966').count()).toBe(0);
    await page.getByRole('button', { name: 'Break the glass' }).click();
    const dialog = page.getByRole('dialog', { name: 'Break the glass' });
    const open = dialog.getByRole('button', { name: 'Open the record' });
    await dialog.getByLabel('Reason').fill('need it');
    expect(await open.isDisabled()).toBe(true);
    await dialog.getByLabel('Reason').fill(REASON);
    await open.click();

    await page.getByTestId('break-glass-banner').waitFor();
    await page.getByRole('tab', { name: 'Timeline' }).waitFor();
  });
  await page.context().close();

  const report = await apiCall<BreakGlassReport>(admin, 'GET', '/api/break-glass');
  expect(report.items[0]).toMatchObject({ patientId, reason: REASON, userRole: 'clinician' });
});

it('the front desk sees the restricted patient by name, and no way to break the glass', async () => {
  const page = await newPage();
  await withScreenshotOnFailure(page, 'restricted-front-desk', async () => {
    await signIn(page, 'frontdesk');
    await page.goto(`${app.url}/patients/${patientId}`);
    await page.getByText('Your role cannot open it').waitFor();
    expect(await page.getByRole('button', { name: 'Break the glass' }).count()).toBe(0);
  });
  await page.context().close();
});

it('the admin finds the access in the break-glass report', async () => {
  const page = await newPage();
  await withScreenshotOnFailure(page, 'restricted-report', async () => {
    await signIn(page, 'admin');
    await page.getByRole('link', { name: 'Break-glass report' }).click();
    const row = page.getByTestId('break-glass-row').filter({ hasText: family });
    await row.waitFor();
    expect(await row.getByText(REASON).count()).toBe(1);
  });
  await page.context().close();
});

it('the admin marks a patient restricted and puts the clinician on the care team, who then opens it', async () => {
  const created = await apiCall<Patient360>(admin, 'POST', '/api/patients', {
    givenName: 'Ida',
    familyName: `${family}team`,
    birthDate: '1980-01-02',
    administrativeSex: 'female',
  });
  const id = created.patient.id;
  const page = await newPage();
  await withScreenshotOnFailure(page, 'restricted-admin-panel', async () => {
    await signIn(page, 'admin');
    await page.goto(`${app.url}/patients/${id}`);
    await page.getByRole('button', { name: 'Restriction and care team' }).click();
    await page.getByRole('combobox', { name: 'Restriction' }).click();
    await page.getByRole('option', { name: 'Employee' }).click();
    // The admin is not on the care team: the record locks for them too, with the panel.
    await page.getByRole('button', { name: 'Break the glass' }).waitFor();
    await page.getByRole('combobox', { name: 'Add to the care team' }).click();
    await page
      .getByRole('option', { name: /\(Clinician\)/ })
      .first()
      .click();
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    await page.getByRole('table', { name: 'Care team with access' }).waitFor();
  });
  await page.context().close();

  const clinician = await newPage();
  await withScreenshotOnFailure(clinician, 'restricted-care-team', async () => {
    await signIn(clinician, 'clinician');
    await clinician.goto(`${app.url}/patients/${id}`);
    await clinician.getByRole('tab', { name: 'Timeline' }).waitFor();
    await clinician.getByText('Restricted · employee').waitFor();
  });
  await clinician.context().close();
});
