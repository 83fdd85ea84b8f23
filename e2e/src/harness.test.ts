import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEMO_LOGINS,
  freePort,
  launchBrowser,
  screenshotPath,
  withScreenshotOnFailure,
} from './harness.js';

describe('e2e harness', () => {
  let browser: Browser;

  beforeAll(async () => {
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
  });

  it('the browser launches and renders a page', async () => {
    const page = await browser.newPage();
    await page.goto('data:text/html,<h1>hi</h1>');
    expect(await page.textContent('h1')).toBe('hi');
    const png = await page.screenshot({ fullPage: true });
    expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
    await page.close();
  });

  it('saves a screenshot when the wrapped steps fail, and rethrows', async () => {
    const page = await browser.newPage();
    const name = 'harness-self-test';
    const path = screenshotPath(name);
    await rm(path, { force: true });
    await page.setContent('<p>failing on purpose</p>');
    const failure = new Error('expected failure');
    await expect(
      withScreenshotOnFailure(page, name, async () => {
        throw failure;
      }),
    ).rejects.toBe(failure);
    expect(existsSync(path)).toBe(true);
    await rm(path, { force: true });
    await page.close();
  });

  it('finds free ports and knows the demo logins', async () => {
    const port = await freePort();
    expect(port).toBeGreaterThan(0);
    expect(Object.keys(DEMO_LOGINS)).toHaveLength(7);
    expect(DEMO_LOGINS.admin.email).toBe('admin@demo.careloop.test');
  });
});
