import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { axeViolations, describeFindings, failing, settle } from './a11y-axe.js';
import { DEMO_LOGINS, screenshotPath, useCareloop, withScreenshotOnFailure } from './harness.js';

/** The KPI dashboard on the demo (histories end 2026-06-01): tiles, a filter, the trend chart. */

const { app, browser } = useCareloop();

async function signIn(page: Page): Promise<void> {
  await page.goto(`${app.url}/login`);
  await page.getByLabel('Email').fill(DEMO_LOGINS.admin.email);
  await page.getByLabel('Password').fill(DEMO_LOGINS.admin.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((url) => url.pathname !== '/login');
}

const tileValue = (page: Page, id: string) =>
  page.getByTestId(`kpi-tile-${id}`).getByTestId('kpi-value').innerText();

/** Non-white pixels of the chart drawn on a canvas from its SVG (what the PNG export draws). */
function inkOfChart(page: Page): Promise<number> {
  return page.evaluate(async () => {
    const svg = document.querySelector('[data-testid="kpi-trend-chart"]');
    if (!(svg instanceof SVGSVGElement)) return -1;
    const image = new Image();
    image.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(new XMLSerializer().serializeToString(svg))}`;
    await image.decode();
    const canvas = document.createElement('canvas');
    canvas.width = 720;
    canvas.height = 260;
    const context = canvas.getContext('2d');
    if (!context) return -1;
    context.fillStyle = '#fff';
    context.fillRect(0, 0, 720, 260);
    context.drawImage(image, 0, 0);
    const { data } = context.getImageData(0, 0, 720, 260);
    let ink = 0;
    for (let i = 0; i < data.length; i += 4) if ((data[i] ?? 255) < 200) ink += 1;
    return ink;
  });
}

describe('KPI dashboard', () => {
  it('shows the tiles, changes them with a filter kept in the URL, and draws a labelled trend chart', async () => {
    // bypassCSP: axe is injected as an inline script, which the app's CSP rightly refuses.
    const context = await browser.newContext({
      viewport: { width: 1400, height: 1000 },
      bypassCSP: true,
    });
    const page = await context.newPage();
    await withScreenshotOnFailure(page, 'kpi-dashboard', async () => {
      await signIn(page);
      const url = `${app.url}/analytics/kpis?from=2026-01-01&to=2026-05-31&grain=month`;
      await page.goto(url);
      // The worker computes the demo's rollup at start: wait for its first refresh.
      for (let i = 0; i < 60; i++) {
        if (await page.getByText(/Figures as of/).isVisible()) break;
        await page.waitForTimeout(1_000);
        await page.reload();
      }
      await page.getByText(/Figures as of/).waitFor();
      const before = await tileValue(page, 'new-patients');
      expect(Number(before.replace(/,/g, ''))).toBeGreaterThan(0);
      expect(await tileValue(page, 'cancellation-rate')).toMatch(/%$/);

      await page.getByRole('combobox', { name: 'Location' }).click();
      const option = page.getByRole('option').first();
      const location = await option.innerText();
      await option.click();
      await page.waitForURL(/location=/);
      await expect
        .poll(() => tileValue(page, 'new-patients'), { timeout: 10_000 })
        .not.toBe(before);
      expect(location.length).toBeGreaterThan(0);

      // A shared link shows the same filters; an invalid one says so and shows the defaults.
      await page.goto(`${app.url}/analytics/kpis?from=2026-02-30`);
      await page.getByText('Some filters in this link are not valid').waitFor();

      await page.goto(url);
      await page.getByTestId('kpi-tile-no-show-rate').click();
      const chart = page.getByTestId('kpi-trend-chart');
      await chart.waitFor();
      expect(await chart.getByTestId('y-axis').textContent()).toContain('No-show rate');
      expect(await chart.getByTestId('x-axis').textContent()).toContain('Month starting');
      const line = await page.getByTestId('kpi-trend-line').first().getAttribute('d');
      expect((line ?? '').split('L').length).toBeGreaterThanOrEqual(5);
      expect(await inkOfChart(page)).toBeGreaterThan(2_000);
      await chart.screenshot({ path: screenshotPath('kpi-dashboard-chart') });
      // The page is new since the accessibility suite's last run: held to its bar here too.
      await settle(page);
      const findings = failing(await axeViolations(page));
      expect(findings, describeFindings('KPI dashboard', findings)).toEqual([]);
      await page.screenshot({ path: screenshotPath('kpi-dashboard'), fullPage: true });
    });
    await context.close();
  });
});
