import type { PatientSummary, Practitioner } from '@careloop/core';
import { describe, expect, it } from 'vitest';
import { DEMO_LOGINS, useCareloop, withScreenshotOnFailure } from './harness.js';

const { app, browser } = useCareloop();

async function apiGet<T>(cookie: string, path: string): Promise<T> {
  const res = await fetch(`${app.url}${path}`, { headers: { cookie } });
  expect(res.status, `GET ${path}`).toBe(200);
  return (await res.json()) as T;
}

async function frontDeskCookie(): Promise<string> {
  const res = await fetch(`${app.url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(DEMO_LOGINS.frontdesk),
  });
  expect(res.status).toBe(200);
  const cookie = res.headers.getSetCookie().find((c) => c.startsWith('careloop_session='));
  return cookie?.split(';')[0] ?? '';
}

describe('schedule', () => {
  it('front desk books an open slot from the calendar, sees it there, and cancels it', async () => {
    const cookie = await frontDeskCookie();
    const practitioners = await apiGet<{ items: Practitioner[] }>(
      cookie,
      '/api/practitioners?limit=50',
    );
    const doctor = practitioners.items.find((p) => p.locationId !== null);
    if (!doctor) throw new Error('no demo practitioner with a clinic');
    const patients = await apiGet<{ items: PatientSummary[] }>(cookie, '/api/patients?limit=5');
    const patient = patients.items[0];
    if (!patient) throw new Error('no demo patient');
    const name = `${patient.givenName} ${patient.familyName}`;

    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    const page = await context.newPage();
    await withScreenshotOnFailure(page, 'schedule-book-cancel', async () => {
      await page.goto(`${app.url}/login`);
      await page.getByLabel('Email').fill(DEMO_LOGINS.frontdesk.email);
      await page.getByLabel('Password').fill(DEMO_LOGINS.frontdesk.password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('link', { name: 'Schedule' }).click();
      // The week from the app's today: the demo's weekday hours always leave open slots in it.
      await page.getByText('Week', { exact: true }).click();
      await page.getByRole('combobox', { name: 'Practitioner' }).fill(doctor.familyName);
      await page.getByRole('option', { name: doctor.displayName }).click();
      await page.getByRole('combobox', { name: 'Service to book' }).click();
      await page.getByRole('option', { name: /Follow-up visit/ }).click();
      const slot = page.getByTestId('open-slot').first();
      await slot.waitFor();
      const label = (await slot.textContent()) ?? '';
      const time = label.replace('Book ', '').trim();
      await slot.click();
      const dialog = page.getByRole('dialog');
      await dialog.getByLabel('Find the patient').fill(patient.familyName);
      await dialog.getByRole('combobox', { name: 'Patient' }).click();
      await page
        .getByRole('option', { name: new RegExp(`^${name}`) })
        .first()
        .click();
      await dialog.getByRole('button', { name: 'Confirm booking' }).click();
      await dialog.waitFor({ state: 'hidden' });

      const booked = page
        .getByTestId('appointment')
        .filter({ hasText: name })
        .filter({ hasText: time });
      await booked.first().waitFor();
      expect(await booked.first().textContent()).toContain('Booked');

      await booked.first().getByRole('button', { name: 'Cancel' }).click();
      const cancel = page.getByRole('dialog', { name: 'Cancel the appointment' });
      await cancel.getByLabel('Reason').fill('Patient asked to cancel (e2e)');
      await cancel.getByRole('button', { name: 'Cancel appointment' }).click();
      await cancel.waitFor({ state: 'hidden' });
      await page
        .getByTestId('appointment')
        .filter({ hasText: name })
        .filter({ hasText: time })
        .filter({ hasText: 'Cancelled' })
        .first()
        .waitFor();
    });
    await context.close();
  });
});
