import { randomUUID } from 'node:crypto';
import type { PortalAppointments } from '@careloop/core';
import { describe, expect, it } from 'vitest';
import { useCareloop, withScreenshotOnFailure } from './harness.js';
import {
  chooseNewPatientSlot,
  demoOrgId,
  signUpInPortal,
  verificationLinkInMailbox,
} from './portal-verify.js';

const { app, newPage } = useCareloop();

const PASSWORD = 'copper meadow lantern 2029';

describe('portal email verification (issue 13)', () => {
  it('a new patient signs up, reads the link in the mailbox, is verified, and then books', async () => {
    const orgId = await demoOrgId(app.url);
    const email = `teodora.${randomUUID().slice(0, 8)}@example.org`;
    const page = await newPage(1280);
    await withScreenshotOnFailure(page, 'portal-verification', async () => {
      await signUpInPortal(page, app.url, orgId, {
        givenName: 'Teodora',
        familyName: `Vasquez-${randomUUID().slice(0, 6)}`,
        birthDate: '1988-07-21',
        email,
        password: PASSWORD,
      });

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

      await chooseNewPatientSlot(page);
      await page.getByRole('button', { name: 'Confirm booking' }).click();
      await page.waitForURL((url) => url.pathname === '/portal/appointments');
      const list = (await (
        await page.request.get(`${app.url}/api/portal/appointments`)
      ).json()) as PortalAppointments;
      expect(list.upcoming).toHaveLength(1);
    });
    await page.context().close();
  }, 180_000);
});
