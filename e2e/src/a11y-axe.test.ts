// Every page of the console (as each demo role) and of the portal, checked by axe-core against
// WCAG 2.2 AA: any serious or critical violation fails, and every page has one main landmark.
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { type AxeFinding, axeViolations, describeFindings, failing, settle } from './a11y-axe.js';
import { DEMO_LOGINS, useCareloop, withScreenshotOnFailure } from './harness.js';

const { app, browser, signIn } = useCareloop();

// bypassCSP: axe is injected as an inline script, which the app's CSP rightly refuses.
const STAFF_ROLES = [
  'admin',
  'frontdesk',
  'coordinator',
  'clinician',
  'marketer',
  'analyst',
] as const;

/** The page's findings that fail the bar, and whether it lacks its one `main` landmark. */
async function audit(page: Page, where: string, report: string[]): Promise<void> {
  await settle(page);
  const findings: AxeFinding[] = failing(await axeViolations(page));
  if (findings.length > 0) report.push(describeFindings(where, findings));
  const mains = await page.locator('main, [role="main"]').count();
  if (mains !== 1) report.push(`${where}: ${mains} main landmarks, expected 1`);
}

/** Every tab of the first patient's 360 page, each checked once it shows. */
async function audit360(page: Page, role: string, report: string[]): Promise<void> {
  await page.goto(`${app.url}/patients`);
  const first = page.getByTestId('patient-row').first().getByRole('link').first();
  await first.click();
  const tabs = page.getByRole('tab');
  await tabs.first().waitFor();
  const names = (await tabs.allTextContents()).map((t) => t.trim());
  for (let i = 0; i < names.length; i++) {
    await tabs.nth(i).click();
    await audit(page, `${role} 360 tab ${names[i]}`, report);
  }
}

describe('axe on every page', () => {
  it('finds nothing serious on the signed-out pages', async () => {
    const context = await browser.newContext({
      viewport: { width: 1400, height: 900 },
      bypassCSP: true,
    });
    const page = await context.newPage();
    const report: string[] = [];
    await withScreenshotOnFailure(page, 'a11y-signed-out', async () => {
      // The demo's sign-up link, as the start banner prints it.
      const signUp = app.output().match(/\/portal\/register\?org=[0-9a-f-]+/)?.[0];
      expect(signUp).toBeDefined();
      for (const path of ['/login', '/portal/login', '/portal/register', signUp ?? '']) {
        await page.goto(`${app.url}${path}`);
        await page.locator('main').waitFor();
        await audit(page, path, report);
      }
      // A failed sign-in shows its error state, checked too.
      await page.goto(`${app.url}/login`);
      await page.getByLabel('Email').fill(DEMO_LOGINS.frontdesk.email);
      await page.getByLabel('Password').fill('not-the-password');
      await page.getByRole('button', { name: 'Sign in' }).click();
      // The server's message shows under the field it names, or above the form.
      await page.locator('.mantine-InputWrapper-error, [role="alert"]').first().waitFor();
      await audit(page, '/login after a wrong password', report);
      expect(report.join('\n')).toBe('');
    });
    await context.close();
  });

  it.each(STAFF_ROLES)('finds nothing serious on any console page as %s', async (role) => {
    const context = await browser.newContext({
      viewport: { width: 1400, height: 900 },
      bypassCSP: true,
    });
    const page = await context.newPage();
    const report: string[] = [];
    await withScreenshotOnFailure(page, `a11y-console-${role}`, async () => {
      await signIn(page, role, '/login');
      const nav = page.getByRole('navigation', { name: 'Main navigation' });
      await nav.getByRole('link').first().waitFor();
      const hrefs = await nav
        .getByRole('link')
        .evaluateAll((links) => links.map((l) => l.getAttribute('href') ?? ''));
      expect(hrefs.length).toBeGreaterThan(0);
      for (const href of hrefs) {
        await page.goto(`${app.url}${href}`);
        await audit(page, `${role} ${href}`, report);
      }
      if (hrefs.includes('/mpi/reviews')) {
        await page.goto(`${app.url}/mpi/reviews`);
        await settle(page);
        const review = page.locator('a[href^="/mpi/reviews/"]').first();
        if ((await review.count()) > 0) {
          await review.click();
          await page.waitForURL(/\/mpi\/reviews\/.+/);
          await audit(page, `${role} review detail`, report);
        }
      }
      // Issue 13: the recovery dashboard, linked from the Waitlist page.
      if (hrefs.includes('/waitlist')) {
        await page.goto(`${app.url}/waitlist/recovery`);
        await audit(page, `${role} /waitlist/recovery`, report);
      }
      await audit360(page, role, report);
      expect(report.join('\n')).toBe('');
    });
    await context.close();
  });

  it('finds nothing serious in the portal', async () => {
    const context = await browser.newContext({
      viewport: { width: 1400, height: 900 },
      bypassCSP: true,
    });
    const page = await context.newPage();
    const report: string[] = [];
    await withScreenshotOnFailure(page, 'a11y-portal', async () => {
      await signIn(page, 'patient', '/portal/login');
      await page.getByRole('heading', { name: /My profile/ }).waitFor();
      await audit(page, 'portal home', report);
      // Issue 11: secure messaging.
      await page.goto(`${app.url}/portal/messages`);
      await page.getByRole('heading', { name: 'Messages' }).waitFor();
      await audit(page, 'portal messages', report);
      // Issue 13 (h13a): the portal's booking pages.
      await page.goto(`${app.url}/portal/book`);
      await page.getByRole('heading', { name: 'Book a visit' }).waitFor();
      await audit(page, 'portal book', report);
      await page.goto(`${app.url}/portal/appointments`);
      await page.getByRole('heading', { name: 'My appointments' }).waitFor();
      await audit(page, 'portal appointments', report);
      // Issue 13: the waitlist and follow-ups.
      await page.goto(`${app.url}/portal/waitlist`);
      await page.getByRole('heading', { name: 'Waitlist and follow-ups', level: 1 }).waitFor();
      await audit(page, 'portal waitlist', report);
      // Issue 13 (h13r): pre-registration before a visit.
      await page.goto(`${app.url}/portal/pre-registration`);
      await page.getByRole('heading', { name: 'Pre-registration', level: 1 }).waitFor();
      await audit(page, 'portal pre-registration', report);
      expect(report.join('\n')).toBe('');
    });
    await context.close();
  });
});
