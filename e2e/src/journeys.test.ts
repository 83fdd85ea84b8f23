import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { useCareloop, withScreenshotOnFailure } from './harness.js';

const { newPage, signIn } = useCareloop();

async function signedInAdmin(): Promise<Page> {
  const page = await newPage(1400, { viewport: { width: 1400, height: 1000 } });
  await signIn(page, 'admin');
  return page;
}

describe('journeys', () => {
  it('an admin enables the ready reminder journey, opens its graph, and a broken edit is refused before publishing', async () => {
    const page = await signedInAdmin();
    await withScreenshotOnFailure(page, 'journeys-builder', async () => {
      await page.getByRole('link', { name: 'Journeys' }).click();
      await page.getByRole('heading', { name: 'Journeys', exact: true }).waitFor();
      const ready = page.getByTestId('ready-journey').filter({ hasText: 'Appointment reminders' });
      await ready.getByRole('button', { name: 'Enable' }).click();
      await ready.getByText('Enabled').waitFor();
      const row = page.getByTestId('journey').filter({ hasText: 'Appointment reminders' });
      await row.getByText('published').waitFor();
      await row.getByRole('link', { name: 'Appointment reminders' }).click();

      await page.getByText('version 1').waitFor();
      const canvas = page.getByTestId('journey-canvas');
      await canvas.getByTestId('journey-node-sms-2d').waitFor();
      expect(await canvas.getByTestId(/^journey-node-/).count()).toBe(13);

      await canvas.getByTestId('journey-node-confirm').click();
      const editor = page.getByLabel('Node confirm');
      const text = await editor.inputValue();
      await editor.fill(text.replace('"next": "confirmed"', '"next": "nowhere"'));
      await page.getByRole('button', { name: 'Apply' }).click();
      const issues = page.getByTestId('journey-issues');
      await issues.getByText('/nodes/6/next: no node nowhere').waitFor();
      expect(await page.getByRole('button', { name: 'Publish' }).isDisabled()).toBe(true);
      expect(await page.getByRole('button', { name: 'Save draft' }).isDisabled()).toBe(true);
    });
  }, 120_000);
});
