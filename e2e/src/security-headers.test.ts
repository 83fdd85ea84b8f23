import type { PatientSummary } from '@careloop/core';
import type { BrowserContext, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { useCareloop, withScreenshotOnFailure } from './harness.js';

const { app, browser, signIn } = useCareloop();

/** A page whose Content-Security-Policy violations (events and console reports) are collected. */
async function watchedPage(): Promise<{
  page: Page;
  context: BrowserContext;
  violations: string[];
}> {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const violations: string[] = [];
  await context.exposeFunction('reportCspViolation', (text: string) => violations.push(text));
  // A string: this package is typed for Node, without the DOM.
  await context.addInitScript({
    content: `document.addEventListener('securitypolicyviolation', (event) =>
      window.reportCspViolation(event.violatedDirective + ' ' + event.blockedURI + ' ' + event.sourceFile));`,
  });
  const page = await context.newPage();
  page.on('console', (message) => {
    if (/content security policy/i.test(message.text())) violations.push(message.text());
  });
  return { page, context, violations };
}

describe('the web app and the API docs under the Content-Security-Policy', () => {
  it('signs staff in (the Origin check lets the app itself by) and shows a 360 view with no CSP violation', async () => {
    const { page, context, violations } = await watchedPage();
    await withScreenshotOnFailure(page, 'csp-staff', async () => {
      const response = await page.goto(`${app.url}/login`);
      expect(response?.headers()['content-security-policy']).toContain("script-src 'self'");
      await signIn(page, 'clinician', '/login');
      await page.getByLabel('Search patients').waitFor();
      const list = await page.request.get(`${app.url}/api/patients?limit=1`);
      expect(list.headers()['cache-control']).toBe('no-store');
      const [patient] = ((await list.json()) as { items: PatientSummary[] }).items;
      if (!patient) throw new Error('the demo seed has no patient');
      await page.goto(`${app.url}/patients/${patient.id}`);
      await page.getByRole('heading', { level: 1 }).first().waitFor();
      await page.getByRole('tabpanel').first().waitFor();
      // A state-changing request from the page itself: sign out.
      const signOut = await page.evaluate(async () => {
        const me = (await (await fetch('/api/auth/me')).json()) as { csrfToken: string };
        const res = await fetch('/api/auth/logout', {
          method: 'POST',
          headers: { 'x-csrf-token': me.csrfToken },
        });
        return res.status;
      });
      expect(signOut).toBe(204);
      expect(violations).toEqual([]);
    });
    await context.close();
  });

  it('signs a patient into the portal with no CSP violation', async () => {
    const { page, context, violations } = await watchedPage();
    await withScreenshotOnFailure(page, 'csp-portal', async () => {
      await signIn(page, 'patient', '/portal/login');
      await page.getByRole('heading', { name: 'My profile' }).waitFor();
      await page.getByRole('heading', { name: 'Upcoming appointments' }).waitFor();
      expect(violations).toEqual([]);
    });
    await context.close();
  });

  it('renders the API docs (Swagger UI) with no CSP violation', async () => {
    const { page, context, violations } = await watchedPage();
    await withScreenshotOnFailure(page, 'csp-api-docs', async () => {
      await page.goto(`${app.url}/api/docs`);
      await page.getByText('Careloop API').first().waitFor();
      await page.locator('.opblock').first().waitFor();
      expect(violations).toEqual([]);
    });
    await context.close();
  });

  it('cannot be framed by another page', async () => {
    const { page, context } = await watchedPage();
    const refused = page.waitForEvent('console', {
      predicate: (message) => /frame-ancestors/.test(message.text()),
      timeout: 15_000,
    });
    await page.setContent(`<iframe src="${app.url}/login"></iframe>`);
    expect((await refused).text()).toContain("frame-ancestors 'none'");
    await context.close();
  });
});
