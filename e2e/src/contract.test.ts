import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { useCareloop, withScreenshotOnFailure } from './harness.js';

/** The typed contract (issue 10.3) as a user meets it, and the organization settings (10.5). */

const { app, newPage, signIn } = useCareloop();

async function adminPage(): Promise<Page> {
  const page = await newPage();
  await signIn(page, 'admin');
  return page;
}

describe('validation errors on their fields', () => {
  it('shows each field the server refused under that field, two at once', async () => {
    const page = await adminPage();
    await withScreenshotOnFailure(page, 'contract-field-errors', async () => {
      await page.goto(`${app.url}/admin/users`);
      await page.getByRole('button', { name: 'New user' }).click();
      const dialog = page.getByRole('dialog', { name: 'New user' });
      // Both pass the form's own checks; the server's schema refuses both lengths.
      await dialog.getByLabel('Email').fill(`${'a'.repeat(250)}@clinic.example`);
      await dialog.getByLabel('Name').fill('N'.repeat(201));
      await dialog.getByLabel('Role').click();
      await page.getByRole('option', { name: 'Front desk' }).click();
      await dialog.getByRole('button', { name: 'Create user' }).click();
      await dialog.getByText('Must be at most 254 characters').waitFor();
      await dialog.getByText('Must be at most 200 characters').waitFor();
      expect(await dialog.getByLabel('Email').getAttribute('aria-invalid')).toBe('true');
      expect(await dialog.getByLabel('Name').getAttribute('aria-invalid')).toBe('true');
    });
    await page.context().close();
  });
});

describe('organization settings', () => {
  it('lets an admin set the MRN format, refusing one without {seq}', async () => {
    const page = await adminPage();
    await withScreenshotOnFailure(page, 'organization-settings', async () => {
      await page.goto(`${app.url}/admin/organization`);
      const format = page.getByLabel('MRN format');
      await format.fill('E2E-');
      await page.getByRole('button', { name: 'Save settings' }).click();
      await page
        .getByText(/around one \{seq\} or \{seq:N\}/)
        .first()
        .waitFor();
      await format.fill('E2E-{seq:5}');
      await page.getByText(/Next numbers look like E2E-00042/).waitFor();
      await page.getByRole('button', { name: 'Save settings' }).click();
      await page.getByText('Organization settings saved').waitFor();
      await page.reload();
      expect(await page.getByLabel('MRN format').inputValue()).toBe('E2E-{seq:5}');
    });
    await page.context().close();
  });
});
