import { readFile } from 'node:fs/promises';
import type { Locator, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { type DemoRole, screenshotPath, useCareloop, withScreenshotOnFailure } from './harness.js';

/**
 * Exports of the analytics pages (issue 12) and the capacity page (issue 13), downloaded as a
 * user would: CSV with its header row, SVG with an <svg> root, PNG with its signature and more
 * than a blank image's bytes; the journey map with the service-line filter and a list saved
 * from a pain point.
 */

const { app, newPage, signIn } = useCareloop();

async function signedIn(role: DemoRole): Promise<Page> {
  const page = await newPage(1400, {
    viewport: { width: 1400, height: 1000 },
    acceptDownloads: true,
  });
  await signIn(page, role);
  return page;
}

/** Clicks `button` and returns the file it downloads. */
async function downloaded(page: Page, button: Locator): Promise<{ name: string; bytes: Buffer }> {
  const [download] = await Promise.all([page.waitForEvent('download'), button.click()]);
  const path = await download.path();
  return { name: download.suggestedFilename(), bytes: await readFile(path) };
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function expectSvg(file: { name: string; bytes: Buffer }) {
  expect(file.name).toMatch(/\.svg$/);
  expect(file.bytes.toString('utf8')).toMatch(/^<svg[\s>]/);
  expect(file.bytes.toString('utf8')).toContain('</svg>');
}

function expectPng(file: { name: string; bytes: Buffer }) {
  expect(file.name).toMatch(/\.png$/);
  expect(file.bytes.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
  expect(file.bytes.length).toBeGreaterThan(5_000);
}

function csvHeader(file: { name: string; bytes: Buffer }): string {
  expect(file.name).toMatch(/\.csv$/);
  return file.bytes.toString('utf8').split(/\r?\n/)[0] ?? '';
}

describe('analytics exports', () => {
  it('journey map: service-line filter, CSV, SVG and PNG, and a list saved from a pain point', async () => {
    const page = await signedIn('coordinator');
    await withScreenshotOnFailure(page, 'analytics-exports-journey-map', async () => {
      await page.goto(`${app.url}/journey-map?from=2026-01-01&to=2026-05-31`);
      const sankey = page.getByTestId('journey-sankey').first();
      await sankey.locator('path').first().waitFor({ timeout: 30_000 });

      const csv = await downloaded(page, page.getByRole('button', { name: 'CSV' }).first());
      expect(csvHeader(csv).split(',').length).toBeGreaterThan(1);
      expectSvg(await downloaded(page, page.getByRole('button', { name: 'SVG' }).first()));
      expectPng(await downloaded(page, page.getByRole('button', { name: 'PNG' }).first()));

      const painPoints = page.getByRole('table', { name: 'Pain points' });
      const noShows = painPoints.getByRole('row').filter({ hasText: 'missed an appointment' });
      await noShows.getByRole('button', { name: 'Patients' }).click();
      const dialog = page.getByRole('dialog');
      await dialog
        .getByRole('list', { name: 'Patients behind this pain point' })
        .getByRole('listitem')
        .first()
        .waitFor();
      await dialog.getByLabel('Task title').fill('Missed visits, spring');
      await dialog.getByRole('button', { name: 'Save as list' }).click();
      await page.getByText(/^List "Missed visits, spring" saved \(\d+\)$/).waitFor();
      await page.keyboard.press('Escape');

      await page.getByRole('combobox', { name: 'Service line' }).click();
      const option = page.getByRole('option').first();
      await option.waitFor();
      await option.click();
      await page.getByRole('button', { name: 'Apply' }).click();
      await page.waitForURL((url) => url.searchParams.has('serviceLineId'));
    });
  });

  it('KPI dashboard: CSV of the table, SVG and PNG of the trend chart', async () => {
    const page = await signedIn('analyst');
    await withScreenshotOnFailure(page, 'analytics-exports-kpis', async () => {
      await page.goto(`${app.url}/analytics/kpis?from=2026-01-01&to=2026-05-31&grain=month`);
      for (let i = 0; i < 60; i++) {
        if (await page.getByText(/Figures as of/).isVisible()) break;
        await page.waitForTimeout(1_000);
        await page.reload();
      }
      await page.getByText(/Figures as of/).waitFor();
      const csv = await downloaded(page, page.getByRole('link', { name: 'CSV' }));
      expect(csvHeader(csv)).toMatch(/^[a-z_]+(,[a-z_]+)+$/i);
      await page.getByTestId('kpi-tile-no-show-rate').click();
      await page.getByTestId('kpi-trend-chart').waitFor();
      expectSvg(await downloaded(page, page.getByRole('button', { name: 'SVG' })));
      expectPng(await downloaded(page, page.getByRole('button', { name: 'PNG' })));
    });
  });

  it('capacity: labelled chart with bars, CSV of each table, SVG and PNG', async () => {
    const page = await signedIn('admin');
    await withScreenshotOnFailure(page, 'analytics-exports-capacity', async () => {
      await page.goto(`${app.url}/analytics/capacity`);
      const chart = page.getByTestId('capacity-chart');
      await chart.waitFor({ timeout: 30_000 });
      const bars = await chart
        .locator('rect')
        .evaluateAll((rs) => rs.filter((r) => Number(r.getAttribute('height')) > 1).length);
      expect(bars).toBeGreaterThan(2);
      expect(await chart.getByText('Hours', { exact: true }).count()).toBe(1);
      expect(await chart.getByText('Week beginning').count()).toBe(1);
      const shot = await chart.screenshot({ path: screenshotPath('capacity-chart') });
      expect(shot.length).toBeGreaterThan(5_000);

      const csvs = page.getByRole('button', { name: 'CSV' });
      expect(csvHeader(await downloaded(page, csvs.nth(0)))).toBe(
        'week,location,available_hours,booked_hours,utilization,appointments,no_show_rate,cancellation_rate',
      );
      expect(csvHeader(await downloaded(page, csvs.nth(1)))).toMatch(/^service_line,/);
      expect(csvHeader(await downloaded(page, csvs.nth(2)))).toBe(
        'service,third_next_available_days',
      );
      expectSvg(await downloaded(page, page.getByRole('button', { name: 'SVG' })));
      expectPng(await downloaded(page, page.getByRole('button', { name: 'PNG' })));
    });
  });
});
