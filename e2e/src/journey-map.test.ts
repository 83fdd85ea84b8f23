import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { axeViolations, describeFindings, failing, settle } from './a11y-axe.js';
import { screenshotPath, useCareloop, withScreenshotOnFailure } from './harness.js';

/** The journey map (issue 12) on the demo, whose histories end on 2026-06-01. */

const { app, browser, signIn } = useCareloop();

async function newPage(): Promise<Page> {
  // bypassCSP: axe is injected as an inline script, which the app's CSP rightly refuses.
  const context = await browser.newContext({
    viewport: { width: 1400, height: 900 },
    bypassCSP: true,
  });
  return context.newPage();
}

describe('journey map', () => {
  it('coordinator: opens a shared link, filters, drills into a pain point and creates tasks', async () => {
    const page = await newPage();
    await withScreenshotOnFailure(page, 'journey-map', async () => {
      await signIn(page, 'coordinator');
      await page.goto(`${app.url}/journey-map?from=2026-04-01&to=2026-05-31`);
      await expect
        .poll(() => page.getByLabel('From', { exact: true }).inputValue(), { timeout: 15_000 })
        .toBe('2026-04-01');

      await page.getByLabel('From', { exact: true }).fill('2026-01-01');
      await page.getByRole('button', { name: 'Apply' }).click();
      await page.waitForURL((url) => url.searchParams.get('from') === '2026-01-01');

      const sankey = page.getByTestId('journey-sankey').first();
      await sankey.locator('path').first().waitFor();
      // Polled: until the new range's map arrives, the chart still shows the shared link's.
      const stages = async () => {
        const labels = await sankey.locator('g[data-stage] text').allTextContents();
        return ['Registration (', 'Visit ('].every((s) => labels.some((l) => l.startsWith(s)));
      };
      await expect.poll(stages, { timeout: 15_000 }).toBe(true);
      const paths = await sankey
        .locator('path')
        .evaluateAll((ps) => ps.filter((p) => (p.getAttribute('d') ?? '').length > 10).length);
      expect(paths).toBeGreaterThan(3);
      const shot = await sankey.screenshot({ path: screenshotPath('journey-map-sankey') });
      expect(shot.length).toBeGreaterThan(5_000);

      const painPoints = page.getByRole('table', { name: 'Pain points' });
      const noShows = painPoints.getByRole('row').filter({ hasText: 'missed an appointment' });
      await noShows.getByRole('button', { name: 'Patients' }).click();
      const dialog = page.getByRole('dialog');
      const list = dialog.getByRole('list', { name: 'Patients behind this pain point' });
      await list.getByRole('listitem').first().waitFor();
      expect(await list.getByRole('listitem').count()).toBeGreaterThan(0);
      await dialog.getByLabel('Task title').fill('Call about the missed visit');
      await dialog.getByRole('button', { name: /^Create \d+ tasks$/ }).click();
      await page.getByText(/^\d+ tasks created$/).waitFor();

      await page.goto(`${app.url}/tasks`);
      await page.getByText('Care coordination queue').first().click();
      await page.getByText('Call about the missed visit').first().waitFor();
    });
  });

  it('analyst: sees counts with small cells hidden and no drill-down', async () => {
    const page = await newPage();
    await withScreenshotOnFailure(page, 'journey-map-analyst', async () => {
      await signIn(page, 'analyst');
      await page.goto(`${app.url}/journey-map?from=2026-01-01&to=2026-05-31`);
      await page.getByText('Counts under 11 hidden').waitFor();
      await page.getByRole('table', { name: 'Pain points' }).waitFor();
      expect(await page.getByRole('button', { name: 'Patients' }).count()).toBe(0);
    });
  });

  it('clinician: the Journey tab draws the swimlane and the standing; axe finds nothing serious', async () => {
    const page = await newPage();
    await withScreenshotOnFailure(page, 'journey-tab', async () => {
      await signIn(page, 'clinician');
      await page.goto(`${app.url}/patients`);
      await page.getByTestId('patient-row').first().getByRole('link').first().click();
      await page.getByRole('tab', { name: 'Journey' }).click();
      const lane = page.getByTestId('patient-swimlane');
      await lane.waitFor();
      expect(await lane.locator('circle').count()).toBeGreaterThan(0);
      await page.getByText('By channel').click();
      await expect.poll(() => lane.getAttribute('aria-label')).toBe('Journey by channel');
      await settle(page);
      const tab = failing(await axeViolations(page));
      await page.goto(`${app.url}/journey-map?from=2026-03-01&to=2026-05-31`);
      await page.getByTestId('journey-sankey').first().waitFor();
      await settle(page);
      const map = failing(await axeViolations(page));
      expect(
        tab.length + map.length,
        `${describeFindings('journey tab', tab)}\n${describeFindings('journey map', map)}`,
      ).toBe(0);
    });
  });
});
