import { randomUUID } from 'node:crypto';
import type { PortalAppointments } from '@careloop/core';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEMO_LOGINS,
  launchBrowser,
  type RunningCareloop,
  startCareloop,
  withScreenshotOnFailure,
} from './harness.js';
import { verificationLinkInMailbox } from './portal-verify.js';

let app: RunningCareloop;
let browser: Browser;

beforeAll(async () => {
  [app, browser] = await Promise.all([startCareloop(), launchBrowser()]);
});

afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

const PASSWORD = 'copper meadow lantern 2029';

describe('portal email verification (issue 13)', () => {
  it('a new patient signs up, reads the link in the mailbox, is verified, and then books', async () => {
    const login = await fetch(`${app.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(DEMO_LOGINS.frontdesk),
    });
    const { user } = (await login.json()) as { user: { orgId: string } };
    const email = `teodora.${randomUUID().slice(0, 8)}@example.org`;
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await withScreenshotOnFailure(page, 'portal-verification', async () => {
      await page.goto(`${app.url}/portal/register?org=${user.orgId}`);
      await page.getByLabel('Given name').fill('Teodora');
      await page.getByLabel('Family name').fill(`Vasquez-${randomUUID().slice(0, 6)}`);
      await page.getByLabel('Date of birth').fill('1988-07-21');
      await page.getByLabel('Email').fill(email);
      await page.getByLabel(/^Password/).fill(PASSWORD);
      await page.getByLabel('Confirm password').fill(PASSWORD);
      await page.getByRole('button', { name: 'Create account' }).click();

      // Signed in, but only to "check your email": booking is out of reach, in the page and
      // at the API.
      await page.getByRole('heading', { name: 'Check your email' }).waitFor();
      await page.getByText(email).waitFor();
      await page.goto(`${app.url}/portal/book`);
      await page.getByRole('heading', { name: 'Check your email' }).waitFor();
      const refused = await page.request.get(`${app.url}/api/portal/appointments`);
      expect(refused.status()).toBe(403);
      await page.getByRole('button', { name: 'Send the link again' }).click();
      await page.getByText('We sent a new link').waitFor();

      const link = await verificationLinkInMailbox(app.url, email);
      await page.goto(link);
      await page.getByRole('heading', { name: 'Confirm your email' }).waitFor();
      await page.getByRole('button', { name: 'Confirm my email' }).click();
      await page.getByText('Your email is verified').waitFor();
      // The link works once.
      await page.reload();
      await page.getByRole('button', { name: 'Confirm my email' }).click();
      await page.getByText(/not valid, was used or has expired/).waitFor();

      await page.goto(`${app.url}/portal/login`);
      await page.getByLabel('Email').fill(email);
      await page.getByLabel('Password').fill(PASSWORD);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { name: 'My profile' }).waitFor();

      await page.getByRole('link', { name: 'Book a visit' }).click();
      await page.getByRole('heading', { name: 'Book a visit' }).waitFor();
      await page.getByRole('combobox', { name: 'Type of visit' }).click();
      await page.getByRole('option', { name: /New patient visit/ }).click();
      await page.getByRole('combobox', { name: 'Where' }).click();
      await page.getByRole('option').first().click();
      const slot = page.getByTestId('portal-slot').first();
      await slot.waitFor();
      await slot.click();
      await page.getByRole('button', { name: 'Confirm booking' }).click();
      await page.waitForURL((url) => url.pathname === '/portal/appointments');
      const list = (await (
        await page.request.get(`${app.url}/api/portal/appointments`)
      ).json()) as PortalAppointments;
      expect(list.upcoming).toHaveLength(1);
    });
    await context.close();
  }, 180_000);
});
