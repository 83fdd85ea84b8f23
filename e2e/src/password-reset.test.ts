import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { DEMO_LOGINS, useCareloop, withScreenshotOnFailure } from './harness.js';

const { app, browser } = useCareloop();

async function newPage(): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  return context.newPage();
}

const NEW_PASSWORD = 'violet lantern across quiet harbors';

/** As the admin, waits for the reset email to `to` on the Test mailbox page; returns its link. */
async function resetLinkInMailbox(admin: Page, to: string): Promise<string> {
  await admin.goto(`${app.url}/login`);
  await admin.getByLabel('Email').fill(DEMO_LOGINS.admin.email);
  await admin.getByLabel('Password').fill(DEMO_LOGINS.admin.password);
  await admin.getByRole('button', { name: 'Sign in' }).click();
  await admin.getByRole('link', { name: 'Test mailbox' }).click();
  await admin.getByRole('heading', { name: 'Test mailbox' }).waitFor();
  await admin.getByLabel('Recipient').fill(to);
  const subject = admin.getByText('Set a new password for Careloop');
  // The worker sends within its polling interval (2 s); the page shows what was there on load.
  for (let tries = 0; (await subject.count()) === 0; tries++) {
    if (tries > 20) throw new Error('no reset email in the test mailbox');
    await admin.waitForTimeout(1000);
    await admin.reload();
    await admin.getByRole('heading', { name: 'Test mailbox' }).waitFor();
    await admin.getByLabel('Recipient').fill(to);
    await admin.waitForTimeout(500);
  }
  await subject.first().click();
  const link = admin.getByRole('link', { name: /\/portal\/reset-password\?token=/ });
  const href = await link.first().getAttribute('href');
  if (!href) throw new Error('the email has no link');
  return href;
}

describe('forgot password', () => {
  it('a patient resets their password with the link the Test mailbox shows, then signs in with it', async () => {
    const patient = await newPage();
    const admin = await newPage();
    await withScreenshotOnFailure(patient, 'password-reset-patient', async () => {
      await patient.goto(`${app.url}/portal/login`);
      await patient.getByRole('link', { name: 'Forgot password?' }).click();
      await patient.getByRole('heading', { name: 'Forgot your password?' }).waitFor();
      await patient.getByLabel('Email').fill(DEMO_LOGINS.patient.email);
      await patient.getByRole('button', { name: 'Send the link' }).click();
      await patient.getByText('If an account uses this address').waitFor();

      const link = await withScreenshotOnFailure(admin, 'password-reset-mailbox', () =>
        resetLinkInMailbox(admin, DEMO_LOGINS.patient.email),
      );
      expect(link.startsWith(`${app.url}/portal/reset-password?token=`)).toBe(true);

      await patient.goto(link);
      await patient.getByRole('heading', { name: 'Set a new password' }).waitFor();
      await patient.getByLabel(/^New password/).fill(NEW_PASSWORD);
      await patient.getByLabel('Repeat the new password').fill(NEW_PASSWORD);
      await patient.getByRole('button', { name: 'Set password' }).click();
      await patient.getByText('Your password is set').waitFor();

      // The link works once.
      await patient.goto(link);
      await patient.getByRole('heading', { name: 'Set a new password' }).waitFor();
      await patient.getByLabel(/^New password/).fill(`${NEW_PASSWORD} again`);
      await patient.getByLabel('Repeat the new password').fill(`${NEW_PASSWORD} again`);
      await patient.getByRole('button', { name: 'Set password' }).click();
      await patient.getByText(/not valid, was used or has expired/).waitFor();

      // The old password opens nothing; the new one signs in.
      await patient.goto(`${app.url}/portal/login`);
      await patient.getByLabel('Email').fill(DEMO_LOGINS.patient.email);
      await patient.getByLabel('Password').fill(DEMO_LOGINS.patient.password);
      await patient.getByRole('button', { name: 'Sign in' }).click();
      await patient.getByText('Email or password is incorrect').waitFor();
      await patient.getByLabel('Password').fill(NEW_PASSWORD);
      await patient.getByRole('button', { name: 'Sign in' }).click();
      await patient.getByRole('heading', { name: 'My profile' }).waitFor();
    });
  }, 180_000);
});
