// Issue 11 (h11l): patient lists in the console: a care coordinator makes a list, adds a demo
// patient by search and removes them; a role without list:read has no Lists page.
import type { PatientSummary } from '@careloop/core';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { axeViolations, describeFindings, failing, settle } from './a11y-axe.js';
import { useCareloop, withScreenshotOnFailure } from './harness.js';

const { app, browser, signIn, apiSession } = useCareloop();

async function newPage(): Promise<Page> {
  // bypassCSP: axe is injected as an inline script, which the app's CSP rightly refuses.
  const context = await browser.newContext({
    viewport: { width: 1400, height: 900 },
    bypassCSP: true,
  });
  return context.newPage();
}

/** A demo patient the coordinator may open (not restricted), by family name. */
async function demoPatient(): Promise<PatientSummary> {
  const s = await apiSession('coordinator');
  const res = await fetch(`${app.url}/api/patients?limit=25`, { headers: { cookie: s.cookie } });
  expect(res.status).toBe(200);
  const { items } = (await res.json()) as { items: PatientSummary[] };
  const patient = items.find((p) => p.familyName.length >= 3);
  if (!patient) throw new Error('no demo patient');
  return patient;
}

describe('patient lists', () => {
  it('coordinator: makes a list, adds a demo patient by search, opens their record from it, removes them', async () => {
    const patient = await demoPatient();
    const page = await newPage();
    await withScreenshotOnFailure(page, 'lists', async () => {
      await signIn(page, 'coordinator');
      const nav = page.getByRole('navigation', { name: 'Main navigation' });
      await nav.getByRole('link', { name: 'Lists' }).click();
      await page.getByRole('heading', { name: 'Lists', level: 1 }).waitFor();
      // The pointer off the link it clicked: a hovered nav link is not what axe should judge.
      await page.mouse.move(1200, 880);
      await settle(page);
      const findings = failing(await axeViolations(page));
      expect(describeFindings('/lists', findings)).toBe('/lists: none');

      await page.getByRole('button', { name: 'New list' }).click();
      const create = page.getByRole('dialog', { name: 'New list' });
      await create.getByLabel('Name').fill('Flu shot callbacks');
      await create.getByRole('button', { name: 'Create list' }).click();
      // A new list opens on its own page, empty.
      await page.waitForURL(/\/lists\/[0-9a-f-]{36}$/);
      await page.getByRole('heading', { name: 'Flu shot callbacks', level: 1 }).waitFor();
      await page.getByText('Nobody on this list').waitFor();

      await page.getByRole('button', { name: 'Add patient' }).click();
      const add = page.getByRole('dialog', { name: 'Add a patient to the list' });
      await add.getByRole('combobox', { name: 'Patient' }).fill(patient.familyName);
      const label = `${patient.familyName}, ${patient.givenName}`;
      await page
        .getByRole('option', { name: new RegExp(`^${label}`) })
        .first()
        .click();
      await add.getByRole('button', { name: 'Add to list' }).click();
      await add.waitFor({ state: 'detached' });

      const members = page.getByRole('table', { name: 'Patients on this list' });
      const row = members.getByRole('row').filter({ hasText: label });
      await row.waitFor();
      await page.getByText('1 patient', { exact: false }).first().waitFor();
      await settle(page);
      expect(describeFindings('/lists/:id', failing(await axeViolations(page)))).toBe(
        '/lists/:id: none',
      );
      // Each member links to the patient's 360 page.
      const link = row.getByRole('link', { name: label });
      expect(await link.getAttribute('href')).toBe(`/patients/${patient.id}`);

      await row
        .getByRole('button', { name: `Remove ${patient.givenName} ${patient.familyName}` })
        .click();
      const confirm = page.getByRole('dialog', {
        name: `Remove ${patient.givenName} ${patient.familyName}?`,
      });
      await confirm.getByText(/ends now/).waitFor();
      await confirm.getByRole('button', { name: 'Remove from list' }).click();
      await page.getByText('Nobody on this list').waitFor();

      // Back on the lists page, the list shows no patients.
      await page.getByRole('link', { name: 'Lists' }).first().click();
      const listRow = page
        .getByRole('table', { name: 'Patient lists' })
        .getByRole('row')
        .filter({ hasText: 'Flu shot callbacks' });
      await expect.poll(() => listRow.getByRole('cell').nth(2).textContent()).toBe('0');
    });
  });

  it('marketer: no Lists in the navigation, and the API refuses the lists', async () => {
    const page = await newPage();
    await withScreenshotOnFailure(page, 'lists-marketer', async () => {
      await signIn(page, 'marketer');
      const nav = page.getByRole('navigation', { name: 'Main navigation' });
      await nav.getByRole('link').first().waitFor();
      expect(await nav.getByRole('link', { name: 'Lists' }).count()).toBe(0);
      const res = await page.request.get(`${app.url}/api/lists`);
      expect(res.status()).toBe(403);
    });
  });
});
