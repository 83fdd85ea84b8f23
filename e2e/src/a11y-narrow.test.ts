// A phone's width (390 CSS px): no page scrolls sideways, and the 360 tabs stay one scrollable row.
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { axeViolations, describeFindings, failing, settle } from './a11y-axe.js';
import { useCareloop, withScreenshotOnFailure } from './harness.js';

const WIDTH = 390;

const { app, browser, signIn } = useCareloop();

/**
 * The page's width beyond the viewport, and the elements that stick out, for the report; and
 * axe's serious findings at this width (a region that scrolls must be reachable by keyboard).
 */
async function overflow(page: Page, where: string, report: string[]): Promise<void> {
  await settle(page);
  const findings = failing(await axeViolations(page));
  if (findings.length > 0) report.push(describeFindings(`${where} at ${WIDTH} px`, findings));
  const result = await page.evaluate((width) => {
    const scrollWidth = document.documentElement.scrollWidth;
    const culprits: string[] = [];
    if (scrollWidth > width) {
      for (const el of document.body.querySelectorAll('*')) {
        const rect = el.getBoundingClientRect();
        if (rect.right > width + 1 && rect.width > 0) {
          const cls = typeof el.className === 'string' ? el.className.split(' ')[0] : '';
          culprits.push(`${el.tagName.toLowerCase()}.${cls} right=${Math.round(rect.right)}`);
        }
      }
    }
    return { scrollWidth, culprits: culprits.slice(0, 6) };
  }, WIDTH);
  if (result.scrollWidth > WIDTH) {
    report.push(`${where}: ${result.scrollWidth}px wide: ${result.culprits.join(', ')}`);
  }
}

async function narrowPage(): Promise<Page> {
  const context = await browser.newContext({
    viewport: { width: WIDTH, height: 844 },
    deviceScaleFactor: 1,
    isMobile: false,
    bypassCSP: true, // axe is injected as an inline script
  });
  return context.newPage();
}

describe(`at ${WIDTH} px wide`, () => {
  it('no signed-out page scrolls sideways', async () => {
    const page = await narrowPage();
    const report: string[] = [];
    await withScreenshotOnFailure(page, 'narrow-signed-out', async () => {
      const signUp = app.output().match(/\/portal\/register\?org=[0-9a-f-]+/)?.[0] ?? '';
      for (const path of ['/login', '/portal/login', signUp]) {
        await page.goto(`${app.url}${path}`);
        await page.locator('main').waitFor();
        await overflow(page, path, report);
      }
      expect(report.join('\n')).toBe('');
    });
    await page.context().close();
  });

  it('no console page scrolls sideways, and the 360 tabs are one row that scrolls', async () => {
    const page = await narrowPage();
    const report: string[] = [];
    await withScreenshotOnFailure(page, 'narrow-console', async () => {
      await signIn(page, 'admin', '/login');
      await page.getByTestId('patient-row').first().waitFor();
      for (const path of [
        '/patients',
        '/tasks',
        '/mpi/reviews',
        '/imports',
        '/admin/users',
        '/admin/audit',
        '/admin/break-glass',
        '/account/security',
      ]) {
        await page.goto(`${app.url}${path}`);
        await overflow(page, path, report);
      }

      await page.goto(`${app.url}/patients`);
      await page.getByTestId('patient-row').first().getByRole('link').first().click();
      const tabs = page.getByRole('tab');
      await tabs.first().waitFor();
      const count = await tabs.count();
      expect(count).toBeGreaterThan(3);
      const list = page.getByRole('tablist');
      const layout = await list.evaluate((el) => {
        const tops = [...el.querySelectorAll('[role="tab"]')].map(
          (t) => t.getBoundingClientRect().top,
        );
        return {
          rows: new Set(tops.map((t) => Math.round(t))).size,
          scrolls: el.scrollWidth > el.clientWidth,
          overflowX: getComputedStyle(el).overflowX,
        };
      });
      expect(layout.rows, 'the tabs sit on one row').toBe(1);
      expect(layout.scrolls, 'the tab row is wider than the screen').toBe(true);
      expect(['auto', 'scroll']).toContain(layout.overflowX);
      for (let i = 0; i < count; i++) {
        // The last tabs scroll into view and open like the first.
        await tabs.nth(i).click();
        await expect.poll(() => tabs.nth(i).getAttribute('aria-selected')).toBe('true');
        const name = (await tabs.nth(i).textContent())?.trim() ?? String(i);
        await overflow(page, `360 tab ${name}`, report);
      }
      expect(report.join('\n')).toBe('');
    });
    await page.context().close();
  });

  it('the portal does not scroll sideways', async () => {
    const page = await narrowPage();
    const report: string[] = [];
    await withScreenshotOnFailure(page, 'narrow-portal', async () => {
      await signIn(page, 'patient', '/portal/login');
      await page.getByRole('heading', { name: /My profile/ }).waitFor();
      await overflow(page, 'portal home', report);
      expect(report.join('\n')).toBe('');
    });
    await page.context().close();
  });
});
